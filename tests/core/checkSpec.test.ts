import {
  CheckRequest,
  CheckResult,
  CheckSpec,
  CheckTarget,
  checkRequestSchema,
  DEFAULT_TIMEOUT_MS,
  ErrorCode,
  MAX_HEADERS,
  MAX_REQUEST_BODY_BYTES,
  MAX_URL_LENGTH,
  parseCheckTarget,
} from '../../src/core/checkSpec';
import fc from 'fast-check';

function issues(
  schema: {
    safeParse(v: unknown): {
      success: boolean;
      error?: { issues: { path: PropertyKey[]; message: string }[] };
    };
  },
  value: unknown,
) {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('CheckSpec', () => {
  test('applies defaults', () => {
    expect(CheckSpec.parse({ url: 'https://example.com/' })).toEqual({
      url: 'https://example.com/',
      method: 'GET',
      timeoutMs: DEFAULT_TIMEOUT_MS,
      followRedirects: true,
    });
  });

  test('keeps every field and upper-cases the method', () => {
    const spec = CheckSpec.parse({
      url: 'http://example.com/api',
      method: 'post',
      headers: { Authorization: 'Bearer x', 'X-Trace': '1' },
      body: '{"a":1}',
      timeoutMs: 60_000,
      expect: { status: [200, '3xx'], bodyContains: 'ok', maxLatencyMs: 500, minCertDays: 14 },
      followRedirects: false,
    });
    expect(spec.method).toBe('POST');
    expect(spec.expect).toEqual({
      status: [200, '3xx'],
      bodyContains: 'ok',
      maxLatencyMs: 500,
      minCertDays: 14,
    });
    expect(spec.followRedirects).toBe(false);
  });

  test.each([
    ['ftp://example.com/', 'url', /http or https/],
    ['file:///etc/passwd', 'url', /http or https/],
    ['javascript:alert(1)', 'url', /http or https/],
    ['not a url', 'url', /absolute URL/],
    ['/relative', 'url', /absolute URL/],
    ['https://user:secret@example.com/', 'url', /credentials/],
    [`https://example.com/${'a'.repeat(MAX_URL_LENGTH)}`, 'url', /2048/],
  ])('refuses url %s', (url, path, message) => {
    const found = issues(CheckSpec, { url });
    expect(found).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  test.each([
    ['method', { method: 'TRACE' }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: 60_001 }],
    ['timeoutMs', { timeoutMs: 1.5 }],
    ['expect.status', { expect: { status: 99 } }],
    ['expect.status', { expect: { status: '6xx' } }],
    ['expect.status', { expect: { status: [] } }],
    ['expect.bodyContains', { expect: { bodyContains: '' } }],
    ['expect.maxLatencyMs', { expect: { maxLatencyMs: -1 } }],
    ['expect.minCertDays', { expect: { minCertDays: -1 } }],
    ['expect', { expect: { statuss: 200 } }],
    ['', { followRedirect: true }],
    ['headers.Bad Name', { headers: { 'Bad Name': 'x' } }],
    ['headers.X-Evil', { headers: { 'X-Evil': 'a\r\nInjected: 1' } }],
    ['headers.X-Emoji', { headers: { 'X-Emoji': '😀' } }],
    ['headers.X-Control', { headers: { 'X-Control': 'a\u0001b' } }],
    ['headers.Content-Length', { headers: { 'Content-Length': '5' } }],
    ['headers.transfer-encoding', { headers: { 'transfer-encoding': 'chunked' } }],
    ['body', { method: 'GET', body: 'x' }],
    ['body', { method: 'POST', body: 'x'.repeat(MAX_REQUEST_BODY_BYTES + 1) }],
  ] as [string, Record<string, unknown>][])('refuses a bad %s (case %#)', (path, fields) => {
    const found = issues(CheckSpec, { url: 'https://example.com/', ...fields });
    expect(found.map((i) => i.path)).toContain(path);
  });

  test('bounds the number of headers', () => {
    const headers = Object.fromEntries(Array.from({ length: MAX_HEADERS + 1 }, (_, i) => [`x-h${i}`, 'v']));
    expect(issues(CheckSpec, { url: 'https://example.com/', headers })).toContainEqual({
      path: 'headers',
      message: expect.stringContaining(String(MAX_HEADERS)),
    });
    const fine = Object.fromEntries(Array.from({ length: MAX_HEADERS }, (_, i) => [`x-h${i}`, 'v']));
    expect(CheckSpec.safeParse({ url: 'https://example.com/', headers: fine }).success).toBe(true);
  });

  test('counts the body in UTF-8 bytes', () => {
    const fourByteChars = '😀'.repeat(MAX_REQUEST_BODY_BYTES / 4);
    expect(
      CheckSpec.safeParse({ url: 'https://example.com/', method: 'PUT', body: fourByteChars }).success,
    ).toBe(true);
    expect(
      CheckSpec.safeParse({ url: 'https://example.com/', method: 'PUT', body: fourByteChars + 'x' }).success,
    ).toBe(false);
  });
});

describe('CheckTarget', () => {
  test('a plain string means { url }', () => {
    expect(CheckTarget.parse('https://example.com/')).toEqual(
      CheckSpec.parse({ url: 'https://example.com/' }),
    );
  });

  test('a bad string is reported at url', () => {
    expect(issues(CheckTarget, 'gopher://x/')).toContainEqual({ path: 'url', message: expect.any(String) });
  });
});

describe('checkRequestSchema', () => {
  test('normalises targets and keeps the name', () => {
    const request = CheckRequest.parse({
      targets: ['https://a.example/', { url: 'https://b.example/', method: 'head' }],
      name: ' nightly ',
    });
    expect(request.name).toBe('nightly');
    expect(request.targets.map((t) => [t.url, t.method])).toEqual([
      ['https://a.example/', 'GET'],
      ['https://b.example/', 'HEAD'],
    ]);
  });

  test('needs at least one target and points at the bad one', () => {
    expect(issues(CheckRequest, { targets: [] }).map((i) => i.path)).toEqual(['targets']);
    expect(issues(CheckRequest, { targets: ['https://ok.example/', 'nope'] }).map((i) => i.path)).toEqual([
      'targets.1.url',
    ]);
    expect(issues(CheckRequest, { targets: ['https://ok.example/'], extra: 1 }).map((i) => i.path)).toEqual([
      '',
    ]);
  });

  test('caps targets at 1,000 by default and at maxTargets when given', () => {
    const targets = (n: number) => Array.from({ length: n }, (_, i) => `https://example.com/${i}`);
    expect(CheckRequest.safeParse({ targets: targets(1000) }).success).toBe(true);
    expect(issues(CheckRequest, { targets: targets(1001) })).toContainEqual({
      path: 'targets',
      message: 'at most 1000 targets per request',
    });
    const schema = checkRequestSchema({ maxTargets: 3 });
    expect(schema.safeParse({ targets: targets(3) }).success).toBe(true);
    expect(schema.safeParse({ targets: targets(4) }).success).toBe(false);
    expect(checkRequestSchema({ maxTargets: 5000 }).safeParse({ targets: targets(1001) }).success).toBe(true);
  });
});

describe('CheckResult', () => {
  const result = {
    url: 'https://example.com/',
    finalUrl: 'https://example.com/',
    ok: false,
    status: 503,
    latencyMs: 12,
    redirects: [],
    assertions: [{ name: 'status', ok: false, expected: '2xx or 3xx', actual: 503 }],
    error: { code: 'HTTP', message: 'HTTP 503' },
    checkedAt: '2026-01-01T00:00:00.000Z',
    bytesRead: 4,
  };

  test('accepts a result and has no place for request headers or body', () => {
    expect(CheckResult.parse(result)).toEqual(result);
    const parsed = CheckResult.parse({ ...result, headers: { authorization: 'secret' }, body: 'secret' });
    expect(JSON.stringify(parsed)).not.toContain('secret');
  });

  test('rejects unknown error codes and non-ISO times', () => {
    expect(CheckResult.safeParse({ ...result, error: { code: 'NOPE', message: '' } }).success).toBe(false);
    expect(CheckResult.safeParse({ ...result, checkedAt: 'yesterday' }).success).toBe(false);
  });

  test('ErrorCode lists the documented codes', () => {
    expect(ErrorCode.options).toEqual([
      'DNS',
      'CONNECT',
      'TIMEOUT',
      'TLS',
      'TOO_LARGE',
      'BLOCKED',
      'HTTP',
      'ASSERTION',
      'INVALID',
      'TRUNCATED',
      'UNKNOWN',
    ]);
  });

  test('Trailer, Expect and the other headers Node sets or refuses are refused up front', () => {
    for (const name of ['Trailer', 'expect', 'Content-Length', 'Transfer-Encoding', 'Connection', 'TE']) {
      const parsed = CheckSpec.safeParse({ url: 'https://example.com/', headers: { [name]: 'X' } });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0].path).toEqual(['headers', name]);
    }
  });

  test('forwardAcrossOrigins is an optional boolean', () => {
    expect(CheckSpec.parse({ url: 'https://example.com/' }).forwardAcrossOrigins).toBeUndefined();
    expect(
      CheckSpec.parse({ url: 'https://example.com/', forwardAcrossOrigins: true }).forwardAcrossOrigins,
    ).toBe(true);
    expect(CheckSpec.safeParse({ url: 'https://example.com/', forwardAcrossOrigins: 'yes' }).success).toBe(
      false,
    );
  });
});

describe('parseCheckTarget (the fast path for a bare URL)', () => {
  // The fast path must answer exactly what the schema answers: same success, same spec; its
  // rejections are the schema's own (same issues).
  const same = (input: unknown) => {
    const fast = parseCheckTarget(input);
    const reference = CheckTarget.safeParse(input);
    expect(fast.success).toBe(reference.success);
    if (reference.success) {
      expect(fast.data).toStrictEqual(reference.data);
      expect(Object.keys(fast.data!)).toEqual(Object.keys(reference.data));
    } else expect(fast.error?.issues).toEqual(reference.error.issues);
  };
  const urlish = fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.webUrl().map((u) => `  ${u}\t`),
    fc.webUrl().map((u) => u.replace('://', '://user:pw@')),
    fc.webUrl().map((u) => u.replace(/^https?/, 'ftp')),
    fc.webUrl().map((u) => u + 'x'.repeat(MAX_URL_LENGTH)),
    fc.constantFrom(
      '',
      '   ',
      'not a url',
      'http://',
      'https://[::1]/',
      'javascript:alert(1)',
      'HTTP://EXAMPLE.COM',
    ),
    fc.string(),
  );

  test('a URL string or { url } alone: the same answer as CheckTarget', () => {
    fc.assert(
      fc.property(urlish, (url) => {
        same(url);
        same({ url });
      }),
      { numRuns: 500 },
    );
  });

  test('anything else goes to the schema', () => {
    for (const input of [
      { url: 'https://example.com/', method: 'post' },
      { url: 'https://example.com/', extra: 1 },
      { url: 42 },
      { url: ['https://example.com/'] },
      ['https://example.com/'],
      null,
      undefined,
      42,
      {},
    ])
      same(input);
    expect(parseCheckTarget({ url: 'https://example.com/', method: 'post' })).toMatchObject({
      success: true,
      data: { method: 'POST' },
    });
  });

  test('the length limit counts the trimmed URL', () => {
    const base = 'https://example.com/';
    same(` ${base}${'a'.repeat(MAX_URL_LENGTH - base.length)} `);
    same(`${base}${'a'.repeat(MAX_URL_LENGTH - base.length + 1)}`);
    expect(parseCheckTarget(`${base}${'a'.repeat(MAX_URL_LENGTH - base.length + 1)}`).success).toBe(false);
  });
});
