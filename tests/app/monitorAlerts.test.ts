// Alert channels end to end on tests/host: the monitor queues its alerts on `alerts`, the
// queue-triggered deliverAlert posts them to receivers on 127.0.0.1 and reports each attempt back
// to the monitor. The app runs with host.json `queues.visibilityTimeout` at 1 s (a copy of the
// real host.json with only that changed) so the host's retries, `maxDequeueCount` and the move to
// `alerts-poison` happen in seconds of real time; checks run on the virtual clock.
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { Webhook } from 'standardwebhooks';
import { ALERT_MAX_DEQUEUE_COUNT, ALERTS_POISON_QUEUE } from '../../src/core/alertQueue';
import { canonicalIso, instantOf } from '../../src/core/instant';
import { ROUNDS_PER_EXECUTION } from '../../src/core/watch';
import { REPO_ROOT } from '../host/loader';
import { startAppHost, type AppHost } from '../support/appHost';
import { channelFormatErrors } from '../support/channelFormats';
import { startServer, type TargetServer } from '../support/servers';

jest.setTimeout(180_000);

const MINUTE = 60_000;
const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const TOKEN = 'tok3n-s3cr3t';
const PATHS = {
  webhook: `/webhook/${TOKEN}-w`,
  slack: `/services/T0/B0/${TOKEN}-s`,
  teams: `/workflows/${TOKEN}-t`,
  discord: `/api/webhooks/1/${TOKEN}-d`,
} as const;
type ChannelType = keyof typeof PATHS;

interface Received {
  type: ChannelType;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

/** The same app with a 1 s visibility timeout; everything else (main, settings) as in the repo. */
function shortRetryApp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-alerts-'));
  const hostJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'host.json'), 'utf8'));
  hostJson.extensions.queues.visibilityTimeout = '00:00:01';
  fs.writeFileSync(path.join(dir, 'host.json'), JSON.stringify(hostJson));
  fs.copyFileSync(path.join(REPO_ROOT, 'local.settings.json'), path.join(dir, 'local.settings.json'));
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'sitewatch-short-retry', main: path.join(REPO_ROOT, pkg.main) }),
  );
  return dir;
}

class Receivers {
  received: Received[] = [];
  /** Status each channel answers with. */
  status: Record<ChannelType, number> = { webhook: 200, slack: 200, teams: 200, discord: 200 };
  healthy = true;
  target!: TargetServer;
  hooks!: TargetServer;

  async start(): Promise<this> {
    this.target = await startServer((_req, res) => {
      res.writeHead(this.healthy ? 200 : 503);
      res.end(this.healthy ? 'ok' : 'unavailable');
    });
    this.hooks = await startServer((req: IncomingMessage, res: ServerResponse) => {
      const type = (Object.keys(PATHS) as ChannelType[]).find((t) => PATHS[t] === req.url);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = type ? this.status[type] : 404;
        if (type)
          this.received.push({ type, headers: req.headers, body: Buffer.concat(chunks).toString(), status });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : `receiver broken, see ${req.url}`);
      });
    });
    return this;
  }

  channels(types: ChannelType[] = ['webhook', 'slack', 'teams', 'discord']) {
    return types.map((type) =>
      type === 'webhook'
        ? { type, url: this.hooks.url(PATHS.webhook), secret: SECRET }
        : { type, url: this.hooks.url(PATHS[type]) },
    );
  }

  config(overrides: Record<string, unknown> = {}) {
    return {
      target: { url: this.target.url('/health') },
      intervalSeconds: 60,
      failureThreshold: 2,
      recoveryThreshold: 1,
      realertMinutes: 0,
      alerts: this.channels(),
      ...overrides,
    };
  }

  delivered(type?: ChannelType): Received[] {
    return this.received.filter((r) => r.status === 200 && (type === undefined || r.type === type));
  }

  async close(): Promise<void> {
    await Promise.all([this.target?.close(), this.hooks?.close()]);
  }
}

/** Polls in real time: deliveries run on the queue, outside the virtual clock. */
async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const appDir = shortRetryApp();
let app: AppHost;
let rx: Receivers;
let logs: string[];
const savedLogSetting = process.env.TESTHOST_LOG;

beforeEach(async () => {
  logs = [];
  // Every function log line, to show that none carries a channel's secret.
  process.env.TESTHOST_LOG = '1';
  for (const level of ['log', 'info', 'warn', 'error'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logs.push(
        args
          .map((a) =>
            a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a),
          )
          .join(' '),
      );
    });
  }
  rx = await new Receivers().start();
  app = await startAppHost({ appDir, settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
  app.host.clock.autoSkip = false;
});

afterEach(async () => {
  await app?.stop();
  await rx?.close();
  jest.restoreAllMocks();
  if (savedLogSetting === undefined) delete process.env.TESTHOST_LOG;
  else process.env.TESTHOST_LOG = savedLogSetting;
});

afterAll(() => fs.rmSync(appDir, { recursive: true, force: true }));

async function createMonitor(name: string, config: Record<string, unknown>): Promise<number> {
  const t0 = app.host.clock.now();
  const res = await app.api.put(`monitors/${name}`, config);
  expect(res.status).toBe(201);
  await app.host.waitForIdle();
  return t0;
}

const view = async (name: string) => (await app.api.get(`monitors/${name}`)).data;

async function minutes(n: number, healthy = rx.healthy): Promise<void> {
  rx.healthy = healthy;
  for (let i = 0; i < n; i++) await app.host.clock.advance(MINUTE);
}

/** Nothing secret in any answer or log line of the test. */
function expectNoSecrets(...answers: unknown[]): void {
  for (const text of [...answers.map((a) => JSON.stringify(a)), ...logs]) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET.slice('whsec_'.length, 20));
  }
}

test('a test alert reaches every channel in its service format; the signature verifies independently', async () => {
  await createMonitor('shop', rx.config());
  const res = await app.api.post('monitors/shop/test-alert');
  expect(res.status).toBe(202);
  expect(res.data).toMatchObject({ name: 'shop', testing: true, channels: 4 });
  await until(() => rx.delivered().length === 4, 'four deliveries');

  for (const { type, body } of rx.delivered()) {
    // Formats from the published references named in tests/support/channelFormats.ts.
    expect({ type, errors: channelFormatErrors(type, JSON.parse(body)) }).toEqual({ type, errors: [] });
  }
  expect(JSON.parse(rx.delivered('slack')[0].body).text).toContain('TEST');

  // Standard Webhooks: verified by the `standardwebhooks` package; a tampered body is refused.
  const [signed] = rx.delivered('webhook');
  const headers = {
    'webhook-id': String(signed.headers['webhook-id']),
    'webhook-timestamp': String(signed.headers['webhook-timestamp']),
    'webhook-signature': String(signed.headers['webhook-signature']),
  };
  const verifier = new Webhook(SECRET);
  expect(verifier.verify(signed.body, headers)).toMatchObject({
    type: 'monitor.test',
    kind: 'TEST',
    monitor: 'shop',
  });
  expect(() => verifier.verify(signed.body.replace('"shop"', '"shoq"'), headers)).toThrow();

  const state = await until(async () => {
    const v = await view('shop');
    return v.state.channels.filter((c: { outcome?: string } | null) => c?.outcome === 'delivered').length ===
      4
      ? v
      : undefined;
  }, 'the view to show four deliveries');
  expect(
    state.state.channels.map((c: { type: string; status: number; kind: string }) => [
      c.type,
      c.kind,
      c.status,
    ]),
  ).toEqual([
    ['webhook', 'TEST', 200],
    ['slack', 'TEST', 200],
    ['teams', 'TEST', 200],
    ['discord', 'TEST', 200],
  ]);
  expect(state.config.alerts[0]).toEqual({
    type: 'webhook',
    url: `${rx.hooks.origin}/webhook/***`,
    secret: '(set)',
  });
  expectNoSecrets(res.data, state, (await app.api.get('monitors')).data);
});

test('a receiver that is down delays no check, and the alert arrives afterwards with the same webhook-id', async () => {
  const t0 = await createMonitor('api', rx.config({ alerts: rx.channels(['webhook']) }));
  rx.status.webhook = 503;
  await minutes(2, false); // DOWN at minute 2, queued
  await minutes(2, false); // the receiver stays down for two more minutes of checks
  await until(() => rx.received.filter((r) => r.status === 503).length >= 2, 'two refused attempts', 30_000);
  // The checks ran on schedule while the alert was failing.
  let v = await view('api');
  expect(v.state.counters.checks).toBe(5);
  expect(instantOf(v.state.lastCheckAt)).toBe(t0 + 4 * MINUTE);
  expect(v.state.status).toBe('down');
  rx.status.webhook = 200;

  const [delivered] = await until(
    () => (rx.delivered().length > 0 ? rx.delivered() : undefined),
    'the delivery',
  );
  const attempts = rx.received.map((r) => r.headers['webhook-id']);
  expect(new Set(attempts).size).toBe(1);
  const body = JSON.parse(delivered.body) as { kind: string; at: string };
  expect(body.kind).toBe('DOWN');
  expect(instantOf(body.at)).toBe(t0 + 2 * MINUTE);
  v = await until(async () => {
    const current = await view('api');
    return current.state.channels[0]?.outcome === 'delivered' ? current : undefined;
  }, 'the view to show the delivery');
  expect(v.state.channels[0]).toMatchObject({
    ok: true,
    status: 200,
    kind: 'DOWN',
    attempt: rx.received.length,
  });
  expect(v.state.counters).toMatchObject({ alertsDelivered: 1, alertsFailed: 0 });
  await minutes(1, true);
  expect((await view('api')).state.counters.checks).toBe(6);
  expectNoSecrets(v);
});

test('a receiver that never recovers: the alert ends in alerts-poison and the view says so', async () => {
  rx.status.discord = 500;
  await createMonitor('dead', rx.config({ alerts: rx.channels(['discord']) }));
  expect((await app.api.post('monitors/dead/test-alert')).status).toBe(202);
  const poison = new QueueClient(app.host.storageConnectionString as string, ALERTS_POISON_QUEUE);
  const poisoned = await until(async () => {
    if (!(await poison.exists())) return undefined;
    const { peekedMessageItems } = await poison.peekMessages({ numberOfMessages: 1 });
    return peekedMessageItems[0];
  }, 'a message in alerts-poison');
  const message = JSON.parse(Buffer.from(poisoned.messageText, 'base64').toString('utf8'));
  expect(message).toMatchObject({ monitor: 'dead', channel: 0, alert: { kind: 'TEST' } });
  expect(rx.received).toHaveLength(ALERT_MAX_DEQUEUE_COUNT);

  const v = await until(async () => {
    const current = await view('dead');
    return current.state.channels[0]?.outcome === 'poisoned' ? current : undefined;
  }, 'the view to say poisoned');
  expect(v.state.channels[0]).toMatchObject({
    type: 'discord',
    ok: false,
    status: 500,
    attempt: ALERT_MAX_DEQUEUE_COUNT,
    target: `${rx.hooks.origin}/api/***`,
  });
  expect(v.state.channels[0].error).toContain('HTTP 500');
  expect(v.state.counters).toMatchObject({ alertsFailed: 1, alertsDelivered: 0 });
  expect(v.running).toBe(true);
  // The receiver echoed its URL in the refusal; the view and the logs show it redacted.
  expectNoSecrets(v);
});

test('pause stops checks and alerts across continueAsNew and a restart; resume checks at once', async () => {
  const t0 = await createMonitor('paused', rx.config());
  const checks = () =>
    app.host.activityCalls('checkMonitor').filter((c) => c.instanceId === 'monitor:paused').length;
  expect(checks()).toBe(1);
  const res = await app.api.post('monitors/paused/pause', { by: 'ops@example.test' });
  expect(res.status).toBe(202);
  expect(res.data).toMatchObject({ name: 'paused', pausing: true });
  await app.host.waitForIdle();
  let v = await view('paused');
  expect(v.paused).toBe(true);
  expect({ ...v.state.paused, at: canonicalIso(v.state.paused.at) }).toEqual({
    at: new Date(t0).toISOString(),
    by: 'ops@example.test',
  });

  await minutes(10, false);
  // Every event is a round: enough of them force a continueAsNew while paused.
  const generation = v.state && (await app.host.status('monitor:paused'))?.customStatus;
  for (let i = 0; i < ROUNDS_PER_EXECUTION; i++) await app.api.post('monitors/paused/pause');
  await app.host.waitForIdle();
  app.host.restart();
  await minutes(10, false);
  v = await view('paused');
  expect(
    (app.host.status('monitor:paused')?.customStatus as { generation: number }).generation,
  ).toBeGreaterThan((generation as { generation: number }).generation);
  expect(v.paused).toBe(true);
  expect(checks()).toBe(1);
  expect(v.state.counters.checks).toBe(1);
  expect(app.host.activityCalls('queueAlerts')).toHaveLength(0);

  expect((await app.api.post('monitors/paused/resume')).status).toBe(202);
  await app.host.waitForIdle();
  // After an event the monitor waits on a timer for "now" once (see watchSite); Azure fires it at
  // once, the virtual clock when it is advanced, even by 0.
  await app.host.clock.advance(0);
  v = await view('paused');
  expect(v.paused).toBe(false);
  expect(v.state.paused).toBeNull();
  expect(checks()).toBe(2); // overdue, so at once
  await minutes(1, false); // second failure: DOWN
  await until(() => rx.delivered().length === 4, 'the DOWN alert on every channel');
  expect(rx.delivered().map((r) => JSON.parse(r.body).kind ?? 'DOWN')).toContain('DOWN');
  expect((await app.api.post('monitors/ghost/pause')).status).toBe(404);
  expect((await app.api.post('monitors/ghost/resume')).status).toBe(404);
  expect((await app.api.post('monitors/ghost/test-alert')).status).toBe(404);
});

test('keepMonitors reconfigures a running monitor when its configured settings change, and only then', async () => {
  await app.stop();
  const configured = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify([{ name: 'kept', ...rx.config({ alerts: rx.channels(['slack']), ...overrides }) }]);
  app = await startAppHost({
    appDir,
    settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true', SITEWATCH_MONITORS: configured() },
  });
  app.host.clock.autoSkip = false;
  await app.host.runTimer('keepMonitors');
  await app.host.waitForIdle();
  const revision = async () => (await view('kept')).state.configRevision;
  await app.host.runTimer('keepMonitors');
  await app.host.waitForIdle();
  expect(await revision()).toBe(0);

  process.env.SITEWATCH_MONITORS = configured({ intervalSeconds: 300 });
  await app.host.runTimer('keepMonitors');
  await app.host.waitForIdle();
  expect(await revision()).toBe(1);
  expect((await view('kept')).config.intervalSeconds).toBe(300);
  await app.host.runTimer('keepMonitors');
  await app.host.waitForIdle();
  expect(await revision()).toBe(1);

  // A changed channel URL is a change too, though the view shows it redacted either way.
  process.env.SITEWATCH_MONITORS = configured({
    intervalSeconds: 300,
    alerts: [{ type: 'slack', url: rx.hooks.url(`/services/T0/B0/${TOKEN}-other`) }],
  });
  await app.host.runTimer('keepMonitors');
  await app.host.waitForIdle();
  expect(await revision()).toBe(2);
  expectNoSecrets(await view('kept'));
});

test('channel URLs go through the network guard: a loopback channel is refused and nothing is sent', async () => {
  await app.stop();
  // The default policy: private and loopback addresses are refused, for channels as for targets.
  app = await startAppHost({ appDir, settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'false' } });
  app.host.clock.autoSkip = false;
  await createMonitor('guarded', rx.config({ alerts: rx.channels(['slack']) }));
  expect((await app.api.post('monitors/guarded/test-alert')).status).toBe(202);
  const v = await until(async () => {
    const current = await view('guarded');
    return current.state.channels[0]?.error ? current : undefined;
  }, 'the refused delivery in the view');
  expect(v.state.channels[0]).toMatchObject({
    type: 'slack',
    ok: false,
    outcome: expect.stringMatching(/^(retrying|poisoned)$/),
  });
  expect(v.state.channels[0].error).toContain('BLOCKED');
  expect(rx.hooks.connections).toBe(0);
  expectNoSecrets(v);
});
