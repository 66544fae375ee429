import { extractLinks } from '../../src/activities/extractLinks';

const PAGE = 'https://example.test/blog/post.html';

function urls(html: string, options: { pageUrl?: string; maxLinks?: number; sameOriginOnly?: boolean } = {}) {
  return extractLinks({ html, pageUrl: options.pageUrl ?? PAGE, ...options }).links.map((l) => l.url);
}

describe('extractLinks', () => {
  test('reads a[href] as pages and img/link/script as assets, in document order', () => {
    const result = extractLinks({
      pageUrl: PAGE,
      html: `<!doctype html><html><head>
        <link rel="stylesheet" href="/css/site.css">
        <script src="/js/app.js"></script>
      </head><body>
        <a href="/about">About us</a>
        <img src="/img/logo.png" alt="Company logo">
        <a name="anchor-without-href">not a link</a>
        <script>var s = '<a href="/in-script">x</a>';</script>
      </body></html>`,
    });
    expect(result.links.map(({ url, kind, tag }) => ({ url, kind, tag }))).toEqual([
      { url: 'https://example.test/css/site.css', kind: 'asset', tag: 'link' },
      { url: 'https://example.test/js/app.js', kind: 'asset', tag: 'script' },
      { url: 'https://example.test/about', kind: 'page', tag: 'a' },
      { url: 'https://example.test/img/logo.png', kind: 'asset', tag: 'img' },
    ]);
    expect(result.baseUrl).toBe(PAGE);
    expect(result.found).toBe(4);
    expect(result.truncated).toBe(0);
  });

  test('resolves relative and ../ links against the page URL and normalises them', () => {
    expect(
      urls(`
        <a href="next.html">next</a>
        <a href="../index.html">up</a>
        <a href="./next.html#comments">next again</a>
        <a href="HTTPS://Example.TEST:443/Blog/">case</a>
        <a href="http://example.test:80/plain">port</a>
        <a href="?page=2">query</a>`),
    ).toEqual([
      'https://example.test/blog/next.html',
      'https://example.test/index.html',
      'https://example.test/Blog/',
      'http://example.test/plain',
      'https://example.test/blog/post.html?page=2',
    ]);
  });

  test('the first <base href> decides resolution, even for links before it', () => {
    const result = extractLinks({
      pageUrl: PAGE,
      html: `<html><head>
        <link rel="icon" href="favicon.ico">
        <base href="/static/v2/">
        <base href="https://ignored.test/">
      </head><body><a href="../v1/page.html">old</a><a href="/root">root</a></body></html>`,
    });
    expect(result.baseUrl).toBe('https://example.test/static/v2/');
    expect(result.links.map((l) => l.url)).toEqual([
      'https://example.test/static/v2/favicon.ico',
      'https://example.test/static/v1/page.html',
      'https://example.test/root',
    ]);
  });

  test('a <base> without href is ignored', () => {
    expect(urls('<base target="_blank"><a href="x.html">x</a>')).toEqual([
      'https://example.test/blog/x.html',
    ]);
  });

  test('de-duplicates, keeping the first occurrence and counting all of them', () => {
    const result = extractLinks({
      pageUrl: PAGE,
      html: `<a href="/pricing">See pricing</a>
        <a href="https://example.test/pricing#plans">Plans</a>
        <a href="/pricing">pricing again</a>
        <a href="/other">Other</a>`,
    });
    expect(result.links).toEqual([
      {
        url: 'https://example.test/pricing',
        kind: 'page',
        internal: true,
        pageUrl: PAGE,
        tag: 'a',
        text: 'See pricing',
        occurrences: 3,
      },
      {
        url: 'https://example.test/other',
        kind: 'page',
        internal: true,
        pageUrl: PAGE,
        tag: 'a',
        text: 'Other',
        occurrences: 1,
      },
    ]);
  });

  test('drops fragment-only, empty and non-web links and counts why', () => {
    const result = extractLinks({
      pageUrl: PAGE,
      html: `<a href="#top">top</a><a href="">self</a>
        <a href="mailto:hi@example.test">mail</a><a href="tel:+1555">call</a>
        <a href="javascript:void(0)">js</a><img src="data:image/gif;base64,R0lGOD">
        <a href="ftp://files.example.test/">ftp</a>
        <a href="https://user:pw@example.test/private">creds</a>
        <link rel="preconnect" href="https://fonts.example.test">
        <link rel="DNS-Prefetch" href="//cdn.example.test">
        <a href="/kept">kept</a>`,
    });
    expect(result.links.map((l) => l.url)).toEqual(['https://example.test/kept']);
    expect(result.skipped).toEqual({
      empty: 1,
      fragmentOnly: 1,
      unsupportedScheme: 5,
      invalid: 0,
      credentials: 1,
      tooLong: 0,
      external: 0,
      resourceHint: 2,
    });
  });

  test('marks links internal or external by the origin of the page', () => {
    const result = extractLinks({
      pageUrl: PAGE,
      html: `<a href="/a">a</a><a href="http://example.test/b">other scheme</a>
        <a href="https://www.example.test/c">subdomain</a><a href="https://example.test:8443/d">port</a>`,
    });
    expect(result.links.map((l) => [l.url, l.internal])).toEqual([
      ['https://example.test/a', true],
      ['http://example.test/b', false],
      ['https://www.example.test/c', false],
      ['https://example.test:8443/d', false],
    ]);
  });

  test('internal is judged against the page, not against a cross-origin <base>', () => {
    const result = extractLinks({
      pageUrl: PAGE,
      html: '<base href="https://cdn.example.test/"><a href="lib.js">lib</a><a href="https://example.test/x">x</a>',
    });
    expect(result.links.map((l) => [l.url, l.internal])).toEqual([
      ['https://cdn.example.test/lib.js', false],
      ['https://example.test/x', true],
    ]);
  });

  test('sameOriginOnly keeps internal links and counts the external ones it drops', () => {
    const result = extractLinks({
      pageUrl: PAGE,
      sameOriginOnly: true,
      html: `<a href="https://elsewhere.test/">out</a><a href="/in">in</a>
        <a href="https://elsewhere.test/">out again</a><img src="https://cdn.example.test/i.png">`,
    });
    expect(result.links.map((l) => l.url)).toEqual(['https://example.test/in']);
    expect(result.skipped.external).toBe(3);
  });

  test('maxLinks keeps the first distinct links and reports how many were left out', () => {
    const html = Array.from({ length: 12 }, (_, i) => `<a href="/p${i % 10}">p${i % 10}</a>`).join('');
    const result = extractLinks({ pageUrl: PAGE, html, maxLinks: 4 });
    expect(result.links.map((l) => l.url)).toEqual([
      'https://example.test/p0',
      'https://example.test/p1',
      'https://example.test/p2',
      'https://example.test/p3',
    ]);
    expect(result.found).toBe(10);
    expect(result.truncated).toBe(6);
    expect(result.links[0].occurrences).toBe(2);
  });

  test('defaults: at most 200 links, external links kept', () => {
    const html = Array.from({ length: 250 }, (_, i) => `<a href="https://site${i}.test/">${i}</a>`).join('');
    const result = extractLinks({ pageUrl: PAGE, html });
    expect(result.links).toHaveLength(200);
    expect(result.truncated).toBe(50);
  });

  test('anchor text is trimmed, collapsed, decoded and capped; img alt is the text of images', () => {
    const long = 'very '.repeat(100);
    const result = extractLinks({
      pageUrl: PAGE,
      html: `<a href="/a">
          Read <b>the</b>
          &amp; docs   </a>
        <a href="/b">${long}</a>
        <a href="/c"><img src="/icon.svg" alt="Settings icon"></a>
        <a href="/d" aria-label="Close dialog"><svg></svg></a>
        <img src="/photo.jpg" alt="  A   photo ">`,
    });
    const text = Object.fromEntries(result.links.map((l) => [new URL(l.url).pathname, l.text]));
    expect(text['/a']).toBe('Read the & docs');
    expect(text['/b'].length).toBeLessThanOrEqual(200);
    expect(text['/b'].startsWith('very very')).toBe(true);
    expect(text['/c']).toBe('Settings icon');
    expect(text['/icon.svg']).toBe('Settings icon');
    expect(text['/d']).toBe('Close dialog');
    expect(text['/photo.jpg']).toBe('A photo');
  });

  test('records where each link was found: the page URL and the tag', () => {
    const [link] = extractLinks({
      pageUrl: PAGE,
      html: '<script src="https://cdn.test/x.js"></script>',
    }).links;
    expect(link).toMatchObject({ pageUrl: PAGE, tag: 'script', kind: 'asset', internal: false, text: '' });
  });

  test('decodes entities in attribute values and copes with broken HTML', () => {
    expect(
      urls(`<p><a href="/search?a=1&amp;b=2">search<div><a href='/unclosed'>open <a href=/bare>bare</a>`),
    ).toEqual([
      'https://example.test/search?a=1&b=2',
      'https://example.test/unclosed',
      'https://example.test/bare',
    ]);
  });

  test('rejects invalid input', () => {
    expect(() => extractLinks({ html: '', pageUrl: 'ftp://example.test/' })).toThrow();
    expect(() => extractLinks({ html: '', pageUrl: PAGE, maxLinks: 1001 })).toThrow();
  });
});
