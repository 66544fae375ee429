// replay.ts as a pure function: numbering, determinism check, new work.
import { decodeOnce, flattenActions, replay, type ReplayInput, type ReplayState } from './engine/replay';
import type { HistoryEvent } from './types';

const NOW = Date.UTC(2026, 0, 1);
const SHORT = 6 * 24 * 3600_000;
const activity = (name: string, input?: unknown) => ({ actionType: 0, functionName: name, input });
const timer = (at: number, isCanceled = false) => ({
  actionType: 5,
  fireAt: new Date(at).toISOString(),
  isCanceled,
});
const waitFor = (name: string) => ({ actionType: 6, externalEventName: name, reason: 'ExternalEvent' });
const all = (...compoundActions: unknown[]) => ({ actionType: 12, compoundActions });
const any = (...compoundActions: unknown[]) => ({ actionType: 11, compoundActions });

function scheduledEvent(type: number, id: number, name?: string): HistoryEvent {
  return { EventType: type, EventId: id, IsPlayed: true, Timestamp: new Date(NOW).toISOString(), Name: name };
}

function input(
  actions: unknown[],
  prior: ReplayState = { slots: [], nextId: 0 },
  scheduled: HistoryEvent[] = [],
): ReplayInput {
  return {
    actions: [actions],
    prior,
    scheduled: new Map(scheduled.map((e) => [e.EventId, e])),
    firstNewId: prior.nextId,
    now: NOW,
    schemaVersion: 2,
    maximumShortTimerMs: SHORT,
  };
}

test('flattens Task.all / Task.any depth-first, the order the SDK numbers their children', () => {
  const flat = flattenActions([
    [activity('a'), all(activity('b'), any(timer(NOW), waitFor('e'))), activity('c')],
  ]);
  expect(flat.map((a) => a.functionName ?? a.externalEventName ?? 'timer')).toEqual([
    'a',
    'b',
    'timer',
    'e',
    'c',
  ]);
  expect(flattenActions([[]])).toEqual([]);
});

test('numbers new tasks from firstNewId; event waits and continueAsNew take no number', () => {
  const result = replay(
    input([activity('a', '"x"'), waitFor('go'), timer(NOW + 1000), { actionType: 4, input: '"next"' }]),
  );
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.newWork).toEqual([
    { kind: 'activity', id: 0, name: 'a', input: 'x', retry: undefined },
    { kind: 'event', name: 'go' },
    { kind: 'timer', id: 1, fireAt: NOW + 1000, canceled: false },
    { kind: 'continueAsNew', input: 'next' },
  ]);
  expect(result.state.nextId).toBe(2);
  expect(result.state.slots.map((s) => s.kind)).toEqual(['activity', 'event', 'timer', 'continueAsNew']);
});

test('returns only work that is new since the last episode, numbering after ids taken for retries', () => {
  const first = replay(input([activity('a')]));
  if (!first.ok) throw new Error('first episode failed');
  const prior = first.state;
  const next = replay({
    ...input([activity('a'), activity('b')], prior, [scheduledEvent(4, 0, 'a')]),
    firstNewId: prior.nextId + 2,
  });
  expect(next.ok && next.newWork).toEqual([
    { kind: 'activity', id: 3, name: 'b', input: undefined, retry: undefined },
  ]);
});

test('input is decoded once: strings were double-encoded, objects were not', () => {
  expect(decodeOnce('"Tokyo"')).toBe('Tokyo');
  expect(decodeOnce('"\\"quoted\\""')).toBe('"quoted"');
  expect(decodeOnce({ a: 1 })).toEqual({ a: 1 });
  expect(decodeOnce(undefined)).toBeUndefined();
});

test('a different activity where history has another is non-deterministic', () => {
  const prior: ReplayState = { slots: [{ kind: 'activity', name: 'a', id: 0 }], nextId: 1 };
  const result = replay(input([activity('b')], prior, [scheduledEvent(4, 0, 'a')]));
  expect(result).toMatchObject({ ok: false, error: 'nonDeterministic' });
  expect(!result.ok && result.message).toMatch(
    /^Non-Deterministic workflow detected: .*sequence ID 0 and name 'a'.*'b'/,
  );
});

test('a timer where history has an activity is non-deterministic', () => {
  const prior: ReplayState = { slots: [{ kind: 'activity', name: 'a', id: 0 }], nextId: 1 };
  const result = replay(input([timer(NOW)], prior, [scheduledEvent(4, 0, 'a')]));
  expect(!result.ok && result.message).toContain('CreateTimerOrchestratorAction');
});

test('an action history has but the replay no longer produces is non-deterministic', () => {
  const prior: ReplayState = {
    slots: [
      { kind: 'activity', name: 'a', id: 0 },
      { kind: 'timer', id: 1 },
    ],
    nextId: 2,
  };
  const result = replay(input([activity('a')], prior, [scheduledEvent(4, 0, 'a'), scheduledEvent(10, 1)]));
  expect(!result.ok && result.message).toMatch(
    /a timer task with sequence ID 1, but the current replay execution hasn't \(yet\?\) scheduled this task/,
  );
});

test('a wait for a different event name is non-deterministic', () => {
  const prior: ReplayState = { slots: [{ kind: 'event', name: 'approve' }], nextId: 0 };
  expect(replay(input([waitFor('reject')], prior))).toMatchObject({ ok: false, error: 'nonDeterministic' });
  expect(replay(input([waitFor('approve')], prior))).toMatchObject({ ok: true, newWork: [] });
});

test('a timer cancelled in a later episode is reported once', () => {
  const prior: ReplayState = { slots: [{ kind: 'timer', id: 0 }], nextId: 1 };
  const history = [scheduledEvent(10, 0)];
  const first = replay(input([timer(NOW + 5000, true)], prior, history));
  expect(first.ok && first.cancelledTimers).toEqual([0]);
  if (!first.ok) return;
  const again = replay(input([timer(NOW + 5000, true)], first.state, history));
  expect(again.ok && again.cancelledTimers).toEqual([]);
});

test('retry options are parsed; sub-orchestration input stays raw', () => {
  const result = replay(
    input([
      {
        actionType: 1,
        functionName: 'r',
        input: '"s"',
        retryOptions: { firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 2 },
      },
      { actionType: 2, functionName: 'child', input: '"raw"', instanceId: 'c1' },
    ]),
  );
  expect(result.ok && result.newWork).toEqual([
    {
      kind: 'activity',
      id: 0,
      name: 'r',
      input: 's',
      retry: { firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 2 },
    },
    {
      kind: 'subOrchestration',
      id: 1,
      name: 'child',
      input: '"raw"',
      instanceId: 'c1',
      version: undefined,
      retry: undefined,
    },
  ]);
});

test('entities and callHttp are refused clearly', () => {
  expect(replay(input([{ actionType: 7, instanceId: '@e@k', operation: 'op' }]))).toMatchObject({
    ok: false,
    error: 'unsupported',
    message: expect.stringContaining('entities'),
  });
  expect(replay(input([{ actionType: 8, httpRequest: {} }]))).toMatchObject({
    ok: false,
    error: 'unsupported',
  });
});

test('from replay schema V3 a timer more than 6 days away is accepted as asked (split when scheduled)', () => {
  expect(replay(input([timer(NOW + SHORT + 1)]))).toMatchObject({
    ok: true,
    newWork: [{ kind: 'timer', id: 0, fireAt: NOW + SHORT + 1, canceled: false }],
  });
});

test("below replay schema V3 a timer more than 6 days away fails with Azure Storage's message", () => {
  expect(replay({ ...input([timer(NOW + SHORT + 1)]), schemaVersion: 1 })).toEqual({
    ok: false,
    error: 'unsupported',
    message:
      "The Azure Storage provider supports a maximum of 6 days for time-based delays (Parameter 'fireAt')",
  });
  expect(replay({ ...input([timer(NOW + SHORT)]), schemaVersion: 1 })).toMatchObject({ ok: true });
});
