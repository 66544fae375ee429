// Channels in the monitor configuration and state: validation, redaction, pause/resume, and how
// delivery reports from the alerts queue land in the monitor view.
import { channelsOf, MAX_ALERT_CHANNELS } from '../../src/core/alertChannels';
import fs from 'node:fs';
import path from 'node:path';
import { ALERT_MAX_DEQUEUE_COUNT, alertMessages, deliveryReport } from '../../src/core/alertQueue';
import { testAlert } from '../../src/core/alert';
import {
  dueCheck,
  dueRealert,
  initialState,
  nextWakeAt,
  pause,
  reconfigure,
  recordChannelDelivery,
  resume,
  upgradeState,
} from '../../src/core/monitor';
import { MonitorConfig, MonitorState } from '../../src/core/monitorSchemas';
import { configDigest, monitorView } from '../../src/core/watch';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const hook = (n: number) => `https://hooks.example.test/services/T0/B${n}/token-${n}`;

function config(overrides: Record<string, unknown> = {}): MonitorConfig {
  return MonitorConfig.parse({
    target: 'https://api.example.test/health',
    intervalSeconds: 60,
    failureThreshold: 2,
    recoveryThreshold: 1,
    realertMinutes: 5,
    ...overrides,
  });
}

const allTypes = [
  { type: 'webhook', url: hook(1), secret: SECRET },
  { type: 'slack', url: hook(2) },
  { type: 'teams', url: hook(3) },
  { type: 'discord', url: hook(4) },
];

describe('alerts in the configuration', () => {
  it('takes up to five channels of the four types, the webhook shorthand counted', () => {
    const cfg = config({ webhook: hook(0), alerts: allTypes });
    expect(channelsOf(cfg).map((c) => c.type)).toEqual(['webhook', 'webhook', 'slack', 'teams', 'discord']);
    expect(
      MonitorConfig.safeParse({ ...cfg, alerts: [...allTypes, { type: 'slack', url: hook(5) }] }).success,
    ).toBe(false);
    expect(channelsOf(config({ alerts: [...allTypes, { type: 'slack', url: hook(5) }] }))).toHaveLength(
      MAX_ALERT_CHANNELS,
    );
  });

  it.each([
    ['an unknown type', { type: 'pager', url: hook(1) }],
    ['a secret on slack', { type: 'slack', url: hook(1), secret: SECRET }],
    ['a non-http URL', { type: 'discord', url: 'ftp://hooks.example.test/x' }],
    ['a secret without whsec_', { type: 'webhook', url: hook(1), secret: 'hunter2' }],
  ])('refuses %s', (_label, channel) => {
    expect(MonitorConfig.safeParse({ ...config(), alerts: [channel] }).success).toBe(false);
  });

  it('the view shows channels redacted and secrets only as set', () => {
    const cfg = config({ webhook: hook(0), alerts: allTypes });
    const view = JSON.stringify(monitorView('shop', cfg, initialState(T0), { generation: 0, round: 0 }));
    for (let n = 0; n <= 4; n++) expect(view).not.toContain(`token-${n}`);
    expect(view).not.toContain(SECRET.slice(6, 20));
    expect(JSON.parse(view).config.alerts[0]).toEqual({
      type: 'webhook',
      url: 'https://hooks.example.test/services/***',
      secret: '(set)',
    });
  });

  it('the digest changes with any setting, secrets included, and not with key order', () => {
    const cfg = config({ alerts: allTypes });
    const reordered = MonitorConfig.parse(Object.fromEntries(Object.entries(cfg).reverse()));
    expect(configDigest(reordered)).toBe(configDigest(cfg));
    const otherSecret = `whsec_${Buffer.alloc(32, 4).toString('base64')}`;
    expect(
      configDigest(config({ alerts: [{ ...allTypes[0], secret: otherSecret }, ...allTypes.slice(1)] })),
    ).not.toBe(configDigest(cfg));
    expect(configDigest(config({ alerts: allTypes, intervalSeconds: 61 }))).not.toBe(configDigest(cfg));
  });
});

describe('pause and resume', () => {
  it('a paused state records who and when; resume clears it; pausing twice keeps the first', () => {
    const paused = pause(initialState(T0), T0 + 1000, ' ops ');
    expect(paused.paused).toEqual({ at: new Date(T0 + 1000).toISOString(), by: 'ops' });
    expect(pause(paused, T0 + 5000, 'other').paused).toEqual(paused.paused);
    expect(MonitorState.parse(paused)).toStrictEqual(paused);
    expect(resume(paused).paused).toBeNull();
  });

  it('a check overdue after a resume is due at once', () => {
    const cfg = config();
    const state = { ...resume(pause(initialState(T0), T0)), lastCheckAt: new Date(T0).toISOString() };
    const later = T0 + 10 * 60_000;
    expect(dueCheck(state, cfg, later)).toBe(true);
    expect(nextWakeAt(state, cfg, later).at.getTime()).toBe(later);
  });

  it('re-alerts need a channel, from alerts as much as from webhook', () => {
    const open = {
      ...initialState(T0),
      incident: {
        id: 'i',
        openedAt: new Date(T0).toISOString(),
        cause: { at: new Date(T0).toISOString(), ok: false, latencyMs: 1 },
        alerts: 1,
      },
    };
    const later = T0 + 6 * 60_000;
    expect(dueRealert(open, config(), later)).toBe(false);
    expect(dueRealert(open, config({ alerts: [allTypes[1]] }), later)).toBe(true);
  });

  it('a state from before channels and pause gets their empty values', () => {
    const old = { ...initialState(T0) } as Partial<MonitorState>;
    delete old.paused;
    delete old.channels;
    const upgraded = upgradeState(old as MonitorState);
    expect(MonitorState.parse(upgraded)).toMatchObject({ paused: null, channels: [] });
  });
});

describe('delivery reports', () => {
  const cfg = config({ alerts: allTypes });
  const message = alertMessages(
    'shop',
    'msg_1',
    channelsOf(cfg),
    testAlert('shop', cfg, initialState(T0), T0),
  )[1];
  const at = new Date(T0 + 1000);

  it('messages carry one channel each with the same id', () => {
    const messages = alertMessages(
      'shop',
      'msg_1',
      channelsOf(cfg),
      testAlert('shop', cfg, initialState(T0), T0),
    );
    expect(messages.map((m) => [m.id, m.channel, m.destination.type])).toEqual([
      ['msg_1', 0, 'webhook'],
      ['msg_1', 1, 'slack'],
      ['msg_1', 2, 'teams'],
      ['msg_1', 3, 'discord'],
    ]);
  });

  it('retrying, then poisoned on the last attempt; redacted target; counters move on final outcomes only', () => {
    const failed = { ok: false as const, status: 500, error: 'HTTP 500 '.repeat(100) };
    const first = deliveryReport(message, 1, failed, at);
    expect(first).toMatchObject({
      channel: 1,
      type: 'slack',
      outcome: 'retrying',
      attempt: 1,
      target: 'https://hooks.example.test/services/***',
    });
    expect(first.error!.length).toBeLessThanOrEqual(300);
    let state = recordChannelDelivery(initialState(T0), first);
    expect(state.channels).toEqual([null, first]);
    expect(state.counters).toMatchObject({ alertsDelivered: 0, alertsFailed: 0 });
    const last = deliveryReport(message, 5, failed, at);
    expect(last.outcome).toBe('poisoned');
    state = recordChannelDelivery(state, last);
    expect(state.counters).toMatchObject({ alertsDelivered: 0, alertsFailed: 1 });
    expect(state.lastDelivery).toMatchObject({ ok: false, kind: 'TEST', status: 500 });
    const ok = deliveryReport(message, 2, { ok: true, status: 200 }, at);
    state = recordChannelDelivery(state, ok);
    expect(state.channels[1]).toMatchObject({ outcome: 'delivered', ok: true, status: 200 });
    expect(state.counters).toMatchObject({ alertsDelivered: 1, alertsFailed: 1 });
    expect(MonitorState.parse(state)).toStrictEqual(state);
  });

  it('a reconfigure that changes the channels forgets the old entries', () => {
    const state = recordChannelDelivery(
      initialState(T0),
      deliveryReport(message, 1, { ok: true, status: 200 }, at),
    );
    expect(
      reconfigure(state, config({ alerts: allTypes, intervalSeconds: 300 }), { oldConfig: cfg }).channels,
    ).toHaveLength(2);
    expect(reconfigure(state, config({ alerts: allTypes.slice(1) }), { oldConfig: cfg }).channels).toEqual(
      [],
    );
  });
});

test('the last attempt the delivery function reports as poisoned is host.json maxDequeueCount', () => {
  const hostJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'host.json'), 'utf8'));
  expect(hostJson.extensions.queues.maxDequeueCount).toBe(ALERT_MAX_DEQUEUE_COUNT);
});

test('channels in the view stay small at their schema maxima (customStatus is capped at 16 KB)', () => {
  const long = (n: number) =>
    `https://${'h'.repeat(60)}.example.test/${'s'.repeat(1_800)}/${n}?${'q'.repeat(100)}`.slice(0, 2_048);
  const cfg = config({
    webhook: long(0),
    alerts: [1, 2, 3, 4].map((n) => ({ type: 'webhook', url: long(n), secret: SECRET })),
  });
  let state = initialState(T0);
  const messages = alertMessages('shop', 'm'.repeat(100), channelsOf(cfg), testAlert('shop', cfg, state, T0));
  for (const message of messages) {
    state = recordChannelDelivery(
      state,
      deliveryReport(message, 5, { ok: false, status: 599, error: 'e'.repeat(5_000) }, new Date(T0)),
    );
  }
  expect(MonitorState.parse(state)).toStrictEqual(state);
  const view = monitorView('shop', cfg, state, { generation: 0, round: 0 });
  const channelParts =
    JSON.stringify(view.config.alerts) + JSON.stringify(view.config.webhook) + JSON.stringify(state.channels);
  expect(channelParts.length).toBeLessThan(4_500);
});
