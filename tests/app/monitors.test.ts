// watchSite end to end in virtual time: the monitor pattern, human interaction (acknowledge) and
// continueAsNew. Targets and webhook receivers are servers on 127.0.0.1; the clock only moves when
// a test advances it, so every alert time is exact. Alerts travel through the `alerts` queue
// (real time), so tests wait for them to arrive and compare them in the order of their `at`.
// Channels, retries, the poison queue and pause/resume: monitorAlerts.test.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canonicalIso, compareInstants, instantOf } from '../../src/core/instant';
import { ROUNDS_PER_EXECUTION } from '../../src/core/watch';
import { startAppHost, type AppHost } from '../support/appHost';
import { startServer, type TargetServer } from '../support/servers';

jest.setTimeout(180_000);

const MINUTE = 60_000;

interface Alert {
  kind: 'DOWN' | 'RECOVERED' | 'REALERT';
  at: string;
  monitor: string;
  text: string;
}

/** A target whose health the test flips, and a webhook receiver that records what it is sent. */
class Fixture {
  healthy = true;
  /** While set, the target answers only once it resolves: a check stays in flight. */
  hold: Promise<void> | undefined;
  targetRequests = 0;
  webhookStatus = 200;
  alerts: Alert[] = [];
  target!: TargetServer;
  webhook!: TargetServer;

  async start(): Promise<this> {
    this.target = await startServer((_req, res) => {
      this.targetRequests++;
      void (this.hold ?? Promise.resolve()).then(() => {
        res.writeHead(this.healthy ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(this.healthy ? 'ok' : 'unavailable');
      });
    });
    this.webhook = await startServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.webhookStatus === 200)
          this.alerts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Alert);
        res.writeHead(this.webhookStatus, { 'content-type': 'text/plain' });
        res.end(this.webhookStatus === 200 ? 'ok' : 'receiver broken');
      });
    });
    return this;
  }

  config(overrides: Record<string, unknown> = {}) {
    return {
      target: { url: this.target.url('/health') },
      intervalSeconds: 60,
      failureThreshold: 2,
      recoveryThreshold: 1,
      realertMinutes: 0,
      webhook: this.webhook.url('/hooks/T000/B000/secret-token'),
      ...overrides,
    };
  }

  /**
   * Delivered alerts by their time (a queue may deliver two queued alerts in either order), as
   * instants: where the extension re-serialises a time its text changes, its instant does not.
   */
  kinds(): string[] {
    return [...this.alerts]
      .sort((a, b) => compareInstants(a.at, b.at))
      .map((a) => `${a.kind}@${canonicalIso(a.at)}`);
  }

  /** Waits (real time) until `n` alerts have arrived, then a moment more to catch any extra one. */
  async waitForAlerts(n: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.alerts.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} alerts, got ${this.alerts.length}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.target?.close(), this.webhook?.close()]);
  }
}

let app: AppHost;
let fx: Fixture;

beforeEach(async () => {
  fx = await new Fixture().start();
  // History off (SITEWATCH_HISTORY_DAYS=0): these tests are about the orchestration, and two table
  // writes per check would make the week of checks several times slower on Azurite. History
  // written by running monitors is tested in status.test.ts.
  app = await startAppHost({
    settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true', SITEWATCH_HISTORY_DAYS: '0' },
  });
  app.host.clock.autoSkip = false;
});

afterEach(async () => {
  await app?.stop();
  await fx?.close();
});

const at = (t0: number, ms: number) => new Date(t0 + ms).toISOString();

async function createMonitor(name: string, config: Record<string, unknown>): Promise<number> {
  const t0 = app.host.clock.now();
  const res = await app.api.put(`monitors/${name}`, config);
  expect(res.status).toBe(201);
  expect(res.data.instanceId).toBe(`monitor:${name}`);
  await app.host.waitForIdle();
  return t0;
}

/** Moves virtual time minute by minute, setting the target's health before each minute's check. */
async function minutes(health: boolean[]): Promise<void> {
  for (const healthy of health) {
    fx.healthy = healthy;
    await app.host.clock.advance(MINUTE);
  }
}

const monitor = async (name: string) => (await app.api.get(`monitors/${name}`)).data;

/** Polls (real time) until `probe` gives a value: delivery reports reach the monitor from the queue. */
async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('down for 3 checks then up, failureThreshold 2: one DOWN and one RECOVERED alert at the expected times', async () => {
  const t0 = await createMonitor('shop', fx.config());
  await minutes([false, false, false, true, true]);
  await fx.waitForAlerts(2);
  expect(fx.kinds()).toEqual([`DOWN@${at(t0, 2 * MINUTE)}`, `RECOVERED@${at(t0, 4 * MINUTE)}`]);
  expect(fx.alerts.find((a) => a.kind === 'DOWN')?.text).toContain('DOWN');
  const view = await until(async () => {
    const current = await monitor('shop');
    return current.state.counters.alertsDelivered === 2 ? current : undefined;
  });
  expect(view.state).toMatchObject({
    status: 'up',
    counters: { checks: 6, successes: 3, incidents: 1, alertsDelivered: 2 },
  });
  expect(instantOf(view.state.lastIncident.openedAt)).toBe(t0 + 2 * MINUTE);
  expect(instantOf(view.state.lastIncident.closedAt)).toBe(t0 + 4 * MINUTE);
  // The webhook is a secret: the API shows it redacted.
  expect(JSON.stringify(view)).not.toContain('secret-token');
});

test('flapping below the threshold sends no alert', async () => {
  await createMonitor('flappy', fx.config({ failureThreshold: 3 }));
  await minutes([false, true, false, false, true, false, true, false, false, true]);
  expect(fx.alerts).toEqual([]);
  expect((await monitor('flappy')).state).toMatchObject({
    status: 'up',
    incident: null,
    counters: { checks: 11, incidents: 0 },
  });
});

test('an unacknowledged incident re-alerts every N minutes, and an acknowledgement stops that', async () => {
  const t0 = await createMonitor('api', fx.config({ realertMinutes: 5 }));
  expect((await app.api.post('monitors/api/ack')).status).toBe(409); // nothing to acknowledge yet
  await minutes(Array(12).fill(false));
  await fx.waitForAlerts(3);
  // DOWN at minute 2, then a reminder 5 and 10 minutes later.
  expect(fx.kinds()).toEqual([
    `DOWN@${at(t0, 2 * MINUTE)}`,
    `REALERT@${at(t0, 7 * MINUTE)}`,
    `REALERT@${at(t0, 12 * MINUTE)}`,
  ]);

  const ack = await app.api.post('monitors/api/ack', { by: 'oncall@example.test' });
  expect(ack.status).toBe(202);
  await app.host.waitForIdle();
  expect((await monitor('api')).state.incident).toMatchObject({ acknowledgedBy: 'oncall@example.test' });
  expect((await app.api.post('monitors/api/ack')).status).toBe(409); // already acknowledged

  await minutes(Array(20).fill(false));
  await minutes([true]);
  await fx.waitForAlerts(4);
  expect(fx.kinds().map((k) => k.split('@')[0])).toEqual(['DOWN', 'REALERT', 'REALERT', 'RECOVERED']);
});

test('realertMinutes at the API maximum (7 days) re-alerts exactly 7 days after the DOWN alert', async () => {
  const DAY = 24 * 60 * MINUTE;
  fx.healthy = false;
  // Checks at t0 and every day: DOWN at the second failure (day 1), the reminder due on day 8.
  const t0 = await createMonitor(
    'weekly-reminder',
    fx.config({ intervalSeconds: 86_400, realertMinutes: 10_080 }),
  );
  for (let day = 1; day <= 7; day++) await app.host.clock.advance(DAY);
  await app.host.clock.advance(DAY - MINUTE);
  await app.host.waitForIdle();
  const incident1 = (await monitor('weekly-reminder')).state.incident;
  expect(incident1).toMatchObject({ alerts: 1 });
  expect(instantOf(incident1.lastAlertAt)).toBe(t0 + DAY);
  await app.host.clock.advance(MINUTE);
  await fx.waitForAlerts(2);
  expect(fx.kinds()).toEqual([`DOWN@${at(t0, DAY)}`, `REALERT@${at(t0, 8 * DAY)}`]);
  const incident2 = (await monitor('weekly-reminder')).state.incident;
  expect(incident2).toMatchObject({ alerts: 2 });
  expect(instantOf(incident2.lastAlertAt)).toBe(t0 + 8 * DAY);
  expect(app.host.durable.getStatus('monitor:weekly-reminder')?.runtimeStatus).toBe('Running');
  // It never needed a timer over 6 days: it wakes for each daily check (API maximum: 1 day).
  const waits = app.host
    .history('monitor:weekly-reminder', { allExecutions: true })
    .filter((e) => e.EventType === 10)
    .map((e) => Date.parse(String(e.FireAt)) - Date.parse(e.Timestamp));
  expect(Math.max(...waits)).toBeLessThanOrEqual(DAY);
});

/** Lengths of each execution's history, split where a new execution starts (ExecutionStarted). */
function executionLengths(instanceId: string): number[] {
  const lengths: number[] = [];
  for (const event of app.host.history(instanceId, { allExecutions: true })) {
    if (event.EventType === 0 || lengths.length === 0) lengths.push(0);
    lengths[lengths.length - 1] += 1;
  }
  return lengths;
}

// Each round is about ten history events (see ROUNDS_PER_EXECUTION), so this is the stated bound.
const HISTORY_BOUND = 12 * ROUNDS_PER_EXECUTION;

test('a week of 1-minute checks runs in virtual time with every execution history bounded', async () => {
  await createMonitor('weekly', fx.config({ webhook: undefined }));
  const week = 7 * 24 * 60;
  const started = Date.now();
  await app.host.clock.advance(week * MINUTE);
  const realSeconds = (Date.now() - started) / 1000;
  const view = await monitor('weekly');
  expect(view.state.counters.checks).toBe(week + 1);
  expect(view.state.uptimePercent).toBe(100);
  expect(app.host.durable.getStatus('monitor:weekly')?.runtimeStatus).toBe('Running');
  // continueAsNew keeps every execution short, however long the monitor runs.
  const lengths = executionLengths('monitor:weekly');
  expect(lengths.length).toBeGreaterThanOrEqual(Math.floor(week / ROUNDS_PER_EXECUTION));
  expect(Math.max(...lengths)).toBeLessThan(HISTORY_BOUND);
  console.log(
    `a week of 1-minute checks: ${realSeconds.toFixed(1)} s real time, ${lengths.length} executions, longest history ${Math.max(...lengths)} events`,
  );
});

test('stop ends the monitor gracefully', async () => {
  await createMonitor('temp', fx.config());
  const res = await app.api.delete('monitors/temp');
  expect(res.status).toBe(202);
  expect(res.headers.location).toMatch(/\/api\/monitors\/temp$/);
  expect(res.headers['retry-after']).toBeDefined();
  expect(res.data).toMatchObject({ id: 'monitor:temp', stopping: true });
  expect(res.data.statusQueryGetUri).toEqual(expect.any(String));
  const done = await app.host.waitForStatus('monitor:temp');
  expect(done.runtimeStatus).toBe('Completed');
  expect(done.output).toMatchObject({ monitor: 'temp', stopped: true });
  expect((await app.api.delete('monitors/temp')).status).toBe(404);
  expect((await app.api.post('monitors/temp/ack')).status).toBe(404);
  const list = await app.api.get('monitors');
  expect(list.data.monitors.map((m: { name: string }) => m.name)).not.toContain('temp');
});

test('reconfigure changes the interval and keeps the counters', async () => {
  await createMonitor('cfg', fx.config());
  await minutes([true, true]);
  expect((await monitor('cfg')).state.counters.checks).toBe(3);
  const res = await app.api.put('monitors/cfg', fx.config({ intervalSeconds: 300 }));
  expect(res.status).toBe(202);
  await app.host.waitForIdle();
  await minutes([true, true, true, true]); // less than the new interval since the last check
  let view = await monitor('cfg');
  expect(view.state.counters.checks).toBe(3);
  expect(view.config.intervalSeconds).toBe(300);
  expect(view.state.configRevision).toBe(1);
  await minutes([true]);
  view = await monitor('cfg');
  expect(view.state.counters.checks).toBe(4);
});

test('an event that wakes the last round of a generation is handled once, not again by the next one', async () => {
  // On Azure Storage the event would come back if the round's timer were cancelled: the extension
  // replays the cancelled timer as already done, reaches continueAsNew before the event and carries
  // it over (tests/host/engine/shimWalk.ts). watchSite leaves the timer alone.
  await createMonitor('gen', fx.config({ intervalSeconds: 3600 }));
  const instanceId = 'monitor:gen';
  const view = () => app.host.status(instanceId)!.customStatus as { generation: number; round: number };
  for (let i = 0; view().round < ROUNDS_PER_EXECUTION - 1; i++) {
    expect(i).toBeLessThan(ROUNDS_PER_EXECUTION);
    app.host.durable.raiseEvent(instanceId, 'resume', null); // not paused: changes nothing but the round
    await app.host.waitForIdle();
  }
  expect(view().generation).toBe(0);
  const res = await app.api.put('monitors/gen', fx.config({ intervalSeconds: 1800 }));
  expect(res.status).toBe(202);
  await app.host.waitForIdle();
  expect(view().generation).toBe(1);
  const after = await monitor('gen');
  expect(after.config.intervalSeconds).toBe(1800);
  expect(after.state.configRevision).toBe(1);
});

test('a stop that arrives while the last round of a generation checks still stops the monitor', async () => {
  await createMonitor('last', fx.config());
  const instanceId = 'monitor:last';
  const round = () => (app.host.status(instanceId)!.customStatus as { round: number }).round;
  for (let i = 0; round() < ROUNDS_PER_EXECUTION - 1; i++) {
    expect(i).toBeLessThan(ROUNDS_PER_EXECUTION);
    app.host.durable.raiseEvent(instanceId, 'resume', null);
    await app.host.waitForIdle();
  }
  let release!: () => void;
  fx.hold = new Promise((resolve) => (release = resolve));
  const before = fx.targetRequests;
  const advancing = app.host.clock.advance(MINUTE); // the last round's check starts and hangs
  await until(async () => (fx.targetRequests > before ? true : undefined));
  expect((await app.api.delete('monitors/last')).status).toBe(202);
  fx.hold = undefined;
  release();
  await advancing;
  const done = await app.host.waitForStatus(instanceId, undefined, { timeoutMs: 20_000 });
  expect(done).toMatchObject({ runtimeStatus: 'Completed', output: { monitor: 'last', stopped: true } });
});

test('a restart mid-incident loses no alert and sends no duplicate DOWN', async () => {
  const t0 = await createMonitor('crashy', fx.config());
  await minutes([false, false, false]);
  await fx.waitForAlerts(1);
  expect(fx.kinds()).toEqual([`DOWN@${at(t0, 2 * MINUTE)}`]);
  await app.host.restart();
  await minutes([false, true]);
  await fx.waitForAlerts(2);
  expect(fx.kinds()).toEqual([`DOWN@${at(t0, 2 * MINUTE)}`, `RECOVERED@${at(t0, 5 * MINUTE)}`]);
  expect((await monitor('crashy')).state.counters.checks).toBe(6);
});

describe('validation', () => {
  const without = (key: string) => (body: Record<string, unknown>) => {
    const copy = { ...body };
    delete copy[key];
    return copy;
  };
  const withValue = (key: string, value: unknown) => (body: Record<string, unknown>) => ({
    ...body,
    [key]: value,
  });
  test.each([
    ['an invalid name', 'Not_A_Name', (b: Record<string, unknown>) => b, 'name'],
    ['a missing target', 'ok-name', without('target'), 'target'],
    ['an interval under the minimum', 'ok-name', withValue('intervalSeconds', 1), 'intervalSeconds'],
    ['a zero threshold', 'ok-name', withValue('failureThreshold', 0), 'failureThreshold'],
    ['a non-http webhook', 'ok-name', withValue('webhook', 'ftp://127.0.0.1/hook'), 'webhook'],
    ['an unknown field', 'ok-name', withValue('color', 'red'), 'body'],
  ])('%s', async (_label, name, edit, field) => {
    const res = await app.api.put(`monitors/${name}`, edit(fx.config()));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.data.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(app.host.durable.listStatus({ instanceIdPrefix: 'monitor:' }).items).toEqual([]);
  });

  test('unknown monitors get 404', async () => {
    expect((await app.api.get('monitors/ghost')).status).toBe(404);
    expect((await app.api.post('monitors/ghost/ack')).status).toBe(404);
    expect((await app.api.delete('monitors/ghost')).status).toBe(404);
  });

  test('a test alert without channels is 409; six channels are refused', async () => {
    await createMonitor('quiet', fx.config({ webhook: undefined }));
    expect((await app.api.post('monitors/quiet/test-alert')).status).toBe(409);
    const six = Array.from({ length: 5 }, () => ({ type: 'slack', url: fx.webhook.url('/hooks/x/y') }));
    const res = await app.api.put('monitors/crowded', fx.config({ alerts: six }));
    expect(res.status).toBe(400);
    expect(res.data.errors.map((e: { field: string }) => e.field)).toContain('alerts');
  });
});

describe('the keepMonitors timer', () => {
  test('starts configured monitors that are missing, failed or terminated, and never twice', async () => {
    await app.stop();
    app = await startAppHost({
      settings: {
        SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true',
        SITEWATCH_MONITORS: JSON.stringify([{ name: 'configured', ...fx.config() }]),
      },
    });
    app.host.clock.autoSkip = false;
    await app.host.runTimer('keepMonitors');
    await app.host.runTimer('keepMonitors');
    await app.host.waitForIdle();
    expect(
      app.host.durable.listStatus({ instanceIdPrefix: 'monitor:' }).items.map((s) => s.instanceId),
    ).toEqual(['monitor:configured']);
    expect(app.host.activityCalls('checkMonitor')).toHaveLength(1);

    app.host.durable.terminate('monitor:configured', 'operator');
    await app.host.waitForStatus('monitor:configured');
    await app.host.runTimer('keepMonitors');
    expect(app.host.durable.getStatus('monitor:configured')?.runtimeStatus).toBe('Running');

    // Stopped through the API: stays stopped.
    await app.api.delete('monitors/configured');
    await app.host.waitForStatus('monitor:configured');
    await app.host.runTimer('keepMonitors');
    expect(app.host.durable.getStatus('monitor:configured')?.runtimeStatus).toBe('Completed');
  });
});
