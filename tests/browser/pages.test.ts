// The status page and the run pages in real headless Chromium: what a visitor sees matches the
// history, and every page passes axe-core (no serious or critical violation), has no console
// error or failed request, no horizontal scroll at 375 px, and a visible keyboard focus.
import type { ServerResponse } from 'node:http';
import type { Browser } from 'playwright-core';
import { startAppHost, type AppHost } from '../support/appHost';
import {
  horizontalOverflow,
  launchBrowser,
  seriousViolations,
  tabAndInspectFocus,
  watchedPage,
} from '../support/browser';
import { startServer, type TargetServer } from '../support/servers';

jest.setTimeout(180_000);

let app: AppHost;
let target: TargetServer;
let browser: Browser;
const runs: Record<'check' | 'audit', string> = { check: '', audit: '' };
// Answers to /hold wait here until the test lets them go, so a run stays Running meanwhile.
const held: ServerResponse[] = [];

const AUDITED_PAGE = `<!doctype html><html><body>
<a href="/shop">Shop</a> <a href="/missing">A broken link</a> <a href="/moved">An old link</a>
</body></html>`;

beforeAll(async () => {
  target = await startServer((req, res) => {
    if (req.url === '/hold') {
      held.push(res);
    } else if (req.url === '/page') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(AUDITED_PAGE);
    } else if (req.url === '/moved') {
      res.writeHead(301, { location: '/shop' });
      res.end();
    } else if (req.url?.startsWith('/shop')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    } else {
      res.writeHead(req.url?.startsWith('/missing') ? 404 : 503, { 'content-type': 'text/plain' });
      res.end('no');
    }
  });
  [app, browser] = await Promise.all([
    // Starts in the past so the rounds advanced below are not in the future of the page's real clock.
    startAppHost({
      settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' },
      startTime: new Date(Date.now() - 15 * 60_000),
    }),
    launchBrowser(),
  ]);
  app.host.clock.autoSkip = false;
  const monitor = (path: string) => ({
    target: target.url(path),
    intervalSeconds: 60,
    failureThreshold: 2,
    recoveryThreshold: 1,
    realertMinutes: 0,
  });
  await app.api.put('monitors/web-shop', monitor('/shop'));
  await app.api.put('monitors/payments-api', monitor('/api'));
  await app.api.put('monitors/queued', { ...monitor('/shop'), intervalSeconds: 3600 });
  await app.host.waitForIdle();
  for (let minute = 0; minute < 4; minute++) await app.host.clock.advance(60_000);

  const check = await app.api.post('checks', {
    targets: [target.url('/shop'), target.url('/api'), target.url('/missing')],
  });
  const audit = await app.api.post('audits', { url: target.url('/page') });
  runs.check = check.data.id;
  runs.audit = audit.data.id;
  await Promise.all([app.host.waitForStatus(runs.check), app.host.waitForStatus(runs.audit)]);
});

afterAll(async () => {
  for (const res of held) res.destroy();
  await browser?.close();
  await app?.stop();
  await target?.close();
});

const pages = () => [
  { name: 'status page', url: `${app.host.apiUrl}/status` },
  { name: 'check run page', url: `${app.host.apiUrl}/runs/${runs.check}` },
  { name: 'audit page', url: `${app.host.apiUrl}/runs/${runs.audit}` },
];

test('the status page shows what the history says: an up monitor, a down one and its open incident', async () => {
  const { page, problems } = await watchedPage(browser);
  const response = await page.goto(`${app.host.apiUrl}/status`);
  // Chromium asks for br, and what it renders below is the page decoded from it.
  expect(response?.headers()['content-encoding']).toBe('br');
  const card = (name: string) => page.locator('section.card', { has: page.locator('h3', { hasText: name }) });
  await expect(card('web-shop').locator('.pill').textContent()).resolves.toBe('Up');
  await expect(card('payments-api').locator('.pill').textContent()).resolves.toBe('Down');
  await expect(card('payments-api').locator('.incident').textContent()).resolves.toContain(
    'Ongoing incident',
  );
  await expect(page.locator('.banner').textContent()).resolves.toContain('Some systems are having problems');
  // The 90-day bar: today's cell says in words what its colour says, once, in its title (the
  // tooltip, and the accessible name of an empty list item).
  const today = card('web-shop').locator('ol.days li').last();
  await expect(today.getAttribute('class')).resolves.toBe('ok');
  await expect(today.getAttribute('title')).resolves.toMatch(/: 100% up, 0 of \d+ checks failed$/);
  await expect(card('payments-api').locator('ol.days li').last().getAttribute('class')).resolves.toBe(
    'major',
  );
  await expect(card('web-shop').locator('dl.uptime dd').first().textContent()).resolves.toBe('100%');
  await expect(page.locator('h2', { hasText: 'Incidents, last 30 days' })).toBeTruthy();
  expect(await page.locator('main .incident').count()).toBe(2); // in its card and in the history
  expect(problems).toEqual({ console: [], failedRequests: [] });
});

test('the run pages show the results, failures first, and the audit shows broken and redirected links', async () => {
  const { page, problems } = await watchedPage(browser);
  const response = await page.goto(`${app.host.apiUrl}/runs/${runs.check}`, { waitUntil: 'load' });
  expect(response?.headers()['content-encoding']).toBe('br');
  const rows = (await page.locator('tbody tr').allTextContents()).map((r) => r.replace(/\s+/g, ' ').trim());
  expect(rows).toHaveLength(3);
  expect(rows[0]).toMatch(/^Failed/);
  expect(rows[2]).toMatch(/^OK.*\/shop/);
  await expect(page.locator('svg.chart title').textContent()).resolves.toContain('3 answering targets');

  await page.goto(`${app.host.apiUrl}/runs/${runs.audit}`);
  const broken = page.locator('h2', { hasText: 'Broken links (1)' });
  expect(await broken.count()).toBe(1);
  const text = await page.locator('main').textContent();
  expect(text).toContain('/missing');
  expect(text).toContain('Redirected links (1)');
  expect(text).toContain('/moved');
  expect(text).toContain('/page'); // where the links were found
  expect(problems).toEqual({ console: [], failedRequests: [] });
});

test.each(['status page', 'check run page', 'audit page'])(
  '%s: no serious axe violation, no horizontal scroll at 375 px, visible keyboard focus',
  async (name) => {
    const entry = pages().find((p) => p.name === name)!;
    const { page, problems } = await watchedPage(browser, 375);
    await page.goto(entry.url);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    const skip = await tabAndInspectFocus(page);
    expect(skip).toMatchObject({ tag: 'a', text: 'Skip to content', visible: true });
    expect(problems).toEqual({ console: [], failedRequests: [] });
  },
);

test('the status page works without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${app.host.apiUrl}/status`);
  expect(await page.locator('section.card').count()).toBe(3);
  await expect(
    page.locator('section.card', { hasText: 'queued' }).locator('.pill').textContent(),
  ).resolves.toBe('Up');
  await context.close();
});

test('a running check page reloads itself until the run is done, then stays put', async () => {
  const started = await app.api.post('checks', { targets: [target.url('/hold')] });
  for (let i = 0; i < 300 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(held).toHaveLength(1);

  const { page, problems } = await watchedPage(browser);
  let loads = 0;
  page.on('load', () => loads++);
  await page.goto(`${app.host.apiUrl}/runs/${started.data.id}`);
  await expect(page.locator('header .pill').textContent()).resolves.toBe('Running');
  await expect(page.locator('main').textContent()).resolves.toContain('reloads every 2 seconds');

  held.shift()!.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  // Nothing here navigates: only the page's own reload can show the new state.
  await page.locator('header .pill', { hasText: 'Completed' }).waitFor({ timeout: 30_000 });
  expect(loads).toBeGreaterThanOrEqual(2);
  await expect(page.locator('main').textContent()).resolves.not.toContain('reloads every 2 seconds');
  const settled = loads;
  await page.waitForTimeout(2_500); // longer than the reload interval: a finished run is not reloaded
  expect(loads).toBe(settled);
  expect(problems).toEqual({ console: [], failedRequests: [] });
});
