// Instance lifecycle: create (with the id rules the extension enforces), terminate, suspend,
// resume, purge, and the end of an execution (completed, failed, terminated, continued as new).
import {
  current,
  isFinal,
  newExecution,
  ORCHESTRATION_STATUS,
  type Execution,
  type InstanceRecord,
  type ParentRef,
} from '../store';
import { HostError, type HistoryEvent, type OperationOutcome } from '../types';
import { hostEvent, newInstanceId, toJson, type EngineCore } from './core';
import { instanceIdTooLong, MAX_INSTANCE_ID_LENGTH } from './limits';
import { reportToParent } from './subOrchestrations';
import type { TimerTable } from './timers';

export class Instances {
  constructor(
    private readonly core: EngineCore,
    private readonly timers: TimerTable,
  ) {}

  startNew(name: string, options: { instanceId?: string; input?: unknown } = {}): string {
    const fn = this.core.registry.get(name);
    if (!fn || fn.triggerType !== 'orchestrationTrigger') {
      throw new HostError(
        400,
        `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      );
    }
    const instanceId = options.instanceId ?? newInstanceId();
    if (instanceId === '' || instanceId.startsWith('@') || hasForbiddenChar(instanceId)) {
      throw new HostError(400, `Invalid instance id '${instanceId}'`);
    }
    if (instanceId.length > MAX_INSTANCE_ID_LENGTH) throw new HostError(400, instanceIdTooLong());
    const existing = this.core.store.get(instanceId);
    if (existing && !isFinal(existing.runtimeStatus)) {
      // Not a 409: the default OverridableExistingInstanceStates is NonRunningStates
      // (azure-functions-durable-extension DurableTaskOptions.cs:188, OverridableStates.cs), so
      // Azure Storage refuses the create with OrchestrationAlreadyExistsException (durabletask
      // src/DurableTask.AzureStorage/AzureStorageOrchestrationService.cs:1760), which
      // HttpApiHandler.cs:444-447 answers with its catch-all 500.
      throw new HostError(
        500,
        `Something went wrong while processing your request: An Orchestration instance with the status ${existing.runtimeStatus} already exists.`,
      );
    }
    this.create(name, instanceId, toJson(options.input));
    return instanceId;
  }

  create(
    name: string,
    instanceId: string,
    inputJson: string | undefined,
    parent?: ParentRef,
  ): InstanceRecord {
    const now = this.core.clock.now();
    const exec = newExecution(newInstanceId(), inputJson);
    exec.inbox.push(this.executionStarted(instanceId, exec, name, parent, inputJson));
    const record: InstanceRecord = {
      instanceId,
      name,
      runtimeStatus: 'Pending',
      createdAt: now,
      updatedAt: now,
      output: undefined,
      customStatus: undefined,
      parent,
      executions: [exec],
      episodes: 0,
    };
    this.core.store.put(record);
    this.core.enqueueEpisode(instanceId);
    return record;
  }

  terminate(instanceId: string, reason?: string): OperationOutcome {
    const record = this.core.store.get(instanceId);
    if (!record) return 'notFound';
    if (isFinal(record.runtimeStatus)) return 'gone';
    const exec = current(record);
    const ts = Math.max(this.core.clock.now(), exec.lastStartedAt);
    exec.history.push(
      hostEvent(12, ts, true),
      { ...hostEvent(3, ts, true), Input: reason ?? null },
      {
        ...hostEvent(1, ts, true),
        OrchestrationStatus: ORCHESTRATION_STATUS.Terminated,
        Result: reason ?? null,
      },
      hostEvent(13, ts, true),
    );
    exec.lastStartedAt = ts;
    this.finish(record, exec, 'Terminated', reason === undefined ? undefined : JSON.stringify(reason), {
      Reason: `Sub-orchestration '${record.name}' (instance '${record.instanceId}') was terminated${reason ? `: ${reason}` : ''}`,
      Details: '',
    });
    return 'accepted';
  }

  suspend(instanceId: string, reason?: string): OperationOutcome {
    const record = this.core.store.get(instanceId);
    if (!record) return 'notFound';
    if (isFinal(record.runtimeStatus)) return 'gone';
    if (record.runtimeStatus === 'Suspended') return 'accepted';
    record.statusBeforeSuspend = record.runtimeStatus;
    record.runtimeStatus = 'Suspended';
    current(record).inbox.push({ ...hostEvent(19, this.core.clock.now(), false), Reason: reason ?? null });
    this.core.touch(record);
    return 'accepted';
  }

  resume(instanceId: string, reason?: string): OperationOutcome {
    const record = this.core.store.get(instanceId);
    if (!record) return 'notFound';
    if (isFinal(record.runtimeStatus)) return 'gone';
    if (record.runtimeStatus !== 'Suspended') return 'accepted';
    record.runtimeStatus = record.statusBeforeSuspend ?? 'Running';
    record.statusBeforeSuspend = undefined;
    this.core.deliver(record, current(record), { EventType: 20, Reason: reason ?? null });
    return 'accepted';
  }

  /** Deletes a final instance; running ones are left alone (0). */
  purge(instanceId: string): number {
    const record = this.core.store.get(instanceId);
    if (!record || !isFinal(record.runtimeStatus)) return 0;
    this.core.store.delete(instanceId);
    return 1;
  }

  fail(record: InstanceRecord, exec: Execution, ts: number, reason: string): void {
    exec.history.push(
      {
        ...hostEvent(1, ts, true),
        OrchestrationStatus: ORCHESTRATION_STATUS.Failed,
        Result: reason,
        FailureDetails: { ErrorType: 'OrchestrationFailureException', ErrorMessage: reason },
      },
      hostEvent(13, ts, true),
    );
    this.finish(record, exec, 'Failed', JSON.stringify(reason), { Reason: reason, Details: '' });
  }

  complete(record: InstanceRecord, exec: Execution, ts: number, output: unknown): void {
    const result = toJson(output) ?? 'null';
    exec.history.push(
      {
        ...hostEvent(1, ts, true),
        OrchestrationStatus: ORCHESTRATION_STATUS.Completed,
        Result: result,
      },
      hostEvent(13, ts, true),
    );
    this.finish(record, exec, 'Completed', result);
  }

  continueAsNew(record: InstanceRecord, exec: Execution, ts: number, input: unknown): void {
    const inputJson = toJson(input);
    exec.history.push(
      {
        ...hostEvent(1, ts, true),
        OrchestrationStatus: ORCHESTRATION_STATUS.ContinuedAsNew,
        Result: inputJson ?? null,
      },
      hostEvent(13, ts, true),
    );
    // Events this execution never consumed are dropped with it (the extension carries them over only when asked).
    this.dropOpenWork(record, exec);
    const next = newExecution(newInstanceId(), inputJson);
    next.lastStartedAt = exec.lastStartedAt;
    next.inbox.push(this.executionStarted(record.instanceId, next, record.name, record.parent, inputJson));
    record.executions.push(next);
    this.core.touch(record);
    this.core.enqueueEpisode(record.instanceId);
  }

  private finish(
    record: InstanceRecord,
    exec: Execution,
    status: 'Completed' | 'Failed' | 'Terminated',
    output: string | undefined,
    failure?: { Reason: string; Details: string },
  ): void {
    record.runtimeStatus = status;
    record.statusBeforeSuspend = undefined;
    record.output = output;
    this.core.episodeCost.delete(record.instanceId);
    this.dropOpenWork(record, exec);
    this.core.touch(record);
    reportToParent(this.core, record, status, output, failure);
  }

  private dropOpenWork(record: InstanceRecord, exec: Execution): void {
    this.timers.dropAll(record, exec);
    exec.activities.clear();
    exec.inbox.length = 0;
    exec.retries.clear();
    exec.retryIds.clear();
  }

  private executionStarted(
    instanceId: string,
    exec: Execution,
    name: string,
    parent: ParentRef | undefined,
    inputJson: string | undefined,
  ): HistoryEvent {
    return {
      ...hostEvent(0, this.core.clock.now(), false),
      OrchestrationInstance: { InstanceId: instanceId, ExecutionId: exec.executionId },
      ParentInstance: parent
        ? {
            Name: parent.name,
            Version: '',
            TaskScheduleId: parent.taskId,
            OrchestrationInstance: { InstanceId: parent.instanceId, ExecutionId: parent.executionId },
          }
        : null,
      Name: name,
      Version: '',
      Input: inputJson ?? null,
      Tags: null,
    };
  }
}

/** The extension refuses ids with these (they break the status URLs and table keys). */
function hasForbiddenChar(id: string): boolean {
  for (const ch of id) {
    const code = ch.charCodeAt(0);
    if ('/\\#?'.includes(ch) || code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
