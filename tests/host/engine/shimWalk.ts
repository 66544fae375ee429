// How far the extension gets through an episode's action list. The durable extension does not run
// the SDK's actions as a set: OutOfProcOrchestrationShim replays them as a C# orchestration over the
// execution's whole history, and that orchestration awaits each top-level action before it invokes
// the next one (azure-functions-durable-extension src/WebJobs.Extensions.DurableTask/Listener/
// OutOfProcOrchestrationShim.cs:199-219 at a7c6d694: `foreach (action) { task = Invoke(action);
// try { await task } catch { } }`). Consequences this module computes, as a pure function:
// - an action is scheduled only once every top-level action before it has completed, failed or
//   not. A C# Task.WhenAll (:180-182) waits for all its children, where the JS Task.all rejects at
//   the first failure, so what the orchestrator yields after a failed Task.all waits for the
//   siblings; Task.WhenAny (:183-185) goes on at the first child, like Task.any;
// - the orchestration completes (SetOutput, :93-96) only after the walk reaches the end;
// - ContinueAsNew (:170-173) takes effect where the walk reaches it, and DurableTask.Core carries
//   over every EventRaised it processes after that point (see carryOverFrom).
// The C# replay processes history events one at a time, in order, and each completion resumes the
// walk at once (DurableTask.Core runs orchestrator continuations synchronously), which is what
// `walkShim` replays.
import type { HistoryEvent } from '../types';
import { ActionType, type WireAction } from './replay';

export interface ShimWalk {
  /** How many flat actions (depth-first, as replay.ts numbers them) the extension has invoked. */
  invoked: number;
  /** Every top-level action has completed: the orchestration may end. */
  finished: boolean;
  /**
   * Index in `events` of the event whose processing let the walk reach ContinueAsNew (-1: reached
   * before any event); undefined when it was not reached.
   */
  continueAsNewAfter?: number;
}

/** Where a completion event's id belongs: the flat index of the action whose task it ends. */
export interface TaskOwners {
  /** Flat index of the action numbered `id` (its first task id). */
  byId: ReadonlyMap<number, number>;
  /**
   * Later ids that belong to one action -> its first id: a retry's attempts and back-off timers
   * (engine/retryTasks.ts retryIds), a long timer's pieces (engine/longTimers.ts).
   */
  partOf: ReadonlyMap<number, number>;
  /**
   * For each such action's first id: the id whose TimerFired ends it (a retry's newest id, a long
   * timer's last piece once it is due), or -1 while a long timer still has pieces to come.
   */
  lastPart: ReadonlyMap<number, number>;
}

interface Node {
  action: WireAction;
  /** Flat index of a single action; -1 for Task.all / Task.any. */
  flat: number;
  children: Node[];
  invoked: boolean;
  done: boolean;
}

/**
 * Replays `events` (the execution's history, this episode's new events included) against the
 * top-level `actions` the way the shim does, and says how far it got.
 */
export function walkShim(actions: unknown, events: readonly HistoryEvent[], owners: TaskOwners): ShimWalk {
  let flat = 0;
  const build = (a: WireAction): Node => {
    if (a.actionType === ActionType.WhenAll || a.actionType === ActionType.WhenAny) {
      return {
        action: a,
        flat: -1,
        children: (a.compoundActions ?? []).map(build),
        invoked: false,
        done: false,
      };
    }
    return { action: a, flat: flat++, children: [], invoked: false, done: false };
  };
  const top: Node[] = [];
  if (Array.isArray(actions))
    for (const group of actions)
      if (Array.isArray(group)) for (const a of group) top.push(build(a as WireAction));

  const byFlat = new Map<number, Node>();
  // DurableOrchestrationContext.cs:851-903 (a7c6d694): waiters for one event name form a stack and
  // an event goes to the newest waiter (the common case, a Task.WhenAny in a loop, abandons older
  // ones); an event nobody waits for is queued until a waiter comes. (durable-functions 3.x hands
  // an event to its newest waiter too: TaskOrchestrationExecutor.setTaskValue, taskList.pop().)
  const waiters = new Map<string, Node[]>();
  const buffered = new Map<string, number>();
  let invoked = 0;
  let continueAsNewAfter: number | undefined;
  let position = -1;

  const invoke = (node: Node): void => {
    node.invoked = true;
    if (node.flat >= 0) {
      invoked = Math.max(invoked, node.flat + 1);
      byFlat.set(node.flat, node);
    }
    const a = node.action;
    switch (a.actionType) {
      case ActionType.WhenAll:
      case ActionType.WhenAny:
        for (const c of node.children) invoke(c);
        settle(node);
        return;
      case ActionType.ContinueAsNew:
        node.done = true;
        if (continueAsNewAfter === undefined) continueAsNewAfter = position;
        return;
      case ActionType.CreateTimer:
        // :127-132: a timer already cancelled by the SDK gets a cancelled token: its task ends at once.
        if (a.isCanceled === true) node.done = true;
        return;
      case ActionType.WaitForExternalEvent: {
        const name = a.externalEventName ?? '';
        const queued = buffered.get(name) ?? 0;
        if (queued > 0) {
          buffered.set(name, queued - 1);
          node.done = true;
        } else {
          const stack = waiters.get(name) ?? [];
          stack.push(node);
          waiters.set(name, stack);
        }
        return;
      }
      default:
        return;
    }
  };

  /** A compound's state from its children: WhenAll needs all, WhenAny one. */
  const settle = (node: Node): boolean => {
    if (node.done || node.flat >= 0) return node.done;
    const states = node.children.map(settle);
    node.done = node.action.actionType === ActionType.WhenAny ? states.some(Boolean) : states.every(Boolean);
    return node.done;
  };

  let next = 0;
  const advance = (): void => {
    while (next < top.length) {
      const node = top[next];
      if (!node.invoked) invoke(node);
      if (!settle(node)) return;
      next++;
    }
  };

  const complete = (id: unknown, final: (first: number, id: number) => boolean): void => {
    if (typeof id !== 'number') return;
    const first = owners.partOf.get(id) ?? id;
    if (!final(first, id)) return;
    const index = owners.byId.get(first);
    const node = index === undefined ? undefined : byFlat.get(index);
    if (node) node.done = true;
  };
  const inParts = (first: number): boolean => owners.lastPart.has(first);

  advance();
  for (position = 0; position < events.length; position++) {
    const e = events[position];
    switch (e.EventType) {
      case 5: // TaskCompleted
      case 8: // SubOrchestrationInstanceCompleted
        complete(e.TaskScheduledId, () => true);
        break;
      case 6: // TaskFailed
      case 9: // SubOrchestrationInstanceFailed
        // A retried call fails only after its last attempt's back-off timer (retryTasks.ts).
        complete(e.TaskScheduledId, (first) => !inParts(first));
        break;
      case 11: // TimerFired: a retry's timer with no attempt after it, a long timer's last piece
        complete(e.TimerId, (first, id) => !inParts(first) || owners.lastPart.get(first) === id);
        break;
      case 15: {
        const name = String(e.Name ?? '');
        const stack = waiters.get(name);
        const waiter = stack?.pop();
        if (waiter) waiter.done = true;
        else buffered.set(name, (buffered.get(name) ?? 0) + 1);
        break;
      }
      default:
        continue;
    }
    advance();
  }
  return { invoked, finished: next >= top.length, continueAsNewAfter };
}

/**
 * The events DurableTask.Core moves into the next execution: every EventRaised the old execution
 * processes after its ContinueAsNew decision (TaskOrchestrationContext.HandleEventRaisedEvent,
 * durabletask src/DurableTask.Core/TaskOrchestrationContext.cs:464-474 at 52170329, with Azure
 * Storage's default BehaviorOnContinueAsNew.Carryover, AzureStorageOrchestrationServiceSettings.cs:202;
 * TaskOrchestrationDispatcher.cs:529-538 and :656-662 add them to the new execution's history).
 * The extension's ContinueAsNew from the shim passes preserveUnprocessedEvents=false
 * (DurableOrchestrationContext.cs:1044-1050), and durable-functions 3.x has no way to ask for it,
 * so events the old execution processed before the decision are dropped with it.
 */
export function carryOverFrom(events: readonly HistoryEvent[], after: number): HistoryEvent[] {
  return events.slice(after + 1).filter((e) => e.EventType === 15);
}
