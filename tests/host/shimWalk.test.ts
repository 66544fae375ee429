// engine/shimWalk.ts as a pure function: how far the extension's walk over the action list gets.
import { ActionType, type WireAction } from './engine/replay';
import { carryOverFrom, walkShim, type TaskOwners } from './engine/shimWalk';
import type { HistoryEvent } from './types';

const activity = (name: string): WireAction => ({ actionType: ActionType.CallActivity, functionName: name });
const timer = (isCanceled = false): WireAction => ({
  actionType: ActionType.CreateTimer,
  fireAt: '2026-01-01T00:00:00.000Z',
  isCanceled,
});
const wait = (name: string): WireAction => ({
  actionType: ActionType.WaitForExternalEvent,
  externalEventName: name,
});
const all = (...children: WireAction[]): WireAction => ({
  actionType: ActionType.WhenAll,
  compoundActions: children,
});
const any = (...children: WireAction[]): WireAction => ({
  actionType: ActionType.WhenAny,
  compoundActions: children,
});
const continueAsNew: WireAction = { actionType: ActionType.ContinueAsNew, input: 2 };

const ev = (EventType: number, fields: Record<string, unknown> = {}): HistoryEvent =>
  ({
    EventType,
    EventId: -1,
    IsPlayed: true,
    Timestamp: '2026-01-01T00:00:00.000Z',
    ...fields,
  }) as HistoryEvent;
const completed = (id: number) => ev(5, { TaskScheduledId: id });
const failed = (id: number) => ev(6, { TaskScheduledId: id });
const fired = (id: number) => ev(11, { TimerId: id });
const raised = (name: string) => ev(15, { Name: name });

/** Ids numbered in flat order for the actions that take one (no event waits, no continueAsNew). */
function owners(ids: Array<number | undefined>, parts: Partial<TaskOwners> = {}): TaskOwners {
  const byId = new Map<number, number>();
  ids.forEach((id, index) => id !== undefined && byId.set(id, index));
  return { byId, partOf: parts.partOf ?? new Map(), lastPart: parts.lastPart ?? new Map() };
}

test('a failed Task.all holds what follows until its other tasks finish; Task.any does not', () => {
  const actions = [[all(activity('a'), timer()), activity('next')]];
  const own = owners([0, 1, 2]);
  expect(walkShim(actions, [ev(0), failed(0)], own)).toMatchObject({ invoked: 2, finished: false });
  expect(walkShim(actions, [ev(0), failed(0), fired(1)], own)).toMatchObject({ invoked: 3, finished: false });
  expect(walkShim(actions, [ev(0), failed(0), fired(1), completed(2)], own).finished).toBe(true);
  expect(walkShim([[any(activity('a'), timer()), activity('next')]], [ev(0), failed(0)], own).invoked).toBe(
    3,
  );
});

test('a retried call ends with a success or with the timer after its last attempt, not with a failed attempt', () => {
  const actions = [[{ ...activity('r'), actionType: ActionType.CallActivityWithRetry }, activity('next')]];
  // 0: first attempt, 2: its back-off timer, 3: second attempt, 4: the timer after it (numbered by the host).
  const own = owners([0, 1], {
    partOf: new Map([
      [0, 0],
      [2, 0],
      [3, 0],
      [4, 0],
    ]),
    lastPart: new Map([[0, 4]]),
  });
  expect(walkShim(actions, [failed(0), fired(2), failed(3)], own).invoked).toBe(1);
  expect(walkShim(actions, [failed(0), fired(2), failed(3), fired(4)], own).invoked).toBe(2);
  expect(walkShim(actions, [failed(0), fired(2), completed(3)], own).invoked).toBe(2);
});

test('an event goes to the newest waiter of its name, or waits for one', () => {
  const actions = [[any(wait('x'), timer()), any(wait('x'), timer()), activity('next')]];
  const own = owners([undefined, 0, undefined, 1, 2]);
  // The first Task.any ends with its timer; the event then completes the second one's waiter.
  expect(walkShim(actions, [fired(0), raised('x')], own).invoked).toBe(5);
  // Raised before anyone waits: kept, and it completes the first waiter at once.
  expect(
    walkShim(
      [[activity('a'), wait('x'), activity('next')]],
      [raised('x'), completed(0)],
      owners([0, undefined, 1]),
    ).invoked,
  ).toBe(3);
});

test('a cancelled timer is done as soon as it is invoked', () => {
  const actions = [[any(wait('go'), timer(true)), continueAsNew]];
  expect(walkShim(actions, [raised('go')], owners([undefined, 0]))).toMatchObject({
    finished: true,
    continueAsNewAfter: -1,
  });
});

test('continueAsNew takes effect where the walk reaches it; only later EventRaised are carried over', () => {
  const actions = [[any(wait('go'), timer()), continueAsNew]];
  const events = [ev(12), ev(0), raised('early'), raised('go'), raised('late'), completed(7)];
  const walk = walkShim(actions, events, owners([undefined, 0]));
  expect(walk.continueAsNewAfter).toBe(3);
  expect(carryOverFrom(events, walk.continueAsNewAfter!).map((e) => e.Name)).toEqual(['late']);
});
