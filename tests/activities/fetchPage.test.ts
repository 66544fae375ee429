import { extractLinks } from '../../src/activities/extractLinks';
import { checkUrl } from '../../src/activities/checkUrl';
import { fetchPage } from '../../src/activities/fetchPage';
import { buildAuditReport } from '../../src/core/auditReport';
import { linksToCheckSpecs } from '../../src/core/links';
import { destroyDefaultAgents } from '../../src/activities/http';
import { FetchPageResult } from '../../src/core/auditSchemas';
import { allowPrivateNetworks, respond, startServer } from '../support/servers';
import { expectedHomeAudit, startTestSite, type TestSite } from '../support/site';

let site: TestSite;

beforeAll(async () => {
  site = await startTestSite({ hugeBytes: 512 * 1024 });
});

afterAll(async () => {
  destroyDefaultAgents();
  await site.close();
});

describe('fetchPage with private networks allowed', () => {
  let restore: () => void;
  beforeEach(() => {
    restore = allowPrivateNetworks();
  });
  afterEach(() => restore());

  test('returns the HTML, the final URL after a redirect and the chain', async () => {
    const result = await fetchPage({ url: site.url('/start') });
    expect(result).toMatchObject({
      ok: true,
      url: site.url('/start'),
      finalUrl: site.url('/'),
      status: 200,
      contentType: 'text/html',
      redirects: [{ url: site.url('/start'), status: 302, location: '/' }],
    });
    if (!result.ok) throw new Error('unreachable');
    expect(result.html).toContain('<title>Test site home</title>');
    expect(FetchPageResult.parse(result)).toEqual(result);
  });

  test('links on the fetched page resolve against its final URL', async () => {
    const result = await fetchPage({ url: site.url('/start') });
    if (!result.ok) throw new Error(`fetch failed: ${result.error.message}`);
    const extracted = extractLinks({
      html: result.html,
      pageUrl: result.finalUrl,
      maxLinks: 200,
      sameOriginOnly: false,
    });
    const expected = expectedHomeAudit(site);
    expect(extracted.links.map((l) => l.url)).toEqual(expected.links);
    expect(extracted.links.find((l) => l.url === site.url('/about.html'))?.occurrences).toBe(
      expected.aboutOccurrences,
    );
    expect(extracted.links.filter((l) => !l.internal).map((l) => l.url)).toEqual(expected.external);
  });

  test.each([
    ['/docs/guide.html', ['/about.html', '/docs/install.html', '/gone.html']],
    ['/based/', ['/static/page.html', '/about.html']],
  ])('the ../ and <base href> pages of the site: %s', async (path, expected) => {
    const result = await fetchPage({ url: site.url(path) });
    if (!result.ok) throw new Error(result.error.message);
    const { links } = extractLinks({ html: result.html, pageUrl: result.finalUrl });
    expect(links.map((l) => l.url)).toEqual(expected.map((p) => site.url(p)));
  });

  test('accepts XHTML and decodes the declared charset', async () => {
    const xhtml = await fetchPage({ url: site.url('/xhtml') });
    expect(xhtml).toMatchObject({ ok: true, contentType: 'application/xhtml+xml' });
    const latin1 = await fetchPage({ url: site.url('/latin1.html') });
    if (!latin1.ok) throw new Error(latin1.error.message);
    expect(latin1.html).toContain('café');
  });

  test('a non-HTML response is a NOT_HTML error result', async () => {
    const result = await fetchPage({ url: site.url('/data.json') });
    expect(result).toEqual({
      ok: false,
      url: site.url('/data.json'),
      status: 200,
      finalUrl: site.url('/data.json'),
      redirects: [],
      error: { code: 'NOT_HTML', message: 'The page is application/json, not HTML' },
    });
  });

  test('a large non-HTML file is NOT_HTML, judged by its headers without downloading it', async () => {
    const big = await startServer({ '/video.mp4': respond.bigBody(8 * 1024 * 1024) });
    try {
      const result = await fetchPage({ url: big.url('/video.mp4'), maxBytes: 64 * 1024 });
      expect(result).toMatchObject({ ok: false, status: 200, error: { code: 'NOT_HTML' } });
    } finally {
      await big.close();
    }
  });

  test('a page over the byte cap is a TOO_LARGE error result', async () => {
    const result = await fetchPage({ url: site.url('/huge.html'), maxBytes: 64 * 1024 });
    expect(result).toMatchObject({
      ok: false,
      url: site.url('/huge.html'),
      status: 200,
      error: { code: 'TOO_LARGE', message: `The page is larger than ${64 * 1024} bytes` },
    });
  });

  test('the same page under a cap it fits in is fetched whole', async () => {
    const result = await fetchPage({ url: site.url('/huge.html'), maxBytes: 1024 * 1024 });
    if (!result.ok) throw new Error(result.error.message);
    expect(Buffer.byteLength(result.html)).toBe(site.hugeBytes);
  });

  test('a 404 page is an HTTP error result with its status', async () => {
    expect(await fetchPage({ url: site.url('/missing') })).toMatchObject({
      ok: false,
      status: 404,
      error: { code: 'HTTP', message: 'The page answered HTTP 404' },
    });
  });

  test('a page slower than the timeout is a TIMEOUT error result', async () => {
    expect(await fetchPage({ url: site.url('/slow'), timeoutMs: 200 })).toMatchObject({
      ok: false,
      error: { code: 'TIMEOUT' },
    });
  });

  test('invalid input throws (the orchestrator validated it already)', async () => {
    await expect(fetchPage({ url: 'ftp://127.0.0.1/' })).rejects.toThrow();
    await expect(fetchPage({ url: site.url('/'), maxBytes: 10 })).rejects.toThrow();
  });
});

describe('the audit chain on the test site, without the orchestrator', () => {
  let restore: () => void;
  beforeAll(() => {
    restore = allowPrivateNetworks();
  });
  afterAll(() => restore());

  test('fetchPage -> extractLinks -> checkUrl -> buildAuditReport finds what the site holds', async () => {
    const linkTimeoutMs = 2000;
    const page = await fetchPage({ url: site.url('/start') });
    if (!page.ok) throw new Error(page.error.message);
    const extracted = extractLinks({ html: page.html, pageUrl: page.finalUrl });
    const specs = linksToCheckSpecs(extracted.links, { timeoutMs: linkTimeoutMs });
    const results = await Promise.all(specs.map((spec) => checkUrl(spec)));
    const report = buildAuditReport({
      page: { url: page.url, finalUrl: page.finalUrl, status: page.status, redirects: page.redirects },
      links: extracted.links,
      results,
      truncated: extracted.truncated,
    });

    const expected = expectedHomeAudit(site, { linkTimeoutMs });
    expect(
      report.broken.map((b) => ({
        url: b.url,
        status: b.status,
        code: b.status ? undefined : b.error?.code,
      })),
    ).toEqual(expected.broken.map((b) => ({ url: b.url, status: b.status, code: b.code })));
    expect(
      report.redirected.map((r) => ({ url: r.url, finalUrl: r.finalUrl, hops: r.redirects.length })),
    ).toEqual(expected.redirected);
    expect(report.inconclusive.map((i) => ({ url: i.url, status: i.status }))).toEqual(expected.inconclusive);
    expect(report.slow.map((s) => s.url)).toEqual(expected.slow);
    expect(report.broken[0].foundOn).toEqual([
      { pageUrl: site.url('/'), tag: 'a', text: 'Missing page', occurrences: 1 },
    ]);
    expect(report.counts).toMatchObject({
      links: expected.links.length,
      checked: expected.links.length,
      unchecked: 0,
    });
  });
});

describe('fetchPage with the default network policy', () => {
  test('refuses loopback as BLOCKED without sending a request', async () => {
    const previous = process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS;
    delete process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS;
    try {
      const before = site.server.requests;
      const result = await fetchPage({ url: site.url('/') });
      expect(result).toMatchObject({ ok: false, url: site.url('/'), error: { code: 'BLOCKED' } });
      expect(site.server.requests).toBe(before);
    } finally {
      if (previous !== undefined) process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS = previous;
    }
  });

  test('refuses loopback by hostname too (localhost)', async () => {
    const previous = process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS;
    delete process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS;
    try {
      const result = await fetchPage({ url: `http://localhost:${site.server.port}/` });
      expect(result).toMatchObject({ ok: false, error: { code: 'BLOCKED' } });
    } finally {
      if (previous !== undefined) process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS = previous;
    }
  });
});
