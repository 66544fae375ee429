// The DurableBackend the management and rpc APIs call: status shape, history view, listing and paging.
import path from 'node:path';
import { startHost, type Host } from './index';

const APP = path.join(__dirname, '..', 'fixtures', 'engine-app');

let host: Host;
beforeAll(async () => {
  host = await startHost({ appDir: APP, storage: 'none' });
});
afterAll(async () => {
  await host.stop();
});

test('status carries name, input, output, custom status and times; history only when asked', async () => {
  const id = host.startNew('hello', ['Bern']);
  await host.waitForStatus(id);
  const status = host.durable.getStatus(id)!;
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
  expect(host.durable.getStatus(id, { showInput: false })!.input).toBeNull();
  const withHistory = host.durable.getStatus(id, { showHistory: true, showHistoryOutput: true })!;
  expect(withHistory.historyEvents).toEqual([
    expect.objectContaining({ EventType: 'ExecutionStarted', FunctionName: 'hello', Input: ['Bern'] }),
    expect.objectContaining({ EventType: 'TaskCompleted', FunctionName: 'sayHello', Result: 'Hello Bern' }),
    expect.objectContaining({
      EventType: 'ExecutionCompleted',
      OrchestrationStatus: 'Completed',
      Result: ['Hello Bern'],
    }),
  ]);
  const withoutOutput = host.durable.getStatus(id, { showHistory: true })!;
  expect(withoutOutput.historyEvents![1]).not.toHaveProperty('Result');
  expect(host.durable.getStatus('nope')).toBeUndefined();
});

test('listing filters by status and prefix and pages with a continuation token', async () => {
  const ids = ['page-a', 'page-b', 'page-c'];
  for (const id of ids) host.startNew('hello', ['X'], id);
  for (const id of ids) await host.waitForStatus(id);
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = host.durable.listStatus(
      { instanceIdPrefix: 'page-', runtimeStatus: ['Completed'] },
      { top: 2, continuationToken: token },
    );
    seen.push(...page.items.map((s) => s.instanceId));
    token = page.continuationToken;
    pages++;
  } while (token);
  expect(pages).toBe(2);
  expect(seen.sort()).toEqual(ids);
  expect(host.durable.listStatus({ instanceIdPrefix: 'page-', runtimeStatus: ['Running'] }).items).toEqual(
    [],
  );
});
