// The shared helper on its own: which bodies it compresses, the headers it sets, and that a body is
// compressed once however many requests it answers (the status page's flood guard relies on it).
import { brotliDecompressSync } from 'node:zlib';
import {
  CompressibleBody,
  compressedJson,
  compressedResponse,
  MIN_COMPRESS_BYTES,
} from '../../src/functions/http/compressedResponse';

const request = (headers: Record<string, string> = {}) => ({ headers: new Headers(headers) });
const page = '<li class="day up" title="2026-11-30: 100%"></li>\n'.repeat(200);

test('a body under MIN_COMPRESS_BYTES goes as it is, with no Vary: Accept-Encoding', async () => {
  const small = 'x'.repeat(MIN_COMPRESS_BYTES - 1);
  const res = await compressedResponse(request({ 'accept-encoding': 'br' }), new CompressibleBody(small), {
    'content-type': 'text/plain',
    vary: 'Accept',
  });
  expect(res.headers).toEqual({ 'content-type': 'text/plain', vary: 'Accept' });
  expect(Buffer.from(res.body as Uint8Array).toString()).toBe(small);
  const limit = await compressedResponse(
    request({ 'accept-encoding': 'br' }),
    new CompressibleBody('x'.repeat(MIN_COMPRESS_BYTES)),
    { 'content-type': 'text/plain' },
  );
  expect(limit.headers).toMatchObject({ 'content-encoding': 'br', vary: 'Accept-Encoding' });
});

test('Vary keeps the fields it had and names Accept-Encoding once', async () => {
  const vary = async (given?: string) => {
    const headers: Record<string, string> = { 'content-type': 'text/html' };
    if (given !== undefined) headers.vary = given;
    const res = await compressedResponse(request(), new CompressibleBody(page), headers);
    return (res.headers as Record<string, string>).vary;
  };
  expect(await vary()).toBe('Accept-Encoding');
  expect(await vary('Accept')).toBe('Accept, Accept-Encoding');
  expect(await vary('accept-encoding')).toBe('accept-encoding');
  expect(await vary('*')).toBe('*');
});

test('a body is compressed once per coding, however many requests share it', async () => {
  const body = new CompressibleBody(page, { etag: true });
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => compressedResponse(request({ 'accept-encoding': 'br' }), body, {})),
  );
  const bodies = new Set(answers.map((a) => a.body));
  expect(bodies.size).toBe(1);
  expect(brotliDecompressSync(answers[0]!.body as Buffer).toString()).toBe(page);
  expect(body.encoded('br')).toBe(body.encoded('br'));
  expect(body.encoded('gzip')).not.toBe(body.encoded('br'));
});

test('a 304 has no body and no Content-Type or Content-Encoding, but keeps ETag, Vary and Cache-Control', async () => {
  const body = new CompressibleBody(page, { etag: true });
  const res = await compressedResponse(
    request({ 'accept-encoding': 'gzip', 'if-none-match': body.etagOf('gzip')! }),
    body,
    { 'content-type': 'text/html', 'cache-control': 'public, max-age=30' },
  );
  expect(res).toEqual({
    status: 304,
    headers: { etag: body.etagOf('gzip'), vary: 'Accept-Encoding', 'cache-control': 'public, max-age=30' },
  });
});

test('compressedJson answers application/json, as jsonBody did', async () => {
  const value = { items: Array.from({ length: 100 }, (_, i) => ({ i, name: `item ${i}` })) };
  const res = await compressedJson(request({ 'accept-encoding': 'br' }), value, { vary: 'Accept' });
  expect(res.headers).toEqual({
    'content-type': 'application/json',
    vary: 'Accept, Accept-Encoding',
    'content-encoding': 'br',
  });
  expect(JSON.parse(brotliDecompressSync(res.body as Buffer).toString())).toEqual(value);
});
