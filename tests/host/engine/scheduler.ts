// The work queue of the Durable Task extension: episodes (one at a time per instance, completions
// that arrive together batched into one), activities (at most maxConcurrentActivityFunctions at a
// time, at least once), timers on the host clock, sub-orchestrations, external events, terminate,
// suspend/resume, continue-as-new, and restart. State lives in store.ts; this module moves it on.
import { randomUUID } from 'node:crypto';
import type { HostClock, IdleSource, TimerHandle } from '../clock';
import type { HostInvoker } from '../invoke';
import {
  current,
  isFinal,
  iso,
  newExecution,
  ORCHESTRATION_STATUS,
  type Execution,
  type InstanceRecord,
  type ParentRef,
  type RetryState,
  type Store,
} from '../store';
import {
  HostError,
  type HistoryEvent,
  type HostSettings,
  type OperationOutcome,
  type Registry,
} from '../types';
import { historyText, MAXIMUM_SHORT_TIMER_MS, runEpisode, type EpisodeOutcome } from './episode';
import { replay, type NewWork } from './replay';
import { afterRetryTimer, retryDelay } from './retry';

export interface SchedulerOptions {
  store: Store;
  registry: Registry;
  settings: Pick<HostSettings, 'maxConcurrentActivityFunctions' | 'maxConcurrentOrchestratorFunctions'>;
  clock: HostClock;
  invoker: HostInvoker;
  /**
   * While an instance still has activities in flight, its next episode waits up to this long (real
   * ms) so completions that arrive close together share one episode, as the extension's batched
   * message processing does. A fan-out of thousands then replays a few times, not thousands.
   */
  batchWindowMs?: number;
  onError?: (message: string, error: unknown) => void;
}

interface ActivityJob {
  generation: number;
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  input: unknown;
}

/** Decisions the host takes for retried tasks when it delivers their events (see planRetries). */
type RetryStep =
  | { kind: 'timer'; key: number; id: number; failure: { Reason: string; Details: string } }
  | { kind: 'attempt'; key: number; id: number }
  | { kind: 'finished'; key: number };

type SideEffect = () => void;

export const newInstanceId = (): string => randomUUID().replace(/-/g, '');

export class Scheduler implements IdleSource {
  private readonly store: Store;
  private readonly registry: Registry;
  private readonly clock: HostClock;
  private readonly invoker: HostInvoker;
  private readonly maxActivities: number;
  private readonly maxEpisodes: number;
  private readonly batchWindowMs: number;
  private readonly onError: (message: string, error: unknown) => void;

  private generation = 0;
  private readonly ready = new Set<string>();
  private readonly forced = new Set<string>();
  private readonly runningEpisodes = new Set<string>();
  private activityQueue: ActivityJob[] = [];
  private queueHead = 0;
  private runningActivities = 0;
  private readonly inFlight = new Map<string, number>();
  private readonly heldSince = new Map<string, number>();
  /** Real ms the instance's last episode took; a costly replay waits longer for more completions. */
  private readonly episodeCost = new Map<string, number>();
  private readonly timerHandles = new Map<string, TimerHandle>();
  private pumpScheduled = false;
  private holdTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(options: SchedulerOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.clock = options.clock;
    this.invoker = options.invoker;
    this.maxActivities = Math.max(1, options.settings.maxConcurrentActivityFunctions);
    this.maxEpisodes = Math.max(1, options.settings.maxConcurrentOrchestratorFunctions);
    this.batchWindowMs = options.batchWindowMs ?? 50;
    this.onError = options.onError ?? ((m, e) => console.error(`[tests/host] ${m}:`, e));
    this.clock.attach(this);
  }

  // ---------------------------------------------------------------- client operations

  startNew(name: string, options: { instanceId?: string; input?: unknown } = {}): string {
    const fn = this.registry.get(name);
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
    const existing = this.store.get(instanceId);
    if (existing && !isFinal(existing.runtimeStatus)) {
      throw new HostError(
        409,
        `An orchestration with instance ID '${instanceId}' already exists and is ${existing.runtimeStatus}.`,
      );
    }
    this.createInstance(name, instanceId, toJson(options.input));
    return instanceId;
  }

  raiseEvent(instanceId: string, eventName: string, data: unknown): OperationOutcome {
    const record = this.store.get(instanceId);
    if (!record) return 'notFound';
    if (isFinal(record.runtimeStatus)) return 'gone';
    this.deliver(record, current(record), {
      EventType: 15,
      Name: eventName,
      Input: data === undefined ? null : JSON.stringify(data),
    });
    return 'accepted';
  }

  terminate(instanceId: string, reason?: string): OperationOutcome {
    const record = this.store.get(instanceId);
    if (!record) return 'notFound';
    if (isFinal(record.runtimeStatus)) return 'gone';
    const exec = current(record);
    const ts = this.episodeTime(exec, []);
    exec.history.push(
      this.event(12, ts, true),
      { ...this.event(3, ts, true), Input: reason ?? null },
      {
        ...this.event(1, ts, true),
        OrchestrationStatus: ORCHESTRATION_STATUS.Terminated,
        Result: reason ?? null,
      },
      this.event(13, ts, true),
    );
    exec.lastStartedAt = ts;
    this.finish(record, exec, 'Terminated', reason === undefined ? undefined : JSON.stringify(reason), {
      Reason: `Sub-orchestration '${record.name}' (instance '${record.instanceId}') was terminated${reason ? `: ${reason}` : ''}`,
      Details: '',
    });
    return 'accepted';
  }

  suspend(instanceId: string, reason?: string): OperationOutcome {
    const record = this.store.get(instanceId);
    if (!record) return 'notFound';
    if (isFinal(record.runtimeStatus)) return 'gone';
    if (record.runtimeStatus === 'Suspended') return 'accepted';
    record.statusBeforeSuspend = record.runtimeStatus;
    record.runtimeStatus = 'Suspended';
    current(record).inbox.push({ ...this.event(19, this.clock.now(), false), Reason: reason ?? null });
    this.touch(record);
    return 'accepted';
  }

  resume(instanceId: string, reason?: string): OperationOutcome {
    const record = this.store.get(instanceId);
    if (!record) return 'notFound';
    if (isFinal(record.runtimeStatus)) return 'gone';
    if (record.runtimeStatus !== 'Suspended') return 'accepted';
    record.runtimeStatus = record.statusBeforeSuspend ?? 'Running';
    record.statusBeforeSuspend = undefined;
    this.deliver(record, current(record), { EventType: 20, Reason: reason ?? null });
    return 'accepted';
  }

  /** Deletes a final instance; running ones are left alone (0). */
  purge(instanceId: string): number {
    const record = this.store.get(instanceId);
    if (!record || !isFinal(record.runtimeStatus)) return 0;
    this.store.delete(instanceId);
    return 1;
  }

  /** Drops in-flight work (late activity results are ignored), keeps the store, re-arms what it owes. */
  restart(): void {
    this.generation++;
    this.activityQueue = [];
    this.queueHead = 0;
    this.runningActivities = 0;
    this.inFlight.clear();
    this.heldSince.clear();
    this.runningEpisodes.clear();
    this.ready.clear();
    this.forced.clear();
    for (const h of this.timerHandles.values()) h.cancel();
    this.timerHandles.clear();
    for (const record of this.store.all()) {
      if (isFinal(record.runtimeStatus)) continue;
      const exec = current(record);
      for (const [id, t] of exec.timers) this.armTimer(record, exec, id, t.fireAt);
      for (const [id, a] of exec.activities) this.enqueueActivity(record, exec, id, a.name, a.input);
      this.ready.add(record.instanceId);
      this.forced.add(record.instanceId);
    }
    this.schedulePump();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    for (const h of this.timerHandles.values()) h.cancel();
    this.timerHandles.clear();
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.activityQueue = [];
    this.queueHead = 0;
    this.ready.clear();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // ---------------------------------------------------------------- idleness

  isIdle(): boolean {
    return (
      this.ready.size === 0 &&
      this.runningEpisodes.size === 0 &&
      this.runningActivities === 0 &&
      this.queueHead >= this.activityQueue.length
    );
  }

  whenIdle(): Promise<void> {
    if (this.stopped || (this.isIdle() && !this.pumpScheduled)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  poke(): void {
    this.schedulePump();
  }

  // ---------------------------------------------------------------- the pump

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumpScheduled = false;
    if (this.stopped) return;
    while (this.runningActivities < this.maxActivities && this.queueHead < this.activityQueue.length) {
      const job = this.activityQueue[this.queueHead++];
      this.runningActivities++;
      void this.runActivity(job);
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.activityQueue.length) {
      this.activityQueue = this.activityQueue.slice(this.queueHead);
      this.queueHead = 0;
    }
    let holdUntil = Infinity;
    const realNow = Date.now();
    for (const id of this.ready) {
      if (this.runningEpisodes.size >= this.maxEpisodes) break;
      if (this.runningEpisodes.has(id)) continue; // its finish re-pumps
      const record = this.store.get(id);
      if (!record || isFinal(record.runtimeStatus) || record.runtimeStatus === 'Suspended') {
        this.ready.delete(id);
        this.forced.delete(id);
        continue;
      }
      if ((this.inFlight.get(id) ?? 0) > 0 && !this.forced.has(id)) {
        let since = this.heldSince.get(id);
        if (since === undefined) this.heldSince.set(id, (since = realNow));
        const window = Math.max(this.batchWindowMs, 3 * (this.episodeCost.get(id) ?? 0));
        if (realNow - since < window) {
          holdUntil = Math.min(holdUntil, since + window);
          continue;
        }
      }
      this.ready.delete(id);
      this.heldSince.delete(id);
      const force = this.forced.delete(id);
      const generation = this.generation;
      this.runningEpisodes.add(id);
      this.runOneEpisode(id, force)
        .catch((error: unknown) => this.onError(`Episode of ${id} failed inside tests/host`, error))
        .finally(() => {
          if (generation === this.generation) this.runningEpisodes.delete(id);
          this.schedulePump();
        });
    }
    if (holdUntil < Infinity && !this.holdTimer) {
      this.holdTimer = setTimeout(
        () => {
          this.holdTimer = undefined;
          this.schedulePump();
        },
        Math.max(1, holdUntil - realNow),
      );
    }
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      this.clock.notifyIdle();
    }
  }

  // ---------------------------------------------------------------- episodes

  private async runOneEpisode(instanceId: string, force: boolean): Promise<void> {
    const generation = this.generation;
    const record = this.store.get(instanceId);
    if (!record || isFinal(record.runtimeStatus) || record.runtimeStatus === 'Suspended') return;
    const exec = current(record);
    const taken = exec.inbox.length;
    if (taken === 0 && !force) return;
    const events = exec.inbox.slice(0, taken);
    const ts = this.episodeTime(exec, events);
    const plan = this.planRetries(exec, events);
    const newEvents = [this.event(12, ts, false), ...plan.events.map((e) => ({ ...e, IsPlayed: false }))];
    const registration = this.registry.get(record.name);

    const began = Date.now();
    let outcome: EpisodeOutcome;
    if (!registration || registration.triggerType !== 'orchestrationTrigger') {
      outcome = {
        kind: 'failed',
        error: `The function '${record.name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      };
    } else {
      outcome = await runEpisode({
        registration,
        instanceId,
        parentInstanceId: record.parent?.instanceId ?? null,
        historyJson: historyText(exec.history, newEvents, exec.historyCache),
        input: exec.input === undefined ? undefined : JSON.parse(exec.input),
        isReplaying: exec.history.length > 0,
        call: (reg, payload, inspect) => this.invoker.call(reg, payload, { inspect }),
      });
    }
    this.episodeCost.set(instanceId, Date.now() - began);
    // Restarted, terminated, purged or continued meanwhile: this episode never happened.
    if (generation !== this.generation || this.store.get(instanceId) !== record) return;
    if (isFinal(record.runtimeStatus) || current(record) !== exec) return;
    try {
      this.commit(record, exec, taken, newEvents, plan, outcome, ts);
    } catch (error) {
      // A bug in tests/host must not leave the instance hanging where a test waits for it.
      this.onError(`tests/host could not apply an episode of ${instanceId}`, error);
      if (!isFinal(record.runtimeStatus) && current(record) === exec) {
        this.fail(record, exec, ts, `tests/host internal error: ${(error as Error).message}`);
      }
    }
  }

  /** Orchestration time for an episode: never backwards, never before a timer it delivers. */
  private episodeTime(exec: Execution, events: readonly HistoryEvent[]): number {
    let ts = Math.max(this.clock.now(), exec.lastStartedAt);
    for (const e of events) if (e.EventType === 11) ts = Math.max(ts, Date.parse(String(e.FireAt)));
    return ts;
  }

  /**
   * The SDK gives a retried task a new sequence number when it sees a failed attempt (the retry
   * timer) and when that timer fires with attempts left (the next attempt). Delivering those events
   * first in the episode means the SDK takes those numbers before any task the orchestrator yields
   * in the same episode, so the host can predict every id.
   */
  private planRetries(
    exec: Execution,
    events: readonly HistoryEvent[],
  ): { events: HistoryEvent[]; steps: RetryStep[]; nextId: number } {
    const first: HistoryEvent[] = [];
    const rest: HistoryEvent[] = [];
    const steps: RetryStep[] = [];
    let nextId = exec.replay.nextId;
    for (const e of events) {
      const ref = e.EventType === 11 ? e.TimerId : e.TaskScheduledId;
      const key = typeof ref === 'number' ? exec.retryIds.get(ref) : undefined;
      const r = key !== undefined ? exec.retries.get(key) : undefined;
      if (!r || key === undefined || r.waitingOn.id !== ref) {
        rest.push(e);
        continue;
      }
      if ((e.EventType === 6 || e.EventType === 9) && r.waitingOn.what === 'attempt') {
        first.push(e);
        steps.push({
          kind: 'timer',
          key,
          id: nextId++,
          failure: { Reason: String(e.Reason ?? ''), Details: String(e.Details ?? '') },
        });
      } else if (
        e.EventType === 11 &&
        r.waitingOn.what === 'timer' &&
        afterRetryTimer(r.options, r.attempt) === 'attempt'
      ) {
        first.push(e);
        steps.push({ kind: 'attempt', key, id: nextId++ });
      } else {
        rest.push(e);
        steps.push({ kind: 'finished', key });
      }
    }
    return { events: first.concat(rest), steps, nextId };
  }

  private commit(
    record: InstanceRecord,
    exec: Execution,
    taken: number,
    newEvents: HistoryEvent[],
    plan: { steps: RetryStep[]; nextId: number },
    outcome: EpisodeOutcome,
    ts: number,
  ): void {
    exec.inbox.splice(0, taken);
    exec.history.push(...newEvents.map((e) => ({ ...e, IsPlayed: true })));
    exec.lastStartedAt = ts;
    record.episodes++;
    if (record.runtimeStatus === 'Pending') record.runtimeStatus = 'Running';
    if (record.statusBeforeSuspend === 'Pending') record.statusBeforeSuspend = 'Running';
    const state = outcome.state;
    if (state && state.customStatus !== undefined && state.customStatus !== null)
      record.customStatus = state.customStatus;

    if (outcome.kind === 'failed') {
      return this.fail(record, exec, ts, `Orchestrator function '${record.name}' failed: ${outcome.error}`);
    }
    const result = replay({
      actions: outcome.state.actions,
      prior: exec.replay,
      scheduled: exec.scheduled,
      firstNewId: plan.nextId,
      now: ts,
      maximumShortTimerMs: MAXIMUM_SHORT_TIMER_MS,
    });
    if (!result.ok) {
      const reason =
        result.error === 'nonDeterministic'
          ? result.message
          : `Orchestrator function '${record.name}' failed: ${result.message}`;
      return this.fail(record, exec, ts, reason);
    }
    const missing = result.newWork.find(
      (w) =>
        (w.kind === 'activity' && this.registry.get(w.name)?.triggerType !== 'activityTrigger') ||
        (w.kind === 'subOrchestration' && this.registry.get(w.name)?.triggerType !== 'orchestrationTrigger'),
    ) as { kind: string; name: string } | undefined;
    if (missing) {
      const type = missing.kind === 'activity' ? 'activity' : 'orchestrator';
      return this.fail(
        record,
        exec,
        ts,
        `Orchestrator function '${record.name}' failed: The function '${missing.name}' doesn't exist, is disabled, or is not an ${type} function.`,
      );
    }

    if (
      !outcome.state.isDone &&
      outcome.sdkSequence !== undefined &&
      outcome.sdkSequence !== result.state.nextId
    ) {
      return this.fail(
        record,
        exec,
        ts,
        numberingDiverged(record.name, outcome.sdkSequence, result.state.nextId),
      );
    }

    exec.replay = result.state;
    const scheduling: HistoryEvent[] = [];
    const effects: SideEffect[] = [];
    for (const step of plan.steps) this.applyRetryStep(record, exec, step, ts, scheduling, effects);
    let continueInput: { input: unknown } | undefined;
    for (const work of result.newWork) {
      if (work.kind === 'continueAsNew') continueInput = { input: work.input };
      else this.applyNewWork(record, exec, work, ts, scheduling, effects);
    }
    for (const id of result.cancelledTimers) this.cancelTimer(record, exec, id);
    scheduling.sort((a, b) => a.EventId - b.EventId);
    for (const e of scheduling) {
      exec.history.push(e);
      exec.scheduled.set(e.EventId, e);
    }

    if (outcome.state.isDone) {
      if (continueInput) return this.continueAsNew(record, exec, ts, continueInput.input);
      exec.history.push(
        {
          ...this.event(1, ts, true),
          OrchestrationStatus: ORCHESTRATION_STATUS.Completed,
          Result: toJson(outcome.state.output) ?? 'null',
        },
        this.event(13, ts, true),
      );
      return this.finish(record, exec, 'Completed', toJson(outcome.state.output) ?? 'null');
    }
    exec.history.push(this.event(13, ts, true));
    this.touch(record);
    for (const effect of effects) effect();
  }

  private applyNewWork(
    record: InstanceRecord,
    exec: Execution,
    work: Exclude<NewWork, { kind: 'continueAsNew' }>,
    ts: number,
    scheduling: HistoryEvent[],
    effects: SideEffect[],
  ): void {
    switch (work.kind) {
      case 'activity': {
        scheduling.push({
          ...this.event(4, ts, true, work.id),
          Name: work.name,
          Version: '',
          Input: toJson(work.input) ?? null,
        });
        if (work.retry)
          this.startRetry(
            exec,
            work.id,
            { kind: 'activity', name: work.name, input: work.input, options: work.retry },
            ts,
          );
        exec.activities.set(work.id, { name: work.name, input: work.input });
        effects.push(() => this.enqueueActivity(record, exec, work.id, work.name, work.input));
        break;
      }
      case 'subOrchestration': {
        const childId = work.instanceId ?? `${exec.executionId}:${work.id}`;
        scheduling.push({
          ...this.event(7, ts, true, work.id),
          Name: work.name,
          Version: work.version ?? '',
          InstanceId: childId,
          Input: toJson(work.input) ?? null,
        });
        if (work.retry) {
          this.startRetry(
            exec,
            work.id,
            {
              kind: 'subOrchestration',
              name: work.name,
              input: work.input,
              subInstanceId: work.instanceId,
              options: work.retry,
            },
            ts,
          );
        }
        effects.push(() => this.startChild(record, exec, work.id, work.name, childId, work.input));
        break;
      }
      case 'timer': {
        scheduling.push({ ...this.event(10, ts, true, work.id), FireAt: iso(work.fireAt) });
        if (!work.canceled) {
          exec.timers.set(work.id, { fireAt: work.fireAt });
          effects.push(() => this.armTimer(record, exec, work.id, work.fireAt));
        }
        break;
      }
      case 'event':
        break;
    }
  }

  // ---------------------------------------------------------------- retries

  private startRetry(
    exec: Execution,
    id: number,
    base: Pick<RetryState, 'kind' | 'name' | 'input' | 'options' | 'subInstanceId'>,
    ts: number,
  ): void {
    exec.retries.set(id, {
      ...base,
      attempt: 1,
      firstAttemptAt: ts,
      waitingOn: { id, what: 'attempt' },
      gaveUp: false,
    });
    exec.retryIds.set(id, id);
  }

  private applyRetryStep(
    record: InstanceRecord,
    exec: Execution,
    step: RetryStep,
    ts: number,
    scheduling: HistoryEvent[],
    effects: SideEffect[],
  ): void {
    const r = exec.retries.get(step.key);
    if (!r) return;
    if (step.kind === 'finished') {
      for (const [id, key] of exec.retryIds) if (key === step.key) exec.retryIds.delete(id);
      exec.retries.delete(step.key);
      return;
    }
    exec.retryIds.set(step.id, step.key);
    if (step.kind === 'timer') {
      r.lastFailure = step.failure;
      const decision = r.gaveUp ? undefined : retryDelay(r.options, r.attempt, r.firstAttemptAt, ts);
      if (!decision || decision.kind === 'stop') r.gaveUp = true;
      const fireAt = ts + (decision && decision.kind !== 'stop' ? decision.delayMs : 0);
      r.attempt++;
      r.waitingOn = { id: step.id, what: 'timer' };
      scheduling.push({ ...this.event(10, ts, true, step.id), FireAt: iso(fireAt) });
      exec.timers.set(step.id, { fireAt });
      effects.push(() => this.armTimer(record, exec, step.id, fireAt));
      return;
    }
    r.waitingOn = { id: step.id, what: 'attempt' };
    if (r.kind === 'activity') {
      scheduling.push({
        ...this.event(4, ts, true, step.id),
        Name: r.name,
        Version: '',
        Input: toJson(r.input) ?? null,
      });
    } else {
      const childId = r.subInstanceId ?? `${exec.executionId}:${step.id}`;
      scheduling.push({
        ...this.event(7, ts, true, step.id),
        Name: r.name,
        Version: '',
        InstanceId: childId,
        Input: toJson(r.input) ?? null,
      });
      if (!r.gaveUp) effects.push(() => this.startChild(record, exec, step.id, r.name, childId, r.input));
    }
    if (r.gaveUp) {
      // The retry timeout has passed: the extension would not run this attempt. Fail it at once.
      const failure = r.lastFailure ?? { Reason: `Retry timeout expired for '${r.name}'`, Details: '' };
      const type = r.kind === 'activity' ? 6 : 9;
      effects.push(() =>
        this.deliver(record, exec, { EventType: type, TaskScheduledId: step.id, ...failure }),
      );
    } else if (r.kind === 'activity') {
      exec.activities.set(step.id, { name: r.name, input: r.input });
      effects.push(() => this.enqueueActivity(record, exec, step.id, r.name, r.input));
    }
  }

  // ---------------------------------------------------------------- completion of an execution

  private fail(record: InstanceRecord, exec: Execution, ts: number, reason: string): void {
    exec.history.push(
      {
        ...this.event(1, ts, true),
        OrchestrationStatus: ORCHESTRATION_STATUS.Failed,
        Result: reason,
        FailureDetails: { ErrorType: 'OrchestrationFailureException', ErrorMessage: reason },
      },
      this.event(13, ts, true),
    );
    this.finish(record, exec, 'Failed', JSON.stringify(reason), { Reason: reason, Details: '' });
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
    this.episodeCost.delete(record.instanceId);
    this.dropOpenWork(record, exec);
    this.touch(record);
    const parent = record.parent;
    if (!parent) return;
    const parentRecord = this.store.get(parent.instanceId);
    if (!parentRecord || isFinal(parentRecord.runtimeStatus)) return;
    const parentExec = current(parentRecord);
    if (parentExec.executionId !== parent.executionId || !parentExec.subOrchestrations.has(parent.taskId))
      return;
    parentExec.subOrchestrations.delete(parent.taskId);
    if (status === 'Completed') {
      this.deliver(parentRecord, parentExec, {
        EventType: 8,
        TaskScheduledId: parent.taskId,
        Result: output ?? 'null',
      });
    } else {
      this.deliver(parentRecord, parentExec, { EventType: 9, TaskScheduledId: parent.taskId, ...failure! });
    }
  }

  private continueAsNew(record: InstanceRecord, exec: Execution, ts: number, input: unknown): void {
    const inputJson = toJson(input);
    exec.history.push(
      {
        ...this.event(1, ts, true),
        OrchestrationStatus: ORCHESTRATION_STATUS.ContinuedAsNew,
        Result: inputJson ?? null,
      },
      this.event(13, ts, true),
    );
    // Events this execution never consumed are dropped with it (the extension carries them over only when asked).
    this.dropOpenWork(record, exec);
    const next = newExecution(newInstanceId(), inputJson);
    next.lastStartedAt = exec.lastStartedAt;
    next.inbox.push(this.executionStarted(record.instanceId, next, record.name, record.parent, inputJson));
    record.executions.push(next);
    this.touch(record);
    this.enqueueEpisode(record.instanceId);
  }

  private dropOpenWork(record: InstanceRecord, exec: Execution): void {
    for (const id of exec.timers.keys()) this.timerHandles.get(timerKey(record, exec, id))?.cancel();
    for (const id of exec.timers.keys()) this.timerHandles.delete(timerKey(record, exec, id));
    exec.timers.clear();
    exec.activities.clear();
    exec.inbox.length = 0;
    exec.retries.clear();
    exec.retryIds.clear();
  }

  // ---------------------------------------------------------------- instances and children

  private createInstance(
    name: string,
    instanceId: string,
    inputJson: string | undefined,
    parent?: ParentRef,
  ): InstanceRecord {
    const now = this.clock.now();
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
    this.store.put(record);
    this.enqueueEpisode(instanceId);
    return record;
  }

  private executionStarted(
    instanceId: string,
    exec: Execution,
    name: string,
    parent: ParentRef | undefined,
    inputJson: string | undefined,
  ): HistoryEvent {
    return {
      ...this.event(0, this.clock.now(), false),
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

  private startChild(
    parentRecord: InstanceRecord,
    parentExec: Execution,
    taskId: number,
    name: string,
    childId: string,
    input: unknown,
  ): void {
    if (this.store.get(parentRecord.instanceId) !== parentRecord || current(parentRecord) !== parentExec)
      return;
    parentExec.subOrchestrations.set(taskId, { instanceId: childId, name });
    const existing = this.store.get(childId);
    if (childId === parentRecord.instanceId || (existing && !isFinal(existing.runtimeStatus))) {
      parentExec.subOrchestrations.delete(taskId);
      this.deliver(parentRecord, parentExec, {
        EventType: 9,
        TaskScheduledId: taskId,
        Reason: `An orchestration with instance ID '${childId}' already exists.`,
        Details: '',
      });
      return;
    }
    this.createInstance(name, childId, toJson(input), {
      instanceId: parentRecord.instanceId,
      executionId: parentExec.executionId,
      taskId,
      name: parentRecord.name,
    });
  }

  // ---------------------------------------------------------------- activities

  private enqueueActivity(
    record: InstanceRecord,
    exec: Execution,
    taskId: number,
    name: string,
    input: unknown,
  ): void {
    this.activityQueue.push({
      generation: this.generation,
      instanceId: record.instanceId,
      executionId: exec.executionId,
      taskId,
      name,
      input,
    });
    this.inFlight.set(record.instanceId, (this.inFlight.get(record.instanceId) ?? 0) + 1);
    this.schedulePump();
  }

  private async runActivity(job: ActivityJob): Promise<void> {
    this.store.activityLog.push({ name: job.name, input: job.input, instanceId: job.instanceId });
    let completion: Omit<HistoryEvent, 'EventId' | 'IsPlayed' | 'Timestamp'>;
    try {
      const registration = this.registry.get(job.name);
      if (!registration) throw new Error(`The function '${job.name}' doesn't exist.`);
      // Activity input crosses the wire as JSON.
      const input = job.input === undefined ? undefined : JSON.parse(JSON.stringify(job.input));
      const result = await this.invoker.call(registration, input);
      completion = { EventType: 5, TaskScheduledId: job.taskId, Result: toJson(result) ?? 'null' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      completion = {
        EventType: 6,
        TaskScheduledId: job.taskId,
        Reason: `Activity function '${job.name}' failed: ${message}`,
        Details: JSON.stringify({
          Message: message,
          StackTrace: error instanceof Error ? error.stack : undefined,
        }),
      };
    }
    if (job.generation !== this.generation) return; // restarted meanwhile: this result is lost
    this.runningActivities--;
    const left = (this.inFlight.get(job.instanceId) ?? 1) - 1;
    if (left > 0) this.inFlight.set(job.instanceId, left);
    else this.inFlight.delete(job.instanceId);
    const record = this.store.get(job.instanceId);
    const exec = record && current(record);
    if (
      record &&
      exec &&
      !isFinal(record.runtimeStatus) &&
      exec.executionId === job.executionId &&
      exec.activities.delete(job.taskId)
    ) {
      this.deliver(record, exec, completion);
    }
    this.schedulePump();
  }

  // ---------------------------------------------------------------- timers

  private armTimer(record: InstanceRecord, exec: Execution, id: number, fireAt: number): void {
    const generation = this.generation;
    const key = timerKey(record, exec, id);
    this.timerHandles.get(key)?.cancel();
    this.timerHandles.set(
      key,
      this.clock.schedule(fireAt, () => {
        if (generation !== this.generation) return;
        this.timerHandles.delete(key);
        if (
          this.store.get(record.instanceId) !== record ||
          current(record) !== exec ||
          isFinal(record.runtimeStatus)
        )
          return;
        if (!exec.timers.delete(id)) return;
        this.deliver(record, exec, { EventType: 11, TimerId: id, FireAt: iso(fireAt) });
      }),
    );
  }

  private cancelTimer(record: InstanceRecord, exec: Execution, id: number): void {
    exec.timers.delete(id);
    const key = timerKey(record, exec, id);
    this.timerHandles.get(key)?.cancel();
    this.timerHandles.delete(key);
  }

  // ---------------------------------------------------------------- plumbing

  /** Appends an event to the execution's inbox and asks for an episode. */
  private deliver(
    record: InstanceRecord,
    exec: Execution,
    fields: Omit<HistoryEvent, 'EventId' | 'IsPlayed' | 'Timestamp'>,
  ): void {
    exec.inbox.push({
      EventId: -1,
      IsPlayed: false,
      Timestamp: iso(this.clock.now()),
      ...fields,
    } as HistoryEvent);
    this.enqueueEpisode(record.instanceId);
  }

  private enqueueEpisode(instanceId: string): void {
    this.ready.add(instanceId);
    this.schedulePump();
  }

  private event(type: number, ts: number, played: boolean, id = -1): HistoryEvent {
    return { EventType: type, EventId: id, IsPlayed: played, Timestamp: iso(ts) };
  }

  private touch(record: InstanceRecord): void {
    record.updatedAt = Math.max(record.updatedAt, this.clock.now());
    this.store.changed(record);
  }
}

/**
 * The extension numbers every action the SDK sends, compound children included; the SDK numbers
 * only tasks it has not numbered before. They part ways when Task.any/Task.all is handed tasks that
 * were already yielded: the SDK sends their actions again and the extension schedules them again
 * (Azure/azure-functions-durable-js#574, open), after which completions reach the wrong tasks. On
 * Azure that corrupts results silently; here it fails the instance and says why.
 */
function numberingDiverged(name: string, sdk: number, host: number): string {
  return (
    `Orchestrator function '${name}' failed: tests/host: the SDK has numbered ${sdk} tasks but the extension ` +
    `would number ${host}. This happens when Task.any or Task.all is given tasks that were already yielded: ` +
    `durable-functions sends their actions again, the Durable Task extension schedules them again (activities ` +
    `run twice) and later results reach the wrong tasks (Azure/azure-functions-durable-js#574). Put each task in ` +
    `one Task.any/Task.all only; to wait for already-scheduled tasks again, yield them one by one.`
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

function timerKey(record: InstanceRecord, exec: Execution, id: number): string {
  return `${record.instanceId}\u0000${exec.executionId}\u0000${id}`;
}

function toJson(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}
