// A small website on 127.0.0.1 for link-audit tests (fetchPage, extractLinks and the end-to-end
// audit). The home page links to one of each case an audit must handle; `expectedHomeAudit`
// says what a correct audit of it finds, so tests assert against one description of the site.
//
//   const site = await startTestSite({ slowDelayMs: 3000 });
//   ... audit site.url('/') with a link timeout below 3000 ms ...
//   await site.close();
import type { ServerResponse } from 'node:http';
import { respond, startServer, type Handler, type TargetServer } from './servers';

export interface TestSiteOptions {
  /**
   * How long /slow takes to answer. Default 5000: a slow link under the default 10 s link timeout.
   * Above the link timeout it is a broken (TIMEOUT) link; see expectedHomeAudit.
   */
  slowDelayMs?: number;
  /** Size of /huge.html. Default 3 MiB (over fetchPage's default 2 MiB cap). */
  hugeBytes?: number;
}

export interface TestSite {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  url(path?: string): string;
  /** The site itself: connection and request counters. */
  readonly server: TargetServer;
  /** A second origin (another port) the home page links to: its links are external. */
  readonly partner: TargetServer;
  readonly slowDelayMs: number;
  readonly hugeBytes: number;
  close(): Promise<void>;
}

function page(title: string, body: string, head = ''): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title>${head}</head>\n<body>\n${body}\n</body></html>\n`;
}

function html(content: string, contentType = 'text/html; charset=utf-8'): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(content);
  };
}

function bytes(content: Buffer, contentType: string): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': String(content.length) });
    res.end(content);
  };
}

/** Streams `size` bytes of valid-looking HTML with back-pressure (never all in memory). */
function hugeHtml(size: number): Handler {
  return (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    const chunk = Buffer.from(`<p>${'padding '.repeat(8000)}</p>\n`);
    let left = size;
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    pump();
  };
}

// 1x1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

function homePage(partner: string): string {
  return page(
    'Test site home',
    `<nav id="top">
  <a href="/">Home</a>
  <a href="about.html">About</a>
  <a href="/docs/guide.html">Guide</a>
  <a href="/based/">Based</a>
</nav>
<main>
  <p><a href="/missing">Missing page</a> and <a href="/error">Server error</a></p>
  <p><a href="/old">Old address</a> moved twice.</p>
  <p><a href="/data.json">Data feed</a> is not HTML.</p>
  <p><a href="/slow">Slow page</a> takes its time.</p>
  <p><a href="/forbidden">Members only</a></p>
  <p><a href="/about.html#team">Our
     team</a> and <a href="/about.html">about us, again</a></p>
  <p><a href="#top">Back to top</a> <a href="mailto:team@example.test">Mail us</a>
     <a href="tel:+15550100">Call us</a> <a href="javascript:void(0)">Menu</a></p>
  <p><a href="${partner}/">Our partner</a></p>
  <img src="/assets/logo.png" alt="Site logo">
  <img src="/assets/missing.png" alt="Missing picture">
</main>`,
    '<link rel="stylesheet" href="/assets/site.css"><script src="/assets/app.js"></script>',
  );
}

export async function startTestSite(options: TestSiteOptions = {}): Promise<TestSite> {
  const slowDelayMs = options.slowDelayMs ?? 5000;
  const hugeBytes = options.hugeBytes ?? 3 * 1024 * 1024;
  const partner = await startServer({ '/': html(page('Partner', '<p>Partner site</p>')) });
  let server: TargetServer;
  try {
    server = await startServer({
      '/': html(homePage(partner.origin)),
      // The page moved: fetching /start lands on / after one redirect.
      '/start': respond.redirect(302, '/'),
      '/about.html': html(page('About', '<p>About us</p><a href="/">Home</a>')),
      '/docs/guide.html': html(
        page(
          'Guide',
          '<a href="../about.html">About (parent directory)</a> <a href="./install.html">Install</a> <a href="../gone.html">Gone</a>',
        ),
      ),
      '/docs/install.html': html(page('Install', '<p>Install</p>')),
      '/based/': html(
        page(
          'Based',
          '<a href="page.html">Static page</a> <a href="../about.html">About</a>',
          '<base href="/static/">',
        ),
      ),
      '/static/page.html': html(page('Static', '<p>static</p>')),
      '/xhtml': html(
        '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><a href="/about.html">About</a></body></html>',
        'application/xhtml+xml',
      ),
      // "café" in ISO-8859-1: é is the single byte 0xE9.
      '/latin1.html': bytes(
        Buffer.from('<html><body><a href="/about.html">caf\u00e9</a></body></html>', 'latin1'),
        'text/html; charset=ISO-8859-1',
      ),
      '/missing': respond.status(404, 'not found'),
      '/error': respond.status(500, 'boom'),
      '/forbidden': respond.status(403, 'forbidden'),
      '/old': respond.redirect(301, '/older'),
      '/older': respond.redirect(302, '/about.html'),
      '/data.json': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      },
      '/slow': respond.slow(slowDelayMs, html(page('Slow', '<p>finally</p>'))),
      '/huge.html': hugeHtml(hugeBytes),
      '/assets/site.css': bytes(Buffer.from('body { color: #222 }'), 'text/css'),
      '/assets/app.js': bytes(Buffer.from('console.log("hi")'), 'text/javascript'),
      '/assets/logo.png': bytes(PNG, 'image/png'),
    });
  } catch (err) {
    await partner.close();
    throw err;
  }
  return {
    origin: server.origin,
    url: (path = '/') => server.url(path),
    server,
    partner,
    slowDelayMs,
    hugeBytes,
    close: async () => {
      await Promise.all([server.close(), partner.close()]);
    },
  };
}

export interface ExpectedHomeAudit {
  /** Distinct checkable links on the home page, in document order. */
  links: string[];
  /** /slow is among them (TIMEOUT) when the link timeout is not above slowDelayMs. */
  broken: { url: string; status?: number; code?: string }[];
  /** /slow when it answers within the link timeout but over the report's slow threshold. */
  slow: string[];
  redirected: { url: string; finalUrl: string; hops: number }[];
  inconclusive: { url: string; status: number }[];
  /** Links to the partner origin. */
  external: string[];
  /** How often /about.html is referenced (three spellings, one URL). */
  aboutOccurrences: number;
}

export interface ExpectedAuditOptions {
  /** The per-link check timeout the audit uses. Default 10000 (the CheckSpec default). */
  linkTimeoutMs?: number;
  /** The report's slow threshold. Default 2000 (DEFAULT_SLOW_MS). */
  slowMs?: number;
}

/** What a correct audit of `site.url('/')` finds. */
export function expectedHomeAudit(site: TestSite, options: ExpectedAuditOptions = {}): ExpectedHomeAudit {
  const u = (path: string) => site.url(path);
  const timesOut = site.slowDelayMs >= (options.linkTimeoutMs ?? 10_000);
  const slow = !timesOut && site.slowDelayMs > (options.slowMs ?? 2000);
  return {
    links: [
      u('/assets/site.css'),
      u('/assets/app.js'),
      u('/'),
      u('/about.html'),
      u('/docs/guide.html'),
      u('/based/'),
      u('/missing'),
      u('/error'),
      u('/old'),
      u('/data.json'),
      u('/slow'),
      u('/forbidden'),
      site.partner.url('/'),
      u('/assets/logo.png'),
      u('/assets/missing.png'),
    ],
    broken: [
      { url: u('/missing'), status: 404 },
      { url: u('/error'), status: 500 },
      ...(timesOut ? [{ url: u('/slow'), code: 'TIMEOUT' }] : []),
      { url: u('/assets/missing.png'), status: 404 },
    ],
    slow: slow ? [u('/slow')] : [],
    redirected: [{ url: u('/old'), finalUrl: u('/about.html'), hops: 2 }],
    inconclusive: [{ url: u('/forbidden'), status: 403 }],
    external: [site.partner.url('/')],
    aboutOccurrences: 3,
  };
}
