// POST /admin/functions/{name}: fire a timer by name, run a queue function with a message, start an
// orchestration; and the errors for functions the admin API cannot run.
import path from 'node:path';
import { startHost, type Host } from './index';

const appDir = path.join(__dirname, '..', 'fixtures', 'edges-app');

describe('admin API through startHost', () => {
  let host: Host;

  beforeAll(async () => {
    host = await startHost({ appDir, storage: 'none' });
  }, 60_000);

  afterAll(() => host?.stop());

  const admin = (name: string, body?: unknown, method = 'POST') =>
    fetch(`${host.url}/admin/functions/${name}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });

  it('fires a timer function by name (202), which starts its orchestration', async () => {
    const res = await admin('tick', {});
    expect(res.status).toBe(202);
    const status = await host.waitForStatus('tick', ['Completed']);
    expect(status.output).toBe('Hello, tick!');
  });

  it('runs a queue function with the input as the message', async () => {
    const res = await admin('workQueue', { input: JSON.stringify({ name: 'Queued', id: 'admin-queue' }) });
    expect(res.status).toBe(202);
    expect((await host.waitForStatus('admin-queue')).output).toBe('Hello, Queued!');
  });

  it('starts an orchestration with the input', async () => {
    expect((await admin('helloOrchestrator', { input: 'Orch' })).status).toBe(202);
    const started = host.durable.listStatus({ runtimeStatus: ['Pending', 'Running', 'Completed'] }).items;
    const mine = started.find((s) => s.name === 'helloOrchestrator' && s.input === 'Orch');
    expect(mine).toBeDefined();
    expect((await host.waitForStatus(mine!.instanceId)).output).toBe('Hello, Orch!');
  });

  it.each([
    ['noSuchFunction', { input: 1 }, 'POST', 404],
    ['hello', { input: 1 }, 'POST', 400],
    ['tick', undefined, 'GET', 405],
    ['tick', '"just a string"', 'POST', 400],
  ])('%s (%j, %s) -> %i', async (name, body, method, status) => {
    const res = await admin(name, body, method);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('rejects a body that is not JSON', async () => {
    const res = await fetch(`${host.url}/admin/functions/tick`, { method: 'POST', body: '{oops' });
    expect(res.status).toBe(400);
  });
});
