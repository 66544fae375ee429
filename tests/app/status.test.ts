// The status page, its JSON and the badges, fed by monitors that really ran (virtual time,
// starting now so the pages' real clock sees the history as recent), and the run page's content
// negotiation. The browser-level checks (axe, layout, focus) are in tests/browser.
import { readChecks, readDaily } from '../../src/activities/storage/history';
import { startAppHost, type AppHost } from '../support/appHost';
import { startServer, type TargetServer } from '../support/servers';

jest.setTimeout(180_000);

const MINUTE = 60_000;
let app: AppHost;
let target: TargetServer;
const healthy = { shop: true, api: false };
const savedStorage = process.env.AzureWebJobsStorage;

beforeAll(async () => {
  target = await startServer((req, res) => {
    const ok = req.url?.startsWith('/shop') ? healthy.shop : healthy.api;
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(ok ? 'ok' : 'unavailable');
  });
  app = await startAppHost({
    settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true', SITEWATCH_STATUS_TITLE: 'Acme <status>' },
    // In the past, so that the rounds the test advances through are not in the future of the page's
    // real clock (the 24-hour chart leaves out buckets that start after now).
    startTime: new Date(Date.now() - 15 * MINUTE),
  });
  app.host.clock.autoSkip = false;
  // The test reads the history tables itself.
  process.env.AzureWebJobsStorage = app.host.storageConnectionString;
  const config = (path: string) => ({
    target: { url: target.url(`${path}?token=s3cret`), headers: { authorization: 'Bearer hdr-secret' } },
    intervalSeconds: 60,
    failureThreshold: 2,
    recoveryThreshold: 1,
    realertMinutes: 0,
  });
  expect((await app.api.put('monitors/shop', config('/shop'))).status).toBe(201);
  expect((await app.api.put('monitors/api', config('/api'))).status).toBe(201);
  await app.host.waitForIdle();
  for (let minute = 0; minute < 5; minute++) await app.host.clock.advance(MINUTE);
  expect((await app.api.post('monitors/api/ack', { by: 'oncall@example.test' })).status).toBe(202);
  await app.host.waitForIdle();
});

afterAll(async () => {
  await app?.stop();
  await target?.close();
  if (savedStorage === undefined) delete process.env.AzureWebJobsStorage;
  else process.env.AzureWebJobsStorage = savedStorage;
});

test('status.json shows what the history says: one monitor up, one down with its acknowledged incident', async () => {
  const res = await app.api.get('status.json');
  expect(res.status).toBe(200);
  const doc = res.data;
  expect(doc.title).toBe('Acme <status>');
  expect(doc.overall).toBe('degraded');
  const [api, shop] = doc.monitors;
  expect(shop).toMatchObject({
    name: 'shop',
    state: 'up',
    uptime: { h24: 100, d7: 100, d30: 100, d90: 100 },
  });
  expect(api).toMatchObject({ name: 'api', state: 'down', uptime: { h24: 0 } });
  expect(api.incident).toMatchObject({ monitor: 'api', cause: 'HTTP 503', closedAt: null });
  expect(api.incident.acknowledgedAt).toEqual(expect.any(String));
  expect(doc.incidents.map((i: { monitor: string }) => i.monitor)).toEqual(['api']);

  // The numbers are the raw rows' numbers, and the rollups agree with them.
  for (const monitor of [shop, api]) {
    const raw = await readChecks(monitor.name);
    const status = (await app.api.get(`monitors/${monitor.name}`)).data.state;
    expect(raw).toHaveLength(status.counters.checks);
    const today = monitor.days[monitor.days.length - 1];
    const rolled = (await readDaily(monitor.name)).reduce((n, d) => n + d.checks, 0);
    expect(rolled).toBe(raw.length);
    expect(monitor.days.reduce((n: number, d: { checks: number }) => n + d.checks, 0)).toBe(raw.length);
    expect(today.down + (monitor.days[monitor.days.length - 2]?.down ?? 0)).toBe(
      raw.filter((r) => !r.ok).length,
    );
    expect(monitor.latency.reduce((n: number, p: { checks: number }) => n + p.checks, 0)).toBe(raw.length);
  }
  expect(doc.monitors[0].days).toHaveLength(90);
  // No URL (SITEWATCH_STATUS_SHOW_URLS is off), no token, no header value, no acknowledger.
  const text = JSON.stringify(doc);
  for (const secret of ['s3cret', 'hdr-secret', 'oncall@', '127.0.0.1']) expect(text).not.toContain(secret);
});

test('the status page is server-rendered HTML, anonymous and escaped', async () => {
  const res = await app.api.get('status', { headers: { 'x-functions-key': '' } });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers['cache-control']).toMatch(/max-age/);
  const page: string = res.data;
  expect(page).toContain('<title>Acme &lt;status&gt;</title>');
  expect(page).not.toContain('Acme <status>');
  expect(page).toContain('Some systems are having problems');
  expect(page).toMatch(/<h3 id="m-0">api<\/h3>\s*<span class="pill down">Down<\/span>/);
  expect(page).toMatch(/<h3 id="m-1">shop<\/h3>\s*<span class="pill up">Up<\/span>/);
  expect(page).toContain('Ongoing incident');
  expect(page.match(/<li class="/g)).toHaveLength(2 * 90);
  expect(page).toMatch(/<svg\s+class="chart"/);
  for (const secret of ['s3cret', 'hdr-secret', 'oncall@', '127.0.0.1']) expect(page).not.toContain(secret);
});

test('badges: state and 30-day uptime as SVG, with an ETag that answers 304', async () => {
  const status = await app.api.get('badges/shop/status.svg');
  expect(status.status).toBe(200);
  expect(status.headers['content-type']).toMatch(/^image\/svg\+xml/);
  expect(status.data).toContain('shop: up');
  expect(status.headers['cache-control']).toMatch(/public, max-age=\d+/);
  const etag = status.headers.etag as string;
  expect(etag).toMatch(/^"[^"]+"$/);
  const again = await app.api.get('badges/shop/status.svg', { headers: { 'if-none-match': etag } });
  expect(again.status).toBe(304);
  expect(again.data).toBe('');
  const down = await app.api.get('badges/api/status.svg', { headers: { 'if-none-match': etag } });
  expect(down.status).toBe(200);
  expect(down.data).toContain('api: down');
  const uptime = await app.api.get('badges/shop/uptime.svg');
  expect(uptime.data).toContain('uptime 30d: 100%');
  expect((await app.api.get('badges/nobody/status.svg')).status).toBe(404);
  expect((await app.api.get('badges/Not_A_Name/uptime.svg')).status).toBe(400);
});

test('runs/{id}: HTML for a browser, the unchanged JSON for everyone else', async () => {
  const started = await app.api.post('checks', {
    targets: [target.url('/shop/a?token=s3cret'), target.url('/api/b')],
  });
  expect(started.status).toBe(202);
  const id = started.data.id as string;
  await app.host.waitForStatus(id);
  const json = await app.api.get(`runs/${id}`);
  expect(json.headers['content-type']).toMatch(/^application\/json/);
  expect(json.data).toMatchObject({
    instanceId: id,
    runtimeStatus: 'Completed',
    summary: { total: 2, up: 1, down: 1 },
  });
  const browser = await app.api.get(`runs/${id}`, {
    headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
  });
  expect(browser.headers['content-type']).toMatch(/^text\/html/);
  expect(browser.headers.vary).toBe('Accept, Accept-Encoding');
  const page: string = browser.data;
  // Failures first, from the report blob; the query token is masked.
  expect(page.indexOf('/api/b')).toBeGreaterThan(0);
  expect(page.indexOf('/api/b')).toBeLessThan(page.indexOf('/shop/a'));
  expect(page).toContain('/shop/a?***');
  expect(page).not.toContain('s3cret');
  expect(page).toContain('Latency histogram of 2 answering targets');
});
