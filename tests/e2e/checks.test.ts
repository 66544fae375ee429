// POST /api/checks as a client uses it: start, follow Location / statusQueryGetUri while honouring
// Retry-After, read the run view, purge the run, and every way a request can be refused.
import { retryAfterSeconds } from './support/api';
import { useE2e } from './support/suite';

jest.setTimeout(180_000);

const e2e = useE2e();

const MANAGEMENT_URLS = [
  'statusQueryGetUri',
  'sendEventPostUri',
  'terminatePostUri',
  'purgeHistoryDeleteUri',
];

test('202 with Location, Retry-After and the management URLs; following Location ends in the output', async () => {
  const started = await e2e.api.http.post('/api/checks', {
    name: 'e2e three targets',
    targets: [
      e2e.site.url('/ok'),
      { url: e2e.site.url('/missing') },
      { url: e2e.site.url('/broken'), method: 'get' },
    ],
  });
  expect(started.status).toBe(202);
  expect(started.headers.location).toBe(started.data.statusQueryGetUri);
  expect(retryAfterSeconds(started)).toBeGreaterThan(0);
  for (const key of MANAGEMENT_URLS) expect(started.data[key]).toEqual(expect.any(String));

  const done = await e2e.api.followUntilDone(started);
  expect(done.status).toBe(200);
  expect(done.data).toMatchObject({
    instanceId: started.data.id,
    runtimeStatus: 'Completed',
    customStatus: { completed: 3, total: 3 },
    output: {
      name: 'e2e three targets',
      summary: { total: 3, up: 1, down: 2, degraded: 0, failuresByCode: { HTTP: 2 } },
      report: { blob: `checks/${started.data.id}.json` },
    },
  });
});

test('following statusQueryGetUri from the body, then the run view, then purging the history', async () => {
  const started = await e2e.api.http.post('/api/checks', { targets: [e2e.site.url('/ok')] });
  expect(started.status).toBe(202);
  const done = await e2e.api.followUntilDone({
    ...started,
    headers: { ...started.headers, location: started.data.statusQueryGetUri },
  });
  expect(done.data.runtimeStatus).toBe('Completed');

  const id = started.data.id as string;
  const view = await e2e.api.http.get(`/api/runs/${encodeURIComponent(id)}`);
  expect(view.status).toBe(200);
  expect(view.data).toMatchObject({
    instanceId: id,
    orchestrator: 'checkSites',
    runtimeStatus: 'Completed',
    progress: { completed: 1, total: 1 },
    summary: { total: 1, up: 1, down: 0 },
    report: { container: expect.any(String), blob: `checks/${id}.json` },
    error: null,
  });
  expect(view.data.summary).toEqual(done.data.output.summary);
  expect(Date.parse(view.data.lastUpdatedTime)).toBeGreaterThanOrEqual(Date.parse(view.data.createdTime));
  expect(view.data.links.purgeHistoryDeleteUri).toEqual(expect.any(String));

  const purged = await e2e.api.http.delete(started.data.purgeHistoryDeleteUri);
  expect(purged.status).toBe(200);
  expect(purged.data).toEqual({ instancesDeleted: 1 });
  const gone = await e2e.api.http.get(`/api/runs/${encodeURIComponent(id)}`);
  expect(gone.status).toBe(404);
  expect(gone.headers['content-type']).toContain('application/problem+json');
});

describe('bad input: 400 problem+json naming the field', () => {
  const cases: Array<[string, string, string]> = [
    ['invalid JSON', '{"targets": [', 'body'],
    ['an empty body', '', 'body'],
    ['a JSON array', '[]', 'body'],
    ['no targets', JSON.stringify({ name: 'x' }), 'targets'],
    ['an empty target list', JSON.stringify({ targets: [] }), 'targets'],
    ['a non-http scheme', JSON.stringify({ targets: ['ftp://127.0.0.1/file'] }), 'targets[0].url'],
    ['a relative URL', JSON.stringify({ targets: ['/just/a/path'] }), 'targets[0].url'],
    ['credentials in the URL', JSON.stringify({ targets: ['http://user:pw@127.0.0.1/'] }), 'targets[0].url'],
    [
      'a timeout over the cap',
      JSON.stringify({ targets: [{ url: 'http://127.0.0.1/', timeoutMs: 600_000 }] }),
      'targets[0].timeoutMs',
    ],
    [
      'an unknown method',
      JSON.stringify({ targets: [{ url: 'http://127.0.0.1/', method: 'BREW' }] }),
      'targets[0].method',
    ],
    [
      'a body on GET',
      JSON.stringify({ targets: [{ url: 'http://127.0.0.1/', body: 'x' }] }),
      'targets[0].body',
    ],
    [
      'a reserved header',
      JSON.stringify({ targets: [{ url: 'http://127.0.0.1/', headers: { 'Content-Length': '5' } }] }),
      'targets[0].headers.Content-Length',
    ],
    [
      'a bad status class',
      JSON.stringify({ targets: [{ url: 'http://127.0.0.1/', expect: { status: '6xx' } }] }),
      'targets[0].expect.status',
    ],
    ['an unknown field', JSON.stringify({ targets: ['http://127.0.0.1/'], priority: 'high' }), 'body'],
    ['an empty name', JSON.stringify({ targets: ['http://127.0.0.1/'], name: ' ' }), 'name'],
  ];

  test('one target more than the documented limit', async () => {
    const schemas = e2e.api.contract.document.components as {
      schemas: { CheckRequest: { properties: { targets: { maxItems: number } } } };
    };
    const limit = schemas.schemas.CheckRequest.properties.targets.maxItems;
    const targets = Array.from({ length: limit + 1 }, (_, i) => `http://127.0.0.1/${i}`);
    const res = await e2e.api.http.post('/api/checks', { targets });
    expect(res.status).toBe(400);
    expect(res.data.errors).toEqual([{ field: 'targets', message: `at most ${limit} targets per request` }]);
  });

  test.each(cases)('%s', async (_label, body, field) => {
    const res = await e2e.api.http.post('/api/checks', body, {
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.data).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    expect(res.data.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(res.data.detail).toEqual(expect.stringContaining(res.data.errors[0].field));
  });

  test('a body over 1 MiB gets 413', async () => {
    const res = await e2e.api.http.post('/api/checks', {
      targets: ['http://127.0.0.1/'],
      name: 'x'.repeat(1_100_000),
    });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
