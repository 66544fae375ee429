// auditSite end to end: the chain fetchPage -> extractLinks -> checkSites -> report -> saveReport,
// against the small site tests/support/site.ts serves on 127.0.0.1.
import { startAppHost, type AppHost } from '../support/appHost';
import { expectedHomeAudit, startTestSite, type TestSite } from '../support/site';

jest.setTimeout(90_000);

let app: AppHost;
let site: TestSite;
// Over the default 10 s link timeout, so /slow is a link that times out.
const SLOW_DELAY_MS = 10_500;

beforeAll(async () => {
  site = await startTestSite({ slowDelayMs: SLOW_DELAY_MS });
  app = await startAppHost({ settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
});

afterAll(async () => {
  await app?.stop();
  await site?.close();
});

interface Reported {
  url: string;
  foundOn: { pageUrl: string }[];
}

test('the report lists exactly the broken, redirected and inconclusive links with the pages they were found on', async () => {
  const res = await app.api.post('audits', { url: site.url('/') });
  expect(res.status).toBe(202);
  expect(res.headers.location).toBe(res.data.statusQueryGetUri);
  const id = res.data.id as string;

  const status = await app.host.waitForStatus(id, undefined, { timeoutMs: 60_000 });
  expect(status.runtimeStatus).toBe('Completed');
  const expected = expectedHomeAudit(site);
  const output = status.output as { ok: boolean; counts: Record<string, number>; report: { blob: string } };
  expect(output.ok).toBe(true);
  expect(output.counts).toMatchObject({
    links: expected.links.length,
    broken: expected.broken.length,
    redirected: expected.redirected.length,
    inconclusive: expected.inconclusive.length,
  });
  expect(output.report.blob).toBe(`audits/${id}.json`);

  const report = (await app.readBlob('reports', output.report.blob)) as {
    broken: (Reported & { status?: number; error?: { code: string } })[];
    redirected: (Reported & { finalUrl: string; redirects: unknown[] })[];
    inconclusive: (Reported & { status?: number })[];
  };
  const home = site.url('/');
  expect(report.broken.map((b) => [b.url, b.status ?? b.error?.code])).toEqual(
    expected.broken.map((b) => [b.url, b.status ?? b.code]),
  );
  expect(report.redirected.map((r) => [r.url, r.finalUrl, r.redirects.length])).toEqual(
    expected.redirected.map((r) => [r.url, r.finalUrl, r.hops]),
  );
  expect(report.inconclusive.map((i) => [i.url, i.status])).toEqual(
    expected.inconclusive.map((i) => [i.url, i.status]),
  );
  for (const entry of [...report.broken, ...report.redirected, ...report.inconclusive]) {
    expect(entry.foundOn.map((f) => f.pageUrl)).toEqual([home]);
  }
});

test('the history shows the steps in order, each step taking the previous step output', async () => {
  const res = await app.api.post('audits', { url: site.url('/'), maxLinks: 5, sameOriginOnly: true });
  const id = res.data.id as string;
  expect((await app.host.waitForStatus(id, undefined, { timeoutMs: 60_000 })).runtimeStatus).toBe(
    'Completed',
  );

  const history = app.host.history(id);
  const scheduled = history.filter((e) => e.EventType === 4 || e.EventType === 7).map((e) => String(e.Name));
  expect(scheduled).toEqual(['fetchPage', 'extractLinks', 'checkSites', 'saveReport']);

  const completedById = new Map(
    history.filter((e) => e.EventType === 5 || e.EventType === 8).map((e) => [e.TaskScheduledId, e.Result]),
  );
  const byName = (name: string) =>
    history.find((e) => (e.EventType === 4 || e.EventType === 7) && e.Name === name)!;
  const inputOf = (name: string) => JSON.parse(String(byName(name).Input));
  const outputOf = (name: string) => JSON.parse(String(completedById.get(byName(name).EventId)));

  const page = outputOf('fetchPage');
  expect(inputOf('fetchPage')).toEqual({ url: site.url('/') });
  expect(inputOf('extractLinks')).toMatchObject({
    html: page.html,
    pageUrl: page.finalUrl,
    maxLinks: 5,
    sameOriginOnly: true,
  });
  const links = outputOf('extractLinks').links as { url: string }[];
  expect(links).toHaveLength(5);
  expect(inputOf('checkSites').targets.map((t: { url: string }) => t.url)).toEqual(links.map((l) => l.url));
  const checked = outputOf('checkSites');
  const saved = inputOf('saveReport').document;
  expect(saved.counts.checked).toBe(checked.results.length);
  expect(app.host.activityCalls('fetchPage').filter((c) => c.instanceId === id)).toHaveLength(1);
});

describe('a failure in step 1 ends the audit with a clear failed result', () => {
  test.each([
    ['a non-HTML URL', () => site.url('/data.json'), 'NOT_HTML'],
    ['a page that is too large', () => site.url('/huge.html'), 'TOO_LARGE'],
  ])('%s', async (_label, url, code) => {
    const res = await app.api.post('audits?wait=30', { url: url() });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ ok: false, url: url(), error: { code } });
    expect(res.data.error.message).toEqual(expect.any(String));
  });

  test('a guarded address', async () => {
    const guarded = await startAppHost({ settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'false' } });
    try {
      const res = await guarded.api.post('audits?wait=30', { url: site.url('/') });
      expect(res.status).toBe(200);
      expect(res.data).toMatchObject({ ok: false, error: { code: 'BLOCKED' } });
      expect(guarded.host.activityCalls('extractLinks')).toHaveLength(0);
    } finally {
      await guarded.stop();
    }
  });
});

describe('bad input gets 400 problem+json naming the field', () => {
  test.each([
    ['no url', {}, 'url'],
    ['a javascript: url', { url: 'javascript:alert(1)' }, 'url'],
    ['maxLinks over the cap', { url: 'http://127.0.0.1/', maxLinks: 100_000 }, 'maxLinks'],
    ['maxLinks not a number', { url: 'http://127.0.0.1/', maxLinks: 'many' }, 'maxLinks'],
    ['sameOriginOnly not a boolean', { url: 'http://127.0.0.1/', sameOriginOnly: 'yes' }, 'sameOriginOnly'],
  ])('%s', async (_label, body, field) => {
    const res = await app.api.post('audits', body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.data.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});
