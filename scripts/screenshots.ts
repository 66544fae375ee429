// `npm run screenshots`: the status page (desktop and 375 px) and a check run and an audit page,
// rendered by the app on tests/host with 90 days of seeded history, shot in headless Chromium
// into docs/img/. Everything it talks to runs on 127.0.0.1.
import '../bench/hostHook';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../tests/host/loader';
import { startAppHost } from '../tests/support/appHost';
import { launchBrowser } from '../tests/support/browser';
import { seedHistory } from '../tests/support/historySeed';
import { startServer } from '../tests/support/servers';

const OUT = path.join(REPO_ROOT, 'docs', 'img');

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  let apiHealthy = false;
  const site = await startServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/page') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<a href="/">Home</a> <a href="/docs/old">Docs</a> <a href="/blog/2019/launch">Launch post</a> <a href="/pricing">Pricing</a>',
      );
      return;
    }
    if (url === '/docs/old') {
      res.writeHead(301, { location: '/docs/' });
      res.end();
      return;
    }
    const ok = url.startsWith('/api') ? apiHealthy : !url.startsWith('/blog');
    setTimeout(
      () => {
        res.writeHead(ok ? 200 : url.startsWith('/blog') ? 404 : 503, { 'content-type': 'text/plain' });
        res.end(ok ? 'ok' : 'unavailable');
      },
      url.startsWith('/search') ? 180 : 20,
    );
  });
  const now = new Date();
  const app = await startAppHost({
    settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true', SITEWATCH_STATUS_TITLE: 'Acme status' },
    startTime: now,
  });
  process.env.AzureWebJobsStorage = app.host.storageConnectionString;
  const browser = await launchBrowser();
  try {
    app.host.clock.autoSkip = false;
    const monitors = [
      { name: 'website', path: '/', latencyMs: 120, outages: [{ daysAgo: 41, minutes: 95 }] },
      {
        name: 'checkout-api',
        path: '/api/health',
        latencyMs: 240,
        outages: [
          { daysAgo: 12, minutes: 30 },
          { daysAgo: 67, minutes: 400 },
        ],
      },
      { name: 'search', path: '/search?q=status', latencyMs: 180, outages: [] },
    ];
    for (const m of monitors) {
      await seedHistory({
        monitor: m.name,
        days: 90,
        now,
        everyMinutes: 10,
        latencyMs: m.latencyMs,
        outages: m.outages,
      });
      await app.api.put(`monitors/${m.name}`, {
        target: site.url(m.path),
        intervalSeconds: 60,
        failureThreshold: 2,
        recoveryThreshold: 1,
        realertMinutes: 0,
      });
    }
    await app.host.waitForIdle();
    for (let minute = 0; minute < 3; minute++) await app.host.clock.advance(60_000);
    apiHealthy = false;

    const check = await app.api.post('checks', {
      name: 'release smoke test',
      targets: ['/', '/pricing', '/search?q=a', '/api/health', '/blog/2019/launch', '/docs/'].map((p) =>
        site.url(p),
      ),
    });
    const audit = await app.api.post('audits', { url: site.url('/page') });
    await app.host.waitForStatus(check.data.id);
    await app.host.waitForStatus(audit.data.id);

    const shots = [
      { file: 'status-page.png', url: `${app.host.apiUrl}/status`, width: 1100 },
      { file: 'status-page-mobile.png', url: `${app.host.apiUrl}/status`, width: 375 },
      { file: 'run-page.png', url: `${app.host.apiUrl}/runs/${check.data.id}`, width: 1100 },
      { file: 'audit-page.png', url: `${app.host.apiUrl}/runs/${audit.data.id}`, width: 1100 },
    ];
    for (const shot of shots) {
      const page = await browser.newPage({ viewport: { width: shot.width, height: 900 } });
      await page.goto(shot.url);
      await page.screenshot({ path: path.join(OUT, shot.file), fullPage: true });
      await page.close();
      console.log(`wrote docs/img/${shot.file}`);
    }
  } finally {
    await browser.close();
    await app.stop();
    await site.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
