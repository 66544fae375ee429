// The /runtime/webhooks/durabletask API with plain HTTP: the URLs a check-status response hands out,
// their status codes, and clear errors for malformed requests.
import { FakeDurable, fakeInvoker } from './edgesFakes';
import { startServer, type RunningServer } from './server';
import type { HostSettings, Registry } from './types';

const registry: Registry = { functions: new Map(), get: () => undefined, byTriggerType: () => [] };
const settings: HostSettings = {
  routePrefix: 'api',
  taskHubName: 'MgmtHub',
  maxConcurrentActivityFunctions: 1,
  maxConcurrentOrchestratorFunctions: 1,
  queues: {
    batchSize: 1,
    maxDequeueCount: 5,
    visibilityTimeoutMs: 0,
    maxPollingIntervalMs: 1000,
    messageEncoding: 'base64',
  },
  appSettings: {},
  resolve: (value) => value,
};

describe('durable management API', () => {
  let server: RunningServer;
  let durable: FakeDurable;
  let base: string;

  beforeAll(async () => {
    durable = new FakeDurable(new Set(['work', 'wait']));
    const invoker = fakeInvoker(registry, { baseUrl: () => server.url, taskHubName: settings.taskHubName });
    server = await startServer({ registry, settings, durable, invoker, runTimer: async () => undefined });
    base = `${server.url}/runtime/webhooks/durabletask`;
  });

  afterAll(() => server.close());

  const post = (
    url: string,
    body?: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => fetch(url, { method: 'POST', body, headers });

  async function start(id: string, input?: unknown): Promise<Record<string, string>> {
    const res = await post(
      `${base}/orchestrators/work/${id}`,
      input === undefined ? undefined : JSON.stringify(input),
    );
    expect(res.status).toBe(202);
    return (await res.json()) as Record<string, string>;
  }

  it('starts an instance and answers with the check-status payload', async () => {
    const res = await post(`${base}/orchestrators/work/mgmt:1?code=abc`, JSON.stringify({ n: 1 }));
    expect(res.status).toBe(202);
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(
      [
        'id',
        'purgeHistoryDeleteUri',
        'restartPostUri',
        'resumePostUri',
        'sendEventPostUri',
        'statusQueryGetUri',
        'suspendPostUri',
        'terminatePostUri',
      ].sort(),
    );
    expect(body.id).toBe('mgmt:1');
    expect(body.statusQueryGetUri).toBe(
      `${base}/instances/mgmt%3A1?taskHub=MgmtHub&connection=Storage&code=abc`,
    );
    expect(body.sendEventPostUri).toBe(
      `${base}/instances/mgmt%3A1/raiseEvent/{eventName}?taskHub=MgmtHub&connection=Storage&code=abc`,
    );
    expect(body.terminatePostUri).toContain('/terminate?reason={text}&taskHub=MgmtHub');
    expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
    expect(res.headers.get('retry-after')).toBe('10');
    expect(durable.getStatus('mgmt:1')?.input).toEqual({ n: 1 });
  });

  it('answers 400 for an unknown orchestrator or invalid JSON and 500 for a running duplicate', async () => {
    const unknown = await post(`${base}/orchestrators/nope`, '1');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: expect.stringContaining("'nope'") });
    const invalid = await post(`${base}/orchestrators/work`, '{not json');
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: 'Invalid JSON content' });
    await start('dup');
    expect((await post(`${base}/orchestrators/work/dup`, '1')).status).toBe(500);
  });

  it('waits for completion when asked with timeout and pollingInterval', async () => {
    const started = post(`${base}/orchestrators/work/waits?timeout=30&pollingInterval=0.02`, '"x"');
    // Complete it as soon as the fake has it; the server's polling then answers 200 with the output.
    while (!durable.instances.has('waits')) await new Promise((resolve) => setImmediate(resolve));
    durable.set('waits', 'Completed', { out: 1 });
    const res = await started;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ out: 1 });

    const timedOut = await post(`${base}/orchestrators/work/slow?timeout=0.1&pollingInterval=0.02`, '"x"');
    expect(timedOut.status).toBe(202);
    expect(((await timedOut.json()) as { id: string }).id).toBe('slow');
  });

  it('maps runtime status to 202/200/500 on GET status', async () => {
    const urls = await start('statuses', 'in');
    const pending = await fetch(urls.statusQueryGetUri);
    expect(pending.status).toBe(202);
    expect(pending.headers.get('location')).toBe(urls.statusQueryGetUri);
    expect(pending.headers.get('retry-after')).toBe('5');
    const body = await pending.json();
    expect(body).toEqual({
      name: 'work',
      instanceId: 'statuses',
      runtimeStatus: 'Pending',
      input: 'in',
      customStatus: null,
      output: null,
      createdTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      lastUpdatedTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });

    for (const status of ['Running', 'Suspended', 'ContinuedAsNew'] as const) {
      durable.set('statuses', status);
      expect((await fetch(urls.statusQueryGetUri)).status).toBe(202);
    }
    durable.set('statuses', 'Failed', 'broken');
    const failed = await fetch(urls.statusQueryGetUri);
    expect(failed.status).toBe(200);
    expect(failed.headers.get('location')).toBeNull();
    expect(await failed.json()).toMatchObject({ runtimeStatus: 'Failed', output: 'broken' });
    expect((await fetch(`${urls.statusQueryGetUri}&returnInternalServerErrorOnFailure=true`)).status).toBe(
      500,
    );
    for (const status of ['Completed', 'Terminated'] as const) {
      durable.set('statuses', status);
      expect((await fetch(urls.statusQueryGetUri)).status).toBe(200);
    }
  });

  it('honours showInput, showHistory and showHistoryOutput', async () => {
    const urls = await start('shows', { secret: 1 });
    expect(await (await fetch(`${urls.statusQueryGetUri}&showInput=false`)).json()).toMatchObject({
      input: null,
    });
    const plain = (await (await fetch(urls.statusQueryGetUri)).json()) as Record<string, unknown>;
    expect(plain.historyEvents).toBeUndefined();
    const withHistory = (await (
      await fetch(`${urls.statusQueryGetUri}&showHistory=true&showHistoryOutput=true`)
    ).json()) as {
      historyEvents: unknown[];
    };
    expect(withHistory.historyEvents).toEqual([{ EventType: 'ExecutionStarted', Input: { secret: 1 } }]);
  });

  it('answers 404 for an unknown instance', async () => {
    const res = await fetch(`${base}/instances/ghost?taskHub=MgmtHub`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "No instance with ID 'ghost' found." });
  });

  it('raises events through sendEventPostUri and validates the body', async () => {
    const urls = await start('events');
    const send = (name: string) => urls.sendEventPostUri.replace('{eventName}', name);
    expect((await post(send('go'), JSON.stringify({ ok: true }))).status).toBe(202);
    expect(durable.events('events')).toEqual([{ name: 'go', data: { ok: true } }]);
    expect((await post(send('go'), 'plain', { 'content-type': 'text/plain' })).status).toBe(400);
    expect((await post(send('go'), '{bad')).status).toBe(400);
    durable.set('events', 'Completed');
    expect((await post(send('go'), '1')).status).toBe(410);
    expect((await post(`${base}/instances/ghost/raiseEvent/go`, '1')).status).toBe(404);
  });

  it('terminates, suspends and resumes with 202/410/404', async () => {
    const urls = await start('ops');
    const suspend = urls.suspendPostUri.replace('{text}', 'pause%20please');
    expect((await post(suspend)).status).toBe(202);
    expect((await post(urls.resumePostUri.replace('{text}', 'resume'))).status).toBe(202);
    expect((await post(urls.terminatePostUri.replace('{text}', 'stop'))).status).toBe(202);
    expect(durable.reasons('ops')).toEqual(['suspend:pause please', 'resume:resume', 'terminate:stop']);
    expect((await post(urls.terminatePostUri.replace('{text}', 'again'))).status).toBe(410);
    expect((await post(`${base}/instances/ghost/terminate?reason=x`)).status).toBe(404);
  });

  it('purges through purgeHistoryDeleteUri, running or not (Azure Storage), then 404', async () => {
    const urls = await start('purged');
    const purge = () => fetch(urls.purgeHistoryDeleteUri, { method: 'DELETE' });
    const res = await purge();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ instancesDeleted: 1 });
    expect((await purge()).status).toBe(404);
  });

  it('restarts an instance with its input under a new id', async () => {
    const urls = await start('restart-me', { again: true });
    durable.set('restart-me', 'Completed');
    const res = await post(urls.restartPostUri);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(id).not.toBe('restart-me');
    expect(durable.getStatus(id)).toMatchObject({ name: 'work', input: { again: true } });
  });

  it('rewind answers 412 unless Failed, then 501 (not supported by tests/host)', async () => {
    const urls = await start('rewind-me');
    const rewind = () => post(urls.terminatePostUri.replace('/terminate?reason={text}', '/rewind?reason=x'));
    expect((await rewind()).status).toBe(412);
    durable.set('rewind-me', 'Failed');
    expect((await rewind()).status).toBe(501);
  });

  it('lists with filters, top and the continuation token', async () => {
    for (const id of ['list-a', 'list-b', 'list-c']) await start(id);
    const first = await fetch(
      `${base}/instances/?instanceIdPrefix=list-&top=2&runtimeStatus=Pending,Running`,
    );
    expect(first.status).toBe(200);
    const token = first.headers.get('x-ms-continuation-token');
    expect(token).toBeTruthy();
    const firstPage = (await first.json()) as { instanceId: string }[];
    const second = await fetch(`${base}/instances/?instanceIdPrefix=list-&top=2`, {
      headers: { 'x-ms-continuation-token': token! },
    });
    expect(second.headers.get('x-ms-continuation-token')).toBeNull();
    const secondPage = (await second.json()) as { instanceId: string }[];
    expect([...firstPage, ...secondPage].map((s) => s.instanceId)).toEqual(['list-a', 'list-b', 'list-c']);
  });

  it.each([
    ['GET', '/instances/?runtimeStatus=Sleeping', 400, /Unknown runtimeStatus 'Sleeping'/],
    ['GET', '/instances/?top=0', 400, /top/],
    ['GET', '/instances/?createdTimeFrom=yesterday', 400, /createdTimeFrom/],
    ['DELETE', '/instances/', 400, /createdTimeFrom/],
    [
      'DELETE',
      '/instances/?createdTimeFrom=1999-01-01T00:00:00Z&createdTimeTo=1999-01-02T00:00:00Z',
      404,
      /No instances/,
    ],
    ['PUT', '/instances/x', 405, /Method not allowed/],
    ['GET', '/orchestrators/work', 405, /Method not allowed/],
    ['POST', '/instances/x/explode', 404, /Unknown instance operation/],
    ['GET', '/somewhere', 404, /No durable task API/],
    ['POST', '/entities/counter/one?op=add', 501, /entities/],
    ['GET', '/instances/%E0%A4%A', 400, /Malformed/],
  ])('%s %s -> %i', async (method, route, status, message) => {
    const res = await fetch(`${base}${route}`, { method });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it('serves the same API on the rpc base URL', async () => {
    await start('via-rpc');
    const res = await fetch(`${server.url}/durabletask/instances/via-rpc`);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ instanceId: 'via-rpc' });
  });
});
