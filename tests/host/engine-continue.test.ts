// continueAsNew as on Azure Storage: which events reach the next execution (engine/shimWalk.ts
// carryOverFrom, engine/instances.ts continueAsNew) and the new execution's createdTime.
import { app } from '@azure/functions';
import { useEngineHost } from './engineHost';
import type { HistoryEvent } from './types';

const engine = useEngineHost();

/** Starts 'generations' with the clock held, so its hour-long wait stays open. */
async function startFirstGeneration(): Promise<string> {
  engine.host.clock.autoSkip = false;
  const id = engine.host.startNew('generations', 1);
  await engine.host.waitForIdle();
  expect(engine.host.status(id)?.runtimeStatus).toBe('Running');
  return id;
}

/** Lets the second generation's one-minute wait run out if 'late' never reached it. */
async function finish(id: string): Promise<unknown> {
  engine.host.clock.autoSkip = true;
  const status = await engine.host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output;
}

const raised = (history: HistoryEvent[]): unknown[] =>
  history.filter((e) => e.EventType === 15).map((e) => e.Name);

test('an event processed after the continueAsNew decision is carried into the next execution', async () => {
  const id = await startFirstGeneration();
  // One batch: 'go' ends the wait and so reaches the decision; 'late' is processed after it.
  engine.host.durable.raiseEvent(id, 'go', null);
  engine.host.durable.raiseEvent(id, 'late', 'kept');
  expect(await finish(id)).toEqual({ gen: 2, late: 'kept' });
  const current = engine.host.history(id);
  expect(current.slice(0, 3).map((e) => e.EventType)).toEqual([12, 0, 15]);
  expect(raised(current)).toEqual(['late']);
});

test('an event the old execution processed before the decision is dropped with it', async () => {
  const id = await startFirstGeneration();
  engine.host.durable.raiseEvent(id, 'late', 'lost');
  engine.host.durable.raiseEvent(id, 'go', null);
  expect(await finish(id)).toEqual({ gen: 2, late: null });
  expect(raised(engine.host.history(id))).toEqual([]);
});

test('client events raised while the deciding episode runs reach the next execution', async () => {
  const id = await startFirstGeneration();
  let raisedDuring = 0;
  const hook = app.hook.preInvocation((context) => {
    const payload = context.inputs[0] as { instanceId?: string; input?: unknown; history?: HistoryEvent[] };
    if (context.invocationContext.functionName !== 'generations' || payload.instanceId !== id) return;
    if (payload.input === 1 && raised(payload.history ?? []).includes('go') && raisedDuring++ === 0)
      engine.host.durable.raiseEvent(id, 'late', 'in flight');
  });
  try {
    engine.host.durable.raiseEvent(id, 'go', null);
    expect(await finish(id)).toEqual({ gen: 2, late: 'in flight' });
  } finally {
    hook.dispose();
  }
  expect(raisedDuring).toBeGreaterThan(0);
});

test('a terminate sent while the deciding episode runs ends the next execution', async () => {
  const id = await startFirstGeneration();
  const hook = app.hook.preInvocation((context) => {
    const payload = context.inputs[0] as { instanceId?: string; input?: unknown; history?: HistoryEvent[] };
    if (context.invocationContext.functionName !== 'generations' || payload.instanceId !== id) return;
    if (payload.input === 1 && raised(payload.history ?? []).includes('go'))
      engine.host.durable.terminate(id, 'stop');
  });
  try {
    engine.host.durable.raiseEvent(id, 'go', null);
    const status = await engine.host.waitForStatus(id, ['Terminated'], { timeoutMs: 10_000 });
    expect(status.output).toBe('stop');
  } finally {
    hook.dispose();
  }
  // The first execution continued as new; the terminate ended the second one.
  const all = engine.host.history(id, { allExecutions: true });
  expect(all.some((e) => e.EventType === 1 && e.OrchestrationStatus === 2)).toBe(true);
  expect(engine.host.history(id).some((e) => e.EventType === 3)).toBe(true);
});

test("createdTime is the new execution's start", async () => {
  const id = await startFirstGeneration();
  const first = engine.host.status(id)!.createdTime;
  await engine.host.clock.advance(5 * 60_000);
  engine.host.durable.raiseEvent(id, 'go', null);
  await finish(id);
  const started = engine.host.history(id).find((e) => e.EventType === 0)!;
  const status = engine.host.status(id)!;
  expect(status.createdTime).toBe(started.Timestamp);
  expect(Date.parse(status.createdTime) - Date.parse(first)).toBeGreaterThanOrEqual(5 * 60_000);
});

test('an event that won a Task.any whose timer was then cancelled is carried over again', async () => {
  // The shim re-creates the cancelled timer with a cancelled token on every replay
  // (OutOfProcOrchestrationShim.cs:127-132), so its WhenAny ends before the event and the walk
  // reaches ContinueAsNew first: DurableTask.Core then carries the consumed event over.
  engine.host.clock.autoSkip = false;
  const id = engine.host.startNew('generationsCancel', 1);
  await engine.host.waitForIdle();
  engine.host.durable.raiseEvent(id, 'go', 'once');
  expect(await finish(id)).toEqual({ gen: 2, goAgain: 'once' });
});
