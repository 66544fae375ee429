// The app's HTTP routes through the real server, with the fixture app's real handlers.
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { FakeDurable, fakeInvoker } from './edgesFakes';
import { loadApp } from './loader';
import { startServer, type RunningServer } from './server';
import { loadSettings } from './settings';

const appDir = path.join(__dirname, '..', 'fixtures', 'edges-app');

describe('HTTP routes', () => {
  let server: RunningServer;
  const errors: { message: string; error: unknown }[] = [];

  beforeAll(async () => {
    const registry = loadApp(appDir);
    const settings = loadSettings(appDir);
    const durable = new FakeDurable(new Set(['helloOrchestrator']));
    const invoker = fakeInvoker(registry, { baseUrl: () => server.url, taskHubName: settings.taskHubName });
    server = await startServer(
      { registry, settings, durable, invoker, runTimer: async () => undefined },
      { logError: (message, error) => errors.push({ message, error }) },
    );
  });

  afterAll(() => server.close());

  const get = (route: string, init?: RequestInit) => fetch(`${server.url}${route}`, init);

  it('serves templates with optional parameters and repeated query keys', async () => {
    expect(await (await get('/api/hello')).json()).toEqual({ hello: 'world', q: [] });
    expect(await (await get('/api/hello/Ann%20Lee?q=1&q=2')).json()).toEqual({
      hello: 'Ann Lee',
      q: ['1', '2'],
    });
  });

  it('routes by constraint and method', async () => {
    expect(await (await get('/api/items/42')).json()).toEqual({ id: 42, method: 'GET' });
    expect(await (await get('/api/items/42', { method: 'DELETE' })).json()).toEqual({
      id: 42,
      method: 'DELETE',
    });
    expect(await (await get('/api/items/abc')).json()).toEqual({ slug: 'abc' });
  });

  it('answers 405 with Allow for a known route and a wrong method', async () => {
    const res = await get('/api/items/42', { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('DELETE, GET');
    await res.arrayBuffer();
  });

  it('answers 404 with a JSON body for unknown routes and routes without the prefix', async () => {
    for (const route of ['/api/nope', '/hello', '/api/items/1/2']) {
      const res = await get(route);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual(
        expect.objectContaining({ error: expect.stringContaining('No function matches') }),
      );
    }
  });

  it('passes method, body and headers in, and status, headers, cookies and body out', async () => {
    const res = await get('/api/echo', { method: 'POST', body: 'hi there', headers: { 'x-custom': 'abc' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('abc');
    expect(res.headers.get('set-cookie')).toBe('seen=yes; HttpOnly');
    expect(await res.text()).toBe('POST hi there');
  });

  it('matches catch-all routes', async () => {
    expect(await (await get('/api/files/a/b/c.txt')).text()).toBe('path=a/b/c.txt');
  });

  it('passes a byte body and its Content-Encoding through unchanged', async () => {
    // As the Functions host does: the Node library sends every body as bytes
    // (@azure/functions src/converters/toRpcHttp.ts) and the host copies the headers and writes
    // those bytes as they are (Azure/azure-functions-host@89dc438
    // src/WebJobs.Script/Binding/Http/RawScriptResult.cs lines 45-69 and 94-118). A raw request,
    // since fetch would decode the "br" body and fail.
    const res = await new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      httpGet(`${server.url}/api/bytes`, { headers: { 'accept-encoding': 'br' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (chunk: Buffer) => chunks.push(chunk));
        r.on('end', () => resolve({ headers: r.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(res.headers['content-length']).toBe('512');
    expect([...res.body]).toEqual(Array.from({ length: 512 }, (_, i) => i % 256));
  });

  it('answers 204 when the handler returns nothing', async () => {
    const res = await get('/api/nothing');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('turns a throwing handler into a bare 500 and logs the error', async () => {
    const res = await get('/api/boom');
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toContain('secret internal detail');
    expect(body).not.toContain('at ');
    expect(errors.map((e) => (e.error as Error).message)).toContain('secret internal detail');
  });

  it('reports the host as running on the admin status URL', async () => {
    expect(await (await get('/admin/host/status')).json()).toEqual({ state: 'Running' });
  });
});
