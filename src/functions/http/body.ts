import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import { problem, validationProblem } from './problem';

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: HttpResponseInit };

// Requests are small JSON documents; anything bigger is a client mistake, not something to buffer.
const MAX_BODY_BYTES = 1024 * 1024;

export async function parseJsonBody<S extends z.ZodType>(
  request: HttpRequest,
  schema: S,
): Promise<Parsed<z.infer<S>>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) {
    return {
      ok: false,
      response: problem(413, { detail: `The body must be at most ${MAX_BODY_BYTES} bytes.` }),
    };
  }
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    return {
      ok: false,
      response: problem(413, { detail: `The body must be at most ${MAX_BODY_BYTES} bytes.` }),
    };
  }
  if (text.trim() === '') {
    return {
      ok: false,
      response: problem(400, {
        detail: 'body: a JSON body is required',
        errors: [{ field: 'body', message: 'a JSON body is required' }],
      }),
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false,
      response: problem(400, {
        detail: 'body: must be valid JSON',
        errors: [{ field: 'body', message: 'must be valid JSON' }],
      }),
    };
  }
  const result = schema.safeParse(json);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, response: validationProblem(result.error) };
}
