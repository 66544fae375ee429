// The human-facing answers (status page, status.json, run pages, the OpenAPI document) come
// compressed when the request allows it, through tests/host's real HTTP server and raw node:http
// requests, which decode nothing: what is asserted is the bytes on the wire.
import http from 'node:http';
import path from 'node:path';
import zlib, { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startAppHost, type AppHost } from '../support/appHost';
import { startServer, type TargetServer } from '../support/servers';

jest.setTimeout(180_000);

const MONITORS = 20;
let app: AppHost;
let target: TargetServer;
// Set before the app loads, so the helper's compressor is this spy: it counts compressions.
const brotliCalls = jest.spyOn(zlib, 'brotliCompress');

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(`${app.host.apiUrl}/${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

function decode(res: Raw): Buffer {
  const coding = res.headers['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(res.body);
  if (coding === 'gzip') return gunzipSync(res.body);
  if (coding === undefined) return res.body;
  throw new Error(`unexpected Content-Encoding ${coding}`);
}

/** The hash part of an ETag: `"h"`, `W/"h-br"` and `W/"h-gzip"` are variants of one body. */
const bodyHash = (etag: string | undefined) => etag?.replace(/^W\//, '').replace(/^"|(-br|-gzip)?"$/g, '');

/**
 * The identity answer and one with `acceptEncoding`, from the same status document: the document is
 * rebuilt every 5 seconds (its "Updated" time changes), so a pair that straddles a rebuild, which the
 * ETags show, is asked again.
 */
async function pair(path: string, acceptEncoding: string): Promise<{ identity: Raw; encoded: Raw }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [identity, encoded] = await Promise.all([
      get(path),
      get(path, { 'accept-encoding': acceptEncoding }),
    ]);
    if (bodyHash(identity.headers.etag) === bodyHash(encoded.headers.etag)) return { identity, encoded };
  }
  throw new Error(`no two answers of ${path} from the same document in 5 attempts`);
}

beforeAll(async () => {
  target = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  app = await startAppHost({ settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
  app.host.clock.autoSkip = false;
  for (let i = 0; i < MONITORS; i++) {
    const name = `site-${String(i).padStart(2, '0')}`;
    const res = await app.api.put(`monitors/${name}`, {
      target: target.url(`/${name}`),
      intervalSeconds: 300,
      failureThreshold: 2,
      recoveryThreshold: 1,
      realertMinutes: 0,
    });
    expect(res.status).toBe(201);
  }
  await app.host.waitForIdle();
});

afterAll(async () => {
  await app?.stop();
  await target?.close();
});

describe('GET /api/status', () => {
  it('answers br to a browser, decoding to exactly the identity page, at a fraction of its size', async () => {
    const { identity, encoded } = await pair('status', 'gzip, deflate, br, zstd');
    expect(identity.status).toBe(200);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.toString()).toContain(`<h3 id="m-${MONITORS - 1}">`);
    expect(encoded.status).toBe(200);
    expect(encoded.headers['content-encoding']).toBe('br');
    expect(encoded.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(encoded.headers['cache-control']).toBe(identity.headers['cache-control']);
    expect(Number(encoded.headers['content-length'])).toBe(encoded.body.length);
    expect(decode(encoded).equals(identity.body)).toBe(true);
    // The page is one repeated card per monitor: it compresses far better than 5 to 1.
    expect(encoded.body.length).toBeLessThan(identity.body.length / 5);
    for (const res of [identity, encoded]) expect(res.headers.vary).toBe('Accept-Encoding');
  });

  it('answers gzip when gzip is what the client takes', async () => {
    for (const accept of ['gzip, deflate', 'br;q=0, gzip', 'br;q=0.5, gzip;q=0.9', 'x-gzip']) {
      const { identity, encoded } = await pair('status', accept);
      expect({ accept, coding: encoded.headers['content-encoding'] }).toEqual({ accept, coding: 'gzip' });
      expect(decode(encoded).equals(identity.body)).toBe(true);
      expect(encoded.body.length).toBeLessThan(identity.body.length / 5);
    }
  });

  it('answers without a coding to no Accept-Encoding, identity, refusals and codings it does not make', async () => {
    for (const accept of [undefined, '', 'identity', 'gzip;q=0', 'br;q=0, gzip;q=0', 'deflate', 'zstd']) {
      const res = await get('status', accept === undefined ? {} : { 'accept-encoding': accept });
      expect({ accept, status: res.status, coding: res.headers['content-encoding'] }).toEqual({
        accept,
        status: 200,
        coding: undefined,
      });
      expect(res.headers.vary).toBe('Accept-Encoding');
      expect(res.body.toString('utf8')).toMatch(/^<!doctype html>/i);
    }
  });

  it('gives each variant its own ETag, and a 304 only for the variant the client holds', async () => {
    const { identity, encoded } = await pair('status', 'br');
    const strong = identity.headers.etag!;
    expect(strong).toMatch(/^"[^"]+"$/);
    expect(encoded.headers.etag).toBe(`W/${strong.slice(0, -1)}-br"`);
    const again = await get('status', { 'accept-encoding': 'br', 'if-none-match': encoded.headers.etag! });
    // The same document unless it was rebuilt in between (then a 200 with a new ETag is right).
    if (again.status === 304) {
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(encoded.headers.etag);
      expect(again.headers.vary).toBe('Accept-Encoding');
      expect(again.headers['content-encoding']).toBeUndefined();
    } else {
      expect(again.headers.etag).not.toBe(encoded.headers.etag);
    }
  });
});

test('a flood of br requests for one status document compresses it once', async () => {
  // A fresh document, not one an earlier test already compressed (the app's own dist module).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app's own dist modules
  const statusData = require(path.resolve('dist/src/functions/statusData.js')) as {
    forgetCachedStatus(): void;
  };
  statusData.forgetCachedStatus();
  brotliCalls.mockClear();
  const answers = await Promise.all(
    Array.from({ length: 30 }, () => get('status', { 'accept-encoding': 'br' })),
  );
  const documents = new Set(answers.map((a) => bodyHash(a.headers.etag)));
  for (const res of answers) expect(res.headers['content-encoding']).toBe('br');
  // Usually one document; a flood that straddles the 5-second rebuild sees two.
  expect(documents.size).toBeLessThanOrEqual(2);
  expect(brotliCalls.mock.calls.length).toBe(documents.size);
});

test('status.json: br and gzip decode to the same document', async () => {
  for (const accept of ['br', 'gzip']) {
    const { identity, encoded } = await pair('status.json', accept);
    expect(identity.headers['content-type']).toBe('application/json');
    expect(encoded.headers['content-type']).toBe('application/json');
    expect(encoded.headers['content-encoding']).toBe(accept);
    expect(decode(encoded).equals(identity.body)).toBe(true);
    expect(JSON.parse(decode(encoded).toString()).monitors).toHaveLength(MONITORS);
    expect(encoded.body.length).toBeLessThan(identity.body.length / 5);
    expect(encoded.headers.vary).toBe('Accept-Encoding');
  }
});

test('openapi.json: ETag per variant, If-None-Match answers 304 for the variant it names', async () => {
  const identity = await get('openapi.json');
  const br = await get('openapi.json', { 'accept-encoding': 'br' });
  const gzip = await get('openapi.json', { 'accept-encoding': 'gzip' });
  expect(br.headers['content-encoding']).toBe('br');
  expect(gzip.headers['content-encoding']).toBe('gzip');
  expect(decode(br).equals(identity.body)).toBe(true);
  expect(decode(gzip).equals(identity.body)).toBe(true);
  const strong = identity.headers.etag!;
  expect(strong).toMatch(/^"[^"]+"$/);
  expect(new Set([strong, br.headers.etag, gzip.headers.etag]).size).toBe(3);
  expect(br.headers.etag).toBe(`W/${strong.slice(0, -1)}-br"`);
  expect(gzip.headers.etag).toBe(`W/${strong.slice(0, -1)}-gzip"`);

  const cases: Array<[Record<string, string>, number, string | undefined]> = [
    [{ 'if-none-match': strong }, 304, strong],
    [{ 'if-none-match': br.headers.etag!, 'accept-encoding': 'br' }, 304, br.headers.etag],
    // If-None-Match compares weakly: the W/ prefix does not matter.
    [{ 'if-none-match': br.headers.etag!.slice(2), 'accept-encoding': 'br' }, 304, br.headers.etag],
    [
      { 'if-none-match': `"other", ${gzip.headers.etag!}`, 'accept-encoding': 'gzip' },
      304,
      gzip.headers.etag,
    ],
    [{ 'if-none-match': '*', 'accept-encoding': 'gzip' }, 304, gzip.headers.etag],
    // A client holding the identity body that now takes br gets the br body, and the other way round.
    [{ 'if-none-match': strong, 'accept-encoding': 'br' }, 200, br.headers.etag],
    [{ 'if-none-match': br.headers.etag! }, 200, strong],
    [{ 'if-none-match': '"stale"', 'accept-encoding': 'gzip' }, 200, gzip.headers.etag],
  ];
  for (const [headers, status, etag] of cases) {
    const res = await get('openapi.json', headers);
    expect({ headers, status: res.status, etag: res.headers.etag }).toEqual({ headers, status, etag });
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(res.headers['cache-control']).toBe('no-cache');
    if (status === 304) {
      expect(res.body.length).toBe(0);
      expect(res.headers['content-encoding']).toBeUndefined();
    } else {
      expect(decode(res).equals(identity.body)).toBe(true);
    }
  }
});

test('runs/{id}: the HTML page and the JSON view are compressed too, with both Vary fields', async () => {
  const started = await app.api.post('checks', {
    targets: Array.from({ length: 30 }, (_, i) => target.url(`/page-${i}`)),
  });
  expect(started.status).toBe(202);
  const id = started.data.id as string;
  await app.host.waitForStatus(id);
  const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  for (const accept of [html, 'application/json']) {
    const identity = await get(`runs/${id}`, { accept });
    const br = await get(`runs/${id}`, { accept, 'accept-encoding': 'gzip, deflate, br' });
    const gzip = await get(`runs/${id}`, { accept, 'accept-encoding': 'gzip' });
    expect(identity.status).toBe(200);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(br.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    for (const res of [identity, br, gzip]) {
      expect(res.headers.vary).toBe('Accept, Accept-Encoding');
      expect(res.headers['content-type']).toMatch(accept === html ? /^text\/html/ : /^application\/json/);
    }
    expect(decode(br).equals(identity.body)).toBe(true);
    expect(decode(gzip).equals(identity.body)).toBe(true);
    expect(br.body.length).toBeLessThan(identity.body.length / 3);
  }
});
