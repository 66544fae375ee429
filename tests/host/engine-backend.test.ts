// The DurableBackend the management and rpc APIs call: status shape, history view, listing and paging.
import { useEngineHost } from './engineHost';

const engine = useEngineHost();

test('status carries name, input, output, custom status and times; history only when asked', async () => {
  const id = engine.host.startNew('hello', ['Bern']);
  await engine.host.waitForStatus(id);
  const status = engine.host.durable.getStatus(id)!;
  expect(status).toMatchObject({
    name: 'hello',
    instanceId: id,
    runtimeStatus: 'Completed',
    input: ['Bern'],
    output: ['Hello Bern'],
    customStatus: null,
  });
  expect(Date.parse(status.lastUpdatedTime)).toBeGreaterThanOrEqual(Date.parse(status.createdTime));
  expect(status.historyEvents).toBeUndefined();
  expect(engine.host.durable.getStatus(id, { showInput: false })!.input).toBeNull();
  const withHistory = engine.host.durable.getStatus(id, { showHistory: true, showHistoryOutput: true })!;
  expect(withHistory.historyEvents).toEqual([
    expect.objectContaining({ EventType: 'ExecutionStarted', FunctionName: 'hello', Input: ['Bern'] }),
    expect.objectContaining({ EventType: 'TaskCompleted', FunctionName: 'sayHello', Result: 'Hello Bern' }),
    expect.objectContaining({
      EventType: 'ExecutionCompleted',
      OrchestrationStatus: 'Completed',
      Result: ['Hello Bern'],
    }),
  ]);
  const withoutOutput = engine.host.durable.getStatus(id, { showHistory: true })!;
  expect(withoutOutput.historyEvents![1]).not.toHaveProperty('Result');
  expect(engine.host.durable.getStatus('nope')).toBeUndefined();
});

test('listing filters by status and prefix and pages with a continuation token', async () => {
  const ids = ['page-a', 'page-b', 'page-c'];
  for (const id of ids) engine.host.startNew('hello', ['X'], id);
  for (const id of ids) await engine.host.waitForStatus(id);
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = engine.host.durable.listStatus(
      { instanceIdPrefix: 'page-', runtimeStatus: ['Completed'] },
      { top: 2, continuationToken: token },
    );
    seen.push(...page.items.map((s) => s.instanceId));
    token = page.continuationToken;
    pages++;
  } while (token);
  expect(pages).toBe(2);
  expect(seen.sort()).toEqual(ids);
  expect(
    engine.host.durable.listStatus({ instanceIdPrefix: 'page-', runtimeStatus: ['Running'] }).items,
  ).toEqual([]);
});
