// The JSON body limit of the HTTP starters: refused with 413 before the body is buffered.
import {
  BODY_BYTES_PER_TARGET,
  checkRequestBodyLimit,
  MAX_BODY_BYTES,
  parseJsonBody,
  parseOptionalJsonBody,
  readBodyText,
} from '../../src/functions/http/body';
import { z } from 'zod';

const CHUNK = 64 * 1024;

/** A body stream of `total` bytes made on demand, counting what the reader actually pulled. */
function endlessBody(total: number, headers: Record<string, string> = {}) {
  let pulled = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      const size = Math.min(CHUNK, total - pulled);
      pulled += size;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
    cancel() {
      cancelled = true;
    },
  });
  return {
    request: { headers: new Headers(headers), body },
    pulled: () => pulled,
    cancelled: () => cancelled,
  };
}

test('a declared Content-Length over the limit is refused without reading the body', async () => {
  const source = endlessBody(10 * MAX_BODY_BYTES, { 'content-length': String(10 * MAX_BODY_BYTES) });
  const read = await readBodyText(source.request as never, MAX_BODY_BYTES);
  expect(read.ok).toBe(false);
  expect(!read.ok && read.response.status).toBe(413);
  expect(source.pulled()).toBeLessThanOrEqual(CHUNK); // at most what the stream queued up front
});

test('an undeclared body is cut off at the first chunk past the limit, and the stream cancelled', async () => {
  const total = 1024 * 1024 * 1024; // 1 GiB that must never be read
  const source = endlessBody(total);
  const read = await readBodyText(source.request as never, MAX_BODY_BYTES);
  expect(!read.ok && read.response.status).toBe(413);
  expect(source.pulled()).toBeLessThanOrEqual(MAX_BODY_BYTES + 2 * CHUNK);
  expect(source.cancelled()).toBe(true);
});

test('a body exactly at the limit is read whole', async () => {
  const source = endlessBody(3 * CHUNK);
  const read = await readBodyText(source.request as never, 3 * CHUNK);
  expect(read.ok && read.text.length).toBe(3 * CHUNK);
});

test('parseJsonBody answers 413 as a problem document, and parses what fits', async () => {
  const tooBig = await parseJsonBody(endlessBody(2 * MAX_BODY_BYTES).request as never, z.unknown());
  expect(!tooBig.ok && tooBig.response.status).toBe(413);
  expect(!tooBig.ok && JSON.stringify(tooBig.response.jsonBody)).toContain(`${MAX_BODY_BYTES} bytes`);

  const json = new TextEncoder().encode(JSON.stringify({ targets: ['http://127.0.0.1/'] }));
  const request = { headers: new Headers(), body: new Blob([json]).stream() };
  const parsed = await parseJsonBody(request as never, z.object({ targets: z.array(z.string()) }), {
    maxBytes: json.byteLength,
  });
  expect(parsed).toEqual({ ok: true, value: { targets: ['http://127.0.0.1/'] } });
});

test('an optional body (ack, pause) is empty, JSON, or refused: 413 past 1 MiB without buffering it', async () => {
  const huge = endlessBody(1024 * 1024 * 1024);
  const tooBig = await parseOptionalJsonBody(huge.request as never);
  expect(!tooBig.ok && tooBig.response.status).toBe(413);
  expect(huge.pulled()).toBeLessThanOrEqual(MAX_BODY_BYTES + 2 * CHUNK);
  expect(huge.cancelled()).toBe(true);

  const body = (text: string) => ({ headers: new Headers(), body: new Blob([text]).stream() }) as never;
  expect(await parseOptionalJsonBody(body('  \n'))).toEqual({ ok: true, value: {} });
  expect(await parseOptionalJsonBody(body('{"by":"oncall"}'))).toEqual({ ok: true, value: { by: 'oncall' } });
  const invalid = await parseOptionalJsonBody(body('{by'));
  expect(!invalid.ok && invalid.response.status).toBe(400);
});

test('the check request limit is 1 MiB up to 4,096 targets, then grows with the target ceiling', () => {
  expect(checkRequestBodyLimit(1000)).toBe(MAX_BODY_BYTES);
  expect(checkRequestBodyLimit(100_000)).toBe(100_000 * BODY_BYTES_PER_TARGET);
  // 100,000 targets of a typical size fit the limit at the ceiling.
  const typical = JSON.stringify({
    targets: Array.from({ length: 100_000 }, (_, i) => ({
      url: `https://service-${i}.example.com/health`,
      expect: { status: 200 },
    })),
  });
  expect(Buffer.byteLength(typical)).toBeLessThan(checkRequestBodyLimit(100_000));
});
