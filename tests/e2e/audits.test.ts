// POST /api/audits as a client uses it: start, follow the status URL, read the run view, and every
// way a request can be refused.
import { createApi, type Api } from './support/api';
import { startDeployment, type Deployment } from './support/deployment';
import { startTargetSite, type TargetSite } from './support/targetSite';

jest.setTimeout(180_000);

let deployment: Deployment;
let api: Api;
let site: TargetSite;

beforeAll(async () => {
  site = await startTargetSite();
  deployment = await startDeployment();
  api = await createApi(deployment);
});

afterAll(async () => {
  await deployment?.stop();
  await site?.close();
});

test('an audit of a page: 202, then the counts of its broken and redirected links, and the report', async () => {
  const started = await api.http.post('/api/audits', { url: site.url('/page'), sameOriginOnly: true });
  expect(started.status).toBe(202);
  expect(started.headers.location).toBe(started.data.statusQueryGetUri);

  const done = await api.followUntilDone(started);
  expect(done.status).toBe(200);
  expect(done.data.runtimeStatus).toBe('Completed');
  const id = started.data.id as string;
  expect(done.data.output).toMatchObject({
    ok: true,
    url: site.url('/page'),
    counts: { links: 3, checked: 3, broken: 1, redirected: 1, truncated: 0 },
    report: { blob: `audits/${id}.json` },
  });

  const view = await api.http.get(`/api/runs/${encodeURIComponent(id)}`);
  expect(view.status).toBe(200);
  expect(view.data).toMatchObject({
    orchestrator: 'auditSite',
    runtimeStatus: 'Completed',
    progress: { step: 'done' },
    summary: done.data.output.counts,
    report: done.data.output.report,
  });
});

test('a page that is not HTML completes with ok: false and the reason', async () => {
  const res = await api.http.post('/api/audits?wait=30', { url: site.url('/ok') });
  expect(res.status).toBe(200);
  expect(res.data).toEqual({
    ok: false,
    url: site.url('/ok'),
    error: { code: 'NOT_HTML', message: expect.any(String) },
  });
});

describe('bad input: 400 problem+json naming the field', () => {
  const cases: Array<[string, string, string]> = [
    ['invalid JSON', '{"url":', 'body'],
    ['an empty body', '', 'body'],
    ['no url', JSON.stringify({ maxLinks: 5 }), 'url'],
    ['a mailto URL', JSON.stringify({ url: 'mailto:someone@example.test' }), 'url'],
    ['maxLinks 0', JSON.stringify({ url: 'http://127.0.0.1/', maxLinks: 0 }), 'maxLinks'],
    ['maxLinks over the cap', JSON.stringify({ url: 'http://127.0.0.1/', maxLinks: 5000 }), 'maxLinks'],
    ['a fractional maxLinks', JSON.stringify({ url: 'http://127.0.0.1/', maxLinks: 2.5 }), 'maxLinks'],
    [
      'sameOriginOnly as a string',
      JSON.stringify({ url: 'http://127.0.0.1/', sameOriginOnly: 'yes' }),
      'sameOriginOnly',
    ],
    ['an unknown field', JSON.stringify({ url: 'http://127.0.0.1/', depth: 3 }), 'body'],
  ];

  test.each(cases)('%s', async (_label, body, field) => {
    const res = await api.http.post('/api/audits', body, { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.data.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});
