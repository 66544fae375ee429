// Property-based fuzzing (fast-check) of the API's request bodies and query strings, through the
// built app on tests/host: every answer is a 2xx or a 400 problem+json, never a 500, and a 400
// never leaves a run behind. Valid bodies only ever name a target on 127.0.0.1.
import fc from 'fast-check';
import { FUZZ_RUNS } from '../support/hostileServer';
import { useHostileApp } from '../support/hostileApp';

jest.setTimeout(180_000);

const hostile = useHostileApp();

const instances = () => hostile.app.host.durable.listStatus({}).items.length;

/** Sends `body` as given (a string is sent verbatim) and checks the invariant. */
async function expectAnswered(method: 'post' | 'put', path: string, body: unknown): Promise<number> {
  const before = instances();
  const res = await hostile.app.api.request({
    method,
    url: path,
    data: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    transformRequest: [(data: unknown) => data],
  });
  const seen = { path, status: res.status };
  if (res.status >= 200 && res.status < 300) return res.status;
  expect(seen).toEqual({ path, status: 400 });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.data).toMatchObject({ status: 400, title: expect.any(String) });
  expect(instances()).toBe(before);
  return res.status;
}

// Pieces a CheckSpec is made of, valid and not. The only valid URL is the local target.
const url = () =>
  fc.oneof(
    fc.constant(hostile.server.behaviourUrl('ok')),
    fc.constantFrom(
      'ftp://127.0.0.1/',
      'http://u:p@127.0.0.1/',
      'not a url',
      '',
      'javascript:alert(1)',
      'http://',
      'http://[::1',
      '//127.0.0.1/',
    ),
    fc.string({ maxLength: 30 }),
  );
const header = fc.dictionary(
  fc.oneof(
    fc.constantFrom('Authorization', 'Trailer', 'Content-Length', 'X-Ok', 'Bad Name', ''),
    fc.string({ maxLength: 10 }),
  ),
  fc.oneof(fc.constantFrom('ok', 'a\r\nb', '\u0000', 'ü', '€'), fc.string({ maxLength: 10 })),
  { maxKeys: 3 },
);
const spec = () =>
  fc.oneof(
    url(),
    fc.record(
      {
        url: url(),
        method: fc.oneof(
          fc.constantFrom('GET', 'post', 'HEAD', 'TRACE', 'CONNECT', ''),
          fc.string({ maxLength: 5 }),
        ),
        headers: header,
        body: fc.string({ maxLength: 20 }),
        timeoutMs: fc.oneof(fc.integer({ min: -5, max: 70_000 }), fc.double(), fc.constant('5')),
        followRedirects: fc.oneof(fc.boolean(), fc.constant('yes')),
        forwardAcrossOrigins: fc.oneof(fc.boolean(), fc.constant(1)),
        expect: fc.oneof(
          fc.record(
            { status: fc.oneof(fc.integer(), fc.constantFrom('2xx', '6xx', [200], [])) },
            { requiredKeys: [] },
          ),
          fc.anything({ maxDepth: 1 }),
        ),
        extra: fc.anything({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    ),
    fc.anything({ maxDepth: 2 }),
  );
// Mostly valid: so that the 2xx side of the invariant is exercised too.
const validCheckBody = () =>
  fc.record(
    {
      targets: fc.array(
        fc.oneof(
          fc.constant(hostile.server.behaviourUrl('ok')),
          fc.record(
            {
              url: fc.constant(hostile.server.behaviourUrl('ok')),
              method: fc.constantFrom('GET', 'HEAD', 'post'),
              timeoutMs: fc.integer({ min: 1, max: 60_000 }),
              expect: fc.record({ status: fc.constantFrom(200, '2xx', [200, '3xx']) }),
            },
            { requiredKeys: ['url'] },
          ),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      name: fc.string({ maxLength: 10 }),
    },
    { requiredKeys: ['targets'] },
  );
const checkBody = () =>
  fc.oneof(
    validCheckBody(),
    fc.record(
      {
        targets: fc.oneof(fc.array(spec(), { maxLength: 3 }), fc.anything({ maxDepth: 1 })),
        name: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
      },
      { requiredKeys: [] },
    ),
    fc.anything({ maxDepth: 2 }),
    // Not JSON at all, or JSON with a twist.
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      '{',
      '{"targets": [}',
      '[]',
      'null',
      '"x"',
      '{"targets": ["http://127.0.0.1:1/"]}x',
      '\u0000',
    ),
  );
const auditBody = () =>
  fc.oneof(
    fc.record(
      {
        url: url(),
        maxLinks: fc.oneof(fc.integer({ min: -1, max: 2000 }), fc.string()),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    ),
    fc.anything({ maxDepth: 2 }),
    fc.string({ maxLength: 40 }),
  );

const queryValue = fc.oneof(
  fc.constantFrom('', '0', '1', '-1', '1e3', 'NaN', '999999', ' 3', '3.5', 'true', '0x10'),
  fc.string({ maxLength: 8 }),
);
const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('wait', 'name', ''), fc.string({ maxLength: 5 })), queryValue), {
    maxLength: 3,
  })
  .map((params) => params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

test('POST /api/checks: any body, any query', async () => {
  const statuses = new Set<number>();
  await fc.assert(
    fc.asyncProperty(checkBody(), fc.oneof(fc.constantFrom('', 'wait=5'), query), async (body, qs) => {
      statuses.add(await expectAnswered('post', `checks?${qs}`, body));
    }),
    { numRuns: FUZZ_RUNS.checkRequests },
  );
  // Both sides of the invariant were exercised.
  expect([...statuses].some((s) => s < 300)).toBe(true);
  expect(statuses.has(400)).toBe(true);
});

test('POST /api/audits: any body, any query', async () => {
  await fc.assert(
    fc.asyncProperty(auditBody(), query, async (body, qs) => {
      await expectAnswered('post', `audits?${qs}`, body);
    }),
    { numRuns: FUZZ_RUNS.auditRequests },
  );
});

test('PUT /api/monitors/{name}: any body', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.anything({ maxDepth: 2 }), fc.string({ maxLength: 40 })), async (body) => {
      await expectAnswered('put', 'monitors/fuzzed', body);
    }),
    { numRuns: FUZZ_RUNS.monitorRequests },
  );
});
