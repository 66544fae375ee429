// Typed errors raised inside the HTTP client, and the mapping of every failure of an exchange to an
// ErrorCode. Everything the target (or the spec) can cause is a CheckError, including failures
// nobody foresaw (UNKNOWN); only InfrastructureError, a fault of our own, is left to propagate.
import type { CheckError } from '../../core/checkSpec';
import { asDecodingError } from './decodeBody';

/**
 * A hostname resolved to (or was) an address the network guard refuses. The message names the
 * host as the user wrote it and the kind of address, never the address: where a name points
 * inside our network is not the caller's business.
 */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'ERR_SITEWATCH_BLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
    reason: string,
  ) {
    const literal = host === address || host === `[${address}]`;
    super(`Refused to connect to ${host}: ${literal ? 'it is' : 'it resolves to'} ${reason}`);
  }
}

/** A fault of ours (a resolver or policy that broke): retrying may help, so it is not a result. */
export class InfrastructureError extends Error {
  override readonly name = 'InfrastructureError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The response body ended before its declared length or final chunk. */
export class TruncatedBodyError extends Error {
  override readonly name = 'TruncatedBodyError';
  readonly code = 'ERR_SITEWATCH_TRUNCATED';
  constructor(readonly declaredLength: number | undefined) {
    super(
      declaredLength === undefined
        ? 'The response body was cut short: the connection closed before its last chunk'
        : `The response body was cut short: the connection closed before the declared ${declaredLength} bytes arrived`,
    );
  }
}

/** The response body exceeded the byte cap. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  readonly code = 'ERR_SITEWATCH_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`Response body exceeds ${limit} bytes`);
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ERR_CANCELED', 'ABORT_ERR']);
// Messages of our own for the connection failures: Node's texts carry the peer's address.
const CONNECT_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by the server',
  EPIPE: 'The server closed the connection while the request was sent',
  EHOSTUNREACH: 'Host unreachable',
  ENETUNREACH: 'Network unreachable',
  EHOSTDOWN: 'Host down',
  ENETDOWN: 'Network down',
  EADDRNOTAVAIL: 'Address not available',
  ERR_STREAM_PREMATURE_CLOSE: 'The connection closed early',
  ERR_SOCKET_CLOSED: 'The connection closed early',
};
// Node refusing to build the request from what the user gave us (e.g. a header value it cannot
// send). Retrying cannot help, so these are results, not faults.
const INVALID_REQUEST_CODES = new Set([
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_HTTP_TRAILER_INVALID',
  'ERR_HTTP_CONTENT_LENGTH_MISMATCH',
  'ERR_INVALID_URL',
  'ERR_UNESCAPED_CHARACTERS',
  'ERR_INVALID_PROTOCOL',
]);
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

interface CodedError {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The error and its causes (axios wraps the socket error in AxiosError.cause). */
function chain(err: unknown): CodedError[] {
  const out: CodedError[] = [];
  for (let e = err; e !== null && typeof e === 'object' && out.length < 5; e = (e as CodedError).cause) {
    out.push(e as CodedError);
  }
  return out;
}

function message(e: CodedError): string {
  return typeof e.message === 'string' && e.message !== '' ? e.message : String(e.code);
}

function codeOf(e: CodedError): string {
  return typeof e.code === 'string' ? e.code : '';
}

/**
 * Maps a failure of an exchange to a CheckError. `timedOut` is the caller's own deadline flag: an
 * abort caused by it is a TIMEOUT whatever the error says. Returns undefined only for an
 * InfrastructureError (our fault: it must propagate so the orchestrator retries); anything else
 * nobody foresaw is UNKNOWN, still a result.
 */
export function classifyError(err: unknown, timedOut: boolean): CheckError | undefined {
  const errors = chain(err);
  if (errors.some((e) => e instanceof InfrastructureError)) return undefined;
  const blocked = errors.find((e) => e instanceof BlockedAddressError);
  if (blocked) return { code: 'BLOCKED', message: message(blocked) };
  const tooLarge = errors.find((e) => e instanceof BodyTooLargeError);
  if (tooLarge) return { code: 'TOO_LARGE', message: message(tooLarge) };
  if (timedOut) return { code: 'TIMEOUT', message: 'Check timed out' };
  const truncated = errors.find((e) => e instanceof TruncatedBodyError);
  if (truncated) return { code: 'TRUNCATED', message: message(truncated) };
  for (const e of errors) {
    const decoding = asDecodingError(e);
    if (decoding) return { code: 'HTTP', message: decoding.message };
  }

  for (const e of errors) {
    const code = codeOf(e);
    if (DNS_CODES.has(code)) return { code: 'DNS', message: `DNS lookup failed (${code})` };
    if (TLS_CODES.has(code) || /^ERR_(SSL|TLS)_|CERT/.test(code)) return { code: 'TLS', message: message(e) };
    if (TIMEOUT_CODES.has(code)) return { code: 'TIMEOUT', message: `Timed out (${code})` };
    if (code in CONNECT_MESSAGES) {
      // "socket hang up": connected, then closed without a word.
      const hangUp = code === 'ECONNRESET' && message(e) === 'socket hang up';
      return {
        code: 'CONNECT',
        message: hangUp
          ? 'The server closed the connection without responding'
          : `${CONNECT_MESSAGES[code]} (${code})`,
      };
    }
    if (INVALID_REQUEST_CODES.has(code))
      return { code: 'INVALID', message: `Invalid request: ${message(e)}` };
    // llhttp parse errors: the peer does not speak HTTP properly.
    if (code.startsWith('HPE_'))
      return { code: 'HTTP', message: `Invalid HTTP response: ${message(e)} (${code})` };
    // zlib errors that did not come through decodeBody (which names the encoding).
    if (code.startsWith('Z_'))
      return { code: 'HTTP', message: `Cannot decode the response body: ${message(e)}` };
  }
  // Any other errno-style socket error (E...): the network failed, not us.
  const errno = errors.find((e) => /^E[A-Z]+$/.test(codeOf(e)));
  if (errno) return { code: 'CONNECT', message: `Connection failed (${codeOf(errno)})` };
  const first = errors[0];
  const detail =
    first === undefined ? String(err) : `${message(first)}${codeOf(first) ? ` (${codeOf(first)})` : ''}`;
  return { code: 'UNKNOWN', message: `Unexpected failure: ${detail}` };
}
