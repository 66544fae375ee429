// POST /api/audits as a client uses it: start, follow the status URL, read the run view, and every
// way a request can be refused.
import { useE2e } from './support/suite';

jest.setTimeout(180_000);

const e2e = useE2e();

test('an audit of a page: 202, then the counts of its broken and redirected links, and the report', async () => {
  const started = await e2e.api.http.post('/api/audits', {
    url: e2e.site.url('/page'),
    sameOriginOnly: true,
  });
  expect(started.status).toBe(202);
  expect(started.headers.location).toBe(started.data.statusQueryGetUri);

  const done = await e2e.api.followUntilDone(started);
  expect(done.status).toBe(200);
  expect(done.data.runtimeStatus).toBe('Completed');
  const id = started.data.id as string;
  expect(done.data.output).toMatchObject({
    ok: true,
    url: e2e.site.url('/page'),
    counts: { links: 3, checked: 3, broken: 1, redirected: 1, truncated: 0 },
    report: { blob: `audits/${id}.json` },
  });

  const view = await e2e.api.http.get(`/api/runs/${encodeURIComponent(id)}`);
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
  const res = await e2e.api.http.post('/api/audits?wait=30', { url: e2e.site.url('/ok') });
  expect(res.status).toBe(200);
  expect(res.data).toEqual({
    ok: false,
    url: e2e.site.url('/ok'),
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
    const res = await e2e.api.http.post('/api/audits', body, {
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.data.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});
