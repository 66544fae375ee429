import type { Link } from '../../src/core/auditSchemas';
import { CheckSpec } from '../../src/core/checkSpec';
import {
  cleanLinkText,
  documentBaseUrl,
  isSameOrigin,
  linksToCheckSpecs,
  MAX_LINK_TEXT,
  normalizeUrl,
  resolveLink,
} from '../../src/core/links';

const PAGE = 'https://example.test/docs/guide/intro.html?lang=en#top';

describe('resolveLink', () => {
  test.each([
    ['relative file', 'setup.html', 'https://example.test/docs/guide/setup.html'],
    ['dot segment', './setup.html', 'https://example.test/docs/guide/setup.html'],
    ['parent directory', '../api/index.html', 'https://example.test/docs/api/index.html'],
    ['parents beyond the root', '../../../../top.html', 'https://example.test/top.html'],
    ['root-relative', '/about', 'https://example.test/about'],
    ['protocol-relative', '//cdn.example.test/a.js', 'https://cdn.example.test/a.js'],
    ['query only', '?page=2', 'https://example.test/docs/guide/intro.html?page=2'],
    ['fragment dropped', 'setup.html#install', 'https://example.test/docs/guide/setup.html'],
    ['query kept, fragment dropped', '/search?q=a+b&x=1#results', 'https://example.test/search?q=a+b&x=1'],
    ['uppercase scheme and host', 'HTTPS://EXAMPLE.TEST/Path/Case', 'https://example.test/Path/Case'],
    ['default https port', 'https://example.test:443/a', 'https://example.test/a'],
    ['default http port', 'http://example.test:80/a', 'http://example.test/a'],
    ['non-default port kept', 'http://example.test:8080/a', 'http://example.test:8080/a'],
    ['surrounding whitespace', '  \n /about \t', 'https://example.test/about'],
    ['bare origin gets a path', 'https://other.test', 'https://other.test/'],
  ])('%s', (_name, href, expected) => {
    expect(resolveLink(href, PAGE)).toEqual({ ok: true, url: expected });
  });

  test.each([
    ['empty', '', 'empty'],
    ['whitespace only', '   ', 'empty'],
    ['fragment only', '#section-2', 'fragmentOnly'],
    ['mailto', 'mailto:team@example.test', 'unsupportedScheme'],
    ['tel', 'tel:+15551234', 'unsupportedScheme'],
    ['javascript', 'javascript:void(0)', 'unsupportedScheme'],
    ['javascript mixed case', 'JavaScript:alert(1)', 'unsupportedScheme'],
    ['data', 'data:image/png;base64,AAAA', 'unsupportedScheme'],
    ['ftp', 'ftp://files.example.test/a', 'unsupportedScheme'],
    ['invalid host', 'http://exa mple.test/', 'invalid'],
    ['credentials', 'https://user:secret@example.test/', 'credentials'],
    ['too long', `/${'a'.repeat(2100)}`, 'tooLong'],
  ])('refuses %s', (_name, href, reason) => {
    expect(resolveLink(href, PAGE)).toEqual({ ok: false, reason });
  });

  test('a relative reference without a base is invalid', () => {
    expect(resolveLink('about.html')).toEqual({ ok: false, reason: 'invalid' });
  });

  test('normalizeUrl normalises an absolute URL or says undefined', () => {
    expect(normalizeUrl('HTTP://Example.TEST:80/a?b=1#c')).toBe('http://example.test/a?b=1');
    expect(normalizeUrl('mailto:x@example.test')).toBeUndefined();
    expect(normalizeUrl('not a url')).toBeUndefined();
  });
});

describe('documentBaseUrl', () => {
  test('no <base> means the page URL', () => {
    expect(documentBaseUrl(PAGE)).toBe(PAGE);
    expect(documentBaseUrl(PAGE, '   ')).toBe(PAGE);
  });

  test('a relative <base href> resolves against the page URL', () => {
    expect(documentBaseUrl(PAGE, '/static/v2/')).toBe('https://example.test/static/v2/');
    expect(documentBaseUrl(PAGE, '../')).toBe('https://example.test/docs/');
  });

  test('an absolute <base href> on another origin is used as is', () => {
    expect(documentBaseUrl(PAGE, 'https://cdn.example.test/site/')).toBe('https://cdn.example.test/site/');
  });

  test('an unusable <base href> falls back to the page URL', () => {
    expect(documentBaseUrl(PAGE, 'javascript:alert(1)')).toBe(PAGE);
    expect(documentBaseUrl(PAGE, 'http://bad host/')).toBe(PAGE);
  });

  test('links resolve against the base, not the page', () => {
    const baseUrl = documentBaseUrl(PAGE, '/static/v2/');
    expect(resolveLink('app.js', baseUrl)).toEqual({
      ok: true,
      url: 'https://example.test/static/v2/app.js',
    });
    expect(resolveLink('../v1/old.js', baseUrl)).toEqual({
      ok: true,
      url: 'https://example.test/static/v1/old.js',
    });
  });
});

describe('isSameOrigin', () => {
  test.each([
    ['https://example.test/a', 'https://example.test/b?c', true],
    ['https://example.test/a', 'https://EXAMPLE.test:443/', true],
    ['https://example.test/a', 'http://example.test/a', false],
    ['https://example.test/a', 'https://www.example.test/a', false],
    ['http://example.test/a', 'http://example.test:8080/a', false],
  ])('%s vs %s', (a, b, expected) => {
    expect(isSameOrigin(a, b)).toBe(expected);
  });
});

describe('cleanLinkText', () => {
  test('trims and collapses whitespace', () => {
    expect(cleanLinkText('  Read\n\t the   docs  ')).toBe('Read the docs');
  });

  test('caps long text with an ellipsis', () => {
    const text = cleanLinkText('word '.repeat(100));
    expect(text.length).toBeLessThanOrEqual(MAX_LINK_TEXT);
    expect(text.endsWith('…')).toBe(true);
    expect(cleanLinkText('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('linksToCheckSpecs', () => {
  const link = (url: string): Link => ({
    url,
    kind: 'page',
    internal: true,
    pageUrl: PAGE,
    tag: 'a',
    text: '',
    occurrences: 1,
  });

  test('one valid GET spec per distinct URL, in link order', () => {
    const specs = linksToCheckSpecs(
      [link('https://example.test/a'), link('https://example.test/b'), link('https://example.test/a')],
      { timeoutMs: 5000 },
    );
    expect(specs).toEqual([
      { url: 'https://example.test/a', method: 'GET', timeoutMs: 5000, followRedirects: true },
      { url: 'https://example.test/b', method: 'GET', timeoutMs: 5000, followRedirects: true },
    ]);
    for (const spec of specs) expect(CheckSpec.parse(spec)).toEqual(spec);
  });

  test('uses the CheckSpec default timeout and rejects an out-of-range one', () => {
    expect(linksToCheckSpecs([link('https://example.test/a')])[0].timeoutMs).toBe(10_000);
    expect(() => linksToCheckSpecs([link('https://example.test/a')], { timeoutMs: 0 })).toThrow(RangeError);
  });

  test('leaves out a URL CheckSpec refuses', () => {
    expect(linksToCheckSpecs([link('ftp://example.test/a'), link('https://example.test/b')])).toHaveLength(1);
  });
});
