// Timers longer than 6 days: durable-functions splits them (LongTimerTask) because the trigger
// payload gives it the two durations, and tests/host creates the pieces the extension's loop
// would, with the same ids (engine/longTimers.ts).
import { app } from '@azure/functions';
import { firstPieceAt, nextPieceAt } from './engine/longTimers';
import { useEngineHost } from './engineHost';
import type { HistoryEvent } from './types';

const DAY = 24 * 3600_000;

const engine = useEngineHost();

/** [EventId, days after `t0`] of every TimerCreated, and [TimerId, days after `t0`] of every TimerFired. */
function timers(history: HistoryEvent[], t0: number): { created: number[][]; fired: number[][] } {
  const days = (e: HistoryEvent): number => (Date.parse(String(e.FireAt)) - t0) / DAY;
  return {
    created: history.filter((e) => e.EventType === 10).map((e) => [e.EventId, days(e)]),
    fired: history.filter((e) => e.EventType === 11).map((e) => [e.TimerId as number, days(e)]),
  };
}

test("the extension's split: more than 6 days away starts a 3-day piece; then 3 days or what is left", () => {
  expect(firstPieceAt(0, 6 * DAY, 6 * DAY, 3 * DAY)).toBeUndefined();
  expect(firstPieceAt(0, 6 * DAY + 1, 6 * DAY, 3 * DAY)).toBe(3 * DAY);
  expect(nextPieceAt(3 * DAY, 10 * DAY, 3 * DAY)).toBe(6 * DAY);
  expect(nextPieceAt(9 * DAY, 10 * DAY, 3 * DAY)).toBe(10 * DAY);
  expect(nextPieceAt(7 * DAY, 10 * DAY, 3 * DAY)).toBe(10 * DAY); // exactly 3 days left: one piece
  expect(nextPieceAt(10 * DAY, 10 * DAY, 3 * DAY)).toBeUndefined();
  expect(nextPieceAt(10 * DAY + 5, 10 * DAY, 3 * DAY)).toBeUndefined();
});

test('a 10-day timer completes after exactly 10 days, in the 3 + 3 + 3 + 1 day pieces of the extension', async () => {
  const replies: unknown[] = [];
  const hook = app.hook.postInvocation((context) => {
    if (context.invocationContext.functionName === 'waitDays') replies.push(context.result);
  });
  const id = engine.host.startNew('waitDays');
  const status = await engine.host.waitForStatus(id);
  hook.dispose();
  expect(status.runtimeStatus).toBe('Completed');
  const out = status.output as { start: string; after: string; echoed: string };
  const t0 = Date.parse(out.start);
  expect(Date.parse(out.after) - t0).toBe(10 * DAY);
  expect(out.echoed).toBe('after');
  // The SDK asks for one timer, due in 10 days, every episode; it never sends the pieces.
  expect(replies[0]).toMatchObject({ schemaVersion: 2, actions: [[{ actionType: 5, isCanceled: false }]] });
  const action = (replies[0] as { actions: Array<Array<{ fireAt: string | Date }>> }).actions[0][0];
  expect(new Date(action.fireAt).getTime() - t0).toBe(10 * DAY);
  const history = engine.host.history(id);
  expect(timers(history, t0)).toEqual({
    created: [
      [0, 3],
      [1, 6],
      [2, 9],
      [3, 10],
    ],
    fired: [
      [0, 3],
      [1, 6],
      [2, 9],
      [3, 10],
    ],
  });
  // Each piece is created in the episode where the one before fired, at that episode's time.
  for (const e of history.filter((x) => x.EventType === 10).slice(1))
    expect((Date.parse(e.Timestamp) - t0) / DAY).toBe(e.EventId * 3);
  // The task after the timer is numbered after all four pieces, by the SDK and the host alike.
  expect(history.filter((e) => e.EventType === 4).map((e) => [e.EventId, e.Name])).toEqual([[4, 'echo']]);
  expect(engine.host.episodes(id)).toBe(6);
});

test('a timer of exactly 6 days is one timer', async () => {
  const id = engine.host.startNew('waitDays', 6);
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  const t0 = Date.parse((status.output as { start: string }).start);
  expect(timers(engine.host.history(id), t0).created).toEqual([[0, 6]]);
});

test('a long timer survives a host restart between its pieces', async () => {
  engine.host.clock.autoSkip = false;
  const id = engine.host.startNew('waitDays', 7);
  await engine.host.waitForIdle();
  await engine.host.clock.advance(4 * DAY);
  await engine.host.waitForIdle();
  engine.host.restart();
  await engine.host.waitForIdle();
  engine.host.clock.autoSkip = true;
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  const out = status.output as { start: string; after: string };
  const t0 = Date.parse(out.start);
  expect(Date.parse(out.after) - t0).toBe(7 * DAY);
  expect(timers(engine.host.history(id), t0).created).toEqual([
    [0, 3],
    [1, 6],
    [2, 7],
  ]);
});

/** Starts longTimerRace, raises 'go' after `goAfterDays`, and returns the instance id. */
async function race(
  input: { cancel: boolean; callAfterFinish?: boolean },
  goAfterDays: number,
): Promise<string> {
  engine.host.clock.autoSkip = false;
  const id = engine.host.startNew('longTimerRace', input);
  await engine.host.waitForIdle();
  await engine.host.clock.advance(goAfterDays * DAY);
  await engine.host.waitForIdle();
  expect(engine.host.durable.raiseEvent(id, 'go', null)).toBe('accepted');
  await engine.host.waitForIdle();
  return id;
}

test('a long timer that loses a race keeps splitting, and its pieces take ids between later tasks', async () => {
  const id = await race({ cancel: false }, 1);
  await engine.host.clock.advance(10 * DAY);
  await engine.host.waitForIdle();
  expect(engine.host.durable.raiseEvent(id, 'finish', 'done')).toBe('accepted');
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toMatchObject({ echoed: 'go', last: 'done' });
  const history = engine.host.history(id);
  const t0 = Date.parse(history[0].Timestamp);
  // Piece 0 before the activity (id 1); the pieces that follow are numbered when each fires.
  expect(history.filter((e) => e.EventType === 4).map((e) => e.EventId)).toEqual([1]);
  expect(timers(history, t0).created).toEqual([
    [0, 3],
    [2, 6],
    [3, 9],
    [4, 10],
  ]);
});

test('a cancelled long timer is fine until a task is numbered after its piece fires; then it fails and says why', async () => {
  // Nothing numbered after the piece fired on day 3: completes, as on Azure.
  const quiet = await race({ cancel: true }, 1);
  await engine.host.clock.advance(4 * DAY);
  await engine.host.waitForIdle();
  expect(engine.host.durable.raiseEvent(quiet, 'finish', 'done')).toBe('accepted');
  expect((await engine.host.waitForStatus(quiet)).runtimeStatus).toBe('Completed');
  // The extension made no further piece.
  expect(engine.host.history(quiet).filter((e) => e.EventType === 10)).toHaveLength(1);

  // An activity numbered after that: on Azure its result would reach the SDK's phantom piece.
  const id = await race({ cancel: true, callAfterFinish: true }, 1);
  await engine.host.clock.advance(4 * DAY);
  await engine.host.waitForIdle();
  expect(engine.host.durable.raiseEvent(id, 'finish', 'done')).toBe('accepted');
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Failed');
  expect(status.output).toContain('a timer longer than 6 days was cancelled');
  expect(
    engine.host
      .activityCalls('echo')
      .filter((c) => c.instanceId === id)
      .map((c) => c.input),
  ).toEqual(['go']);
});

test('cancelling a long timer after its second piece started is non-deterministic, as on Azure', async () => {
  const id = await race({ cancel: true }, 4);
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Failed');
  expect(status.output).toMatch(
    /^Non-Deterministic workflow detected: A previous execution of this orchestration scheduled a timer task with sequence number 1 /,
  );
});

test("below replay schema V3 a timer over 6 days fails the orchestration with Azure Storage's message", async () => {
  const hook = app.hook.postInvocation((context) => {
    if (context.invocationContext.functionName === 'waitDays' && context.result)
      context.result = { ...(context.result as object), schemaVersion: 1 };
  });
  try {
    const id = engine.host.startNew('waitDays', 6.5);
    const status = await engine.host.waitForStatus(id);
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toBe(
      "Orchestrator function 'waitDays' failed: The Azure Storage provider supports a maximum of 6 days for time-based delays (Parameter 'fireAt')",
    );
  } finally {
    hook.dispose();
  }
});

test('a long timer the extension reaches late is split or not from that time, as its loop decides then', async () => {
  const MIN = 60_000;
  const id = engine.host.startNew('deferredLongTimer');
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  const history = engine.host.history(id);
  const t0 = Date.parse(history[0].Timestamp);
  expect(Date.parse(status.output as string) - t0).toBe(6 * DAY + 5 * MIN);
  // Reached at t0 + 10 min, 5 days 23 h 55 min before it is due: one plain timer, no pieces.
  const created = history.filter((e) => e.EventType === 10);
  expect(
    created.map((e) => [
      e.EventId,
      (Date.parse(e.Timestamp) - t0) / MIN,
      (Date.parse(String(e.FireAt)) - t0) / MIN,
    ]),
  ).toEqual([
    [1, 0, 10],
    [2, 10, 6 * 24 * 60 + 5],
  ]);
});
