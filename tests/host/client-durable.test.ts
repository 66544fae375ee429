// The SDK's real DurableClient against the server's rpc and management endpoints. The durable side is
// an in-memory fake that never runs orchestrations: the tests move instances between states.
import { HttpRequest, InvocationContext, type HttpResponse } from '@azure/functions';
import * as df from 'durable-functions';
import path from 'node:path';
import { durableClientBinding } from './api/clientBinding';
import { FakeDurable, fakeInvoker } from './edgesFakes';
import { loadApp } from './loader';
import { startServer, type RunningServer } from './server';
import { loadSettings } from './settings';

const appDir = path.join(__dirname, '..', 'fixtures', 'edges-app');

describe('DurableClient against tests/host', () => {
  let server: RunningServer;
  let durable: FakeDurable;
  let client: df.DurableClient;
  const previousHostname = process.env.WEBSITE_HOSTNAME;

  beforeAll(async () => {
    const registry = loadApp(appDir);
    const settings = loadSettings(appDir);
    durable = new FakeDurable(new Set(['helloOrchestrator', 'approval']));
    const invoker = fakeInvoker(registry, { baseUrl: () => server.url, taskHubName: settings.taskHubName });
    server = await startServer(
      { registry, settings, durable, invoker, runTimer: async () => undefined },
      { listPageSize: 2 },
    );
    process.env.WEBSITE_HOSTNAME = `127.0.0.1:${server.port}`;
    client = clientFor(durableClientBinding({ baseUrl: server.url, taskHubName: settings.taskHubName }));
  });

  afterAll(async () => {
    if (previousHostname === undefined) delete process.env.WEBSITE_HOSTNAME;
    else process.env.WEBSITE_HOSTNAME = previousHostname;
    await server.close();
  });

  /** getClient, exactly as a df.app.client function gets it, from an InvocationContext. */
  function clientFor(binding: object): df.DurableClient {
    const input = df.input.durableClient();
    const context = new InvocationContext({ options: { extraInputs: [input] } });
    context.extraInputs.set(input, binding);
    return df.getClient(context);
  }

  const request = (url: string) => new HttpRequest({ method: 'POST', url });

  it('starts an instance with an id and an input, and reads its status', async () => {
    const id = await client.startNew('helloOrchestrator', { instanceId: 'start-1', input: { name: 'Ann' } });
    expect(id).toBe('start-1');
    let status = await client.getStatus(id);
    expect(status).toMatchObject({
      instanceId: 'start-1',
      name: 'helloOrchestrator',
      runtimeStatus: 'Pending',
      input: { name: 'Ann' },
    });
    expect(status.output).toBeNull();

    durable.set(id, 'Completed', 'Hello, Ann!');
    status = await client.getStatus(id);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'Hello, Ann!' });
    expect(status.createdTime).toBeInstanceOf(Date);
  });

  it('generates an instance id and accepts a start without input', async () => {
    const id = await client.startNew('helloOrchestrator');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    // The SDK posts "" (axios JSON-encodes it to '""') when there is no input, so the input is "".
    expect((await client.getStatus(id)).input).toBe('');
  });

  it('rejects an unknown orchestrator (400) and a duplicate running instance (500, as Azure Storage)', async () => {
    await expect(client.startNew('noSuchOrchestrator')).rejects.toThrow(/status code: 400/);
    await client.startNew('approval', { instanceId: 'dup' });
    await expect(client.startNew('approval', { instanceId: 'dup' })).rejects.toThrow(/status code: 500/);
  });

  it('reports a Failed instance as a status, not as an error', async () => {
    const id = await client.startNew('helloOrchestrator', { instanceId: 'fails' });
    durable.set(id, 'Failed', "Orchestrator function 'helloOrchestrator' failed: boom");
    await expect(client.getStatus(id)).resolves.toMatchObject({ runtimeStatus: 'Failed' });
  });

  it('throws for an unknown instance', async () => {
    await expect(client.getStatus('nobody')).rejects.toThrow(/HTTP 404/);
  });

  it('raises events (202), tolerates final instances (410) and rejects unknown ones (404)', async () => {
    const id = await client.startNew('approval', { instanceId: 'approval-1' });
    await client.raiseEvent(id, 'decision', { approved: true });
    await client.raiseEvent(id, 'poke', undefined);
    expect(durable.events(id)).toEqual([
      { name: 'decision', data: { approved: true } },
      { name: 'poke', data: null },
    ]);
    durable.set(id, 'Completed');
    await expect(client.raiseEvent(id, 'decision', 1)).resolves.toBeUndefined();
    expect(durable.events(id)).toHaveLength(2);
    await expect(client.raiseEvent('nobody', 'decision', 1)).rejects.toThrow(
      "No instance with ID 'nobody' found.",
    );
  });

  it('suspends, resumes and terminates with reasons', async () => {
    const id = await client.startNew('approval', { instanceId: 'lifecycle' });
    await client.suspend(id, 'hold on');
    expect((await client.getStatus(id)).runtimeStatus).toBe('Suspended');
    await client.resume(id, 'go');
    await client.terminate(id, 'no longer needed');
    expect(durable.reasons(id)).toEqual(['suspend:hold on', 'resume:go', 'terminate:no longer needed']);
    expect((await client.getStatus(id)).runtimeStatus).toBe('Terminated');
    await expect(client.terminate(id, 'again')).resolves.toBeUndefined();
    await expect(client.suspend('nobody', 'x')).rejects.toThrow(/No instance/);
  });

  it('purges an instance once, running or not (as Azure Storage); a second purge deletes nothing', async () => {
    const id = await client.startNew('helloOrchestrator', { instanceId: 'purge-me' });
    expect(await client.purgeInstanceHistory(id)).toEqual({ instancesDeleted: 1 });
    expect((await client.purgeInstanceHistory(id)).instancesDeleted).toBe(0);
  });

  it('lists instances by filter across pages of the continuation token', async () => {
    for (let i = 0; i < 5; i++) await client.startNew('helloOrchestrator', { instanceId: `page-${i}` });
    durable.set('page-3', 'Running');
    const pending = await client.getStatusBy({ runtimeStatus: [df.OrchestrationRuntimeStatus.Pending] });
    const ids = pending.map((s) => s.instanceId).filter((id) => id.startsWith('page-'));
    expect(ids).toEqual(['page-0', 'page-1', 'page-2', 'page-4']);
    // The server's page size is 2, so the client had to follow continuation tokens.
    const tokens = durable.listCalls.map((call) => call.page.continuationToken).filter(Boolean);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(durable.listCalls.every((call) => call.page.top === 2)).toBe(true);

    const created = (await client.getStatus('page-2')).createdTime;
    const since = await client.getStatusBy({ createdTimeFrom: created });
    expect(since.map((s) => s.instanceId)).toEqual(expect.arrayContaining(['page-2', 'page-3', 'page-4']));
    expect(since.map((s) => s.instanceId)).not.toContain('page-1');

    const all = await client.getStatusAll();
    expect(all.length).toBe(durable.instances.size);
  });

  it('purges by filter', async () => {
    await client.startNew('helloOrchestrator', { instanceId: 'old-1' });
    durable.set('old-1', 'Completed');
    const result = await client.purgeInstanceHistoryBy({
      createdTimeFrom: new Date('2000-01-01T00:00:00Z'),
      runtimeStatus: [df.OrchestrationRuntimeStatus.Completed],
    });
    expect(result.instancesDeleted).toBeGreaterThanOrEqual(1);
    expect(durable.instances.has('old-1')).toBe(false);
    const none = await client.purgeInstanceHistoryBy({
      createdTimeFrom: new Date('2000-01-01T00:00:00Z'),
      runtimeStatus: [df.OrchestrationRuntimeStatus.Completed],
    });
    expect(none.instancesDeleted).toBe(0);
  });

  it('builds a check-status response on the request origin with Location and Retry-After', async () => {
    const response = client.createCheckStatusResponse(request(`${server.url}/api/start/x`), 'abc:1');
    expect(response.status).toBe(202);
    const body = (await response.json()) as Record<string, string>;
    expect(response.headers.get('location')).toBe(body.statusQueryGetUri);
    expect(response.headers.get('retry-after')).toBe('10');
    expect(
      body.statusQueryGetUri.startsWith(`${server.url}/runtime/webhooks/durabletask/instances/abc:1?`),
    ).toBe(true);
    expect(body.statusQueryGetUri).toContain('taskHub=EdgesHub');
  });

  describe('waitForCompletionOrCreateCheckStatusResponse', () => {
    it('answers 200 with the output once the instance completes', async () => {
      const id = await client.startNew('helloOrchestrator', { instanceId: 'wait-done' });
      const waiting = client.waitForCompletionOrCreateCheckStatusResponse(
        request(`${server.url}/api/x`),
        id,
        {
          timeoutInMilliseconds: 30_000,
          retryIntervalInMilliseconds: 20,
        },
      );
      durable.set(id, 'Completed', { greeting: 'hi' });
      const response: HttpResponse = await waiting;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ greeting: 'hi' });
    });

    it('answers 500 with the status for a failed instance', async () => {
      const id = await client.startNew('helloOrchestrator', { instanceId: 'wait-failed' });
      durable.set(id, 'Failed', 'it broke');
      const response = await client.waitForCompletionOrCreateCheckStatusResponse(
        request(`${server.url}/api/x`),
        id,
        {
          timeoutInMilliseconds: 1000,
          retryIntervalInMilliseconds: 20,
        },
      );
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ runtimeStatus: 'Failed', output: 'it broke' });
    });

    it('answers the 202 check-status response when it times out', async () => {
      const id = await client.startNew('approval', { instanceId: 'wait-timeout' });
      const response = await client.waitForCompletionOrCreateCheckStatusResponse(
        request(`${server.url}/api/x`),
        id,
        {
          timeoutInMilliseconds: 100,
          retryIntervalInMilliseconds: 20,
        },
      );
      expect(response.status).toBe(202);
      expect(response.headers.get('location')).toContain(
        '/runtime/webhooks/durabletask/instances/wait-timeout?',
      );
    });
  });

  describe('through a df.app.client.http starter in the app', () => {
    it('returns the 202 check-status response whose URLs work with plain HTTP', async () => {
      const res = await fetch(`${server.url}/api/start/helloOrchestrator/starter-1`, {
        method: 'POST',
        body: JSON.stringify('Bo'),
      });
      expect(res.status).toBe(202);
      expect(res.headers.get('retry-after')).toBe('10');
      const body = (await res.json()) as Record<string, string>;
      expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
      expect(body.id).toBe('starter-1');
      expect(durable.getStatus('starter-1')?.input).toBe('Bo');

      const pending = await fetch(body.statusQueryGetUri);
      expect(pending.status).toBe(202);
      expect(pending.headers.get('retry-after')).toBe('5');
      expect(pending.headers.get('location')).toBe(body.statusQueryGetUri);
      expect(await pending.json()).toMatchObject({ runtimeStatus: 'Pending', input: 'Bo' });

      durable.set('starter-1', 'Completed', 'Hello, Bo!');
      const done = await fetch(body.statusQueryGetUri);
      expect(done.status).toBe(200);
      expect(await done.json()).toMatchObject({ runtimeStatus: 'Completed', output: 'Hello, Bo!' });
    });

    it('waits in the starter and answers 202 on timeout', async () => {
      const res = await fetch(`${server.url}/api/startAndWait/approval?timeoutMs=100`, { method: 'POST' });
      expect(res.status).toBe(202);
      const body = (await res.json()) as { id: string };
      expect(durable.getStatus(body.id)?.runtimeStatus).toBe('Pending');
    });
  });
});
