import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import { problem, validationProblem } from './problem';

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: HttpResponseInit };

// Requests are small JSON documents; anything bigger is a client mistake, not something to buffer.
export const MAX_BODY_BYTES = 1024 * 1024;

/** What the body of one target may take on average in a check request at the target ceiling. */
export const BODY_BYTES_PER_TARGET = 256;

/**
 * The body limit of a check request: 1 MiB, or BODY_BYTES_PER_TARGET per accepted target when that is
 * more (about 24 MiB at SITEWATCH_MAX_TARGETS = 100,000), so the request the limit allows also fits.
 */
export const checkRequestBodyLimit = (maxTargets: number): number =>
  Math.max(MAX_BODY_BYTES, maxTargets * BODY_BYTES_PER_TARGET);

type BodySource = Pick<HttpRequest, 'headers' | 'body'>;

/**
 * Reads the body as text, but never more than `limit` bytes of it: a declared Content-Length over
 * the limit is refused before reading anything, and an undeclared (chunked) or lying one is cut off
 * at the first chunk past the limit, with the rest of the stream cancelled.
 */
export async function readBodyText(
  request: BodySource,
  limit: number,
): Promise<{ ok: true; text: string } | { ok: false; response: HttpResponseInit }> {
  const tooLarge = {
    ok: false as const,
    response: problem(413, { detail: `The body must be at most ${limit} bytes.` }),
  };
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) return tooLarge;
  if (!request.body) return { ok: true, text: '' };
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel();
      return tooLarge;
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks, bytes).toString('utf8') };
}

export async function parseJsonBody<S extends z.ZodType>(
  request: BodySource,
  schema: S,
  options: { maxBytes?: number } = {},
): Promise<Parsed<z.infer<S>>> {
  const read = await readBodyText(request, options.maxBytes ?? MAX_BODY_BYTES);
  if (!read.ok) return read;
  const { text } = read;
  if (text.trim() === '') {
    return {
      ok: false,
      response: problem(400, {
        detail: 'body: a JSON body is required',
        errors: [{ field: 'body', message: 'a JSON body is required' }],
      }),
    };
  }
  const json = parseJson(text);
  if (!json.ok) return json;
  const result = schema.safeParse(json.value);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, response: validationProblem(result.error) };
}

/** A body that may be empty (then `{}`), read under the same 1 MiB limit; the caller validates it. */
export async function parseOptionalJsonBody(request: BodySource): Promise<Parsed<unknown>> {
  const read = await readBodyText(request, MAX_BODY_BYTES);
  if (!read.ok) return read;
  return read.text.trim() === '' ? { ok: true, value: {} } : parseJson(read.text);
}

function parseJson(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return {
      ok: false,
      response: problem(400, {
        detail: 'body: must be valid JSON',
        errors: [{ field: 'body', message: 'must be valid JSON' }],
      }),
    };
  }
}
