import * as df from 'durable-functions';
import { DEFAULT_PAGE_MAX_BYTES, FetchPageInput, type FetchPageResult } from '../core/auditSchemas';
import { guardedRequest, type GuardedAgents } from './http';

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const ACCEPT = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1';
export const DEFAULT_PAGE_TIMEOUT_MS = 15_000;

export interface FetchPageOptions {
  /** Agents (address policy, resolver, trusted CAs) instead of the process defaults; for tests. */
  agents?: GuardedAgents;
}

function mediaType(contentType: string | undefined): { type: string; charset?: string } {
  const [type = '', ...parameters] = (contentType ?? '').split(';');
  const charset = parameters
    .map((p) => p.trim().split('='))
    .find(([name]) => name.trim().toLowerCase() === 'charset')?.[1];
  return { type: type.trim().toLowerCase(), charset: charset?.trim().replace(/^"|"$/g, '') };
}

/**
 * Decodes with the charset the server declared, else UTF-8 (a BOM wins either way). We do not
 * sniff <meta charset>: links are ASCII in practice, and a wrong guess only affects anchor text.
 */
function decode(body: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/**
 * Fetches the page to audit through the guarded HTTP client (network guard on every hop,
 * redirects followed and recorded, one deadline, a byte cap). A page that is larger than the cap
 * is a TOO_LARGE failure, not a silently partial audit; anything but HTML is NOT_HTML; a non-2xx
 * page is HTTP. Throws only for internal faults, so the orchestrator's retry policy applies to those.
 */
export async function fetchPage(
  input: FetchPageInput,
  options: FetchPageOptions = {},
): Promise<FetchPageResult> {
  const {
    url,
    maxBytes = DEFAULT_PAGE_MAX_BYTES,
    timeoutMs = DEFAULT_PAGE_TIMEOUT_MS,
  } = FetchPageInput.parse(input);
  const outcome = await guardedRequest(url, {
    method: 'GET',
    headers: { Accept: ACCEPT },
    // Our own Accept, not a secret: it may follow the page to another origin.
    forwardAcrossOrigins: true,
    timeoutMs,
    maxBodyBytes: maxBytes,
    bodyLimitMode: 'fail',
    // A PDF or an image is NOT_HTML whatever its size: judge by the headers, then download only HTML.
    wantBody: (status, headers) =>
      status >= 200 && status <= 299 && HTML_TYPES.has(mediaType(headers['content-type']).type),
    ...(options.agents ? { agents: options.agents } : {}),
  });

  if (!outcome.ok) {
    const message =
      outcome.error.code === 'TOO_LARGE'
        ? `The page is larger than ${maxBytes} bytes`
        : outcome.error.message;
    return {
      ok: false,
      url,
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      finalUrl: outcome.finalUrl,
      redirects: outcome.redirects,
      error: { code: outcome.error.code, message },
    };
  }

  const { status, finalUrl, redirects } = outcome;
  const failed = (code: 'HTTP' | 'NOT_HTML', message: string): FetchPageResult => ({
    ok: false,
    url,
    status,
    finalUrl,
    redirects,
    error: { code, message },
  });
  if (status < 200 || status > 299) return failed('HTTP', `The page answered HTTP ${status}`);
  const contentType = outcome.headers['content-type'];
  const { type, charset } = mediaType(contentType);
  if (!HTML_TYPES.has(type)) {
    return failed('NOT_HTML', `The page is ${type === '' ? 'of no declared type' : type}, not HTML`);
  }
  return {
    ok: true,
    url,
    finalUrl,
    status,
    contentType: type,
    html: decode(outcome.body, charset),
    redirects,
  };
}

// fetchPage validates its own input.
df.app.activity('fetchPage', { handler: (input: unknown) => fetchPage(input as FetchPageInput) });
