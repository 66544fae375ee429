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

  // terminate, suspend and resume are messages on Azure (DurableClient.cs:379-443 at a7c6d694 sends
  // them with TerminateInstanceAsync / SuspendInstanceAsync / ResumeInstanceAsync): the HTTP API
  // answers 202 and the status changes when the instance's next episode takes the message. The
  // checks are against the status stored at the time of the call; an InvalidOperationException
  // there is HttpApiHandler.cs:444-447's catch-all 500. HttpApiHandler.cs:785-855 answers 404 for an
  // unknown instance and 410 for a completed one before that.

  terminate(instanceId: string, reason?: string): OperationOutcome {
    const record = this.core.store.get(instanceId);
    if (!record) return 'notFound';
    if (isFinal(record.runtimeStatus)) return 'gone';
    this.core.deliver(record, current(record), { EventType: 3, Input: reason ?? null });
    return 'accepted';
  }

  /** The queued ExecutionTerminated reached the instance: it ends here, whatever else is queued. */
  applyTerminate(record: InstanceRecord, exec: Execution, reason: string | undefined): void {
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
    record.episodes++;
    this.finish(record, exec, 'Terminated', reason === undefined ? undefined : JSON.stringify(reason), {
      Reason: `Sub-orchestration '${record.name}' (instance '${record.instanceId}') was terminated${reason ? `: ${reason}` : ''}`,
      Details: '',
    });
  }

  suspend(instanceId: string, reason?: string): OperationOutcome {
    const record = this.core.store.get(instanceId);
    if (!record) return 'notFound';
    if (isFinal(record.runtimeStatus)) return 'gone';
    // DurableClient.cs:906-911 IsOrchestrationSuspendable: Running, Pending or ContinuedAsNew.
    if (record.runtimeStatus === 'Suspended') throw refused('suspend', instanceId, record.runtimeStatus);
    this.core.deliver(record, current(record), { EventType: 19, Reason: reason ?? null });
    return 'accepted';
  }

  resume(instanceId: string, reason?: string): OperationOutcome {
    const record = this.core.store.get(instanceId);
    if (!record) return 'notFound';
    if (isFinal(record.runtimeStatus)) return 'gone';
    if (record.runtimeStatus !== 'Suspended') throw refused('resume', instanceId, record.runtimeStatus);
    this.core.deliver(record, current(record), { EventType: 20, Reason: reason ?? null });
    return 'accepted';
  }

  /** The episode that took the queued ExecutionSuspended has committed. */
  markSuspended(record: InstanceRecord): void {
    if (isFinal(record.runtimeStatus) || record.runtimeStatus === 'Suspended') return;
    record.statusBeforeSuspend = record.runtimeStatus;
    record.runtimeStatus = 'Suspended';
    this.core.touch(record);
  }

  /** The queued ExecutionResumed is about to be delivered. */
  markResumed(record: InstanceRecord): void {
    if (record.runtimeStatus !== 'Suspended') return;
    record.runtimeStatus = record.statusBeforeSuspend ?? 'Running';
    record.statusBeforeSuspend = undefined;
    this.core.touch(record);
  }

  /**
   * Deletes the instance whatever its status, as Azure Storage does: AzureTableTrackingStore
   * .PurgeInstanceHistoryAsync(instanceId) (durabletask src/DurableTask.AzureStorage/Tracking/
   * AzureTableTrackingStore.cs:717-746 at 52170329) deletes the instance row and its history
   * without looking at the status, and HttpApiHandler.cs:554-567 only checks that it exists. Work
   * still in flight for a purged running instance lands nowhere.
   */
  purge(instanceId: string): number {
    const record = this.core.store.get(instanceId);
    if (!record) return 0;
    this.timers.dropAll(record, current(record));
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

  /**
   * Ends `exec` as ContinuedAsNew and starts the next execution. `carried` are the EventRaised
   * events DurableTask.Core moves over (shimWalk.ts carryOverFrom); events that reached the inbox
   * while the deciding episode ran follow them when a client sent them: a client's raise event,
   * terminate, suspend or resume names no execution (DurableClient.cs:836-840 at a7c6d694 clears
   * ExecutionId), and Azure Storage hands such a message to whichever execution is current
   * (durabletask src/DurableTask.AzureStorage/OrchestrationSessionManager.cs:433-451 at 52170329).
   * Completions of the old execution's work are discarded with it (same lines: a message for an
   * older generation finds no state).
   */
  continueAsNew(
    record: InstanceRecord,
    exec: Execution,
    ts: number,
    input: unknown,
    carried: readonly HistoryEvent[] = [],
  ): void {
    const inputJson = toJson(input);
    exec.history.push(
      {
        ...hostEvent(1, ts, true),
        OrchestrationStatus: ORCHESTRATION_STATUS.ContinuedAsNew,
        Result: inputJson ?? null,
      },
      hostEvent(13, ts, true),
    );
    const fromClients = exec.inbox.filter((e) => CLIENT_MESSAGES.has(e.EventType));
    this.dropOpenWork(record, exec);
    const next = newExecution(newInstanceId(), inputJson);
    next.lastStartedAt = exec.lastStartedAt;
    const started = this.executionStarted(record.instanceId, next, record.name, record.parent, inputJson);
    next.inbox.push(started, ...carried.map((e) => ({ ...e, IsPlayed: false })), ...fromClients);
    record.executions.push(next);
    // AzureTableTrackingStore.cs:983-989 (52170329) writes CreatedTime from each ExecutionStarted,
    // the new execution's included.
    record.createdAt = Date.parse(started.Timestamp);
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

/** EventRaised, ExecutionTerminated, ExecutionSuspended, ExecutionResumed: sent by clients. */
const CLIENT_MESSAGES = new Set([15, 3, 19, 20]);

function refused(op: 'suspend' | 'resume', instanceId: string, status: string): HostError {
  return new HostError(
    500,
    `Something went wrong while processing your request: Cannot ${op} the orchestration instance ${instanceId} because instance is in the ${status} state.`,
  );
}

/** The extension refuses ids with these (they break the status URLs and table keys). */
function hasForbiddenChar(id: string): boolean {
  for (const ch of id) {
    const code = ch.charCodeAt(0);
    if ('/\\#?'.includes(ch) || code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
