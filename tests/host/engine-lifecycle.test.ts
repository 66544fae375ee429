// Sub-orchestrations, continue-as-new, events, terminate, suspend/resume, purge, custom status and failures.
import { app } from '@azure/functions';
import { useEngineHost } from './engineHost';
import type { HistoryEvent } from './types';

const DAY = 24 * 3600_000;

const engine = useEngineHost();

const types = (history: HistoryEvent[]): number[] => history.map((e) => e.EventType);

test('sub-orchestrations return results, carry their parent id, and report failures to the parent', async () => {
  const id = engine.host.startNew('parent', undefined, 'parent-1');
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toEqual({
    a: { n: 1, doubled: 2, parent: 'parent-1' },
    b: { n: 2, doubled: 4, parent: 'parent-1' },
    failure: "Orchestrator function 'child' failed: child failed for 3 ",
  });
  expect(engine.host.status('parent-1-child-2')?.runtimeStatus).toBe('Completed');
  const created = engine.host.history(id).filter((e) => e.EventType === 7);
  expect(created.map((e) => [e.EventId, e.Name])).toEqual([
    [0, 'child'],
    [1, 'child'],
    [2, 'child'],
  ]);
  const failedChild = engine.host.status(created[2].InstanceId as string)!;
  expect(failedChild.runtimeStatus).toBe('Failed');
});

test('continueAsNew starts a fresh execution and drops events it never consumed', async () => {
  engine.host.clock.autoSkip = false;
  const id = engine.host.startNew('counter', 1);
  await engine.host.waitForIdle();
  expect(engine.host.durable.raiseEvent(id, 'extra', 'x')).toBe('accepted');
  await engine.host.clock.advance(10 * 60_000);
  const status = await engine.host.waitForStatus(id);
  expect(status.output).toEqual({ n: 3, extraWasDropped: true });
  expect(status.input).toBe(3);
  const all = engine.host.history(id, { allExecutions: true });
  const continued = all.filter((e) => e.EventType === 1 && e.OrchestrationStatus === 2);
  expect(continued.map((e) => e.Result)).toEqual(['2', '3']);
  const current = engine.host.history(id);
  // Each execution's history is bounded on its own; the longest is shorter than all of them together.
  expect(engine.host.maxHistoryLength(id)).toBeGreaterThanOrEqual(current.length);
  expect(engine.host.maxHistoryLength(id)).toBeLessThan(all.length);
  expect(types(current).slice(0, 2)).toEqual([12, 0]);
  expect(current[1].Input).toBe('3');
  expect(current.some((e) => e.EventType === 15)).toBe(false);
});

test('an event that wins the race cancels the timer, which never fires', async () => {
  engine.host.clock.autoSkip = false;
  const start = engine.host.clock.now();
  const id = engine.host.startNew('approval');
  await engine.host.waitForIdle();
  expect(engine.host.durable.raiseEvent(id, 'approve', 'alice')).toBe('accepted');
  const status = await engine.host.waitForStatus(id);
  expect(status.output).toEqual({ approved: true, by: 'alice', at: new Date(start).toISOString() });
  const history = engine.host.history(id);
  expect(history.filter((e) => e.EventType === 10)).toHaveLength(1);
  expect(history.some((e) => e.EventType === 11)).toBe(false);
  engine.host.clock.autoSkip = true;
  await engine.host.waitForIdle();
  expect(engine.host.clock.now()).toBe(start);
});

test('a timer that wins the race times the orchestration out a day later', async () => {
  const start = engine.host.clock.now();
  const id = engine.host.startNew('approval');
  const status = await engine.host.waitForStatus(id);
  expect(status.output).toEqual({ approved: false, at: new Date(start + DAY).toISOString() });
});

test('an event raised before the orchestrator waits for it is buffered', async () => {
  const id = engine.host.startNew('lateWaiter');
  expect(engine.host.durable.raiseEvent(id, 'go', { value: 7 })).toBe('accepted');
  const status = await engine.host.waitForStatus(id);
  expect(status.output).toEqual({ value: 7 });
  const history = engine.host.history(id);
  const raised = history.findIndex((e) => e.EventType === 15);
  const scheduled = history.findIndex((e) => e.EventType === 4);
  expect(raised).toBeLessThan(history.findIndex((e) => e.EventType === 5));
  expect(scheduled).toBeGreaterThan(-1);
});

test('terminate ends a waiting instance with the reason as output; later operations see it as gone', async () => {
  const id = engine.host.startNew('waitForever');
  await engine.host.waitForStatus(id, ['Running']);
  expect(engine.host.durable.terminate(id, 'enough')).toBe('accepted');
  // Queued, as on Azure: the status changes when the instance's next episode takes the message.
  expect(engine.host.status(id)?.runtimeStatus).toBe('Running');
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Terminated');
  expect(status.output).toBe('enough');
  expect(status.customStatus).toEqual({ stage: 'waiting' });
  expect(types(engine.host.history(id))).toContain(3);
  expect(engine.host.durable.raiseEvent(id, 'never', 1)).toBe('gone');
  expect(engine.host.durable.terminate(id)).toBe('gone');
  expect(engine.host.durable.terminate('no-such-instance')).toBe('notFound');
});

test('suspend and resume are queued; suspending twice or resuming a running instance answers 500', async () => {
  const id = engine.host.startNew('waitForever');
  await engine.host.waitForStatus(id, ['Running']);
  expect(() => engine.host.durable.resume(id)).toThrow(
    expect.objectContaining({
      status: 500,
      message: expect.stringContaining('because instance is in the Running state'),
    }) as Error,
  );
  expect(engine.host.durable.suspend(id, 'pause')).toBe('accepted');
  expect(engine.host.status(id)?.runtimeStatus).toBe('Running');
  await engine.host.waitForStatus(id, ['Suspended']);
  expect(() => engine.host.durable.suspend(id)).toThrow(
    expect.objectContaining({
      status: 500,
      message: expect.stringContaining('because instance is in the Suspended state'),
    }) as Error,
  );
  expect(engine.host.durable.raiseEvent(id, 'never', 'value')).toBe('accepted');
  await engine.host.waitForIdle();
  const episodesWhileSuspended = engine.host.episodes(id);
  expect(engine.host.status(id)?.runtimeStatus).toBe('Suspended');
  expect(engine.host.durable.resume(id, 'go on')).toBe('accepted');
  expect(engine.host.status(id)?.runtimeStatus).toBe('Suspended');
  const status = await engine.host.waitForStatus(id);
  expect(status.output).toBe('value');
  expect(engine.host.episodes(id)).toBe(episodesWhileSuspended + 1);
  expect(types(engine.host.history(id))).toEqual(expect.arrayContaining([19, 20]));
});

test('a suspended instance can still be terminated', async () => {
  const id = engine.host.startNew('waitForever');
  await engine.host.waitForStatus(id, ['Running']);
  engine.host.durable.suspend(id);
  await engine.host.waitForStatus(id, ['Suspended']);
  expect(engine.host.durable.terminate(id, 'stop')).toBe('accepted');
  expect((await engine.host.waitForStatus(id)).runtimeStatus).toBe('Terminated');
});

test('purge deletes an instance whatever its status, as Azure Storage does', async () => {
  const done = engine.host.startNew('hello', ['Oslo']);
  await engine.host.waitForStatus(done);
  const running = engine.host.startNew('waitForever');
  await engine.host.waitForStatus(running, ['Running']);
  expect(engine.host.durable.purge(running)).toBe(1);
  expect(engine.host.status(running)).toBeUndefined();
  expect(engine.host.durable.raiseEvent(running, 'never', 1)).toBe('notFound');
  expect(engine.host.durable.purge(done)).toBe(1);
  expect(engine.host.status(done)).toBeUndefined();
  expect(engine.host.durable.purge(done)).toBe(0);
  const again = engine.host.startNew('hello', ['Rome']);
  await engine.host.waitForStatus(again);
  const live = engine.host.startNew('waitForever', undefined, `${again}-live`);
  await engine.host.waitForStatus(live, ['Running']);
  // A status filter keeps only the terminal statuses it lists.
  expect(
    engine.host.durable.purgeBy({ runtimeStatus: ['Completed', 'Running'], instanceIdPrefix: again }),
  ).toBe(1);
  expect(engine.host.status(live)?.runtimeStatus).toBe('Running');
  engine.host.durable.terminate(live);
});

test("purging a parent leaves its sub-orchestrations; a list's createdTimeTo includes that instant", async () => {
  // Azure Storage purges only the named instance (durabletask AzureTableTrackingStore.cs:667-746 at
  // 52170329), and filters "CreatedTime le <createdTimeTo>" (OrchestrationInstanceStatusQueryCondition.cs:120-123).
  const id = engine.host.startNew('parent', undefined, 'purged-parent');
  await engine.host.waitForStatus(id);
  const child = 'purged-parent-child-2';
  expect(engine.host.status(child)?.runtimeStatus).toBe('Completed');
  const createdAt = new Date(engine.host.status(child)!.createdTime);
  const upTo = (to: Date) =>
    engine.host.durable.listStatus({ createdTimeTo: to }).items.map((s) => s.instanceId);
  expect(upTo(createdAt)).toContain(child);
  expect(upTo(new Date(createdAt.getTime() - 1))).not.toContain(child);

  expect(engine.host.durable.purge(id)).toBe(1);
  expect(engine.host.status(id)).toBeUndefined();
  expect(engine.host.status(child)?.runtimeStatus).toBe('Completed');
  expect(engine.host.durable.purge(child)).toBe(1);
});

test('a cancelled timer still fires later: one more episode, which the SDK ignores', async () => {
  engine.host.clock.autoSkip = false;
  const id = engine.host.startNew('cancelThenWait');
  await engine.host.waitForIdle();
  engine.host.durable.raiseEvent(id, 'go', null);
  await engine.host.waitForIdle();
  const before = engine.host.episodes(id);
  await engine.host.clock.advance(3600_000);
  await engine.host.waitForIdle();
  expect(engine.host.episodes(id)).toBe(before + 1);
  expect(
    engine.host
      .history(id)
      .filter((e) => e.EventType === 11)
      .map((e) => e.TimerId),
  ).toEqual([0]);
  expect(engine.host.status(id)?.runtimeStatus).toBe('Running');
  await engine.host.clock.advance(3600_000);
  const status = await engine.host.waitForStatus(id);
  expect(status.output).toEqual({ winner: 'go' });
});

test('custom status follows the orchestrator and starting a running id again is refused', async () => {
  engine.host.clock.autoSkip = false;
  const id = engine.host.startNew('progress', undefined, 'progress-1');
  await engine.host.waitForIdle();
  expect(engine.host.status(id)?.customStatus).toEqual({ step: 2 });
  expect(() => engine.host.startNew('progress', undefined, 'progress-1')).toThrow(/already exists/);
  await engine.host.clock.advance(1000);
  const status = await engine.host.waitForStatus(id);
  expect(status.output).toBe('done');
  expect(status.customStatus).toEqual({ step: 2 });
  // A final instance may be replaced.
  expect(engine.host.startNew('hello', ['Paris'], 'progress-1')).toBe('progress-1');
  expect((await engine.host.waitForStatus(id)).output).toEqual(['Hello Paris']);
});

test('an orchestrator that throws fails with the extension message parsed from $OutOfProcData$', async () => {
  const id = engine.host.startNew('failing');
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Failed');
  expect(status.output).toBe("Orchestrator function 'failing' failed: boom");
  const last = engine.host.history(id).at(-2)!;
  expect(last.EventType).toBe(1);
  expect(last.OrchestrationStatus).toBe(3);
});

test('an activity failure reaches the orchestrator as "Activity function \'X\' failed: <msg>"', async () => {
  const id = engine.host.startNew('activityFails');
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Failed');
  expect(status.output).toMatch(
    /^Orchestrator function 'activityFails' failed: Activity function 'boom' failed: kaboom/,
  );
  const failed = engine.host.history(id).find((e) => e.EventType === 6)!;
  expect(failed.Reason).toBe("Activity function 'boom' failed: kaboom");
  expect(failed.TaskScheduledId).toBe(0);
});

test('an orchestrator that changes its mind during replay fails as non-deterministic', async () => {
  const id = engine.host.startNew('nondeterministic');
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Failed');
  expect(status.output).toMatch(/^Non-Deterministic workflow detected: /);
  expect(status.output).toContain("sequence ID 0 and name 'echo'");
  expect(engine.host.activityCalls('double').filter((c) => c.instanceId === id)).toHaveLength(0);
});

test('every invocation gets its own InvocationContext', async () => {
  const contexts: unknown[] = ((globalThis as Record<string, unknown>).__engineContexts = []) as unknown[];
  const id = engine.host.startNew('contextSpy');
  await engine.host.waitForStatus(id);
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
  const id = engine.host.startNew('hello', ['Lima', 'Quito']);
  await engine.host.waitForStatus(id);
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
  const history = engine.host.history(id);
  expect(history[0].EventType).toBe(12);
  expect(history.at(-1)!.EventType).toBe(13);
  expect(history.every((e) => e.IsPlayed)).toBe(true);
  const starts = history.filter((e) => e.EventType === 12).length;
  const ends = history.filter((e) => e.EventType === 13).length;
  expect(starts).toBe(ends);
  expect(starts).toBe(engine.host.episodes(id));
});

test('re-yielding scheduled tasks in a new Task.any fails loudly instead of corrupting results (durable-js#574)', async () => {
  const id = engine.host.startNew('reyield');
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Failed');
  expect(status.output).toContain('azure-functions-durable-js#574');
  const safe = engine.host.startNew('reyieldSafely');
  const ok = await engine.host.waitForStatus(safe);
  expect(ok.output).toEqual([2, 4, 6]);
  expect(engine.host.activityCalls('double').filter((c) => c.instanceId === safe)).toHaveLength(3);
});
