import type { IncomingMessage } from 'node:http';
import { gzipSync } from 'node:zlib';
import { CHECK_MAX_BODY_BYTES, checkUrl, checkUrlActivity } from '../../src/activities/checkUrl';
import { destroyDefaultAgents } from '../../src/activities/http';
import { CheckResult, CheckSpec, type CheckSpecInput } from '../../src/core/checkSpec';
import { version } from '../../src/version';
import {
  allowPrivateNetworks,
  respond,
  startServer,
  type Handler,
  type TargetServer,
} from '../support/servers';

const check = (input: CheckSpecInput) => checkUrl(CheckSpec.parse(input));

let restoreEnv: () => void;
const servers: TargetServer[] = [];
async function serve(...args: Parameters<typeof startServer>): Promise<TargetServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}

beforeAll(() => {
  restoreEnv = allowPrivateNetworks();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  destroyDefaultAgents();
});
afterAll(() => restoreEnv());

describe('checkUrl', () => {
  test('a 200 is ok with a status assertion, latency, bytes and the checkedAt from the clock', async () => {
    const server = await serve({ '/': respond.text('hello world') });
    const result = await checkUrl(CheckSpec.parse({ url: server.url('/') }), {
      now: () => new Date('2030-05-06T07:08:09.000Z'),
    });
    expect(CheckResult.parse(result)).toEqual(result);
    expect(result).toMatchObject({
      url: server.url('/'),
      finalUrl: server.url('/'),
      ok: true,
      status: 200,
      redirects: [],
      assertions: [{ name: 'status', ok: true, expected: '2xx or 3xx', actual: 200 }],
      checkedAt: '2030-05-06T07:08:09.000Z',
      bytesRead: 11,
    });
    expect(result.error).toBeUndefined();
    expect(result.certDaysLeft).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  test('sends the Sitewatch User-Agent', async () => {
    let userAgent: string | undefined;
    const server = await serve({
      '/': (req, res) => {
        userAgent = req.headers['user-agent'];
        res.end('ok');
      },
    });
    await check({ url: server.url() });
    expect(userAgent).toBe(`Sitewatch/${version}`);
  });

  test('follows a 301 then a 302 and records every hop', async () => {
    const other = await serve({ '/final': respond.text('landed') });
    const server = await serve({
      '/start': respond.redirect(301, '/next?x=1'),
      '/next': respond.redirect(302, other.url('/final')),
    });
    const result = await check({ url: server.url('/start') });
    expect(result).toMatchObject({ ok: true, status: 200, finalUrl: other.url('/final') });
    expect(result.redirects).toEqual([
      { url: server.url('/start'), status: 301, location: '/next?x=1' },
      { url: server.url('/next?x=1'), status: 302, location: other.url('/final') },
    ]);
  });

  test('with followRedirects false the 3xx is the final answer (and passes the default status)', async () => {
    const server = await serve({ '/': respond.redirect(301, '/elsewhere') });
    const result = await check({ url: server.url(), followRedirects: false });
    expect(result).toMatchObject({ ok: true, status: 301, redirects: [], finalUrl: server.url() });
  });

  test('more than 5 redirects is an HTTP error with the hops recorded', async () => {
    const server = await serve((req, res) => {
      const n = Number((req.url ?? '/0').slice(1));
      respond.redirect(302, `/${n + 1}`)(req, res);
    });
    const result = await check({ url: server.url('/0') });
    expect(result).toMatchObject({
      ok: false,
      status: 302,
      error: { code: 'HTTP', message: 'More than 5 redirects' },
    });
    expect(result.redirects).toHaveLength(6);
  });

  test.each([404, 500])('a %s is an HTTP failure', async (status) => {
    const server = await serve({ '/': respond.status(status) });
    const result = await check({ url: server.url() });
    expect(result).toMatchObject({
      ok: false,
      status,
      error: { code: 'HTTP', message: `HTTP ${status} (expected 2xx or 3xx)` },
      assertions: [{ name: 'status', ok: false, actual: status }],
    });
  });

  test('an expected 404 is ok', async () => {
    const server = await serve({});
    expect(await check({ url: server.url('/gone'), expect: { status: 404 } })).toMatchObject({
      ok: true,
      status: 404,
    });
  });

  test('a server that does not answer in time is a TIMEOUT', async () => {
    const server = await serve({ '/': respond.hang() });
    const result = await check({ url: server.url(), timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT' }, assertions: [] });
    expect(result.status).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(190);
  });

  test('the deadline covers the body too', async () => {
    const server = await serve({ '/': respond.slowBody(5000) });
    const result = await check({ url: server.url(), timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
  });

  test('a reset connection is CONNECT', async () => {
    const server = await serve({ '/': respond.reset() });
    const result = await check({ url: server.url() });
    expect(result).toMatchObject({ ok: false, error: { code: 'CONNECT' } });
    expect(server.requests).toBeGreaterThanOrEqual(1);
  });

  test('a refused connection is CONNECT', async () => {
    const server = await serve({});
    const url = server.url();
    await server.close();
    expect(await check({ url })).toMatchObject({ ok: false, error: { code: 'CONNECT' } });
  });

  test('a body over the cap is TOO_LARGE, reading no more than the cap', async () => {
    const server = await serve({ '/': respond.bigBody(CHECK_MAX_BODY_BYTES + 1) });
    const result = await check({ url: server.url() });
    expect(result).toMatchObject({
      ok: false,
      status: 200,
      error: { code: 'TOO_LARGE' },
      bytesRead: CHECK_MAX_BODY_BYTES,
    });
  });

  test('a body exactly at the cap is fine', async () => {
    const server = await serve({ '/': respond.bigBody(1000, { withLength: true }) });
    const result = await checkUrl(CheckSpec.parse({ url: server.url() }), { maxBodyBytes: 1000 });
    expect(result).toMatchObject({ ok: true, bytesRead: 1000 });
  });

  test('the cap applies to the decompressed body (a gzip bomb is TOO_LARGE)', async () => {
    const bomb = gzipSync(Buffer.alloc(CHECK_MAX_BODY_BYTES * 2));
    expect(bomb.length).toBeLessThan(100_000);
    const server = await serve({
      '/': (_req, res) => {
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
        res.end(bomb);
      },
    });
    const result = await check({ url: server.url(), expect: { bodyContains: 'never' } });
    expect(result).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
  });

  test('bodyContains passes and fails on the (decompressed) body', async () => {
    const page = '<html><body><h1>Welcome to Sitewatch</h1></body></html>';
    const server = await serve({
      '/': respond.text(page),
      '/gz': (_req, res) => {
        res.writeHead(200, { 'content-encoding': 'gzip' });
        res.end(gzipSync(page));
      },
    });
    const found = await check({ url: server.url(), expect: { bodyContains: 'Welcome to Sitewatch' } });
    expect(found).toMatchObject({
      ok: true,
      assertions: [{ name: 'status' }, { name: 'bodyContains', ok: true }],
    });
    const gz = await check({ url: server.url('/gz'), expect: { bodyContains: 'Welcome to Sitewatch' } });
    expect(gz).toMatchObject({ ok: true, bytesRead: Buffer.byteLength(page) });
    const missing = await check({ url: server.url(), expect: { bodyContains: 'Goodbye' } });
    expect(missing).toMatchObject({
      ok: false,
      status: 200,
      error: { code: 'ASSERTION' },
      assertions: [
        { name: 'status', ok: true },
        { name: 'bodyContains', ok: false, actual: false },
      ],
    });
  });

  test('maxLatencyMs fails for a slow answer and passes for a generous limit', async () => {
    const server = await serve({ '/slow': respond.slow(300), '/fast': respond.text('fast') });
    const slow = await check({ url: server.url('/slow'), expect: { maxLatencyMs: 50 } });
    expect(slow).toMatchObject({
      ok: false,
      status: 200,
      error: { code: 'ASSERTION' },
      assertions: [
        { name: 'status', ok: true },
        { name: 'maxLatencyMs', ok: false, expected: '<= 50 ms' },
      ],
    });
    expect(slow.assertions[1].actual).toBeGreaterThanOrEqual(290);
    const fast = await check({ url: server.url('/fast'), expect: { maxLatencyMs: 60_000 } });
    expect(fast).toMatchObject({ ok: true, assertions: [{ ok: true }, { name: 'maxLatencyMs', ok: true }] });
  });

  test('sends method, headers and body, and keeps them out of the result', async () => {
    const seen: { method?: string; auth?: string; body: string }[] = [];
    const server = await serve({
      '/api': (req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          seen.push({ method: req.method, auth: req.headers.authorization, body });
          res.end('created');
        });
      },
    });
    const result = await check({
      url: server.url('/api'),
      method: 'POST',
      headers: { Authorization: 'Bearer top-secret-token', 'Content-Type': 'application/json' },
      body: '{"password":"hunter2"}',
      expect: { bodyContains: 'created' },
    });
    expect(result.ok).toBe(true);
    expect(seen).toEqual([
      { method: 'POST', auth: 'Bearer top-secret-token', body: '{"password":"hunter2"}' },
    ]);
    const json = JSON.stringify(result);
    expect(json).not.toContain('top-secret-token');
    expect(json).not.toContain('hunter2');
  });

  test('every caller header and the body are dropped on a cross-origin redirect, kept on a same-origin one', async () => {
    const seen: Record<string, (string | undefined)[]> = {};
    const record = (name: string) => (req: IncomingMessage, res: import('node:http').ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { authorization, cookie, host } = req.headers;
        seen[name] = [
          authorization,
          cookie,
          host,
          req.headers['x-api-key'] as string | undefined,
          req.headers['content-type'],
          body,
        ];
        res.end('ok');
      });
    };
    const other = await serve({ '/': record('other') });
    const server = await serve({
      '/same': respond.redirect(307, '/here'),
      '/here': record('same'),
      '/cross': respond.redirect(307, other.url('/')),
    });
    const spec = {
      method: 'POST',
      headers: {
        Authorization: 'Bearer secret',
        Cookie: 'session=1',
        Host: 'virtual.example',
        'X-Api-Key': 'k-123',
        'Content-Type': 'application/json',
      },
      body: '{"token":"t-456"}',
    };
    await check({ url: server.url('/same'), ...spec });
    await check({ url: server.url('/cross'), ...spec });
    expect(seen).toEqual({
      same: [
        'Bearer secret',
        'session=1',
        'virtual.example',
        'k-123',
        'application/json',
        '{"token":"t-456"}',
      ],
      other: [undefined, undefined, `127.0.0.1:${other.port}`, undefined, undefined, ''],
    });
    // Opted in: all of it travels on, except the Host override.
    await check({ url: server.url('/cross'), ...spec, forwardAcrossOrigins: true });
    expect(seen.other).toEqual([
      'Bearer secret',
      'session=1',
      `127.0.0.1:${other.port}`,
      'k-123',
      'application/json',
      '{"token":"t-456"}',
    ]);
  });

  test('user info in a Location is neither sent nor recorded', async () => {
    let authorization: string | undefined = 'not reached';
    const other = await serve({
      '/': respondWith((req) => {
        authorization = req.headers.authorization;
      }),
    });
    const server = await serve({
      '/': respond.redirect(302, other.url('/').replace('http://', 'http://admin:s3cret@')),
    });
    const result = await check({ url: server.url('/') });
    expect(result).toMatchObject({ ok: true, status: 200, finalUrl: other.url('/') });
    expect(result.redirects).toEqual([{ url: server.url('/'), status: 302, location: other.url('/') }]);
    expect(authorization).toBeUndefined();
    expect(JSON.stringify(result)).not.toMatch(/admin|s3cret/);
  });

  test('a 303 after a POST continues as a GET without the body', async () => {
    const seen: string[] = [];
    const server = await serve({
      '/form': respond.redirect(303, '/done'),
      '/done': respondWith((req) => seen.push(req.method ?? '')),
    });
    const result = await check({ url: server.url('/form'), method: 'POST', body: 'a=1' });
    expect(result).toMatchObject({ ok: true, redirects: [{ status: 303 }] });
    expect(seen).toEqual(['GET']);
  });

  test('reuses keep-alive connections across checks and redirect hops', async () => {
    const server = await serve({
      '/': respond.text('x'.repeat(10_000)),
      '/hop': respond.redirect(301, '/'),
    });
    for (let i = 0; i < 5; i++) {
      expect(await check({ url: server.url(i % 2 ? '/hop' : '/') })).toMatchObject({ ok: true });
    }
    expect(server.requests).toBe(7);
    expect(server.connections).toBe(1);
  });

  test('HEAD reads no body', async () => {
    const server = await serve({ '/': respond.text('body') });
    expect(await check({ url: server.url(), method: 'HEAD' })).toMatchObject({
      ok: true,
      status: 200,
      bytesRead: 0,
    });
  });
});

describe('checkUrlActivity', () => {
  test('invalid input is an INVALID result, not a throw, and names the field', async () => {
    const result = await checkUrlActivity(
      { url: 'ftp://example.com/', headers: { Authorization: 'secret\nvalue' } },
      { now: () => new Date('2030-01-01T00:00:00.000Z') },
    );
    expect(CheckResult.parse(result)).toEqual(result);
    expect(result).toMatchObject({
      url: 'ftp://example.com/',
      ok: false,
      error: { code: 'INVALID', message: expect.stringContaining('url: must use http or https') },
      checkedAt: '2030-01-01T00:00:00.000Z',
    });
    expect(result.error?.message).toContain('headers.Authorization');
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  test('a Trailer header is INVALID before any request; past the schema the refusal by Node is still a result', async () => {
    const server = await serve({ '/': respond.text('ok') });
    const refused = await checkUrlActivity({ url: server.url(), headers: { Trailer: 'X' } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID' } });
    expect(refused.error?.message).toContain('headers.Trailer');
    // A spec that skipped validation (an older caller): Node throws ERR_HTTP_TRAILER_INVALID.
    const unvalidated = { ...CheckSpec.parse({ url: server.url() }), headers: { Trailer: 'X' } };
    expect(await checkUrl(unvalidated)).toMatchObject({ ok: false, error: { code: 'INVALID' } });
    expect(server.requests).toBe(0);
  });

  test('valid input (a spec or a plain URL) runs the check with defaults applied', async () => {
    const server = await serve({ '/': respond.text('ok') });
    expect(await checkUrlActivity({ url: server.url() })).toMatchObject({ ok: true, status: 200 });
    expect(await checkUrlActivity(server.url())).toMatchObject({ ok: true, status: 200 });
  });
});

function respondWith(observe: (req: IncomingMessage) => void): Handler {
  return (req, res) => {
    observe(req);
    res.end('ok');
  };
}
