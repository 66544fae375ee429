// The guarded HTTP client under checkUrl (also used by fetchPage and sendAlert): body modes, header
// handling and the error classification that decides between a result and a throw.
import { checkUrl } from '../../src/activities/checkUrl';
import {
  BlockedAddressError,
  BodyTooLargeError,
  classifyError,
  InfrastructureError,
  createGuardedAgents,
  guardedRequest,
} from '../../src/activities/http';
import { CheckSpec } from '../../src/core/checkSpec';
import { respond, startServer, type TargetServer } from '../support/servers';

const agents = createGuardedAgents({ allowPrivateNetworks: true });
let server: TargetServer;
let seenUserAgent: string | undefined;

beforeAll(async () => {
  server = await startServer({
    '/': respond.text('0123456789'),
    '/ua': (req, res) => {
      seenUserAgent = req.headers['user-agent'];
      res.end('ok');
    },
    '/html': respond.text('<html>hi</html>', 200, { 'content-type': 'text/html; charset=utf-8' }),
  });
});
afterAll(async () => {
  await server.close();
  agents.destroy();
});

describe('guardedRequest body modes', () => {
  test('keeps the body by default', async () => {
    const outcome = await guardedRequest(server.url(), { agents });
    expect(outcome).toMatchObject({ ok: true, status: 200, truncated: false, bytesRead: 10 });
    if (outcome.ok) expect(outcome.body.toString()).toBe('0123456789');
  });

  test("'truncate' keeps exactly the first maxBodyBytes", async () => {
    const outcome = await guardedRequest(server.url(), {
      agents,
      maxBodyBytes: 4,
      bodyLimitMode: 'truncate',
    });
    expect(outcome).toMatchObject({ ok: true, truncated: true, bytesRead: 4 });
    if (outcome.ok) expect(outcome.body.toString()).toBe('0123');
  });

  test("'fail' turns an over-cap body into TOO_LARGE with the status", async () => {
    const outcome = await guardedRequest(server.url(), { agents, maxBodyBytes: 4 });
    expect(outcome).toMatchObject({ ok: false, status: 200, error: { code: 'TOO_LARGE' } });
  });

  test('keepBody false counts bytes without keeping them', async () => {
    const outcome = await guardedRequest(server.url(), { agents, keepBody: false });
    expect(outcome).toMatchObject({ ok: true, bytesRead: 10 });
    if (outcome.ok) expect(outcome.body.length).toBe(0);
  });

  test('returns the response headers (e.g. content-type for fetchPage)', async () => {
    const outcome = await guardedRequest(server.url('/html'), { agents });
    expect(outcome.ok && outcome.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  test('a caller-supplied User-Agent replaces the default, case-insensitively', async () => {
    await guardedRequest(server.url('/ua'), { agents, headers: { 'user-agent': 'custom/1' } });
    expect(seenUserAgent).toBe('custom/1');
  });

  test('a URL that does not parse or is not http(s) is INVALID', async () => {
    expect(await guardedRequest('nope', { agents })).toMatchObject({ ok: false, error: { code: 'INVALID' } });
    expect(await guardedRequest('ftp://example.com/', { agents })).toMatchObject({
      ok: false,
      error: { code: 'INVALID' },
    });
  });

  test('a header Node refuses to send is INVALID, not a throw', async () => {
    const outcome = await guardedRequest(server.url(), { agents, headers: { 'bad name': 'v' } });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'INVALID' } });
  });

  test('a caller abort ends the request', async () => {
    const hanging = await startServer({ '/': respond.hang() });
    try {
      const controller = new AbortController();
      const pending = guardedRequest(hanging.url(), { agents, signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      expect(await pending).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    } finally {
      await hanging.close();
    }
  });
});

describe('the deadline covers every phase of the exchange', () => {
  test('a name that never resolves is a TIMEOUT', async () => {
    const stuck = createGuardedAgents({
      allowPrivateNetworks: true,
      resolve: () => new Promise(() => undefined),
    });
    try {
      const outcome = await guardedRequest('http://never.example/', { agents: stuck, timeoutMs: 100 });
      expect(outcome).toMatchObject({ ok: false, error: { code: 'TIMEOUT', message: 'Check timed out' } });
    } finally {
      stuck.destroy();
    }
  });

  test('a deadline that passes while a redirect body trickles ends it before the next hop', async () => {
    let nextHopRequests = 0;
    const trickling = await startServer({
      '/': (_req, res) => {
        res.writeHead(302, { location: '/next', 'content-type': 'text/plain' });
        res.write('x');
        setTimeout(() => res.end('y'), 400).unref();
      },
      '/next': (_req, res) => {
        nextHopRequests++;
        res.end('next');
      },
    });
    try {
      const outcome = await guardedRequest(trickling.url(), { agents, timeoutMs: 150 });
      expect(outcome).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
      expect(nextHopRequests).toBe(0);
    } finally {
      await trickling.close();
    }
  });
});

describe('internal faults throw (so the orchestrator retries) instead of becoming results', () => {
  test('a resolver bug propagates out of checkUrl', async () => {
    const broken = createGuardedAgents({
      allowPrivateNetworks: true,
      resolve: async () => {
        throw new TypeError('resolver exploded');
      },
    });
    try {
      await expect(
        checkUrl(CheckSpec.parse({ url: `http://broken.test:${server.port}/` }), { agents: broken }),
      ).rejects.toThrow('resolver exploded');
    } finally {
      broken.destroy();
    }
  });
});

describe('classifyError', () => {
  const coded = (code: string, message = code) => Object.assign(new Error(message), { code });
  const wrapped = (cause: Error) => Object.assign(new Error('Request failed'), { code: undefined, cause });

  test.each([
    ['ENOTFOUND', 'DNS'],
    ['EAI_AGAIN', 'DNS'],
    ['ECONNREFUSED', 'CONNECT'],
    ['ECONNRESET', 'CONNECT'],
    ['EPIPE', 'CONNECT'],
    ['EHOSTUNREACH', 'CONNECT'],
    ['ENETUNREACH', 'CONNECT'],
    ['ESOMETHINGNEW', 'CONNECT'],
    ['ETIMEDOUT', 'TIMEOUT'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS'],
    ['CERT_HAS_EXPIRED', 'TLS'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS'],
    ['EPROTO', 'TLS'],
    ['HPE_INVALID_CONSTANT', 'HTTP'],
    ['Z_DATA_ERROR', 'HTTP'],
    ['ERR_INVALID_CHAR', 'INVALID'],
    ['ERR_INVALID_URL', 'INVALID'],
    ['ERR_HTTP_TRAILER_INVALID', 'INVALID'],
    ['HPE_HEADER_OVERFLOW', 'HTTP'],
    ['HPE_INVALID_CHUNK_SIZE', 'HTTP'],
  ])('%s -> %s, also when wrapped', (code, expected) => {
    expect(classifyError(coded(code), false)?.code).toBe(expected);
    expect(classifyError(wrapped(coded(code)), false)?.code).toBe(expected);
  });

  test('our own errors and the deadline win', () => {
    expect(
      classifyError(wrapped(new BlockedAddressError('h', '10.0.0.1', 'private', 'nope')), true)?.code,
    ).toBe('BLOCKED');
    expect(classifyError(new BodyTooLargeError(5), true)).toEqual({
      code: 'TOO_LARGE',
      message: 'Response body exceeds 5 bytes',
    });
    expect(classifyError(coded('ECONNRESET'), true)).toEqual({ code: 'TIMEOUT', message: 'Check timed out' });
  });

  test('anything unforeseen is still a result, coded UNKNOWN; only our own faults are not', () => {
    expect(classifyError(new TypeError('odd'), false)).toEqual({
      code: 'UNKNOWN',
      message: 'Unexpected failure: odd',
    });
    expect(classifyError('string', false)?.code).toBe('UNKNOWN');
    expect(classifyError(coded('ERR_SOMETHING_NEW'), false)).toEqual({
      code: 'UNKNOWN',
      message: 'Unexpected failure: ERR_SOMETHING_NEW (ERR_SOMETHING_NEW)',
    });
    expect(classifyError(wrapped(new InfrastructureError('resolver broke')), false)).toBeUndefined();
  });

  test('connection failures get messages of their own, without the peer address', () => {
    expect(classifyError(coded('ECONNREFUSED', 'connect ECONNREFUSED 10.1.2.3:80'), false)).toEqual({
      code: 'CONNECT',
      message: 'Connection refused (ECONNREFUSED)',
    });
    expect(classifyError(coded('ECONNRESET', 'socket hang up'), false)).toEqual({
      code: 'CONNECT',
      message: 'The server closed the connection without responding',
    });
  });
});
