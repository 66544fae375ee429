// Retried activities and sub-orchestrations: which events of an episode belong to a retry, the
// ids the SDK will give the next timer or attempt, and the scheduling that follows. The schedule
// itself (delays, when to stop) is retry.ts.
import type { Execution, InstanceRecord, RetryState } from '../store';
import { iso } from '../store';
import type { HistoryEvent } from '../types';
import { hostEvent, toJson, type EngineCore, type SideEffect } from './core';
import { afterRetryTimer, retryDelay } from './retry';

/** Decisions the host takes for retried tasks when it delivers their events (see planRetries). */
export type RetryStep =
  | { kind: 'timer'; key: number; id: number; failure: { Reason: string; Details: string } }
  | { kind: 'attempt'; key: number; id: number }
  | { kind: 'finished'; key: number };

export interface RetryPlan {
  events: HistoryEvent[];
  steps: RetryStep[];
  nextId: number;
}

/** What applying a retry step may need to start. */
export interface RetryEffects {
  armTimer(record: InstanceRecord, exec: Execution, id: number, fireAt: number): void;
  enqueueActivity(record: InstanceRecord, exec: Execution, id: number, name: string, input: unknown): void;
  startChild(
    record: InstanceRecord,
    exec: Execution,
    taskId: number,
    name: string,
    childId: string,
    input: unknown,
  ): void;
}

/**
 * The SDK gives a retried task a new sequence number when it sees a failed attempt (the retry
 * timer) and when that timer fires with attempts left (the next attempt). Delivering those events
 * first in the episode means the SDK takes those numbers before any task the orchestrator yields
 * in the same episode, so the host can predict every id.
 */
export function planRetries(
  exec: Execution,
  events: readonly HistoryEvent[],
  firstId = exec.replay.nextId,
): RetryPlan {
  const first: HistoryEvent[] = [];
  const rest: HistoryEvent[] = [];
  const steps: RetryStep[] = [];
  let nextId = firstId;
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

export function startRetry(
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

export function applyRetryStep(
  core: EngineCore,
  run: RetryEffects,
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
    // retryIds keeps the finished call's ids: shimWalk.ts replays the whole history with them.
    exec.retries.delete(step.key);
    return;
  }
  exec.retryIds.set(step.id, step.key);
  if (step.kind === 'timer') {
    r.lastFailure = step.failure;
    const decision = retryDelay(r.options, r.attempt, r.firstAttemptAt, ts);
    r.attempt++;
    r.waitingOn = { id: step.id, what: 'timer' };
    if (decision.kind === 'stop') {
      // DurableTask.Core's RetryInterceptor breaks out of its loop without the back-compat timer
      // (retry.ts); the SDK surfaces a failure only when a timer fires, so the orchestration waits
      // forever: no event, no episode, still Running (azure-functions-durable-js#629).
      r.gaveUp = true;
      const line = retryHangs(record.instanceId, r.kind, r.name, r.attempt - 1, decision.reason, r.options);
      effects.push(() => core.warn(line));
      return;
    }
    const fireAt = ts + decision.delayMs;
    scheduling.push({ ...hostEvent(10, ts, true, step.id), FireAt: iso(fireAt) });
    exec.timers.set(step.id, { fireAt });
    effects.push(() => run.armTimer(record, exec, step.id, fireAt));
    return;
  }
  r.waitingOn = { id: step.id, what: 'attempt' };
  if (r.kind === 'activity') {
    scheduling.push({
      ...hostEvent(4, ts, true, step.id),
      Name: r.name,
      Version: '',
      Input: toJson(r.input) ?? null,
    });
  } else {
    const childId = r.subInstanceId ?? `${exec.executionId}:${step.id}`;
    scheduling.push({
      ...hostEvent(7, ts, true, step.id),
      Name: r.name,
      Version: '',
      InstanceId: childId,
      Input: toJson(r.input) ?? null,
    });
    effects.push(() => run.startChild(record, exec, step.id, r.name, childId, r.input));
  }
  if (r.kind === 'activity') {
    exec.activities.set(step.id, { name: r.name, input: r.input });
    effects.push(() => run.enqueueActivity(record, exec, step.id, r.name, r.input));
  }
}

/** The one line that explains a hung instance. */
function retryHangs(
  instanceId: string,
  kind: RetryState['kind'],
  name: string,
  attempt: number,
  reason: 'timeout' | 'zeroDelay',
  options: RetryState['options'],
): string {
  const what = kind === 'activity' ? 'activity' : 'sub-orchestration';
  const cause =
    reason === 'timeout'
      ? `its retryTimeoutInMilliseconds (${options.retryTimeoutInMilliseconds} ms) had passed`
      : 'the next retry delay computed to zero';
  return (
    `instance '${instanceId}' will wait forever: ${what} '${name}' failed on attempt ${attempt} after ${cause}. ` +
    `DurableTask.Core stops retrying without the timer the JS SDK waits for, so the failure never reaches ` +
    `the orchestrator (azure-functions-durable-js#629). Bound retries by maxNumberOfAttempts, not retryTimeout.`
  );
}
