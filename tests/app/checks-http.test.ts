// POST /api/checks end to end: tests/host runs the built app, the targets are servers on 127.0.0.1.
import { startAppHost, type AppHost } from '../support/appHost';
import { respond, startServer, type TargetServer } from '../support/servers';

jest.setTimeout(60_000);

let app: AppHost;
let target: TargetServer;

beforeAll(async () => {
  target = await startServer({
    '/ok': respond.text('all good'),
    '/missing': respond.status(404),
    '/broken': respond.status(500),
  });
  app = await startAppHost({ settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
});

afterAll(async () => {
  await app?.stop();
  await target?.close();
});

const instanceCount = () => app.host.durable.listStatus({}).items.length;

test('answers 202 with Location, Retry-After and the management URLs, then completes with a summary and a report', async () => {
  const res = await app.api.post('checks', {
    name: 'three targets',
    targets: [target.url('/ok'), { url: target.url('/missing') }, target.url('/broken')],
  });
  expect(res.status).toBe(202);
  expect(res.headers.location).toBe(res.data.statusQueryGetUri);
  expect(res.headers['retry-after']).toBeDefined();
  for (const key of [
    'id',
    'statusQueryGetUri',
    'sendEventPostUri',
    'terminatePostUri',
    'purgeHistoryDeleteUri',
  ]) {
    expect(res.data[key]).toEqual(expect.any(String));
  }

  const status = await app.host.waitForStatus(res.data.id);
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.customStatus).toEqual({ completed: 3, total: 3 });
  const output = status.output as {
    name: string;
    summary: Record<string, unknown>;
    report: { container: string; blob: string };
  };
  expect(output.name).toBe('three targets');
  expect(output.summary).toMatchObject({ total: 3, up: 1, down: 2, failuresByCode: { HTTP: 2 } });
  expect(output.report).toMatchObject({ container: 'reports', blob: `checks/${res.data.id}.json` });
  // The output stays small: no per-target results in the history's output.
  expect(JSON.stringify(output)).not.toContain('"results"');

  const report = (await app.readBlob('reports', output.report.blob)) as {
    summary: unknown;
    results: { url: string; ok: boolean; status: number }[];
  };
  expect(report.summary).toEqual(output.summary);
  expect(report.results.map((r) => [r.url, r.ok, r.status])).toEqual([
    [target.url('/ok'), true, 200],
    [target.url('/missing'), false, 404],
    [target.url('/broken'), false, 500],
  ]);
});

test('?wait returns 200 with the output when the run finishes in time', async () => {
  const res = await app.api.post('checks?wait=20', { targets: [target.url('/ok')] });
  expect(res.status).toBe(200);
  expect(res.data.summary).toMatchObject({ total: 1, up: 1, down: 0 });
});

test('every check goes through the checkUrls activity (a batch) with the validated spec', async () => {
  const before = app.host.activityCalls('checkUrls').length;
  const res = await app.api.post('checks?wait=20', {
    targets: [{ url: target.url('/ok'), expect: { bodyContains: 'all good', status: 200 } }],
  });
  expect(res.status).toBe(200);
  const calls = app.host.activityCalls('checkUrls').slice(before);
  expect(calls).toHaveLength(1);
  expect((calls[0]?.input as { specs: unknown[] }).specs).toHaveLength(1);
  expect((calls[0]?.input as { specs: unknown[] }).specs[0]).toMatchObject({
    url: target.url('/ok'),
    method: 'GET',
    timeoutMs: 10_000,
    followRedirects: true,
  });
});

describe('bad input gets 400 problem+json naming the field, and starts nothing', () => {
  const tooMany = Array.from({ length: 1001 }, (_, i) => `http://127.0.0.1/${i}`);
  const cases: [string, string, unknown, string][] = [
    ['invalid JSON', '', '{"targets": [', 'body'],
    ['an empty body', '', '', 'body'],
    ['no targets', '', { name: 'x' }, 'targets'],
    ['an empty target list', '', { targets: [] }, 'targets'],
    ['a non-http scheme', '', { targets: ['ftp://127.0.0.1/file'] }, 'targets[0].url'],
    ['a relative URL', '', { targets: ['/just/a/path'] }, 'targets[0].url'],
    ['credentials in the URL', '', { targets: ['http://user:pw@127.0.0.1/'] }, 'targets[0].url'],
    [
      'a timeout over the cap',
      '',
      { targets: [{ url: 'http://127.0.0.1/', timeoutMs: 600_000 }] },
      'targets[0].timeoutMs',
    ],
    [
      'an unknown method',
      '',
      { targets: [{ url: 'http://127.0.0.1/', method: 'BREW' }] },
      'targets[0].method',
    ],
    ['a body on GET', '', { targets: [{ url: 'http://127.0.0.1/', body: 'x' }] }, 'targets[0].body'],
    [
      'a bad status class',
      '',
      { targets: [{ url: 'http://127.0.0.1/', expect: { status: '6xx' } }] },
      'targets[0].expect.status',
    ],
    ['an unknown field', '', { targets: ['http://127.0.0.1/'], priority: 'high' }, 'body'],
    ['too many targets', '', { targets: tooMany }, 'targets'],
    ['a non-numeric wait', '?wait=soon', { targets: ['http://127.0.0.1/'] }, 'wait'],
    ['a wait over the cap', '?wait=3600', { targets: ['http://127.0.0.1/'] }, 'wait'],
  ];

  test.each(cases)('%s', async (_label, query, body, field) => {
    const before = instanceCount();
    const res = await app.api.post(`checks${query}`, typeof body === 'string' ? body : JSON.stringify(body), {
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.data).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(res.data.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(instanceCount()).toBe(before);
  });

  test('a wrong method gets 405 with Allow', async () => {
    const res = await app.api.get('checks');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
