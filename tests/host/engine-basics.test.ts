import { ENGINE_APP, useEngineHost } from './engineHost';
import { startHost } from './index';

const engine = useEngineHost();

test('chaining: each activity runs once with its string input decoded once', async () => {
  const id = engine.host.startNew('hello', ['Tokyo', 'Seattle', 'London']);
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toEqual(['Hello Tokyo', 'Hello Seattle', 'Hello London']);
  const calls = engine.host.activityCalls('sayHello').filter((c) => c.instanceId === id);
  expect(calls.map((c) => c.input)).toEqual(['Tokyo', 'Seattle', 'London']);
  const history = engine.host.history(id);
  const scheduled = history.filter((e) => e.EventType === 4);
  expect(scheduled.map((e) => [e.EventId, e.Name, e.Input])).toEqual([
    [0, 'sayHello', '"Tokyo"'],
    [1, 'sayHello', '"Seattle"'],
    [2, 'sayHello', '"London"'],
  ]);
  const completed = history.filter((e) => e.EventType === 5);
  expect(completed.map((e) => [e.TaskScheduledId, e.Result])).toEqual([
    [0, '"Hello Tokyo"'],
    [1, '"Hello Seattle"'],
    [2, '"Hello London"'],
  ]);
  expect(engine.host.episodes(id)).toBe(4);
});

test('fan-out of 1,000 completes with every result counted once', async () => {
  const id = engine.host.startNew('fanOut', 1000);
  const status = await engine.host.waitForStatus(id, undefined, { timeoutMs: 60_000 });
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toEqual({ count: 1000, sum: 999 * 1000 });
  expect(engine.host.activityCalls('double').filter((c) => c.instanceId === id)).toHaveLength(1000);
  const ids = engine.host
    .history(id)
    .filter((e) => e.EventType === 4)
    .map((e) => e.EventId);
  expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  // Completions are batched: far fewer episodes than activities.
  expect(engine.host.episodes(id)).toBeLessThan(100);
});

test('a one-hour timer fires in virtual time and the clock never goes backwards', async () => {
  const id = engine.host.startNew('sleeper');
  const status = await engine.host.waitForStatus(id);
  const out = status.output as { start: string; fireAt: string; after: string };
  expect(Date.parse(out.fireAt) - Date.parse(out.start)).toBe(3600_000);
  expect(Date.parse(out.after)).toBeGreaterThanOrEqual(Date.parse(out.fireAt));
  const history = engine.host.history(id);
  const started = history.filter((e) => e.EventType === 12).map((e) => Date.parse(e.Timestamp));
  expect([...started].sort((a, b) => a - b)).toEqual(started);
  const fired = history.find((e) => e.EventType === 11)!;
  expect(fired.TimerId).toBe(0);
  expect(fired.FireAt).toBe(out.fireAt);
});

test('on the real clock a short timer fires on wall time, never early', async () => {
  const real = await startHost({ appDir: ENGINE_APP, storage: 'none', clock: 'real' });
  try {
    expect(real.clock.virtual).toBe(false);
    const before = Date.now();
    const id = real.startNew('nap', 100);
    const status = await real.waitForStatus(id);
    const out = status.output as { fireAt: string; woke: string };
    expect(Date.parse(out.woke)).toBeGreaterThanOrEqual(Date.parse(out.fireAt));
    expect(Date.now()).toBeGreaterThanOrEqual(before + 100);
    await expect(real.clock.advance(1000)).rejects.toThrow(/virtual clock/);
  } finally {
    await real.stop();
  }
});
