// One HTTP(S) request to a user-supplied URL, safely: the network guard on every connection, redirects
// followed here (so each hop's scheme and address are re-checked and recorded), one deadline for the
// whole exchange, and a cap on body bytes. Network failures come back as `{ ok: false, error }`;
// only internal faults throw.
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import axios, { type AxiosHeaders, type AxiosResponse } from 'axios';
import type { CheckError, Redirect } from '../../core/checkSpec';
import { unbracket } from '../../core/networkGuard';
import { settings } from '../../settings';
import { userAgent } from '../../version';
import { defaultAgents, type GuardedAgents } from './agents';
import { daysLeft, peerCertificateValidTo } from './certificate';
import { BlockedAddressError, classifyError } from './errors';
import { readBody } from './readBody';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REDIRECTS = 5;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Redirect bodies are drained (to reuse the socket) only up to this size; larger ones close it. */
const MAX_REDIRECT_BODY_BYTES = 64 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
// Dropped when a redirect leaves the origin, as browsers do: credentials are the caller's secrets for
// that origin, and a Host override names that origin.
const ORIGIN_BOUND_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'host']);

export interface GuardedRequestOptions {
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
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
  /** Default: settings.allowPrivateNetworks() at call time. Ignored when `agents` is given. */
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
const client = axios.create({
  responseType: 'stream',
  maxRedirects: 0,
  validateStatus: () => true,
  decompress: true,
  proxy: false, // an environment proxy would bypass the guard (it, not us, would connect).
  transformRequest: [(data: unknown) => data],
  transformResponse: [],
  maxContentLength: -1,
  maxBodyLength: -1,
});

/** A failure decided here (not by the network), carrying its CheckError. */
class Failure extends Error {
  constructor(readonly error: CheckError) {
    super(error.message);
  }
}

function buildHeaders(user: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'User-Agent': userAgent, Accept: '*/*' };
  for (const [name, value] of Object.entries(user ?? {})) {
    for (const existing of Object.keys(headers)) {
      if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    }
    headers[name] = value;
  }
  return headers;
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
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  agents: GuardedAgents,
  signal: AbortSignal,
): Promise<AxiosResponse<Readable>> {
  const request = () =>
    client.request<Readable>({
      url: url.href,
      method,
      headers,
      data: body,
      httpAgent: agents.http,
      httpsAgent: agents.https,
      signal,
    });
  try {
    return await request();
  } catch (err) {
    // A pooled socket the server closed while idle fails on first write: retry once on a fresh one.
    const e = err as { code?: string; request?: { reusedSocket?: boolean } };
    const stale = (e.code === 'ECONNRESET' || e.code === 'EPIPE') && e.request?.reusedSocket === true;
    if (!stale || !IDEMPOTENT_METHODS.has(method) || signal.aborted) throw err;
    return request();
  }
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
  const agents =
    options.agents ?? defaultAgents(options.allowPrivateNetworks ?? settings.allowPrivateNetworks());
  const followRedirects = options.followRedirects ?? true;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const redirects: Redirect[] = [];

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const onCallerAbort = () => {
    timedOut = true;
    controller.abort();
  };
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
    current = url.href;
    let method = (options.method ?? 'GET').toUpperCase();
    let headers = buildHeaders(options.headers);
    let body = options.body;

    for (;;) {
      checkHop(url, agents, redirects.length === 0);
      const res = await send(url, method, headers, body, agents, controller.signal);
      status = res.status;
      const location = res.headers['location'];

      if (
        followRedirects &&
        REDIRECT_STATUSES.has(res.status) &&
        typeof location === 'string' &&
        location !== ''
      ) {
        redirects.push({ url: url.href, status: res.status, location });
        await drainRedirectBody(res.data);
        if (redirects.length > maxRedirects) {
          throw new Failure({ code: 'HTTP', message: `More than ${maxRedirects} redirects` });
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new Failure({ code: 'INVALID', message: 'Redirect with an invalid Location' });
        }
        // 303, and 301/302 after a POST, turn into a body-less GET (what browsers and curl -L do).
        if (
          res.status === 303
            ? method !== 'HEAD'
            : (res.status === 301 || res.status === 302) && method === 'POST'
        ) {
          method = 'GET';
          body = undefined;
          headers = Object.fromEntries(
            Object.entries(headers).filter(([n]) => n.toLowerCase() !== 'content-type'),
          );
        }
        if (next.origin !== url.origin) {
          headers = Object.fromEntries(
            Object.entries(headers).filter(([n]) => !ORIGIN_BOUND_HEADERS.has(n.toLowerCase())),
          );
        }
        url = next;
        current = url.href;
        status = undefined;
        continue;
      }

      const validTo = url.protocol === 'https:' ? peerCertificateValidTo(res.request?.socket) : undefined;
      const responseHeaders = (res.headers as AxiosHeaders).toJSON() as IncomingHttpHeaders;
      const wanted = options.wantBody?.(res.status, responseHeaders) ?? true;
      if (!wanted) res.data.destroy();
      const read = wanted
        ? await readBody(res.data, {
            maxBytes: maxBodyBytes,
            limitMode: options.bodyLimitMode ?? 'fail',
            keep: options.keepBody ?? true,
          })
        : { body: Buffer.alloc(0), bytesRead: 0, truncated: false };
      const now = options.now?.() ?? new Date();
      return {
        ok: true,
        status: res.status,
        headers: responseHeaders,
        finalUrl: url.href,
        redirects,
        latencyMs: elapsed(),
        body: read.body,
        bytesRead: read.bytesRead,
        truncated: read.truncated,
        ...(validTo ? { certDaysLeft: daysLeft(validTo, now), certValidTo: validTo.toISOString() } : {}),
      };
    }
  } catch (err) {
    const error = err instanceof Failure ? err.error : classifyError(err, timedOut);
    if (error === undefined) throw err;
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
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}
