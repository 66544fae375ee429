// One HTTP(S) request to a user-supplied URL, safely: the network guard on every connection, redirects
// followed here (so each hop's scheme and address are re-checked and recorded), one deadline for the
// whole exchange, a cap on body bytes, bodies decoded strictly. Whatever the target does comes back
// as `{ ok: false, error }`; only our own faults (InfrastructureError) throw. What comes back never
// carries user info (a Location can hold `user:password@`) and, unless private networks are allowed,
// never an internal address.
import http, { type ClientRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import axios, { type AxiosHeaders, type AxiosResponse } from 'axios';
import type { CheckError, Redirect } from '../../core/checkSpec';
import { scrubInternalAddresses, unbracket } from '../../core/networkGuard';
import { scrubCredentials, withoutCredentials } from '../../core/stripCredentials';
import { settings } from '../../settings';
import { userAgent } from '../../version';
import { defaultAgents, type GuardedAgents } from './agents';
import { daysLeft, peerCertificateValidTo } from './certificate';
import { ACCEPT_ENCODING, asDecodingError, decodeBody } from './decodeBody';
import { BlockedAddressError, BodyTooLargeError, classifyError, TruncatedBodyError } from './errors';
import { readBody } from './readBody';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REDIRECTS = 5;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Redirect bodies are drained (to reuse the socket) only up to this size; larger ones close it. */
const MAX_REDIRECT_BODY_BYTES = 64 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
// Sent unless the caller sets its own; never dropped on redirects (they carry no secret).
const DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  'User-Agent': userAgent,
  Accept: '*/*',
  'Accept-Encoding': ACCEPT_ENCODING,
};

export interface GuardedRequestOptions {
  /** Default GET. */
  method?: string;
  /**
   * The caller's headers. Sent to the URL's origin; dropped (with the body) when a redirect leaves
   * it, unless `forwardAcrossOrigins`: any of them may be a secret for that origin.
   */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Default false. true: send the caller's headers (except Host) and body on to other origins too. */
  forwardAcrossOrigins?: boolean;
  /** Deadline for the whole exchange: DNS, connect, TLS, every redirect hop and the body. */
  timeoutMs?: number;
  /** Default true. When false a 3xx is the final response. */
  followRedirects?: boolean;
  /** Default 5; one more redirect is an HTTP error. */
  maxRedirects?: number;
  /** Cap on (decompressed) body bytes read. Default 1 MiB. */
  maxBodyBytes?: number;
  /** 'fail' (default): a larger body is TOO_LARGE. 'truncate': keep the first maxBodyBytes, `truncated: true`. */
  bodyLimitMode?: 'fail' | 'truncate';
  /** Default true. false: count the body bytes (cap applies) but do not keep them. */
  keepBody?: boolean;
  /**
   * Decides from the final status and headers whether the body is worth reading at all; when it
   * says no, the body is not downloaded (an empty body, `bytesRead` 0). Default: always read.
   */
  wantBody?: (status: number, headers: IncomingHttpHeaders) => boolean;
  /**
   * Default: settings.allowPrivateNetworks() at call time. Also decides whether error messages may
   * name internal addresses. Agents: ignored when `agents` is given.
   */
  allowPrivateNetworks?: boolean;
  /** Agents (and thus address policy, resolver, trusted CAs) to use instead of the process defaults. */
  agents?: GuardedAgents;
  /** Clock for certificate days left. */
  now?: () => Date;
  /** Caller cancellation (reported as TIMEOUT). */
  signal?: AbortSignal;
}

export interface HttpSuccess {
  ok: true;
  status: number;
  headers: IncomingHttpHeaders;
  finalUrl: string;
  redirects: Redirect[];
  latencyMs: number;
  body: Buffer;
  bytesRead: number;
  truncated: boolean;
  certDaysLeft?: number;
  /** The final hop's certificate notAfter (ISO), https only. */
  certValidTo?: string;
}

export interface HttpFailure {
  ok: false;
  error: CheckError;
  finalUrl: string;
  redirects: Redirect[];
  latencyMs: number;
  /** Set when a response arrived before the failure (e.g. TOO_LARGE). */
  status?: number;
  bytesRead: number;
}

export type HttpOutcome = HttpSuccess | HttpFailure;

// One instance, configured once: no per-call set-up beyond the request itself.
// Errors a request emits after its response arrived (a chunked body that stops parsing) never
// reach axios's promise, which has settled; recorded here so the body's failure can name its cause.
const lateRequestErrors = new WeakMap<ClientRequest, Error>();

type Transport = {
  request(options: RequestOptions, onResponse: (res: http.IncomingMessage) => void): ClientRequest;
};

/**
 * The deadline of one exchange. It ends the exchange by destroying whichever request is under way
 * (DNS, connect, TLS, headers or body: the socket goes, the body stream fails), through the transport
 * axios is given, instead of an AbortSignal handed to axios: an AbortController, its signal and
 * axios's listener on it cost about as much as the zod validation of a bare URL per check (bench:
 * check throughput). A request started after the deadline is destroyed at once.
 */
class Deadline {
  expired = false;
  private current: ClientRequest | undefined;
  private readonly timer: NodeJS.Timeout;
  readonly transport: Transport = {
    request: (options, onResponse) => {
      const req = (options.protocol === 'https:' ? https : http).request(options, onResponse);
      req.on('error', (err) => lateRequestErrors.set(req, err));
      this.current = req;
      if (this.expired) req.destroy(deadlineError());
      return req;
    },
  };

  constructor(ms: number) {
    this.timer = setTimeout(() => this.expire(), ms);
  }

  expire(): void {
    if (this.expired) return;
    this.expired = true;
    // A request whose response was read to the end is already destroyed (its socket went back to
    // the pool), so this never touches a socket another exchange now uses.
    this.current?.destroy(deadlineError());
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

function deadlineError(): Error {
  return Object.assign(new Error('The check deadline passed'), { code: 'ABORT_ERR' });
}

const client = axios.create({
  responseType: 'stream',
  maxRedirects: 0,
  validateStatus: () => true,
  // decodeBody decodes, strictly (see there).
  decompress: false,
  proxy: false, // an environment proxy would bypass the guard (it, not us, would connect).
  transformRequest: [(data: unknown) => data],
  transformResponse: [],
  maxContentLength: -1,
  maxBodyLength: -1,
});
// axios deep-copies its default header tree (common, get, post, ...) into every request's config,
// a tenth of the time a request spent in axios (bench: check throughput). None of it reaches the
// wire here: DEFAULT_HEADERS or the caller sets Accept, and Content-Type is ours or false.
client.defaults.headers = {} as typeof client.defaults.headers;

/** A failure decided here (not by the network), carrying its CheckError. */
class Failure extends Error {
  constructor(readonly error: CheckError) {
    super(error.message);
  }
}

// `false` keeps axios from adding a Content-Type of its own choosing (form-urlencoded for every
// POST, PUT and PATCH): a request carries only the headers the caller or DEFAULT_HEADERS gave it.
type OutgoingHeaders = Record<string, string | false>;

function buildHeaders(caller: Record<string, string> | undefined): OutgoingHeaders {
  if (caller === undefined) return { ...DEFAULT_HEADERS, 'Content-Type': false };
  const headers: OutgoingHeaders = {};
  const overridden = new Set(Object.keys(caller).map((n) => n.toLowerCase()));
  for (const [name, value] of Object.entries(DEFAULT_HEADERS)) {
    if (!overridden.has(name.toLowerCase())) headers[name] = value;
  }
  if (!overridden.has('content-type')) headers['Content-Type'] = false;
  return Object.assign(headers, caller);
}

function withoutHeader(headers: Record<string, string> | undefined, lower: string) {
  return headers && Object.fromEntries(Object.entries(headers).filter(([n]) => n.toLowerCase() !== lower));
}

function checkHop(url: URL, agents: GuardedAgents, first: boolean): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw first
      ? new Failure({ code: 'INVALID', message: `Unsupported URL scheme ${url.protocol}` })
      : new Failure({ code: 'BLOCKED', message: `Refused redirect to unsupported scheme ${url.protocol}` });
  }
  // Node does not call `lookup` for IP literals, so the agents' guard never sees them.
  const host = unbracket(url.hostname);
  if (isIP(host) !== 0) {
    const verdict = agents.policy(host);
    if (!verdict.allowed) throw new BlockedAddressError(url.hostname, host, verdict.range, verdict.reason);
  }
}

async function send(
  url: URL,
  method: string,
  headers: OutgoingHeaders,
  body: string | Buffer | undefined,
  agents: GuardedAgents,
  deadline: Deadline,
): Promise<AxiosResponse<Readable>> {
  const request = () => {
    if (deadline.expired) throw new Failure({ code: 'TIMEOUT', message: 'Check timed out' });
    return client.request<Readable>({
      url: url.href,
      method,
      headers,
      data: body,
      httpAgent: agents.http,
      httpsAgent: agents.https,
      transport: deadline.transport,
    });
  };
  try {
    return await request();
  } catch (err) {
    // A pooled socket the server closed while idle fails on first write: retry once on a fresh one.
    const e = err as { code?: string; request?: { reusedSocket?: boolean } };
    const stale = (e.code === 'ECONNRESET' || e.code === 'EPIPE') && e.request?.reusedSocket === true;
    if (!stale || !IDEMPOTENT_METHODS.has(method) || deadline.expired) throw err;
    return request();
  }
}

/**
 * Why a body that had started failed: a parse error the request saw (bad chunking, bad trailers),
 * else a connection that closed early (TRUNCATED). Our own limits and decoding errors stay as they are.
 */
function bodyFailure(err: unknown, res: AxiosResponse<Readable>): unknown {
  if (err instanceof BodyTooLargeError || asDecodingError(err) !== undefined) return err;
  const late = lateRequestErrors.get(res.request as ClientRequest);
  if (late !== undefined && String((late as NodeJS.ErrnoException).code).startsWith('HPE_')) return late;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'EPIPE') {
    const declared = Number(res.headers['content-length']);
    return new TruncatedBodyError(Number.isFinite(declared) ? declared : undefined);
  }
  return err;
}

/**
 * A failure's message as it may be shown: no user info, and no internal address unless allowed.
 * BLOCKED messages are ours and name only the host as written (never what it resolved to).
 */
function shownError(error: CheckError, revealAddresses: boolean): CheckError {
  const message = scrubCredentials(error.message);
  const hide = !revealAddresses && error.code !== 'BLOCKED';
  return { code: error.code, message: hide ? scrubInternalAddresses(message) : message };
}

async function drainRedirectBody(stream: Readable): Promise<void> {
  try {
    await readBody(stream, { maxBytes: MAX_REDIRECT_BODY_BYTES, limitMode: 'fail', keep: false });
  } catch {
    // An unreadable or oversized redirect body only costs us the socket.
  }
}

/** Performs the request; see GuardedRequestOptions. Never throws for network outcomes. */
export async function guardedRequest(
  input: string,
  options: GuardedRequestOptions = {},
): Promise<HttpOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const allowPrivate = options.allowPrivateNetworks ?? settings.allowPrivateNetworks();
  const agents = options.agents ?? defaultAgents(allowPrivate, settings.allowedNetworks());
  const followRedirects = options.followRedirects ?? true;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const redirects: Redirect[] = [];

  const deadline = new Deadline(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const onCallerAbort = () => deadline.expire();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (options.signal?.aborted) onCallerAbort();

  let current = input;
  let status: number | undefined;
  try {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new Failure({ code: 'INVALID', message: 'Invalid URL' });
    }
    current = withoutCredentials(url.href);
    let method = (options.method ?? 'GET').toUpperCase();
    let callerHeaders = options.headers;
    let headers = buildHeaders(callerHeaders);
    let body = options.body;

    for (;;) {
      checkHop(url, agents, redirects.length === 0);
      const res = await send(url, method, headers, body, agents, deadline);
      status = res.status;
      const location = res.headers['location'];

      if (
        followRedirects &&
        REDIRECT_STATUSES.has(res.status) &&
        typeof location === 'string' &&
        location !== ''
      ) {
        let next: URL | undefined;
        try {
          next = new URL(location, url);
        } catch {
          // Recorded below as text; the hop fails after the redirect is counted.
        }
        // A Location the parser read user info from ("http:user:pw@host", "//user:pw@host") is
        // recorded as the URL it resolved to, without that user info; the text could hide it in
        // spellings no pattern catches.
        const shownLocation =
          next !== undefined && (next.username !== '' || next.password !== '')
            ? withoutCredentials(next.href)
            : withoutCredentials(location);
        redirects.push({ url: current, status: res.status, location: shownLocation });
        await drainRedirectBody(res.data);
        if (redirects.length > maxRedirects) {
          throw new Failure({ code: 'HTTP', message: `More than ${maxRedirects} redirects` });
        }
        if (next === undefined) {
          throw new Failure({ code: 'HTTP', message: 'Redirect with an invalid Location' });
        }
        const sameOrigin = next.origin === url.origin;
        // User info in a Location is never used (axios would turn it into an Authorization header):
        // the caller's own stays with its origin, a target's is dropped.
        next.username = sameOrigin ? url.username : '';
        next.password = sameOrigin ? url.password : '';
        // 303, and 301/302 after a POST, turn into a body-less GET (what browsers and curl -L do).
        if (
          res.status === 303
            ? method !== 'HEAD'
            : (res.status === 301 || res.status === 302) && method === 'POST'
        ) {
          method = 'GET';
          body = undefined;
          callerHeaders = withoutHeader(callerHeaders, 'content-type');
        }
        if (!sameOrigin) {
          // Any caller header may be a secret for the origin it was written for (API keys come in
          // every name), and so may the body: another origin gets neither unless the caller says
          // so. A Host override names the old origin, so it never travels.
          if (options.forwardAcrossOrigins === true) {
            callerHeaders = withoutHeader(callerHeaders, 'host');
          } else {
            callerHeaders = undefined;
            body = undefined;
          }
        }
        headers = buildHeaders(callerHeaders);
        url = next;
        current = withoutCredentials(url.href);
        status = undefined;
        continue;
      }

      const validTo = url.protocol === 'https:' ? peerCertificateValidTo(res.request?.socket) : undefined;
      const responseHeaders = (res.headers as AxiosHeaders).toJSON() as IncomingHttpHeaders;
      const wanted = options.wantBody?.(res.status, responseHeaders) ?? true;
      if (!wanted) res.data.destroy();
      let read: { body: Buffer; bytesRead: number; truncated: boolean };
      if (!wanted) read = { body: Buffer.alloc(0), bytesRead: 0, truncated: false };
      else {
        // No body to decode: HEAD, 204, 304, or an empty body that still names an encoding.
        const bodiless =
          method === 'HEAD' ||
          res.status === 204 ||
          res.status === 304 ||
          responseHeaders['content-length'] === '0';
        const encoding = bodiless ? undefined : responseHeaders['content-encoding'];
        try {
          read = await readBody(decodeBody(res.data, encoding), {
            maxBytes: maxBodyBytes,
            limitMode: options.bodyLimitMode ?? 'fail',
            keep: options.keepBody ?? true,
          });
        } catch (err) {
          throw bodyFailure(err, res);
        }
      }
      const now = options.now?.() ?? new Date();
      return {
        ok: true,
        status: res.status,
        headers: responseHeaders,
        finalUrl: current,
        redirects,
        latencyMs: elapsed(),
        body: read.body,
        bytesRead: read.bytesRead,
        truncated: read.truncated,
        ...(validTo ? { certDaysLeft: daysLeft(validTo, now), certValidTo: validTo.toISOString() } : {}),
      };
    }
  } catch (err) {
    const classified = err instanceof Failure ? err.error : classifyError(err, deadline.expired);
    if (classified === undefined) throw err;
    const error = shownError(classified, allowPrivate);
    const bytesRead = error.code === 'TOO_LARGE' ? maxBodyBytes : 0;
    const failure: HttpFailure = {
      ok: false,
      error,
      finalUrl: current,
      redirects,
      latencyMs: elapsed(),
      bytesRead,
    };
    if (status !== undefined) failure.status = status;
    return failure;
  } finally {
    deadline.clear();
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}
