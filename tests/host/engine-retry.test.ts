// Retries as the extension runs them, timed on the virtual clock.
import path from 'node:path';
import { startHost, type Host } from './index';
import type { HistoryEvent } from './types';

const APP = path.join(__dirname, '..', 'fixtures', 'engine-app');
const T0 = Date.UTC(2026, 0, 1);

let host: Host;
beforeAll(async () => {
  host = await startHost({ appDir: APP, storage: 'none', startTime: new Date(T0) });
});
afterAll(async () => {
  await host.stop();
});

/** [EventType, EventId or TaskScheduledId/TimerId, ms after T0 (Timestamp or FireAt)] for the retry bookkeeping. */
function retryTrace(history: HistoryEvent[], since: number): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  for (const e of history) {
    if (e.EventType === 4) out.push(['scheduled', e.EventId, Date.parse(e.Timestamp) - since]);
    if (e.EventType === 6) out.push(['failed', e.TaskScheduledId as number, Date.parse(e.Timestamp) - since]);
    if (e.EventType === 10) out.push(['timer', e.EventId, Date.parse(e.FireAt as string) - since]);
    if (e.EventType === 11) out.push(['fired', e.TimerId as number, Date.parse(e.FireAt as string) - since]);
    if (e.EventType === 5)
      out.push(['completed', e.TaskScheduledId as number, Date.parse(e.Timestamp) - since]);
  }
  return out;
}

const startedAt = (history: HistoryEvent[]): number => Date.parse(history[0].Timestamp);

test('a task that fails twice succeeds on the third attempt after 1 s and 2 s back-off timers', async () => {
  const id = host.startNew('retrying', { key: 'twice', failTimes: 2, maxAttempts: 3 });
  const status = await host.waitForStatus(id);
  expect(status.output).toBe('ok after 3');
  const history = host.history(id);
  expect(retryTrace(history, startedAt(history))).toEqual([
    ['scheduled', 0, 0],
    ['failed', 0, 0],
    ['timer', 1, 1000],
    ['fired', 1, 1000],
    ['scheduled', 2, 1000],
    ['failed', 2, 1000],
    ['timer', 3, 3000],
    ['fired', 3, 3000],
    ['scheduled', 4, 3000],
    ['completed', 4, 3000],
  ]);
  expect(host.activityCalls('flaky').filter((c) => c.instanceId === id)).toHaveLength(3);
});

test('after the last failed attempt a timer still fires before the orchestrator sees the failure', async () => {
  const id = host.startNew('retrying', { key: 'always', failTimes: 99, maxAttempts: 3 });
  const status = await host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toBe("gave up: Activity function 'flaky' failed: flaky failure 3 ");
  const history = host.history(id);
  const trace = retryTrace(history, startedAt(history));
  // Back-off timers of 1 s and 2 s, then DurableTask.Core's immediate timer after the last attempt.
  expect(trace.filter(([kind]) => kind === 'timer')).toEqual([
    ['timer', 1, 1000],
    ['timer', 3, 3000],
    ['timer', 5, 3000],
  ]);
  expect(trace.slice(-3)).toEqual([
    ['failed', 4, 3000],
    ['timer', 5, 3000],
    ['fired', 5, 3000],
  ]);
  const completedAt = history.find((e) => e.EventType === 1)!;
  expect(Date.parse(completedAt.Timestamp) - startedAt(history)).toBe(3000);
  expect(host.activityCalls('flaky').filter((c) => c.instanceId === id)).toHaveLength(3);
});

test('once the retry timeout has passed: no attempt, no timer, Running forever, and one line says why', async () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const id = host.startNew('retrying', { key: 'timeout', failTimes: 99, maxAttempts: 5, timeoutMs: 1500 });
    await host.waitForIdle();
    // Attempts at 0 s and 1 s are inside the 1.5 s timeout; the one at 3 s fails after it and
    // DurableTask.Core stops without a timer: the orchestrator never hears of the failure.
    expect(host.status(id)?.runtimeStatus).toBe('Running');
    expect(host.activityCalls('flaky').filter((c) => c.instanceId === id)).toHaveLength(3);
    const history = host.history(id);
    const trace = retryTrace(history, startedAt(history));
    expect(trace.filter(([kind]) => kind === 'timer')).toEqual([
      ['timer', 1, 1000],
      ['timer', 3, 3000],
    ]);
    expect(trace.at(-1)).toEqual(['failed', 4, 3000]);
    const episodes = host.episodes(id);
    await host.clock.advance(7 * 24 * 3600_000);
    await host.waitForIdle();
    expect(host.episodes(id)).toBe(episodes);
    expect(host.status(id)?.runtimeStatus).toBe('Running');
    const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes(id));
    expect(lines).toEqual([
      `[tests/host] instance '${id}' will wait forever: activity 'flaky' failed on attempt 3 after its retryTimeoutInMilliseconds (1500 ms) had passed. DurableTask.Core stops retrying without the timer the JS SDK waits for, so the failure never reaches the orchestrator (azure-functions-durable-js#629). Bound retries by maxNumberOfAttempts, not retryTimeout.`,
    ]);
    host.durable.terminate(id);
  } finally {
    warn.mockRestore();
  }
});

test('a retry timer and a task yielded in the same episode get the numbers the SDK gives them', async () => {
  const id = host.startNew('retryRace', { key: 'race' });
  const status = await host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toEqual({ winner: 'fast', next: 42, late: 'ok after 2' });
  const history = host.history(id);
  const scheduling = history
    .filter((e) => e.EventType === 4 || e.EventType === 10)
    .map((e) => [e.EventId, e.EventType === 4 ? e.Name : 'timer']);
  expect(scheduling).toEqual([
    [0, 'echo'],
    [1, 'flaky'],
    [2, 'timer'],
    [3, 'double'],
    [4, 'flaky'],
  ]);
  // The point of the test: the failure and the winner's completion arrived in one episode.
  const episodeOf = (match: (e: HistoryEvent) => boolean): number =>
    history.slice(0, history.findIndex(match)).filter((e) => e.EventType === 12).length;
  expect(episodeOf((e) => e.EventType === 6)).toBe(
    episodeOf((e) => e.EventType === 5 && e.TaskScheduledId === 0),
  );
});
