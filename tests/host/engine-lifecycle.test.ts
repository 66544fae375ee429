// Sub-orchestrations, continue-as-new, events, terminate, suspend/resume, purge, custom status and failures.
import path from 'node:path';
import { app } from '@azure/functions';
import { startHost, type Host } from './index';
import type { HistoryEvent } from './types';

const APP = path.join(__dirname, '..', 'fixtures', 'engine-app');
const DAY = 24 * 3600_000;

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

const types = (history: HistoryEvent[]): number[] => history.map((e) => e.EventType);

test('sub-orchestrations return results, carry their parent id, and report failures to the parent', async () => {
  const id = host.startNew('parent', undefined, 'parent-1');
  const status = await host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toEqual({
    a: { n: 1, doubled: 2, parent: 'parent-1' },
    b: { n: 2, doubled: 4, parent: 'parent-1' },
    failure: "Orchestrator function 'child' failed: child failed for 3 ",
  });
  expect(host.status('parent-1-child-2')?.runtimeStatus).toBe('Completed');
  const created = host.history(id).filter((e) => e.EventType === 7);
  expect(created.map((e) => [e.EventId, e.Name])).toEqual([
    [0, 'child'],
    [1, 'child'],
    [2, 'child'],
  ]);
  const failedChild = host.status(created[2].InstanceId as string)!;
  expect(failedChild.runtimeStatus).toBe('Failed');
});

test('continueAsNew starts a fresh execution and drops events it never consumed', async () => {
  host.clock.autoSkip = false;
  const id = host.startNew('counter', 1);
  await host.waitForIdle();
  expect(host.durable.raiseEvent(id, 'extra', 'x')).toBe('accepted');
  await host.clock.advance(10 * 60_000);
  const status = await host.waitForStatus(id);
  expect(status.output).toEqual({ n: 3, extraWasDropped: true });
  expect(status.input).toBe(3);
  const all = host.history(id, { allExecutions: true });
  const continued = all.filter((e) => e.EventType === 1 && e.OrchestrationStatus === 2);
  expect(continued.map((e) => e.Result)).toEqual(['2', '3']);
  const current = host.history(id);
  // Each execution's history is bounded on its own; the longest is shorter than all of them together.
  expect(host.maxHistoryLength(id)).toBeGreaterThanOrEqual(current.length);
  expect(host.maxHistoryLength(id)).toBeLessThan(all.length);
  expect(types(current).slice(0, 2)).toEqual([12, 0]);
  expect(current[1].Input).toBe('3');
  expect(current.some((e) => e.EventType === 15)).toBe(false);
});

test('an event that wins the race cancels the timer, which never fires', async () => {
  host.clock.autoSkip = false;
  const start = host.clock.now();
  const id = host.startNew('approval');
  await host.waitForIdle();
  expect(host.durable.raiseEvent(id, 'approve', 'alice')).toBe('accepted');
  const status = await host.waitForStatus(id);
  expect(status.output).toEqual({ approved: true, by: 'alice', at: new Date(start).toISOString() });
  const history = host.history(id);
  expect(history.filter((e) => e.EventType === 10)).toHaveLength(1);
  expect(history.some((e) => e.EventType === 11)).toBe(false);
  host.clock.autoSkip = true;
  await host.waitForIdle();
  expect(host.clock.now()).toBe(start);
});

test('a timer that wins the race times the orchestration out a day later', async () => {
  const start = host.clock.now();
  const id = host.startNew('approval');
  const status = await host.waitForStatus(id);
  expect(status.output).toEqual({ approved: false, at: new Date(start + DAY).toISOString() });
});

test('an event raised before the orchestrator waits for it is buffered', async () => {
  const id = host.startNew('lateWaiter');
  expect(host.durable.raiseEvent(id, 'go', { value: 7 })).toBe('accepted');
  const status = await host.waitForStatus(id);
  expect(status.output).toEqual({ value: 7 });
  const history = host.history(id);
  const raised = history.findIndex((e) => e.EventType === 15);
  const scheduled = history.findIndex((e) => e.EventType === 4);
  expect(raised).toBeLessThan(history.findIndex((e) => e.EventType === 5));
  expect(scheduled).toBeGreaterThan(-1);
});

test('terminate ends a waiting instance with the reason as output; later operations see it as gone', async () => {
  const id = host.startNew('waitForever');
  await host.waitForStatus(id, ['Running']);
  expect(host.durable.terminate(id, 'enough')).toBe('accepted');
  // Queued, as on Azure: the status changes when the instance's next episode takes the message.
  expect(host.status(id)?.runtimeStatus).toBe('Running');
  const status = await host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Terminated');
  expect(status.output).toBe('enough');
  expect(status.customStatus).toEqual({ stage: 'waiting' });
  expect(types(host.history(id))).toContain(3);
  expect(host.durable.raiseEvent(id, 'never', 1)).toBe('gone');
  expect(host.durable.terminate(id)).toBe('gone');
  expect(host.durable.terminate('no-such-instance')).toBe('notFound');
});

test('suspend and resume are queued; suspending twice or resuming a running instance answers 500', async () => {
  const id = host.startNew('waitForever');
  await host.waitForStatus(id, ['Running']);
  expect(() => host.durable.resume(id)).toThrow(
    expect.objectContaining({
      status: 500,
      message: expect.stringContaining('because instance is in the Running state'),
    }) as Error,
  );
  expect(host.durable.suspend(id, 'pause')).toBe('accepted');
  expect(host.status(id)?.runtimeStatus).toBe('Running');
  await host.waitForStatus(id, ['Suspended']);
  expect(() => host.durable.suspend(id)).toThrow(
    expect.objectContaining({
      status: 500,
      message: expect.stringContaining('because instance is in the Suspended state'),
    }) as Error,
  );
  expect(host.durable.raiseEvent(id, 'never', 'value')).toBe('accepted');
  await host.waitForIdle();
  const episodesWhileSuspended = host.episodes(id);
  expect(host.status(id)?.runtimeStatus).toBe('Suspended');
  expect(host.durable.resume(id, 'go on')).toBe('accepted');
  expect(host.status(id)?.runtimeStatus).toBe('Suspended');
  const status = await host.waitForStatus(id);
  expect(status.output).toBe('value');
  expect(host.episodes(id)).toBe(episodesWhileSuspended + 1);
  expect(types(host.history(id))).toEqual(expect.arrayContaining([19, 20]));
});

test('a suspended instance can still be terminated', async () => {
  const id = host.startNew('waitForever');
  await host.waitForStatus(id, ['Running']);
  host.durable.suspend(id);
  await host.waitForStatus(id, ['Suspended']);
  expect(host.durable.terminate(id, 'stop')).toBe('accepted');
  expect((await host.waitForStatus(id)).runtimeStatus).toBe('Terminated');
});

test('purge deletes an instance whatever its status, as Azure Storage does', async () => {
  const done = host.startNew('hello', ['Oslo']);
  await host.waitForStatus(done);
  const running = host.startNew('waitForever');
  await host.waitForStatus(running, ['Running']);
  expect(host.durable.purge(running)).toBe(1);
  expect(host.status(running)).toBeUndefined();
  expect(host.durable.raiseEvent(running, 'never', 1)).toBe('notFound');
  expect(host.durable.purge(done)).toBe(1);
  expect(host.status(done)).toBeUndefined();
  expect(host.durable.purge(done)).toBe(0);
  const again = host.startNew('hello', ['Rome']);
  await host.waitForStatus(again);
  const live = host.startNew('waitForever', undefined, `${again}-live`);
  await host.waitForStatus(live, ['Running']);
  // A status filter keeps only the terminal statuses it lists.
  expect(host.durable.purgeBy({ runtimeStatus: ['Completed', 'Running'], instanceIdPrefix: again })).toBe(1);
  expect(host.status(live)?.runtimeStatus).toBe('Running');
  host.durable.terminate(live);
});

test('a cancelled timer still fires later: one more episode, which the SDK ignores', async () => {
  host.clock.autoSkip = false;
  const id = host.startNew('cancelThenWait');
  await host.waitForIdle();
  host.durable.raiseEvent(id, 'go', null);
  await host.waitForIdle();
  const before = host.episodes(id);
  await host.clock.advance(3600_000);
  await host.waitForIdle();
  expect(host.episodes(id)).toBe(before + 1);
  expect(
    host
      .history(id)
      .filter((e) => e.EventType === 11)
      .map((e) => e.TimerId),
  ).toEqual([0]);
  expect(host.status(id)?.runtimeStatus).toBe('Running');
  await host.clock.advance(3600_000);
  const status = await host.waitForStatus(id);
  expect(status.output).toEqual({ winner: 'go' });
});

test('custom status follows the orchestrator and starting a running id again is refused', async () => {
  host.clock.autoSkip = false;
  const id = host.startNew('progress', undefined, 'progress-1');
  await host.waitForIdle();
  expect(host.status(id)?.customStatus).toEqual({ step: 2 });
  expect(() => host.startNew('progress', undefined, 'progress-1')).toThrow(/already exists/);
  await host.clock.advance(1000);
  const status = await host.waitForStatus(id);
  expect(status.output).toBe('done');
  expect(status.customStatus).toEqual({ step: 2 });
  // A final instance may be replaced.
  expect(host.startNew('hello', ['Paris'], 'progress-1')).toBe('progress-1');
  expect((await host.waitForStatus(id)).output).toEqual(['Hello Paris']);
});

test('an orchestrator that throws fails with the extension message parsed from $OutOfProcData$', async () => {
  const id = host.startNew('failing');
  const status = await host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Failed');
  expect(status.output).toBe("Orchestrator function 'failing' failed: boom");
  const last = host.history(id).at(-2)!;
  expect(last.EventType).toBe(1);
  expect(last.OrchestrationStatus).toBe(3);
});

test('an activity failure reaches the orchestrator as "Activity function \'X\' failed: <msg>"', async () => {
  const id = host.startNew('activityFails');
  const status = await host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Failed');
  expect(status.output).toMatch(
    /^Orchestrator function 'activityFails' failed: Activity function 'boom' failed: kaboom/,
  );
  const failed = host.history(id).find((e) => e.EventType === 6)!;
  expect(failed.Reason).toBe("Activity function 'boom' failed: kaboom");
  expect(failed.TaskScheduledId).toBe(0);
});

test('an orchestrator that changes its mind during replay fails as non-deterministic', async () => {
  const id = host.startNew('nondeterministic');
  const status = await host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Failed');
  expect(status.output).toMatch(/^Non-Deterministic workflow detected: /);
  expect(status.output).toContain("sequence ID 0 and name 'echo'");
  expect(host.activityCalls('double').filter((c) => c.instanceId === id)).toHaveLength(0);
});

test('every invocation gets its own InvocationContext', async () => {
  const contexts: unknown[] = ((globalThis as Record<string, unknown>).__engineContexts = []) as unknown[];
  const id = host.startNew('contextSpy');
  await host.waitForStatus(id);
  expect(contexts).toHaveLength(3);
  expect(new Set(contexts).size).toBe(3);
  const seen = (globalThis as { __engineSeen?: { invocationIds: string[] } }).__engineSeen!;
  expect(new Set(seen.invocationIds).size).toBe(seen.invocationIds.length);
});

test('episodes start with OrchestratorStarted, end with OrchestratorCompleted, and only the new ones are unplayed', async () => {
  const payloads: Array<Record<string, unknown>> = [];
  const hook = app.hook.preInvocation((context) => {
    if (context.invocationContext.functionName === 'hello')
      payloads.push(context.inputs[0] as Record<string, unknown>);
  });
  const id = host.startNew('hello', ['Lima', 'Quito']);
  await host.waitForStatus(id);
  hook.dispose();
  expect(payloads).toHaveLength(3);
  for (const [i, payload] of payloads.entries()) {
    expect(payload).toMatchObject({
      instanceId: id,
      isReplaying: i > 0,
      parentInstanceId: null,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: '3.00:00:00',
      maximumShortTimerDuration: '6.00:00:00',
      input: ['Lima', 'Quito'],
    });
    const events = payload.history as HistoryEvent[];
    const lastStart = events.map((e) => e.EventType).lastIndexOf(12);
    expect(events[0].EventType).toBe(12);
    expect(events.slice(0, lastStart).every((e) => e.IsPlayed)).toBe(true);
    expect(events.slice(lastStart).every((e) => !e.IsPlayed)).toBe(true);
    expect(events.filter((e) => e.EventType === 12)).toHaveLength(i + 1);
    expect(events.filter((e) => e.EventType === 13)).toHaveLength(i);
  }
  const history = host.history(id);
  expect(history[0].EventType).toBe(12);
  expect(history.at(-1)!.EventType).toBe(13);
  expect(history.every((e) => e.IsPlayed)).toBe(true);
  const starts = history.filter((e) => e.EventType === 12).length;
  const ends = history.filter((e) => e.EventType === 13).length;
  expect(starts).toBe(ends);
  expect(starts).toBe(host.episodes(id));
});

test('re-yielding scheduled tasks in a new Task.any fails loudly instead of corrupting results (durable-js#574)', async () => {
  const id = host.startNew('reyield');
  const status = await host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Failed');
  expect(status.output).toContain('azure-functions-durable-js#574');
  const safe = host.startNew('reyieldSafely');
  const ok = await host.waitForStatus(safe);
  expect(ok.output).toEqual([2, 4, 6]);
  expect(host.activityCalls('double').filter((c) => c.instanceId === safe)).toHaveLength(3);
});
