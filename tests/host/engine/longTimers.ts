// Timers longer than the storage backend allows (6 days on Azure Storage), split into pieces the
// way the extension does and numbered the way durable-functions' LongTimerTask expects. Sources:
// Azure/azure-functions-durable-extension a7c6d694 (paths under src/WebJobs.Extensions.DurableTask/)
// and durable-functions 3.5.0 as installed (node_modules/durable-functions/lib/src/).
//
// - A Node worker talks the JSON shim protocol, not the gRPC one (DurableTaskExtension.cs:199-213),
//   so OutOfProcOrchestrationShim turns each CreateTimer action into a call to
//   DurableOrchestrationContext.CreateTimer (OutOfProcOrchestrationShim.cs:118-132).
// - The trigger payload tells the SDK both durations (OrchestrationTriggerAttributeBindingProvider
//   .cs:236-239): MaximumShortTimerDuration is the backend's MaximumDelayTime
//   (DurableOrchestrationContext.cs:92-98), 6 days, and the interval 3 days, on Azure Storage
//   (AzureStorageDurabilityProvider.cs:68-70). engine/episode.ts sends them.
// - With those, the SDK (replay schema V3) makes a timer whose fireAt is more than 6 days away a
//   LongTimerTask (orchestrations/DurableOrchestrationContext.js:171-183): its action keeps the
//   final fireAt, and it tracks one sub-timer at a time, each taking the next sequence number
//   (task/LongTimerTask.js:37-57, TaskOrchestrationExecutor.js:304-312). A sub-timer is numbered
//   when it is created and the next one when the previous one's TimerFired is processed, if the
//   final fireAt is still after the orchestration's current time.
// - The extension splits it with its own loop (DurableOrchestrationContext.cs:339-408): if fireAt is
//   more than MaximumDelayTime away, one TimerCreated at now + 3 days; each time a piece fires, stop
//   if fireAt has passed, else the next piece at now + min(3 days, what is left). Same test as the
//   SDK's (fireAt after now), so both number the same pieces; the pieces' FireAt are the extension's
//   (10 days: 3 + 3 + 3 + 1), which the SDK never compares.
// - Only schema V3 gets the split. Below it, the shim first checks the length against the backend
//   (OutOfProcOrchestrationShim.cs:122-125 -> DurableOrchestrationContext.cs:414-422 ->
//   AzureStorageDurabilityProvider.cs:178-186) and throws, which fails the orchestration
//   (TaskOrchestrationShim.cs:193-196).
// - Cancelling: the shim cancels the C# timer's token (OutOfProcOrchestrationShim.cs:127-131), which
//   ends the extension's loop after its first piece on every replay (DurableTask.Core
//   TaskOrchestrationContext.cs:289-322), while LongTimerTask.cancel() only flags the action and the
//   SDK still numbers a next sub-timer when the current one fires (LongTimerTask.js:31-44). So a
//   cancelled long timer breaks on Azure: non-deterministic if pieces after the first exist;
//   otherwise, once its piece fires early, the SDK counts one task more than the extension, and the
//   result of every task numbered after that reaches the wrong task. tests/host fails the instance
//   when such a task is numbered and says why (an execution that ends or continues as new before
//   numbering anything more is fine, as on Azure).
import { iso, type Execution, type InstanceRecord, type LongTimer } from '../store';
import type { HistoryEvent } from '../types';
import { hostEvent, type SideEffect } from './core';

/** Replay schema V3 (OutOfProcOrchestrationShim.cs:37-42): the SDK splits long timers itself. */
export const SCHEMA_V3 = 2;

/** AzureStorageDurabilityProvider.cs:180-182, as an ArgumentException on `fireAt` formats it. */
export const timerTooLongForStorage = (maximumShortTimerMs: number): string =>
  `The Azure Storage provider supports a maximum of ${maximumShortTimerMs / 86_400_000} days for time-based delays (Parameter 'fireAt')`;

/**
 * The first piece's fireAt when the extension reaches a CreateTimer for `fireAt` at orchestration
 * time `now` (DurableOrchestrationContext.cs:343-348), or undefined for a timer it does not split.
 */
export function firstPieceAt(
  now: number,
  fireAt: number,
  maximumShortTimerMs: number,
  intervalMs: number,
): number | undefined {
  return fireAt - now > maximumShortTimerMs ? now + intervalMs : undefined;
}

/** The extension's next piece of a long timer at orchestration time `now`, or undefined once it is due. */
export function nextPieceAt(now: number, until: number, intervalMs: number): number | undefined {
  const left = until - now;
  if (left <= 0) return undefined;
  return left < intervalMs ? until : now + intervalMs;
}

export type PieceStep =
  /** The current piece fired before the final fireAt: a new piece with this id. */
  | { kind: 'piece'; key: number; id: number; fireAt: number }
  /** The last piece fired: the timer is done. */
  | { kind: 'done'; key: number }
  /** A cancelled long timer's piece fired before its final fireAt: the SDK numbers another piece, the extension does not. */
  | { kind: 'sdkAhead'; key: number };

export interface PiecePlan {
  /** TimerFired events of long-timer pieces, delivered first in the episode. */
  events: HistoryEvent[];
  rest: HistoryEvent[];
  steps: PieceStep[];
  nextId: number;
}

/**
 * Which of an episode's events fire a long timer's current piece, and the ids the next pieces take.
 * Delivered first, like retry events (retryTasks.ts planRetries), so the SDK numbers those pieces
 * before any task the orchestrator yields in the same episode.
 */
export function planLongTimers(
  exec: Execution,
  events: readonly HistoryEvent[],
  now: number,
  intervalMs: number,
): PiecePlan {
  const plan: PiecePlan = { events: [], rest: [], steps: [], nextId: exec.replay.nextId };
  if (exec.longTimers.size === 0) {
    plan.rest = events.slice();
    return plan;
  }
  const byPiece = new Map<number, [number, LongTimer]>();
  for (const [key, t] of exec.longTimers) {
    if (!t.sdkAhead && !t.done) byPiece.set(t.pieces[t.pieces.length - 1], [key, t]);
  }
  for (const e of events) {
    const hit = e.EventType === 11 && typeof e.TimerId === 'number' ? byPiece.get(e.TimerId) : undefined;
    if (!hit) {
      plan.rest.push(e);
      continue;
    }
    const [key, t] = hit;
    byPiece.delete(e.TimerId as number);
    plan.events.push(e);
    const fireAt = nextPieceAt(now, t.until, intervalMs);
    if (fireAt === undefined) plan.steps.push({ kind: 'done', key });
    else if (t.canceled) plan.steps.push({ kind: 'sdkAhead', key });
    else plan.steps.push({ kind: 'piece', key, id: plan.nextId++, fireAt });
  }
  return plan;
}

export function applyPieceStep(
  record: InstanceRecord,
  exec: Execution,
  step: PieceStep,
  ts: number,
  scheduling: HistoryEvent[],
  effects: SideEffect[],
  armTimer: (record: InstanceRecord, exec: Execution, id: number, fireAt: number) => void,
): void {
  const t = exec.longTimers.get(step.key);
  if (!t) return;
  if (step.kind === 'done') {
    // Kept, marked done: shimWalk.ts replays the whole history and needs to know its pieces.
    exec.longTimers.set(step.key, { ...t, done: true });
    return;
  }
  if (step.kind === 'sdkAhead') {
    exec.longTimers.set(step.key, { ...t, sdkAhead: true });
    return;
  }
  exec.longTimers.set(step.key, { ...t, pieces: [...t.pieces, step.id] });
  scheduling.push({ ...hostEvent(10, ts, true, step.id), FireAt: iso(step.fireAt) });
  exec.timers.set(step.id, { fireAt: step.fireAt });
  effects.push(() => armTimer(record, exec, step.id, step.fireAt));
}

/**
 * Marks the long timers the orchestrator cancelled in this episode. Returns Azure's failure when one
 * already had more than one piece: the extension's loop now stops after the first piece on replay,
 * and DurableTask.Core finds the second piece's TimerCreated without an action
 * (TaskOrchestrationContext.cs:361-372).
 */
export function cancelLongTimers(exec: Execution, cancelledIds: readonly number[]): string | undefined {
  for (const id of cancelledIds) {
    const t = exec.longTimers.get(id);
    if (!t || t.done) continue;
    if (t.pieces.length > 1) {
      return (
        `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled a timer task with sequence number ${t.pieces[1]} ` +
        `but the current replay execution hasn't (yet?) scheduled this task. Was a change made to the orchestrator code after this instance had already started running?`
      );
    }
    exec.longTimers.set(id, { ...t, canceled: true });
  }
  return undefined;
}

/** How many more tasks the SDK has numbered than the extension, after this episode's steps. */
export function sdkAheadBy(exec: Execution, steps: readonly PieceStep[]): number {
  let n = steps.filter((step) => step.kind === 'sdkAhead').length;
  for (const t of exec.longTimers.values()) if (t.sdkAhead) n++;
  return n;
}

/** The failure once a task is numbered after a cancelled long timer put the SDK ahead. */
export function cancelledLongTimerMisnumbers(name: string): string {
  return (
    `Orchestrator function '${name}' failed: tests/host: a timer longer than 6 days was cancelled and its current ` +
    `piece fired before the timer was due: the Durable Task extension stops splitting a cancelled timer, but ` +
    `durable-functions' LongTimerTask still numbers its next piece, so every task numbered after that gets a different ` +
    `id from the SDK than from the extension and on Azure its result reaches the wrong task. Don't cancel a timer ` +
    `longer than 6 days; wait in steps of at most 6 days instead.`
  );
}
