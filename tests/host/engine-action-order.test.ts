// The extension reaches top-level actions one at a time (engine/shimWalk.ts): what the orchestrator
// yields after a failed Task.all waits for the siblings, and so does the end of the orchestration.
import path from 'node:path';
import { startHost, type Host } from './index';

const APP = path.join(__dirname, '..', 'fixtures', 'engine-app');
const SLOW_MS = 10 * 60_000;

let host: Host;
beforeAll(async () => {
  host = await startHost({ appDir: APP, storage: 'none' });
});
afterEach(() => {
  host.clock.autoSkip = true;
});
afterAll(async () => {
  await host.stop();
});

/** Starts 'failFast' with the clock held and waits until its activity has failed. */
async function failedTaskAll(then: 'call' | 'return' | 'long'): Promise<string> {
  host.clock.autoSkip = false;
  const id = host.startNew('failFast', then);
  await host.waitForIdle();
  expect(host.history(id).some((e) => e.EventType === 6)).toBe(true);
  return id;
}

test("an action yielded after a failed Task.all is scheduled only when the Task.all's siblings finish", async () => {
  const id = await failedTaskAll('call');
  expect(host.status(id)?.runtimeStatus).toBe('Running');
  expect(
    host
      .history(id)
      .filter((e) => e.EventType === 4)
      .map((e) => e.Name),
  ).toEqual(['boom']);

  await host.clock.advance(SLOW_MS);
  const status = await host.waitForStatus(id);
  expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'after' });
  const history = host.history(id);
  const fired = history.findIndex((e) => e.EventType === 11);
  const scheduled = history.findIndex((e) => e.EventType === 4 && e.Name === 'echo');
  expect(fired).toBeGreaterThan(0);
  expect(scheduled).toBeGreaterThan(fired);
  // Numbered by the SDK at once (boom 0, timer 1, echo 2), scheduled later under the same id.
  expect(history[scheduled].EventId).toBe(2);
});

test('an orchestration that returns after a failed Task.all completes only when the siblings finish', async () => {
  const id = await failedTaskAll('return');
  expect(host.status(id)?.runtimeStatus).toBe('Running');
  await host.clock.advance(SLOW_MS);
  const status = await host.waitForStatus(id);
  expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'caught' });
});

test('a long timer in the Task.all holds the follow-up until its last piece fires, not its first', async () => {
  const DAY = 24 * 3600_000;
  const id = await failedTaskAll('long');
  await host.clock.advance(3 * DAY + 60_000);
  await host.waitForIdle();
  expect(host.history(id).filter((e) => e.EventType === 11)).toHaveLength(1);
  expect(host.history(id).some((e) => e.EventType === 4 && e.Name === 'echo')).toBe(false);
  expect(host.status(id)?.runtimeStatus).toBe('Running');

  await host.clock.advance(4 * DAY);
  const status = await host.waitForStatus(id);
  expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'after' });
  const history = host.history(id);
  const lastFired = history.map((e) => e.EventType).lastIndexOf(11);
  expect(history.filter((e) => e.EventType === 11)).toHaveLength(3);
  expect(history.findIndex((e) => e.EventType === 4 && e.Name === 'echo')).toBeGreaterThan(lastFired);
});
