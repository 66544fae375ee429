import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { chooseCoding, type Choice, type Coding } from '../../core/acceptEncoding';

// The Functions host sends a handler's bytes as they are and compresses nothing by default on
// Linux, so the human-facing pages (a status page of 100 monitors is about 1 MB of HTML) are
// compressed here, for clients that ask for it:
// - Azure/azure-functions-host#9338 and #7285: compression happened only where IIS fronts the
//   Windows workers; on Linux (our Flex Consumption plan) Kestrel serves the host and compresses
//   nothing. Azure/azure-functions-host#10870 (2025) added ASP.NET's compression middleware to the
//   host behind an opt-in feature flag (AzureWebJobsFeatureFlags=EnableResponseCompression), off
//   by default and not set by infra/.
// - Even where that flag or IIS is on, an answer that already has a Content-Encoding is left
//   alone (dotnet/aspnetcore src/Middleware/ResponseCompression/src/ResponseCompressionProvider.cs,
//   ShouldCompressResponse returns false when the response has Content-Encoding), so nothing is
//   compressed twice.
// - The host copies the worker's headers onto the answer and writes a byte body unchanged
//   (Azure/azure-functions-host@89dc438 src/WebJobs.Script/Binding/Http/RawScriptResult.cs lines
//   45-69 and 94-118: headers added as given, byte[] through ByteArrayOutputFormatter), and the
//   Node library turns every body into bytes (@azure/functions src/converters/toRpcHttp.ts), so a
//   Buffer body with its Content-Encoding reaches the client as sent. tests/host does the same.
//
// BREACH does not apply: these pages carry no secret a cross-site request could ride on (the
// status pages are public; run pages need the function key in the request itself, not a cookie).

/** Smaller bodies go as they are: a compressed kilobyte saves less than it costs to ask for it. */
export const MIN_COMPRESS_BYTES = 1024;

// Brotli 5 is the fast end of its good range: a 1 MB status page goes to about 64 KB in about 17 ms
// (quality 4: 82 KB, 11 ms; 11: 38 KB, 800 ms). gzip at its default level 6 is about 88 KB, 8 ms.
const BROTLI_QUALITY = 5;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

function compress(coding: Coding, bytes: Buffer): Promise<Buffer> {
  if (coding === 'gzip') return gzipAsync(bytes);
  return brotli(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

/**
 * One body and its compressed forms, each made once on first use and kept with it: a body cached
 * by its caller (the status page's, for its 5-second document) is compressed once, however many
 * requests it answers.
 */
export class CompressibleBody {
  readonly bytes: Buffer;
  /** The strong ETag of the uncompressed bytes, when asked for. */
  readonly etag: string | undefined;
  readonly #encoded = new Map<Coding, Promise<Buffer>>();

  constructor(body: string | Uint8Array, options: { etag?: boolean } = {}) {
    this.bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    this.etag = options.etag
      ? `"${createHash('sha256').update(this.bytes).digest('base64url').slice(0, 27)}"`
      : undefined;
  }

  encoded(coding: Coding): Promise<Buffer> {
    let encoded = this.#encoded.get(coding);
    if (encoded === undefined) {
      encoded = compress(coding, this.bytes);
      this.#encoded.set(coding, encoded);
      // A failed compression must not stay cached; the caller sees the failure.
      encoded.catch(() => this.#encoded.delete(coding));
    }
    return encoded;
  }

  /**
   * The ETag of one variant. A compressed variant must not share the identity bytes' strong ETag
   * (RFC 9110 §8.8.3: a strong ETag promises these exact bytes), and compressors are not
   * guaranteed to give the same bytes on another Node version or instance, so it gets a weak ETag
   * with the coding as a suffix.
   */
  etagOf(choice: Choice): string | undefined {
    if (this.etag === undefined || choice === 'identity') return this.etag;
    return `W/${this.etag.slice(0, -1)}-${choice}"`;
  }
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ is ignored on both sides. */
export function noneMatch(header: string | null, etag: string): boolean {
  if (header === null) return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  if (header.trim() === '*') return false;
  return !header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

function addVary(vary: string | undefined, field: string): string {
  if (!vary) return field;
  const fields = vary.split(',').map((f) => f.trim().toLowerCase());
  return fields.includes(field.toLowerCase()) || fields.includes('*') ? vary : `${vary}, ${field}`;
}

/**
 * A 200 answer with `body` in the coding the request's Accept-Encoding prefers (br, gzip or none),
 * `Vary: Accept-Encoding` whenever the coding depended on it, and, for a body with an ETag, that
 * variant's ETag and a 304 (no body) when If-None-Match already has it. `headers` (names in lower
 * case) must include the Content-Type: a byte body gets none by default.
 */
export async function compressedResponse(
  request: Pick<HttpRequest, 'headers'>,
  body: CompressibleBody,
  headers: Record<string, string>,
): Promise<HttpResponseInit> {
  const out: Record<string, string> = { ...headers };
  let choice: Choice = 'identity';
  if (body.bytes.length >= MIN_COMPRESS_BYTES) {
    choice = chooseCoding(request.headers.get('accept-encoding'));
    out.vary = addVary(out.vary, 'Accept-Encoding');
  }
  const etag = body.etagOf(choice);
  if (etag !== undefined) {
    out.etag = etag;
    if (!noneMatch(request.headers.get('if-none-match'), etag)) {
      // RFC 9110 §15.4.5: a 304 carries the ETag, Vary and Cache-Control a 200 would have.
      delete out['content-type'];
      return { status: 304, headers: out };
    }
  }
  if (choice === 'identity') return { status: 200, headers: out, body: body.bytes };
  out['content-encoding'] = choice;
  return { status: 200, headers: out, body: await body.encoded(choice) };
}

/** A JSON answer through compressedResponse, typed as jsonBody would type it. */
export function compressedJson(
  request: Pick<HttpRequest, 'headers'>,
  value: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResponseInit> {
  return compressedResponse(request, new CompressibleBody(JSON.stringify(value)), {
    'content-type': 'application/json',
    ...headers,
  });
}
