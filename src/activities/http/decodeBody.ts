// Content decoding of response bodies, done here instead of by axios: axios decodes with
// Z_SYNC_FLUSH (a truncated gzip or brotli body then ends "successfully" with whatever was
// decoded) and passes unknown encodings through as if they were the body. Here a body that cannot
// be decoded, whatever its encoding, fails with ContentDecodingError, so a check judges it DOWN.
import { PassThrough, Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';

/** What we can decode, sent as Accept-Encoding unless the caller sets its own. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

/** The body could not be decoded: unsupported encoding, corrupt or truncated compressed data. */
export class ContentDecodingError extends Error {
  override readonly name = 'ContentDecodingError';
  readonly code = 'ERR_SITEWATCH_DECODING';
  constructor(
    readonly encoding: string,
    detail: string,
  ) {
    super(`Cannot decode the ${encoding} response body: ${detail}`);
  }
}

/**
 * "deflate" is the zlib format (RFC 9110), but some servers send raw deflate data under that name;
 * browsers accept both, so the first byte decides (a zlib header has compression method 8 and a
 * header checksum divisible by 31).
 */
class DeflateDecoder extends Transform {
  private inner: zlib.Inflate | zlib.InflateRaw | undefined;
  private pendingCallback: TransformCallback | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    if (this.inner === undefined) {
      const zlibHeader =
        chunk.length >= 2 && (chunk[0] & 0x0f) === 8 && ((chunk[0] << 8) | chunk[1]) % 31 === 0;
      this.inner = zlibHeader ? zlib.createInflate() : zlib.createInflateRaw();
      this.inner.on('data', (data: Buffer) => this.push(data));
      this.inner.on('error', (err) => this.destroy(err));
      this.inner.on('end', () => {
        const done = this.pendingCallback;
        this.pendingCallback = undefined;
        done?.();
      });
    }
    this.inner.write(chunk, () => callback());
  }

  override _flush(callback: TransformCallback): void {
    if (this.inner === undefined) return callback();
    this.pendingCallback = callback;
    this.inner.end();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.inner?.destroy();
    callback(err);
  }
}

function decoderFor(encoding: string): Transform | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return new DeflateDecoder();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}

/** Errors that a decoder (not the network) raised; tagged when they happen. */
const decodingFailures = new WeakMap<object, string>();

/** The ContentDecodingError for an error raised by a decoder, else undefined. */
export function asDecodingError(err: unknown): ContentDecodingError | undefined {
  if (err instanceof ContentDecodingError) return err;
  if (err === null || typeof err !== 'object') return undefined;
  const encoding = decodingFailures.get(err);
  if (encoding === undefined) return undefined;
  const message = (err as { message?: unknown }).message;
  return new ContentDecodingError(encoding, typeof message === 'string' ? message : 'invalid data');
}

/**
 * The decoded body of a response with the given Content-Encoding (a list, applied in order, so
 * decoded last to first). No encoding, or "identity": the stream itself.
 */
export function decodeBody(raw: Readable, contentEncoding: string | undefined): Readable {
  if (contentEncoding === undefined || contentEncoding === '') return raw;
  const encodings = contentEncoding
    .toLowerCase()
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'identity');
  if (encodings.length === 0) return raw;
  const decoders: Transform[] = [];
  for (const encoding of encodings.reverse()) {
    const decoder = decoderFor(encoding);
    if (decoder === undefined) {
      raw.destroy();
      const failed = new PassThrough();
      failed.destroy(new ContentDecodingError(encoding, 'unsupported content encoding'));
      return failed;
    }
    // Registered before pipeline's own listeners, so the tag is set before the error travels on.
    // An error the network raised reaches the decoders too (pipeline destroys them with it): those
    // are recognised as the raw stream's and not tagged.
    decoder.on('error', (err: Error) => {
      if (!networkErrors.has(err) && !decodingFailures.has(err)) decodingFailures.set(err, encoding);
    });
    decoders.push(decoder);
  }
  raw.on('error', (err: Error) => networkErrors.add(err));
  // The last stream is destroyed with the first error, which the body reader then sees.
  return pipeline([raw, ...decoders], () => undefined) as unknown as Readable;
}

const networkErrors = new WeakSet<Error>();
