// Target servers for tests, always on 127.0.0.1: plain or TLS, with canned behaviours (text, status,
// redirect, slow, reset, big body, hang). Each server counts TCP connections (to prove keep-alive reuse)
// and requests, and `close()` ends every socket and pending timer so jest exits cleanly.
//
//   const server = await startServer({ '/': respond.text('hello'), '/old': respond.redirect(301, '/') });
//   await checkUrl({ url: server.url('/old'), ... });
//   await server.close();
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** Exact request paths (without the query string) to handlers; anything else is a 404. */
export type Routes = Record<string, Handler>;

export interface TlsIdentity {
  key: string;
  cert: string;
}

export interface StartServerOptions {
  /** Serve HTTPS with this key and certificate. */
  tls?: TlsIdentity;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface TargetServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  readonly port: number;
  /** origin + path (default "/"). */
  url(path?: string): string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Requests received so far. */
  readonly requests: number;
  /** Stops listening and destroys every open socket. */
  close(): Promise<void>;
}

export async function startServer(
  routes: Routes | Handler,
  options: StartServerOptions = {},
): Promise<TargetServer> {
  const host = options.host ?? '127.0.0.1';
  const dispatch: Handler =
    typeof routes === 'function'
      ? routes
      : (req, res) => {
          const handler = routes[(req.url ?? '/').split('?')[0]];
          if (handler) handler(req, res);
          else respond.status(404)(req, res);
        };
  let connections = 0;
  let requests = 0;
  const sockets = new Set<Socket>();
  const listener: Handler = (req, res) => {
    requests++;
    dispatch(req, res);
  };
  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : http.createServer(listener);
  // 'connection' is the TCP socket for both http and https.
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // TLS handshake failures (the client refusing our test certificate) are expected in tests.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    origin,
    port,
    url: (path = '/') => origin + path,
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Calls `fn` after `ms` unless the response closes first (so close() leaves no timer behind). */
function later(res: ServerResponse, ms: number, fn: () => void): void {
  const timer = setTimeout(fn, ms);
  res.on('close', () => clearTimeout(timer));
}

/** Canned handlers. */
export const respond = {
  text:
    (body: string, status = 200, headers: Record<string, string> = {}): Handler =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(body);
    },
  status:
    (status: number, body = `status ${status}`): Handler =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
    },
  /** `location` may be relative or absolute (another test server's url). */
  redirect:
    (status: number, location: string): Handler =>
    (_req, res) => {
      res.writeHead(status, { location });
      res.end();
    },
  /** Answers after `delayMs` with `then` (default 200 "slow"). */
  slow:
    (delayMs: number, then: Handler = respond.text('slow')): Handler =>
    (req, res) =>
      later(res, delayMs, () => then(req, res)),
  /** Sends headers at once, then the body after `delayMs`. */
  slowBody:
    (delayMs: number, body = 'late body'): Handler =>
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.flushHeaders();
      later(res, delayMs, () => res.end(body));
    },
  /** Destroys the connection without answering. */
  reset: (): Handler => (req) => {
    req.socket.destroy();
  },
  /** Never answers (until the server closes). */
  hang: (): Handler => () => undefined,
  /** `bytes` bytes of "x", streamed with back-pressure; no content-length unless `withLength`. */
  bigBody:
    (bytes: number, options: { withLength?: boolean } = {}): Handler =>
    (_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/plain',
        ...(options.withLength ? { 'content-length': String(bytes) } : {}),
      });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let left = bytes;
      const pump = () => {
        while (left > 0 && !res.destroyed) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
            res.once('drain', pump);
            return;
          }
        }
        if (!res.destroyed) res.end();
      };
      pump();
    },
};

const DAY_MS = 86_400_000;

export interface IssueOptions {
  /** Validity from now, in days (fractions allowed); negative gives an expired certificate. */
  validDays?: number;
  /** DNS names and IP addresses the certificate is for. Default localhost and 127.0.0.1. */
  hosts?: string[];
}

export interface TestCa extends TlsIdentity {
  /** A server certificate signed by this CA. */
  issue(options?: IssueOptions): Promise<TlsIdentity>;
}

const isIpAddress = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');

function leafExtensions(hosts: string[]) {
  return [
    { name: 'basicConstraints' as const, cA: false },
    { name: 'keyUsage' as const, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage' as const, serverAuth: true },
    {
      name: 'subjectAltName' as const,
      altNames: hosts.map((h) =>
        isIpAddress(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h },
      ),
    },
  ];
}

function validity(validDays: number): { notBeforeDate: Date; notAfterDate: Date } {
  const now = Date.now();
  // notBefore a day back so an expired certificate (negative validDays) is still well-formed.
  return {
    notBeforeDate: new Date(now + Math.min(validDays, 0) * DAY_MS - DAY_MS),
    notAfterDate: new Date(now + validDays * DAY_MS),
  };
}

/** A CA for tests; trust it through the HTTP client's `ca` option (createGuardedAgents({ ca })). */
export async function createTestCa(): Promise<TestCa> {
  const ca = await generate([{ name: 'commonName', value: 'Sitewatch Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity(30),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return {
    key: ca.private,
    cert: ca.cert,
    async issue(options: IssueOptions = {}) {
      const hosts = options.hosts ?? ['localhost', '127.0.0.1'];
      const leaf = await generate([{ name: 'commonName', value: hosts[0] }], {
        keyType: 'ec',
        algorithm: 'sha256',
        ...validity(options.validDays ?? 365),
        ca: { key: ca.private, cert: ca.cert },
        extensions: leafExtensions(hosts),
      });
      return { key: leaf.private, cert: leaf.cert };
    },
  };
}

/** A self-signed server certificate (no client trusts it). */
export async function selfSignedIdentity(options: IssueOptions = {}): Promise<TlsIdentity> {
  const hosts = options.hosts ?? ['localhost', '127.0.0.1'];
  const pems = await generate([{ name: 'commonName', value: hosts[0] }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity(options.validDays ?? 365),
    extensions: leafExtensions(hosts),
  });
  return { key: pems.private, cert: pems.cert };
}

/**
 * Sets SITEWATCH_ALLOW_PRIVATE_NETWORKS=true (so checks may reach these 127.0.0.1 servers) and returns
 * a function that restores the previous value. Call it in beforeAll/beforeEach and the restore in after*.
 */
export function allowPrivateNetworks(): () => void {
  const previous = process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS;
  process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS = 'true';
  return () => {
    if (previous === undefined) delete process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS;
    else process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS = previous;
  };
}
