import { auditFailedOutput, auditOutput, buildAuditReport, judge } from '../../src/core/auditReport';
import { AuditOutput, AuditReport, type Link, type Page } from '../../src/core/auditSchemas';
import type { CheckResult } from '../../src/core/checkSpec';

const HOME = 'https://shop.test/';
const BLOG = 'https://shop.test/blog/';

const page: Page = {
  url: 'http://shop.test/',
  finalUrl: HOME,
  status: 200,
  redirects: [{ url: 'http://shop.test/', status: 301, location: HOME }],
};

function link(url: string, overrides: Partial<Link> = {}): Link {
  return {
    url,
    kind: 'page',
    internal: url.startsWith('https://shop.test/'),
    pageUrl: HOME,
    tag: 'a',
    text: `text for ${url}`,
    occurrences: 1,
    ...overrides,
  };
}

function result(url: string, overrides: Partial<CheckResult> = {}): CheckResult {
  const failed = overrides.error !== undefined || (overrides.status ?? 200) >= 400;
  return {
    url,
    finalUrl: url,
    ok: !failed,
    status: 200,
    latencyMs: 40,
    redirects: [],
    assertions: [],
    checkedAt: '2026-01-01T00:00:00.000Z',
    bytesRead: 100,
    ...overrides,
  };
}

const error = (code: NonNullable<CheckResult['error']>['code'], message = `${code} failure`) => ({
  error: { code, message },
});

describe('judge', () => {
  test.each([
    [200, 'ok'],
    [204, 'ok'],
    [304, 'ok'],
    [400, 'broken'],
    [404, 'broken'],
    [410, 'broken'],
    [451, 'broken'],
    [500, 'broken'],
    [502, 'broken'],
    [503, 'broken'],
    [401, 'inconclusive'],
    [403, 'inconclusive'],
    [405, 'inconclusive'],
    [429, 'inconclusive'],
    [501, 'inconclusive'],
    [999, 'inconclusive'],
  ])('status %i is %s', (status, outcome) => {
    expect(judge(result('https://x.test/', { status })).outcome).toBe(outcome);
  });

  test.each(['DNS', 'CONNECT', 'TIMEOUT', 'TLS', 'TOO_LARGE', 'INVALID'] as const)(
    'a %s failure without a status is broken',
    (code) => {
      expect(judge(result('https://x.test/', { status: undefined, ...error(code) })).outcome).toBe('broken');
    },
  );

  test('a guard refusal is inconclusive, even on a redirect hop', () => {
    expect(judge(result('https://x.test/', { status: undefined, ...error('BLOCKED') }))).toEqual({
      outcome: 'inconclusive',
      reason: 'blocked',
    });
    expect(judge(result('https://x.test/', { status: 302, ...error('BLOCKED') })).outcome).toBe(
      'inconclusive',
    );
  });

  test('a redirect that ends in an error is broken; a plain final 3xx is not', () => {
    expect(
      judge(result('https://x.test/', { status: 301, ...error('HTTP', 'too many redirects') })).outcome,
    ).toBe('broken');
    expect(judge(result('https://x.test/', { status: 301 })).outcome).toBe('ok');
  });

  test('inconclusive reasons', () => {
    expect(judge(result('https://x.test/', { status: 429 }))).toEqual({
      outcome: 'inconclusive',
      reason: 'rate-limited',
    });
    expect(judge(result('https://x.test/', { status: 999 }))).toEqual({
      outcome: 'inconclusive',
      reason: 'bot-blocked',
    });
    expect(judge(result('https://x.test/', { status: 405 }))).toEqual({
      outcome: 'inconclusive',
      reason: 'method-refused',
    });
    expect(judge(result('https://x.test/', { status: 403 }))).toEqual({
      outcome: 'inconclusive',
      reason: 'auth-required',
    });
  });
});

describe('buildAuditReport', () => {
  const links: Link[] = [
    link('https://shop.test/ok'),
    link('https://shop.test/missing', { text: 'Old offer', occurrences: 2 }),
    link('https://shop.test/moved'),
    link('https://partner.test/login', { text: 'Partner login' }),
    link('https://shop.test/crash'),
    link('https://gone.test/', { text: 'Gone' }),
    link('https://shop.test/slow'),
    link('https://social.test/share', { kind: 'page' }),
    link('https://shop.test/img/hero.png', { kind: 'asset', tag: 'img', text: 'Hero' }),
    link('https://shop.test/unreached'),
    // The same broken URL found on a second page.
    link('https://shop.test/missing', { pageUrl: BLOG, text: 'Offer (blog)' }),
  ];
  const chain = [
    { url: 'https://shop.test/moved', status: 301, location: 'https://shop.test/new' },
    { url: 'https://shop.test/new', status: 302, location: 'https://shop.test/newest' },
  ];
  const results: CheckResult[] = [
    result('https://shop.test/ok'),
    result('https://shop.test/missing', { status: 404, ...error('HTTP', 'HTTP 404') }),
    result('https://shop.test/moved', { finalUrl: 'https://shop.test/newest', redirects: chain }),
    result('https://partner.test/login', { status: 403 }),
    result('https://shop.test/crash', { status: 500, ...error('HTTP', 'HTTP 500') }),
    result('https://gone.test/', { status: undefined, ...error('DNS', 'gone.test does not resolve') }),
    result('https://shop.test/slow', { latencyMs: 2500 }),
    result('https://social.test/share', { status: 999 }),
    result('https://shop.test/img/hero.png', { status: 410, ...error('HTTP', 'HTTP 410') }),
    // No result for /unreached; a result for a URL that is not a link is ignored.
    result('https://stray.test/'),
  ];

  const report = buildAuditReport({
    page,
    links,
    results,
    truncated: 7,
    generatedAt: '2026-01-01T00:01:00.000Z',
  });

  test('lists exactly the broken links with status or error and where they were found', () => {
    expect(report.broken).toEqual([
      {
        url: 'https://shop.test/missing',
        kind: 'page',
        internal: true,
        foundOn: [
          { pageUrl: HOME, tag: 'a', text: 'Old offer', occurrences: 2 },
          { pageUrl: BLOG, tag: 'a', text: 'Offer (blog)', occurrences: 1 },
        ],
        status: 404,
        error: { code: 'HTTP', message: 'HTTP 404' },
        finalUrl: 'https://shop.test/missing',
        redirects: [],
      },
      expect.objectContaining({ url: 'https://shop.test/crash', status: 500 }),
      expect.objectContaining({
        url: 'https://gone.test/',
        internal: false,
        error: { code: 'DNS', message: 'gone.test does not resolve' },
        foundOn: [{ pageUrl: HOME, tag: 'a', text: 'Gone', occurrences: 1 }],
      }),
      expect.objectContaining({ url: 'https://shop.test/img/hero.png', kind: 'asset', status: 410 }),
    ]);
    expect(report.broken[2]).not.toHaveProperty('status');
  });

  test('lists redirected links with their chain and final URL', () => {
    expect(report.redirected).toEqual([
      {
        url: 'https://shop.test/moved',
        kind: 'page',
        internal: true,
        foundOn: [{ pageUrl: HOME, tag: 'a', text: 'text for https://shop.test/moved', occurrences: 1 }],
        status: 200,
        finalUrl: 'https://shop.test/newest',
        redirects: chain,
      },
    ]);
  });

  test('lists inconclusive links separately, never as broken', () => {
    expect(report.inconclusive.map(({ url, status, reason }) => ({ url, status, reason }))).toEqual([
      { url: 'https://partner.test/login', status: 403, reason: 'auth-required' },
      { url: 'https://social.test/share', status: 999, reason: 'bot-blocked' },
    ]);
    expect(report.inconclusive[0].foundOn).toEqual([
      { pageUrl: HOME, tag: 'a', text: 'Partner login', occurrences: 1 },
    ]);
    const brokenUrls = report.broken.map((b) => b.url);
    expect(brokenUrls).not.toContain('https://partner.test/login');
    expect(brokenUrls).not.toContain('https://social.test/share');
  });

  test('lists slow links over the default 2000 ms threshold', () => {
    expect(report.slowMs).toBe(2000);
    expect(report.slow.map(({ url, latencyMs }) => ({ url, latencyMs }))).toEqual([
      { url: 'https://shop.test/slow', latencyMs: 2500 },
    ]);
  });

  test('counts every category; a link without a result is unchecked', () => {
    expect(report.counts).toEqual({
      links: 10,
      checked: 9,
      unchecked: 1,
      ok: 3,
      broken: 4,
      inconclusive: 2,
      redirected: 1,
      slow: 1,
      truncated: 7,
    });
  });

  test('carries the page and time it was given and matches its schema', () => {
    expect(report.page).toEqual(page);
    expect(report.generatedAt).toBe('2026-01-01T00:01:00.000Z');
    expect(AuditReport.parse(report)).toEqual(report);
  });

  test('is deterministic: same input, same JSON', () => {
    const again = buildAuditReport({
      page,
      links,
      results,
      truncated: 7,
      generatedAt: '2026-01-01T00:01:00.000Z',
    });
    expect(JSON.stringify(again)).toBe(JSON.stringify(report));
  });

  test('a custom slow threshold, and a broken link is not also listed as slow or redirected', () => {
    const custom = buildAuditReport({
      page,
      links: [link('https://shop.test/a'), link('https://shop.test/b')],
      results: [
        result('https://shop.test/a', { latencyMs: 600 }),
        result('https://shop.test/b', {
          status: 404,
          latencyMs: 5000,
          redirects: [{ url: 'https://shop.test/b', status: 301, location: '/c' }],
          finalUrl: 'https://shop.test/c',
        }),
      ],
      slowMs: 500,
    });
    expect(custom.slow.map((s) => s.url)).toEqual(['https://shop.test/a']);
    expect(custom.redirected).toEqual([]);
    expect(custom.broken[0]).toMatchObject({ finalUrl: 'https://shop.test/c', redirects: [{ status: 301 }] });
    expect(custom).not.toHaveProperty('generatedAt');
  });
});

describe('audit outputs', () => {
  test('auditOutput carries counts and the report location only', () => {
    const report = buildAuditReport({
      page,
      links: [link('https://shop.test/a')],
      results: [result('https://shop.test/a')],
    });
    // What saveReport answers; the output keeps only what a reader needs.
    const saved = {
      container: 'reports',
      blob: 'audits/abc.json',
      url: 'http://127.0.0.1:10000/devstoreaccount1/reports/audits/abc.json',
      bytes: 1234,
    };
    const output = auditOutput(report, saved);
    expect(output).toEqual({
      ok: true,
      url: 'http://shop.test/',
      finalUrl: HOME,
      counts: report.counts,
      report: {
        container: 'reports',
        blob: 'audits/abc.json',
        url: 'http://127.0.0.1:10000/devstoreaccount1/reports/audits/abc.json',
      },
    });
    expect(AuditOutput.parse(output)).toEqual(output);
  });

  test('auditFailedOutput explains why the page could not be audited', () => {
    const output = auditFailedOutput({
      ok: false,
      url: 'https://shop.test/feed.json',
      status: 200,
      redirects: [],
      error: { code: 'NOT_HTML', message: 'application/json is not HTML' },
    });
    expect(output).toEqual({
      ok: false,
      url: 'https://shop.test/feed.json',
      error: { code: 'NOT_HTML', message: 'application/json is not HTML' },
    });
    expect(AuditOutput.parse(output)).toEqual(output);
  });
});
