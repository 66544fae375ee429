// maxConcurrentActivityFunctions and a host restart in the middle of a fan-out.
import path from 'node:path';
import { startHost, type Host } from './index';

const APP = path.join(__dirname, '..', 'fixtures', 'engine-limited');

interface Limited {
  active: number;
  maxActive: number;
  waiters: Array<() => void>;
  open: boolean;
}
const limited = (): Limited =>
  ((globalThis as { __limited?: Limited }).__limited ??= {
    active: 0,
    maxActive: 0,
    waiters: [],
    open: false,
  });

let host: Host;
beforeEach(async () => {
  (globalThis as { __limited?: Limited }).__limited = { active: 0, maxActive: 0, waiters: [], open: false };
  host = await startHost({ appDir: APP, storage: 'none' });
});
afterEach(async () => {
  await host.stop();
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

test('no more activities run at once than maxConcurrentActivityFunctions', async () => {
  expect(host.settings.maxConcurrentActivityFunctions).toBe(3);
  const id = host.startNew('heldFanOut', 10);
  await until(() => limited().waiters.length === 3);
  // Give the scheduler every chance to start a fourth one.
  await new Promise((r) => setTimeout(r, 50));
  expect(limited().active).toBe(3);
  limited().open = true;
  for (const release of limited().waiters.splice(0)) release();
  const status = await host.waitForStatus(id);
  expect(status.output).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  expect(limited().maxActive).toBe(3);
});

test('a restart mid fan-out re-runs unfinished activities and counts each result once', async () => {
  const id = host.startNew('heldFanOut', 8);
  await until(() => limited().waiters.length === 3);
  // Two finish before the restart; their completions are durable.
  const [first, second] = limited().waiters.splice(0, 2);
  first();
  second();
  await until(() => limited().waiters.length === 3);
  const stale = limited().waiters.splice(0);
  host.restart();
  // The activities interrupted by the restart finish late: their results must be ignored.
  limited().open = true;
  for (const release of stale) release();
  for (const release of limited().waiters.splice(0)) release();
  const status = await host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toEqual([10, 20, 30, 40, 50, 60, 70, 80]);
  const history = host.history(id);
  const completions = history.filter((e) => e.EventType === 5).map((e) => e.TaskScheduledId);
  expect([...completions].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  const calls = host.activityCalls('held').map((c) => c.input as number);
  // At least once: the three interrupted ones ran twice, the two finished ones once.
  expect(calls.length).toBeGreaterThan(8);
  expect(calls.filter((n) => n === 1 || n === 2)).toHaveLength(2);
});
