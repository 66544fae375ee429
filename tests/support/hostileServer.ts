// A raw-TCP server on 127.0.0.1 that misbehaves on purpose: broken encodings, cut-short bodies,
// protocol violations, resets, silence, hostile redirects. The `net` module lets it send bytes no
// HTTP server library would. Each behaviour lives at /b/<name>; the catalogue below says what
// Sitewatch must make of it, so every test judges every behaviour exactly.
//
// Two ports share one handler: `url()` and `otherUrl()` are different origins, which is what the
// cross-origin redirect behaviours need.
import net, { type AddressInfo, type Socket } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import type { CheckSpecInput, ErrorCode } from '../../src/core/checkSpec';

/** Secrets the hostile targets are given or hand out; none may appear in any answer or report. */
export const SECRETS = {
  locationPassword: 'l0cation-pa55word',
  locationUser: 'l0cation-admin',
  apiKey: 'api-k3y-for-origin-a',
  bearer: 'b3arer-for-origin-a',
  body: 'b0dy-secret-for-origin-a',
} as const;

export interface Expected {
  ok: boolean;
  status?: number;
  code?: ErrorCode;
  /** A fragment of error.message. */
  message?: string | RegExp;
  /** finalUrl path, for redirects. */
  finalPath?: string;
}

export interface Behaviour {
  name: string;
  /** What the target does, for the README's table. */
  attack: string;
  /** A target that behaves (the run's control group). */
  good?: true;
  /** What else the outcome means, for the README's table. */
  note?: string;
  /** Extra spec fields (headers, method, body, timeoutMs, expect). */
  spec?: Omit<CheckSpecInput, 'url'>;
  expected: Expected;
}

type Writer = (socket: Socket, request: RawRequest, server: HostileServer) => void;

interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

const text = 'The quick brown fox jumps over the lazy dog. '.repeat(200);
const gzipped = gzipSync(text);

function head(status: string, headers: Record<string, string | number>): string {
  return `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** A complete response with a Content-Length, then the socket is closed. */
function full(status: string, body: Buffer | string, headers: Record<string, string | number> = {}): Writer {
  return (socket) => {
    const bytes = Buffer.from(body);
    socket.end(
      Buffer.concat([
        Buffer.from(head(status, { ...headers, 'Content-Length': bytes.length, Connection: 'close' })),
        bytes,
      ]),
    );
  };
}

const raw =
  (bytes: string | Buffer): Writer =>
  (socket) =>
    socket.end(bytes);

const garbageBytes = Buffer.from([0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x42, 0x24, 0x99, 0x01]);

const WRITERS: Record<string, Writer> = {
  // Good targets.
  ok: full('200 OK', 'hello, all good', { 'Content-Type': 'text/plain' }),
  'good-gzip': full('200 OK', gzipped, { 'Content-Encoding': 'gzip' }),
  'good-br': full('200 OK', brotliCompressSync(text), { 'Content-Encoding': 'br' }),
  'good-deflate': full('200 OK', deflateSync(text), { 'Content-Encoding': 'deflate' }),
  'good-raw-deflate': full('200 OK', deflateRawSync(text), { 'Content-Encoding': 'deflate' }),
  'good-empty-gzip': full('204 No Content', '', { 'Content-Encoding': 'gzip' }),
  'early-hints': raw(
    `${'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n'.repeat(200)}${head('200 OK', { 'Content-Length': 2, Connection: 'close' })}ok`,
  ),
  // Broken bodies.
  'broken-br': full('200 OK', garbageBytes, { 'Content-Encoding': 'br' }),
  'broken-gzip': full('200 OK', Buffer.concat([gzipped.subarray(0, 10), garbageBytes]), {
    'Content-Encoding': 'gzip',
  }),
  'broken-deflate': full('200 OK', Buffer.from([0x78, 0x9c, ...garbageBytes]), {
    'Content-Encoding': 'deflate',
  }),
  'truncated-gzip': full('200 OK', gzipped.subarray(0, Math.floor(gzipped.length / 2)), {
    'Content-Encoding': 'gzip',
  }),
  'unknown-encoding': full('200 OK', 'not really zstd', { 'Content-Encoding': 'zstd' }),
  'gzip-bomb': full('200 OK', gzipSync(Buffer.alloc(20 * 1024 * 1024)), { 'Content-Encoding': 'gzip' }),
  'short-body': raw(`${head('200 OK', { 'Content-Length': 100 })}only twenty bytes...`),
  'chunk-cut': raw(`${head('200 OK', { 'Transfer-Encoding': 'chunked' })}5\r\nhello\r\n`),
  'bad-chunking': raw(
    `${head('200 OK', { 'Transfer-Encoding': 'chunked' })}5\r\nhello\r\nZZ\r\nxx\r\n0\r\n\r\n`,
  ),
  'bad-trailer': raw(
    `${head('200 OK', { 'Transfer-Encoding': 'chunked' })}5\r\nhello\r\n0\r\nBad Trailer\x01: x\r\n\r\n`,
  ),
  // The connection.
  reset: (socket) => socket.resetAndDestroy(),
  close: (socket) => socket.end(),
  silence: () => undefined,
  'slow-drip': (socket) => {
    socket.write(head('200 OK', { 'Content-Length': 1000 }));
    const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('.')), 100);
    socket.on('close', () => clearInterval(timer));
  },
  // Protocol violations.
  garbage: raw(Buffer.concat([garbageBytes, Buffer.from('\r\n\r\n')])),
  'bad-status-line': raw('HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n'),
  'nul-header': raw('HTTP/1.1 200 OK\r\nX-Evil: a\x00b\r\nContent-Length: 0\r\n\r\n'),
  'huge-header': raw(`HTTP/1.1 200 OK\r\nX-Huge: ${'a'.repeat(200 * 1024)}\r\nContent-Length: 0\r\n\r\n`),
  'duplicate-length': raw('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc'),
  'length-and-chunked': raw(
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  ),
  'status-999': full('999 Weird', ''),
  // Hostile redirects.
  'redirect-loop': full('302 Found', '', { Location: '/b/redirect-loop-2' }),
  'redirect-loop-2': full('302 Found', '', { Location: '/b/redirect-loop' }),
  'bad-location': full('302 Found', '', { Location: 'http://[::1' }),
  'credentials-location': (socket, _req, server) =>
    full('302 Found', '', {
      Location: server
        .otherUrl('/b/no-credentials')
        .replace('http://', `http://${SECRETS.locationUser}:${SECRETS.locationPassword}@`),
    })(socket, _req, server),
  'credentials-location-same-origin': (socket, _req, server) =>
    full('302 Found', '', {
      Location: server
        .url('/b/no-credentials')
        .replace('http://', `http://${SECRETS.locationUser}:${SECRETS.locationPassword}@`),
    })(socket, _req, server),
  'no-credentials': (socket, req) =>
    req.headers.authorization === undefined
      ? full('200 OK', 'no credentials arrived')(socket, req, undefined as never)
      : full('401 Unauthorized', `got ${req.headers.authorization}`)(socket, req, undefined as never),
  'cross-origin': (socket, _req, server) =>
    full('307 Temporary Redirect', '', { Location: server.otherUrl('/b/nothing-forwarded') })(
      socket,
      _req,
      server,
    ),
  'nothing-forwarded': (socket, req) => {
    const leaked = Object.keys(req.headers).filter((h) => h === 'authorization' || h.startsWith('x-'));
    return leaked.length === 0 && req.body.length === 0
      ? full('200 OK', 'nothing forwarded')(socket, req, undefined as never)
      : full('400 Bad Request', `leaked ${leaked.join(',')} body ${req.body.length}`)(
          socket,
          req,
          undefined as never,
        );
  },
  'redirect-to-metadata': full('302 Found', '', { Location: 'http://169.254.169.254/latest/meta-data/' }),
  'redirect-to-file': full('302 Found', '', { Location: 'file:///etc/passwd' }),
};

const crossOriginSpec = {
  method: 'POST',
  headers: {
    Authorization: `Bearer ${SECRETS.bearer}`,
    'X-Api-Key': SECRETS.apiKey,
    'Content-Type': 'text/plain',
  },
  body: SECRETS.body,
} as const;

const parseError = (code: string): Expected => ({ ok: false, code: 'HTTP', message: `(${code})` });
const undecodable = (encoding: string, status = 200): Expected => ({
  ok: false,
  status,
  code: 'HTTP',
  message: `Cannot decode the ${encoding} response body`,
});

/** fast-check runs per property (the README quotes them). */
export const FUZZ_RUNS = { rawResponses: 150, checkRequests: 120, auditRequests: 60, monitorRequests: 60 };

/** The outcome column of the README table. */
export function outcome({ expected, note }: Behaviour): string {
  const judged = expected.ok
    ? `UP, ${expected.status}`
    : `DOWN, \`${expected.code}\`${expected.status !== undefined ? ` (HTTP ${expected.status})` : ''}`;
  return note === undefined ? judged : `${judged}; ${note}`;
}

/** Every behaviour and its exact judgement. */
export const BEHAVIOURS: Behaviour[] = [
  {
    name: 'ok',
    attack: 'A plain 200',
    good: true,
    spec: { expect: { bodyContains: 'all good' } },
    expected: { ok: true, status: 200 },
  },
  {
    name: 'good-gzip',
    attack: 'A valid gzip body',
    good: true,
    spec: { expect: { bodyContains: 'lazy dog' } },
    expected: { ok: true, status: 200 },
  },
  {
    name: 'good-br',
    attack: 'A valid brotli body',
    good: true,
    spec: { expect: { bodyContains: 'lazy dog' } },
    expected: { ok: true, status: 200 },
  },
  {
    name: 'good-deflate',
    attack: 'A valid zlib deflate body',
    good: true,
    spec: { expect: { bodyContains: 'lazy dog' } },
    expected: { ok: true, status: 200 },
  },
  {
    name: 'good-raw-deflate',
    attack: 'A valid raw deflate body labelled deflate',
    good: true,
    spec: { expect: { bodyContains: 'lazy dog' } },
    expected: { ok: true, status: 200 },
  },
  {
    name: 'good-empty-gzip',
    attack: 'A 204 that names gzip but has no body',
    good: true,
    expected: { ok: true, status: 204 },
  },
  {
    name: 'early-hints',
    attack: '200 × `103 Early Hints`, then a 200',
    spec: { expect: { bodyContains: 'ok' } },
    expected: { ok: true, status: 200 },
  },
  { name: 'broken-br', attack: 'A broken brotli body', expected: undecodable('br') },
  { name: 'broken-gzip', attack: 'A broken gzip body', expected: undecodable('gzip') },
  { name: 'broken-deflate', attack: 'A broken deflate body', expected: undecodable('deflate') },
  {
    name: 'truncated-gzip',
    attack: 'A gzip body cut in half (complete at the HTTP level)',
    expected: { ...undecodable('gzip'), message: 'unexpected end of file' },
  },
  {
    name: 'unknown-encoding',
    attack: 'An encoding we did not ask for (`zstd`)',
    expected: { ...undecodable('zstd'), message: 'unsupported content encoding' },
  },
  {
    name: 'gzip-bomb',
    attack: 'A gzip bomb (20 MB of zeros in 20 KB)',
    expected: { ok: false, status: 200, code: 'TOO_LARGE' },
  },
  {
    name: 'short-body',
    attack: 'A body shorter than its Content-Length, then close',
    expected: { ok: false, status: 200, code: 'TRUNCATED', message: 'before the declared 100 bytes arrived' },
  },
  {
    name: 'chunk-cut',
    attack: 'A chunked body that stops before its last chunk',
    expected: { ok: false, status: 200, code: 'TRUNCATED', message: 'before its last chunk' },
  },
  {
    name: 'bad-chunking',
    attack: 'An invalid chunk size',
    expected: { ...parseError('HPE_INVALID_CHUNK_SIZE'), status: 200 },
  },
  {
    name: 'bad-trailer',
    attack: 'A control character in a response trailer',
    expected: { ...parseError('HPE_INVALID_HEADER_TOKEN'), status: 200 },
  },
  {
    name: 'reset',
    attack: 'TCP reset instead of an answer',
    expected: { ok: false, code: 'CONNECT', message: 'Connection reset by the server (ECONNRESET)' },
  },
  {
    name: 'close',
    attack: 'Connection closed without an answer',
    expected: { ok: false, code: 'CONNECT', message: 'The server closed the connection without responding' },
  },
  {
    name: 'silence',
    attack: 'Accepts, then says nothing',
    spec: { timeoutMs: 1500 },
    expected: { ok: false, code: 'TIMEOUT' },
  },
  {
    name: 'slow-drip',
    attack: 'Headers, then one body byte every 100 ms',
    spec: { timeoutMs: 1500 },
    expected: { ok: false, status: 200, code: 'TIMEOUT' },
  },
  { name: 'garbage', attack: 'Binary garbage instead of HTTP', expected: parseError('HPE_INVALID_CONSTANT') },
  {
    name: 'bad-status-line',
    attack: 'A status line with a non-numeric code',
    expected: parseError('HPE_INVALID_STATUS'),
  },
  {
    name: 'nul-header',
    attack: 'A NUL byte in a header value',
    expected: parseError('HPE_INVALID_HEADER_TOKEN'),
  },
  { name: 'huge-header', attack: 'A 200 KB header', expected: parseError('HPE_HEADER_OVERFLOW') },
  {
    name: 'duplicate-length',
    attack: 'Two different Content-Length headers',
    expected: parseError('HPE_UNEXPECTED_CONTENT_LENGTH'),
  },
  {
    name: 'length-and-chunked',
    attack: 'Content-Length and chunked together (smuggling shape)',
    expected: parseError('HPE_INVALID_TRANSFER_ENCODING'),
  },
  {
    name: 'status-999',
    attack: 'Status 999',
    expected: { ok: false, status: 999, code: 'HTTP', message: 'HTTP 999 (expected 2xx or 3xx)' },
  },
  {
    name: 'redirect-loop',
    attack: 'A redirect loop',
    expected: { ok: false, code: 'HTTP', message: 'More than 5 redirects' },
  },
  {
    name: 'bad-location',
    attack: 'A Location that is not a URL',
    expected: { ok: false, code: 'HTTP', message: 'Redirect with an invalid Location' },
  },
  {
    name: 'credentials-location',
    attack: 'A Location with `user:password@` to another origin',
    note: 'no credentials sent on, none recorded',
    spec: { expect: { bodyContains: 'no credentials arrived' } },
    expected: { ok: true, status: 200, finalPath: '/b/no-credentials' },
  },
  {
    name: 'credentials-location-same-origin',
    attack: 'A Location with `user:password@` on the same origin',
    note: 'no credentials sent on, none recorded',
    spec: { expect: { bodyContains: 'no credentials arrived' } },
    expected: { ok: true, status: 200, finalPath: '/b/no-credentials' },
  },
  {
    name: 'cross-origin',
    attack: 'A 307 to another origin, after a POST with Authorization, X-Api-Key and a body',
    note: 'no caller header and no body sent on',
    spec: { ...crossOriginSpec, expect: { bodyContains: 'nothing forwarded' } },
    expected: { ok: true, status: 200, finalPath: '/b/nothing-forwarded' },
  },
  {
    name: 'redirect-to-metadata',
    attack: 'A redirect to 169.254.169.254',
    expected: { ok: false, code: 'BLOCKED', message: 'it is the cloud instance metadata endpoint' },
  },
  {
    name: 'redirect-to-file',
    attack: 'A redirect to `file:///etc/passwd`',
    expected: { ok: false, code: 'BLOCKED', message: 'Refused redirect to unsupported scheme file:' },
  },
];

export interface HostileServer {
  url(path?: string): string;
  /** The same handler on another port: another origin. */
  otherUrl(path?: string): string;
  /** The URL of a behaviour. */
  behaviourUrl(name: string): string;
  /** Requests seen, by behaviour name (both ports). */
  readonly requests: Record<string, number>;
  /** Serves `bytes` for the next connection to /raw (for generated responses). */
  serveRaw(bytes: Buffer): void;
  close(): Promise<void>;
}

function parseRequest(data: Buffer): RawRequest | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [line, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const [method = '', path = ''] = line.split(' ');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const colon = l.indexOf(':');
    if (colon > 0) headers[l.slice(0, colon).trim().toLowerCase()] = l.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = data.subarray(end + 4);
  if (body.length < length) return undefined;
  return { method, path, headers, body: body.subarray(0, length) };
}

export async function startHostileServer(): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const requests: Record<string, number> = {};
  let rawBytes: Buffer = Buffer.alloc(0);
  // eslint-disable-next-line prefer-const
  let api: HostileServer;
  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let data: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const request = parseRequest(data);
      if (request === undefined) return;
      socket.off('data', onData);
      const path = request.path.split('?')[0];
      if (path === '/raw') {
        socket.end(rawBytes);
        return;
      }
      const name = path.replace(/^\/b\//, '');
      requests[name] = (requests[name] ?? 0) + 1;
      const writer = WRITERS[name];
      if (writer) writer(socket, request, api);
      else full('404 Not Found', 'no such behaviour')(socket, request, api);
    };
    socket.on('data', onData);
  };
  const listen = async () => {
    const server = net.createServer(onConnection);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  };
  const [main, other] = await Promise.all([listen(), listen()]);
  const origin = (s: net.Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  api = {
    url: (path = '/') => `${origin(main)}${path}`,
    otherUrl: (path = '/') => `${origin(other)}${path}`,
    behaviourUrl: (name) => `${origin(main)}/b/${name}`,
    requests,
    serveRaw(bytes) {
      rawBytes = bytes;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([main, other].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
  return api;
}

/** The CheckSpec for a behaviour. */
export function behaviourSpec(server: HostileServer, behaviour: Behaviour): CheckSpecInput {
  return { url: server.behaviourUrl(behaviour.name), ...behaviour.spec };
}
