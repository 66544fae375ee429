// Typed errors raised inside the HTTP client, and the mapping of every transport failure to an ErrorCode.
import type { CheckError } from '../../core/checkSpec';

/** A hostname resolved to (or was) an address the network guard refuses. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'ERR_SITEWATCH_BLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
    reason: string,
  ) {
    super(`Refused to connect to ${host}: ${reason}`);
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
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CLOSED',
]);
// Node refusing to build the request from what the user gave us (e.g. a header value it cannot
// send). Retrying cannot help, so these are results, not faults.
const INVALID_REQUEST_CODES = new Set([
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
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

/**
 * Maps a transport failure to a CheckError. `timedOut` is the caller's own deadline flag: an abort
 * caused by it is a TIMEOUT whatever the error says. Returns undefined for errors that are not
 * network outcomes (bugs, internal faults): those must propagate so the orchestrator retries.
 */
export function classifyError(err: unknown, timedOut: boolean): CheckError | undefined {
  const errors = chain(err);
  const blocked = errors.find((e) => e instanceof BlockedAddressError);
  if (blocked) return { code: 'BLOCKED', message: message(blocked) };
  const tooLarge = errors.find((e) => e instanceof BodyTooLargeError);
  if (tooLarge) return { code: 'TOO_LARGE', message: message(tooLarge) };
  if (timedOut) return { code: 'TIMEOUT', message: 'Check timed out' };

  for (const e of errors) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (DNS_CODES.has(code)) return { code: 'DNS', message: message(e) };
    if (TLS_CODES.has(code) || /^ERR_(SSL|TLS)_|CERT/.test(code)) return { code: 'TLS', message: message(e) };
    if (TIMEOUT_CODES.has(code)) return { code: 'TIMEOUT', message: message(e) };
    if (CONNECT_CODES.has(code)) return { code: 'CONNECT', message: message(e) };
    if (INVALID_REQUEST_CODES.has(code))
      return { code: 'INVALID', message: `Invalid request: ${message(e)}` };
    // llhttp parse errors: the peer does not speak HTTP properly.
    if (code.startsWith('HPE_')) return { code: 'HTTP', message: `Invalid HTTP response: ${message(e)}` };
    // zlib errors while decoding a body the server claimed was compressed.
    if (code.startsWith('Z_')) return { code: 'HTTP', message: `Invalid response encoding: ${message(e)}` };
  }
  // Any other errno-style socket error (E...): the network failed, not us.
  const errno = errors.find((e) => typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code));
  if (errno) return { code: 'CONNECT', message: message(errno) };
  return undefined;
}
