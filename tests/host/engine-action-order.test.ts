// The extension reaches top-level actions one at a time (engine/shimWalk.ts): what the orchestrator
// yields after a failed Task.all waits for the siblings, and so does the end of the orchestration.
import { useEngineHost } from './engineHost';

const SLOW_MS = 10 * 60_000;

const engine = useEngineHost();

/** Starts 'failFast' with the clock held and waits until its activity has failed. */
async function failedTaskAll(then: 'call' | 'return' | 'long'): Promise<string> {
  engine.host.clock.autoSkip = false;
  const id = engine.host.startNew('failFast', then);
  await engine.host.waitForIdle();
  expect(engine.host.history(id).some((e) => e.EventType === 6)).toBe(true);
  return id;
}

test("an action yielded after a failed Task.all is scheduled only when the Task.all's siblings finish", async () => {
  const id = await failedTaskAll('call');
  expect(engine.host.status(id)?.runtimeStatus).toBe('Running');
  expect(
    engine.host
      .history(id)
      .filter((e) => e.EventType === 4)
      .map((e) => e.Name),
  ).toEqual(['boom']);

  await engine.host.clock.advance(SLOW_MS);
  const status = await engine.host.waitForStatus(id);
  expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'after' });
  const history = engine.host.history(id);
  const fired = history.findIndex((e) => e.EventType === 11);
  const scheduled = history.findIndex((e) => e.EventType === 4 && e.Name === 'echo');
  expect(fired).toBeGreaterThan(0);
  expect(scheduled).toBeGreaterThan(fired);
  // Numbered by the SDK at once (boom 0, timer 1, echo 2), scheduled later under the same id.
  expect(history[scheduled].EventId).toBe(2);
});

test('an orchestration that returns after a failed Task.all completes only when the siblings finish', async () => {
  const id = await failedTaskAll('return');
  expect(engine.host.status(id)?.runtimeStatus).toBe('Running');
  await engine.host.clock.advance(SLOW_MS);
  const status = await engine.host.waitForStatus(id);
  expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'caught' });
});

test('a long timer in the Task.all holds the follow-up until its last piece fires, not its first', async () => {
  const DAY = 24 * 3600_000;
  const id = await failedTaskAll('long');
  await engine.host.clock.advance(3 * DAY + 60_000);
  await engine.host.waitForIdle();
  expect(engine.host.history(id).filter((e) => e.EventType === 11)).toHaveLength(1);
  expect(engine.host.history(id).some((e) => e.EventType === 4 && e.Name === 'echo')).toBe(false);
  expect(engine.host.status(id)?.runtimeStatus).toBe('Running');

  await engine.host.clock.advance(4 * DAY);
  const status = await engine.host.waitForStatus(id);
  expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'after' });
  const history = engine.host.history(id);
  const lastFired = history.map((e) => e.EventType).lastIndexOf(11);
  expect(history.filter((e) => e.EventType === 11)).toHaveLength(3);
  expect(history.findIndex((e) => e.EventType === 4 && e.Name === 'echo')).toBeGreaterThan(lastFired);
});
