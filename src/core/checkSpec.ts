// Schemas for what a check is asked to do (CheckSpec / CheckRequest) and what it found (CheckResult).
// Every type here is z.infer'd from these schemas so the API, the orchestrators and the activities agree.
import { z } from 'zod';

export const MAX_URL_LENGTH = 2048;
export const MAX_HEADERS = 50;
export const MAX_HEADER_VALUE_LENGTH = 8192;
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_TARGETS = 1000;

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const utf8 = new TextEncoder();
const METHODS_WITHOUT_BODY = new Set<string>(['GET', 'HEAD']);

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Framing and hop-by-hop headers are set by the HTTP client; letting users set them invites
// request smuggling and broken keep-alive sockets.
// Trailer and Expect are refused by Node or change how it sends the request (a Trailer on a request
// with a Content-Length throws ERR_HTTP_TRAILER_INVALID; Expect: 100-continue holds the body back).
const RESERVED_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'http2-settings',
]);

export const ErrorCode = z.enum([
  'DNS',
  'CONNECT',
  'TIMEOUT',
  'TLS',
  'TOO_LARGE',
  'BLOCKED',
  'HTTP',
  'ASSERTION',
  'INVALID',
  /** The response body ended before its declared length or last chunk. */
  'TRUNCATED',
  /** A failure nobody classified yet: still the target's doing, never ours. */
  'UNKNOWN',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** An http(s) URL without embedded credentials (put those in headers: headers are never logged or stored). */
export const HttpUrl = z
  .string()
  .trim()
  .min(1)
  .max(MAX_URL_LENGTH)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({
        code: 'custom',
        message: `must use http or https, not ${url.protocol.replace(/:$/, '')}`,
      });
    }
    if (url.username !== '' || url.password !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not embed credentials; send them in headers instead' });
    }
  });

const StatusCode = z.int().min(100).max(599);
/** "2xx"-style status class. */
const StatusClass = z.string().regex(/^[1-5]xx$/, 'must be a status code or a class like "2xx"');
const StatusMatcher = z.union([StatusCode, StatusClass]);

export const Expectation = z.strictObject({
  /** One status, a class like "2xx", or a list of either. Default: any 2xx or 3xx final status. */
  status: z.union([StatusMatcher, z.array(StatusMatcher).min(1).max(20)]).optional(),
  /** Case-sensitive substring the response body must contain (searched up to the body byte cap). */
  bodyContains: z.string().min(1).max(1024).optional(),
  maxLatencyMs: z.int().min(1).max(MAX_TIMEOUT_MS).optional(),
  minCertDays: z.int().min(0).max(3650).optional(),
});
export type Expectation = z.infer<typeof Expectation>;

const Headers = z
  .record(
    z.string().regex(HEADER_NAME, 'header names must be HTTP tokens'),
    z
      .string()
      .max(MAX_HEADER_VALUE_LENGTH)
      // RFC 9110 field-value characters (HTAB, SP, VCHAR, obs-text): no CR/LF injection, nothing Node refuses to send.
      .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'header values must be printable Latin-1 without CR or LF'),
  )
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > MAX_HEADERS) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_HEADERS} headers` });
    }
    for (const name of names) {
      if (RESERVED_HEADERS.has(name.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `${name} is set by the client and cannot be overridden`,
        });
      }
    }
  });

export const CheckSpec = z
  .strictObject({
    url: HttpUrl,
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(HTTP_METHODS))
      .default('GET'),
    headers: Headers.optional(),
    body: z
      .string()
      .refine(
        (b) => utf8.encode(b).length <= MAX_REQUEST_BODY_BYTES,
        `at most ${MAX_REQUEST_BODY_BYTES} bytes`,
      )
      .optional(),
    timeoutMs: z.int().min(1).max(MAX_TIMEOUT_MS).default(DEFAULT_TIMEOUT_MS),
    expect: Expectation.optional(),
    followRedirects: z.boolean().default(true),
    /**
     * When a redirect leads to another origin, headers and body are dropped (any of them may be a
     * secret for the origin they were written for). true sends them on (Host excepted).
     */
    forwardAcrossOrigins: z
      .boolean()
      .optional()
      .describe(
        'Send headers and body on when a redirect leads to another origin. Default false: they are dropped, since any of them may be a secret for the original origin.',
      ),
  })
  .superRefine((spec, ctx) => {
    if (spec.body !== undefined && METHODS_WITHOUT_BODY.has(spec.method)) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: `a ${spec.method} request has no body` });
    }
  });
/** A spec with defaults applied (what activities receive). */
export type CheckSpec = z.output<typeof CheckSpec>;
/** What callers may send (defaults optional). */
export type CheckSpecInput = z.input<typeof CheckSpec>;

/** A plain string means `{ url }`; either way the output is a full CheckSpec. */
export const CheckTarget = z.preprocess(
  (value) => (typeof value === 'string' ? { url: value } : value),
  CheckSpec,
);
export type CheckTarget = string | CheckSpecInput;

/** What `HttpUrl` accepts, as a plain function (the same rules; the schema stays the reference). */
function isAcceptedUrl(value: string): boolean {
  if (value.length < 1 || value.length > MAX_URL_LENGTH) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === ''
  );
}

/**
 * `CheckTarget.safeParse`, with the most common target (a URL string, or `{ url }` alone) decided
 * without zod: its output is then only the defaults, and building it by hand costs a fraction of
 * the schema's ~25 µs, which was a visible share of a check (BENCHMARKS.md, check throughput).
 * Anything else, and every rejection (so the issue messages stay zod's), goes through the schema;
 * tests/core/checkSpec.test.ts holds both paths to the same answers.
 */
export function parseCheckTarget(input: unknown): ReturnType<typeof CheckTarget.safeParse> {
  let raw: unknown = input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const keys = Object.keys(input);
    raw = keys.length === 1 && keys[0] === 'url' ? (input as { url: unknown }).url : undefined;
  }
  if (typeof raw === 'string') {
    const url = raw.trim();
    if (isAcceptedUrl(url)) {
      const data: CheckSpec = { url, method: 'GET', timeoutMs: DEFAULT_TIMEOUT_MS, followRedirects: true };
      return { success: true, data };
    }
  }
  return CheckTarget.safeParse(input);
}

export interface CheckRequestSchemaOptions {
  /** Targets accepted in one request; the starters pass settings.maxTargets(). */
  maxTargets?: number;
}

export function checkRequestSchema(options: CheckRequestSchemaOptions = {}) {
  const maxTargets = options.maxTargets ?? DEFAULT_MAX_TARGETS;
  return z.strictObject({
    targets: z.array(CheckTarget).min(1).max(maxTargets, `at most ${maxTargets} targets per request`),
    name: z.string().trim().min(1).max(200).optional(),
  });
}
export const CheckRequest = checkRequestSchema();
export type CheckRequest = z.output<typeof CheckRequest>;

export const Redirect = z.object({ url: z.string(), status: z.int(), location: z.string() });
export type Redirect = z.infer<typeof Redirect>;

export const AssertionResult = z.object({
  name: z.enum(['status', 'bodyContains', 'maxLatencyMs', 'minCertDays']),
  ok: z.boolean(),
  /** Human-readable expectation, e.g. "2xx or 3xx", "<= 500 ms". */
  expected: z.string(),
  actual: z.union([z.string(), z.number(), z.boolean(), z.null()]),
});
export type AssertionResult = z.infer<typeof AssertionResult>;

export const CheckError = z.object({ code: ErrorCode, message: z.string() });
export type CheckError = z.infer<typeof CheckError>;

// Deliberately has no request headers or body: results go into reports and orchestration history.
export const CheckResult = z.object({
  url: z.string(),
  finalUrl: z.string(),
  ok: z.boolean(),
  status: z.int().optional(),
  latencyMs: z.number().nonnegative(),
  redirects: z.array(Redirect),
  certDaysLeft: z.int().optional(),
  assertions: z.array(AssertionResult),
  error: CheckError.optional(),
  /** ISO time the check started; supplied by the caller so core stays clock-free. */
  checkedAt: z.iso.datetime(),
  bytesRead: z.int().nonnegative(),
});
export type CheckResult = z.infer<typeof CheckResult>;
