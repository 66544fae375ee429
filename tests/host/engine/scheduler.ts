// The work queue of the Durable Task extension: which instance gets an episode next (one at a
// time per instance, completions that arrive together batched into one), and how an episode's
// reply is committed. The concerns it drives live beside it: core.ts (shared state, deliver),
// instances.ts (create, terminate, suspend/resume, purge, completion, continue-as-new),
// activities.ts, retryTasks.ts (+ retry.ts), timers.ts, subOrchestrations.ts, events.ts.
// State lives in store.ts; this module moves it on.
import type { HostClock, IdleSource } from '../clock';
import type { HostInvoker } from '../invoke';
import { current, isFinal, iso, type Execution, type InstanceRecord, type Store } from '../store';
import type { HistoryEvent, HostSettings, OperationOutcome, Registry } from '../types';
import { ActivityQueue } from './activities';
import { EngineCore, hostEvent, toJson, type SideEffect } from './core';
import {
  historyText,
  LONG_RUNNING_TIMER_INTERVAL_MS,
  MAXIMUM_SHORT_TIMER_MS,
  runEpisode,
  type EpisodeOutcome,
} from './episode';
import { raiseEvent } from './events';
import {
  customStatusTooLarge,
  MAX_ORCHESTRATION_ACTIONS,
  subOrchestrationReusesId,
  tooManyActions,
} from './limits';
import { Instances } from './instances';
import {
  applyPieceStep,
  cancelledLongTimerMisnumbers,
  cancelLongTimers,
  firstPieceAt,
  planLongTimers,
  sdkAheadBy,
  type PiecePlan,
} from './longTimers';
import { replay, type NewWork, type ReplayState } from './replay';
import { applyRetryStep, planRetries, startRetry, type RetryEffects, type RetryStep } from './retryTasks';
import { carryOverFrom, walkShim, type TaskOwners } from './shimWalk';
import { startChild } from './subOrchestrations';
import { TimerTable } from './timers';

export { newInstanceId } from './core';

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
  /** See EngineCoreOptions.warn. */
  warn?: (message: string) => void;
}

export class Scheduler implements IdleSource {
  private readonly core: EngineCore;
  private readonly timers: TimerTable;
  private readonly activities: ActivityQueue;
  private readonly instances: Instances;
  private readonly run: RetryEffects;
  private readonly maxEpisodes: number;
  private readonly batchWindowMs: number;

  private readonly runningEpisodes = new Set<string>();
  private readonly heldSince = new Map<string, number>();
  private pumpScheduled = false;
  private holdTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(options: SchedulerOptions) {
    this.core = new EngineCore({
      store: options.store,
      registry: options.registry,
      clock: options.clock,
      invoker: options.invoker,
      onError: options.onError ?? ((m, e) => console.error(`[tests/host] ${m}:`, e)),
      warn: options.warn,
      requestPump: () => this.schedulePump(),
    });
    this.timers = new TimerTable(this.core);
    this.activities = new ActivityQueue(
      this.core,
      Math.max(1, options.settings.maxConcurrentActivityFunctions),
    );
    this.instances = new Instances(this.core, this.timers);
    this.run = {
      armTimer: (record, exec, id, fireAt) => this.timers.arm(record, exec, id, fireAt),
      enqueueActivity: (record, exec, id, name, input) =>
        this.activities.enqueue(record, exec, id, name, input),
      startChild: (record, exec, taskId, name, childId, input) =>
        startChild(this.core, this.instances, record, exec, taskId, name, childId, input),
    };
    this.maxEpisodes = Math.max(1, options.settings.maxConcurrentOrchestratorFunctions);
    this.batchWindowMs = options.batchWindowMs ?? 50;
    this.core.clock.attach(this);
  }

  // ---------------------------------------------------------------- client operations

  startNew(name: string, options: { instanceId?: string; input?: unknown } = {}): string {
    return this.instances.startNew(name, options);
  }

  raiseEvent(instanceId: string, eventName: string, data: unknown): OperationOutcome {
    return raiseEvent(this.core, instanceId, eventName, data);
  }

  terminate(instanceId: string, reason?: string): OperationOutcome {
    return this.instances.terminate(instanceId, reason);
  }

  suspend(instanceId: string, reason?: string): OperationOutcome {
    return this.instances.suspend(instanceId, reason);
  }

  resume(instanceId: string, reason?: string): OperationOutcome {
    return this.instances.resume(instanceId, reason);
  }

  /** Deletes a final instance; running ones are left alone (0). */
  purge(instanceId: string): number {
    return this.instances.purge(instanceId);
  }

  /** Drops in-flight work (late activity results are ignored), keeps the store, re-arms what it owes. */
  restart(): void {
    const core = this.core;
    core.generation++;
    this.activities.reset();
    this.heldSince.clear();
    this.runningEpisodes.clear();
    core.ready.clear();
    core.forced.clear();
    this.timers.cancelEverything();
    for (const record of core.store.all()) {
      if (isFinal(record.runtimeStatus)) continue;
      const exec = current(record);
      for (const [id, t] of exec.timers) this.timers.arm(record, exec, id, t.fireAt);
      for (const [id, a] of exec.activities) this.activities.enqueue(record, exec, id, a.name, a.input);
      core.ready.add(record.instanceId);
      core.forced.add(record.instanceId);
    }
    this.schedulePump();
  }

  stop(): void {
    this.stopped = true;
    this.core.generation++;
    this.timers.cancelEverything();
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.activities.clearQueue();
    this.core.ready.clear();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // ---------------------------------------------------------------- idleness

  isIdle(): boolean {
    return this.core.ready.size === 0 && this.runningEpisodes.size === 0 && this.activities.isIdle();
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
    const core = this.core;
    this.activities.startQueued();
    let holdUntil = Infinity;
    const realNow = Date.now();
    for (const id of core.ready) {
      if (this.runningEpisodes.size >= this.maxEpisodes) break;
      if (this.runningEpisodes.has(id)) continue; // its finish re-pumps
      const record = core.store.get(id);
      if (!record || isFinal(record.runtimeStatus) || !hasWork(record)) {
        core.ready.delete(id);
        core.forced.delete(id);
        continue;
      }
      if (this.activities.inFlightFor(id) > 0 && !core.forced.has(id)) {
        let since = this.heldSince.get(id);
        if (since === undefined) this.heldSince.set(id, (since = realNow));
        const window = Math.max(this.batchWindowMs, 3 * (core.episodeCost.get(id) ?? 0));
        if (realNow - since < window) {
          holdUntil = Math.min(holdUntil, since + window);
          continue;
        }
      }
      core.ready.delete(id);
      this.heldSince.delete(id);
      const force = core.forced.delete(id);
      const generation = core.generation;
      this.runningEpisodes.add(id);
      this.runOneEpisode(id, force)
        .catch((error: unknown) => core.onError(`Episode of ${id} failed inside tests/host`, error))
        .finally(() => {
          if (generation === core.generation) this.runningEpisodes.delete(id);
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
      core.clock.notifyIdle();
    }
  }

  // ---------------------------------------------------------------- episodes

  private async runOneEpisode(instanceId: string, force: boolean): Promise<void> {
    const core = this.core;
    const generation = core.generation;
    const record = core.store.get(instanceId);
    if (!record || isFinal(record.runtimeStatus) || !hasWork(record)) return;
    const exec = current(record);
    const { taken, control } = takeFromInbox(record, exec);
    if (taken === 0 && !force) return;
    if (control?.kind === 'terminate') return this.instances.applyTerminate(record, exec, control.reason);
    if (control?.kind === 'resume') this.instances.markResumed(record);
    const events = exec.inbox.slice(0, taken);
    const ts = this.episodeTime(exec, events);
    const pieces = planLongTimers(exec, events, ts, LONG_RUNNING_TIMER_INTERVAL_MS);
    const plan = planRetries(exec, pieces.rest, pieces.nextId);
    const newEvents = [
      hostEvent(12, ts, false),
      ...[...pieces.events, ...plan.events].map((e) => ({ ...e, IsPlayed: false })),
    ];
    const registration = core.registry.get(record.name);

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
        call: (reg, payload, inspect) => core.invoker.call(reg, payload, { inspect }),
      });
    }
    core.episodeCost.set(instanceId, Date.now() - began);
    // Restarted, terminated, purged or continued meanwhile: this episode never happened.
    if (generation !== core.generation || core.store.get(instanceId) !== record) return;
    if (isFinal(record.runtimeStatus) || current(record) !== exec) return;
    try {
      this.commit(record, exec, taken, newEvents, pieces, plan, outcome, ts);
      if (control?.kind === 'suspend' && current(record) === exec) this.instances.markSuspended(record);
    } catch (error) {
      // A bug in tests/host must not leave the instance hanging where a test waits for it.
      core.onError(`tests/host could not apply an episode of ${instanceId}`, error);
      if (!isFinal(record.runtimeStatus) && current(record) === exec) {
        this.instances.fail(record, exec, ts, `tests/host internal error: ${(error as Error).message}`);
      }
    }
  }

  /** Orchestration time for an episode: never backwards, never before a timer it delivers. */
  private episodeTime(exec: Execution, events: readonly HistoryEvent[]): number {
    let ts = Math.max(this.core.clock.now(), exec.lastStartedAt);
    for (const e of events) if (e.EventType === 11) ts = Math.max(ts, Date.parse(String(e.FireAt)));
    return ts;
  }

  private commit(
    record: InstanceRecord,
    exec: Execution,
    taken: number,
    newEvents: HistoryEvent[],
    pieces: PiecePlan,
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
    if (state && state.customStatus !== undefined && state.customStatus !== null) {
      const tooLarge = customStatusTooLarge(JSON.stringify(state.customStatus));
      if (tooLarge)
        return this.instances.fail(
          record,
          exec,
          ts,
          `Orchestrator function '${record.name}' failed: ${tooLarge}`,
        );
      record.customStatus = state.customStatus;
    }

    if (outcome.kind === 'failed') {
      return this.instances.fail(
        record,
        exec,
        ts,
        `Orchestrator function '${record.name}' failed: ${outcome.error}`,
      );
    }
    const result = replay({
      actions: outcome.state.actions,
      prior: exec.replay,
      scheduled: exec.scheduled,
      firstNewId: plan.nextId,
      now: ts,
      schemaVersion: outcome.state.schemaVersion ?? 0,
      maximumShortTimerMs: MAXIMUM_SHORT_TIMER_MS,
    });
    if (!result.ok) {
      const reason =
        result.error === 'nonDeterministic'
          ? result.message
          : `Orchestrator function '${record.name}' failed: ${result.message}`;
      return this.instances.fail(record, exec, ts, reason);
    }
    const missing = result.newWork.find(
      (w) =>
        (w.kind === 'activity' && this.core.registry.get(w.name)?.triggerType !== 'activityTrigger') ||
        (w.kind === 'subOrchestration' &&
          this.core.registry.get(w.name)?.triggerType !== 'orchestrationTrigger'),
    ) as { kind: string; name: string } | undefined;
    if (missing) {
      const type = missing.kind === 'activity' ? 'activity' : 'orchestrator';
      return this.instances.fail(
        record,
        exec,
        ts,
        `Orchestrator function '${record.name}' failed: The function '${missing.name}' doesn't exist, is disabled, or is not an ${type} function.`,
      );
    }

    const reused = result.newWork.find(
      (w) =>
        w.kind === 'subOrchestration' &&
        subOrchestrationReusesId(w.instanceId, record.instanceId, record.parent?.instanceId) !== undefined,
    );
    if (reused) {
      const message = subOrchestrationReusesId(record.instanceId, record.instanceId, undefined)!;
      return this.instances.fail(
        record,
        exec,
        ts,
        `Orchestrator function '${record.name}' failed: ${message}`,
      );
    }
    if (countActions(result.state) > MAX_ORCHESTRATION_ACTIONS) {
      return this.instances.fail(
        record,
        exec,
        ts,
        `Orchestrator function '${record.name}' failed: ${tooManyActions()}`,
      );
    }

    // A cancelled long timer may have put the SDK's numbering ahead of the extension's (longTimers.ts).
    const ahead = sdkAheadBy(exec, pieces.steps);
    if (
      !outcome.state.isDone &&
      outcome.sdkSequence !== undefined &&
      outcome.sdkSequence !== result.state.nextId + ahead
    ) {
      return this.instances.fail(
        record,
        exec,
        ts,
        numberingDiverged(record.name, outcome.sdkSequence, result.state.nextId + ahead),
      );
    }
    if (ahead > 0 && result.state.nextId > exec.replay.nextId) {
      return this.instances.fail(record, exec, ts, cancelledLongTimerMisnumbers(record.name));
    }
    const cancelFailure = cancelLongTimers(exec, result.cancelledTimers);
    if (cancelFailure) return this.instances.fail(record, exec, ts, cancelFailure);

    const firstNewIndex = exec.replay.slots.length;
    exec.replay = result.state;
    const scheduling: HistoryEvent[] = [];
    const effects: SideEffect[] = [];
    for (const step of pieces.steps)
      applyPieceStep(record, exec, step, ts, scheduling, effects, this.run.armTimer);
    for (const step of plan.steps)
      applyRetryStep(this.core, this.run, record, exec, step, ts, scheduling, effects);
    // The extension schedules an action only once it reaches it (shimWalk.ts); the rest waits,
    // numbered already, for the episode in which the actions before it complete.
    const walk = walkShim(outcome.state.actions, exec.history, taskOwners(exec));
    const waiting = exec.deferred.concat(
      result.newWork.map((work, k) => ({ index: firstNewIndex + k, work })),
    );
    const due = waiting.filter((d) => d.index < walk.invoked);
    if (due.length > 0 || waiting.length !== exec.deferred.length)
      exec.deferred = waiting.filter((d) => d.index >= walk.invoked);
    let continueInput: { input: unknown } | undefined;
    for (const { work } of due) {
      if (work.kind === 'continueAsNew') continueInput = { input: work.input };
      else this.applyNewWork(record, exec, work, ts, scheduling, effects);
    }
    // result.cancelledTimers stay armed: on Azure Storage a cancelled timer's message is already
    // queued and still fires later, an extra episode the SDK ignores. OutOfProcOrchestrationShim.cs
    // :120-132 (a7c6d694) only cancels the C# task's token; DurableTask.Core does not retract the
    // TimerFired message it sent with the TimerCreated.
    scheduling.sort((a, b) => a.EventId - b.EventId);
    for (const e of scheduling) {
      exec.history.push(e);
      exec.scheduled.set(e.EventId, e);
    }

    // OutOfProcOrchestrationShim.cs:83-96: the output is set only after the walk got through every
    // action; until then the instance stays Running and the next completion gives it an episode.
    if (outcome.state.isDone && walk.finished) {
      if (continueInput && walk.continueAsNewAfter !== undefined) {
        const carried = carryOverFrom(exec.history, walk.continueAsNewAfter);
        return this.instances.continueAsNew(record, exec, ts, continueInput.input, carried);
      }
      if (!continueInput) return this.instances.complete(record, exec, ts, outcome.state.output);
    }
    exec.history.push(hostEvent(13, ts, true));
    this.core.touch(record);
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
          ...hostEvent(4, ts, true, work.id),
          Name: work.name,
          Version: '',
          Input: toJson(work.input) ?? null,
        });
        if (work.retry)
          startRetry(
            exec,
            work.id,
            { kind: 'activity', name: work.name, input: work.input, options: work.retry },
            ts,
          );
        exec.activities.set(work.id, { name: work.name, input: work.input });
        effects.push(() => this.activities.enqueue(record, exec, work.id, work.name, work.input));
        break;
      }
      case 'subOrchestration': {
        const childId = work.instanceId ?? `${exec.executionId}:${work.id}`;
        scheduling.push({
          ...hostEvent(7, ts, true, work.id),
          Name: work.name,
          Version: work.version ?? '',
          InstanceId: childId,
          Input: toJson(work.input) ?? null,
        });
        if (work.retry) {
          startRetry(
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
        effects.push(() => this.run.startChild(record, exec, work.id, work.name, childId, work.input));
        break;
      }
      case 'timer': {
        // Split as the extension splits it when the shim reaches the action, at this episode's time,
        // which is later than the SDK's for an action the walk deferred (engine/longTimers.ts).
        const piece = firstPieceAt(ts, work.fireAt, MAXIMUM_SHORT_TIMER_MS, LONG_RUNNING_TIMER_INTERVAL_MS);
        if (piece !== undefined)
          exec.longTimers.set(work.id, { until: work.fireAt, pieces: [work.id], canceled: work.canceled });
        const fireAt = piece ?? work.fireAt;
        scheduling.push({ ...hostEvent(10, ts, true, work.id), FireAt: iso(fireAt) });
        // Created already cancelled: it still fires (see the note on cancelledTimers in commit).
        exec.timers.set(work.id, { fireAt });
        effects.push(() => this.timers.arm(record, exec, work.id, fireAt));
        break;
      }
      case 'event':
        break;
    }
  }
}

type Control = { kind: 'terminate'; reason: string | undefined } | { kind: 'suspend' } | { kind: 'resume' };

/**
 * How much of the inbox the next episode takes. A suspended instance takes nothing until a
 * resume or terminate arrives (DurableTask.Core buffers the rest); a suspend is the last event an
 * episode takes, so what arrives after it waits; a terminate ends the instance at once.
 */
function takeFromInbox(record: InstanceRecord, exec: Execution): { taken: number; control?: Control } {
  const suspended = record.runtimeStatus === 'Suspended';
  for (let i = 0; i < exec.inbox.length; i++) {
    const type = exec.inbox[i].EventType;
    if (type === 3) {
      const reason = exec.inbox[i].Input;
      return {
        taken: exec.inbox.length,
        control: { kind: 'terminate', reason: reason == null ? undefined : String(reason) },
      };
    }
    if (type === 20 && suspended) return { taken: i + 1, control: { kind: 'resume' } };
    if (type === 19 && !suspended) return { taken: i + 1, control: { kind: 'suspend' } };
  }
  return { taken: suspended ? 0 : exec.inbox.length };
}

/** A suspended instance has work only when a resume or terminate is queued. */
function hasWork(record: InstanceRecord): boolean {
  if (record.runtimeStatus !== 'Suspended') return true;
  return current(record).inbox.some((e) => e.EventType === 3 || e.EventType === 20);
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

/** Which flat action each task id belongs to, for walkShim. */
function taskOwners(exec: Execution): TaskOwners {
  const byId = new Map<number, number>();
  exec.replay.slots.forEach((slot, index) => {
    if (slot.id !== undefined) byId.set(slot.id, index);
  });
  const partOf = new Map<number, number>(exec.retryIds);
  const lastPart = new Map<number, number>();
  for (const [id, first] of exec.retryIds) lastPart.set(first, Math.max(id, lastPart.get(first) ?? id));
  for (const [first, timer] of exec.longTimers) {
    for (const piece of timer.pieces) partOf.set(piece, first);
    lastPart.set(first, timer.done ? timer.pieces[timer.pieces.length - 1] : -1);
  }
  return { byId, partOf, lastPart };
}

/** Actions the extension counts against MaxOrchestrationActions (event waits and continueAsNew do not). */
function countActions(state: ReplayState): number {
  let n = 0;
  for (const slot of state.slots) if (slot.kind !== 'event' && slot.kind !== 'continueAsNew') n++;
  return n;
}
