// The SDK's DurableClient and plain HTTP against the whole test host (startHost): real
// orchestrations, real activities, the virtual clock.
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import path from 'node:path';
import { durableClientBinding } from './api/clientBinding';
import { startHost, type Host } from './index';

const appDir = path.join(__dirname, '..', 'fixtures', 'edges-app');

/** Polls a statusQueryGetUri with plain HTTP until the instance is final; returns the last response. */
async function pollUntilFinal(
  statusQueryGetUri: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  for (let i = 0; i < 2000; i++) {
    const res = await fetch(statusQueryGetUri);
    const body = (await res.json()) as Record<string, unknown>;
    if (res.status !== 202) return { status: res.status, body };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${statusQueryGetUri} never became final`);
}

describe('DurableClient through startHost', () => {
  let host: Host;
  let client: df.DurableClient;

  beforeAll(async () => {
    host = await startHost({ appDir, storage: 'none' });
    const input = df.input.durableClient();
    const context = new InvocationContext({ options: { extraInputs: [input] } });
    context.extraInputs.set(
      input,
      durableClientBinding({ baseUrl: host.url, taskHubName: host.settings.taskHubName }),
    );
    client = df.getClient(context);
  }, 60_000);

  afterAll(() => host?.stop());

  it('runs an orchestration started by the app HTTP starter, observed through statusQueryGetUri', async () => {
    const res = await fetch(`${host.apiUrl}/start/helloOrchestrator`, {
      method: 'POST',
      body: JSON.stringify('Ann'),
    });
    expect(res.status).toBe(202);
    const urls = (await res.json()) as { id: string; statusQueryGetUri: string };
    expect(res.headers.get('location')).toBe(urls.statusQueryGetUri);
    const final = await pollUntilFinal(urls.statusQueryGetUri);
    expect(final.status).toBe(200);
    expect(final.body).toMatchObject({
      instanceId: urls.id,
      runtimeStatus: 'Completed',
      output: 'Hello, Ann!',
    });
  });

  it('startNew, getStatus, raiseEvent and completion', async () => {
    const id = await client.startNew('approval', { instanceId: 'host-approval' });
    await host.waitForStatus(id, ['Running']);
    expect((await client.getStatus(id)).runtimeStatus).toBe('Running');
    await client.raiseEvent(id, 'decision', 'yes');
    await host.waitForStatus(id);
    expect(await client.getStatus(id)).toMatchObject({
      runtimeStatus: 'Completed',
      output: { decision: 'yes' },
    });
    await expect(client.raiseEvent(id, 'decision', 'again')).resolves.toBeUndefined();
  });

  it('terminates and purges', async () => {
    const id = await client.startNew('approval', { instanceId: 'host-terminate' });
    await host.waitForStatus(id, ['Running']);
    await client.terminate(id, 'enough');
    const terminated = await host.waitForStatus(id);
    expect(terminated.runtimeStatus).toBe('Terminated');
    expect(await client.purgeInstanceHistory(id)).toEqual({ instancesDeleted: 1 });
    await expect(client.getStatus(id)).rejects.toThrow(/404/);
    expect((await client.purgeInstanceHistory(id)).instancesDeleted).toBe(0);
  });

  it('lists more instances than one page (100) by following continuation tokens', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 105; i++)
      ids.push(await client.startNew('approval', { instanceId: `many-${String(i).padStart(3, '0')}` }));
    const listed = await client.getStatusBy({
      runtimeStatus: [df.OrchestrationRuntimeStatus.Pending, df.OrchestrationRuntimeStatus.Running],
    });
    const many = listed.map((s) => s.instanceId).filter((id) => id.startsWith('many-'));
    expect(many.sort()).toEqual(ids.sort());
    // The first page really was a page.
    const first = await fetch(`${host.url}/runtime/webhooks/durabletask/instances/?instanceIdPrefix=many-`);
    expect(((await first.json()) as unknown[]).length).toBe(100);
    expect(first.headers.get('x-ms-continuation-token')).toBeTruthy();
    for (const id of ids) await client.terminate(id, 'cleanup');
  }, 60_000);

  it('waitForCompletionOrCreateCheckStatusResponse: 200 with the output when done in time', async () => {
    const res = await fetch(`${host.apiUrl}/startAndWait/helloOrchestrator?timeoutMs=20000`, {
      method: 'POST',
      body: JSON.stringify('Wes'),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toBe('Hello, Wes!');
  });

  it('waitForCompletionOrCreateCheckStatusResponse: the 202 check-status response on timeout', async () => {
    const res = await fetch(`${host.apiUrl}/startAndWait/approval?timeoutMs=100`, { method: 'POST' });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; statusQueryGetUri: string; sendEventPostUri: string };
    expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
    // Finish it through the management URL it handed out.
    const send = await fetch(body.sendEventPostUri.replace('{eventName}', 'decision'), {
      method: 'POST',
      body: JSON.stringify('later'),
      headers: { 'content-type': 'application/json' },
    });
    expect(send.status).toBe(202);
    expect((await pollUntilFinal(body.statusQueryGetUri)).body).toMatchObject({
      output: { decision: 'later' },
    });
  });

  it('answers 400 for an unknown orchestrator and 500 (Azure Storage) for a running duplicate', async () => {
    await expect(client.startNew('nope')).rejects.toThrow(/400/);
    await client.startNew('approval', { instanceId: 'host-dup' });
    await expect(client.startNew('approval', { instanceId: 'host-dup' })).rejects.toThrow(/status code: 500/);
    await client.terminate('host-dup', 'cleanup');
  });
});
