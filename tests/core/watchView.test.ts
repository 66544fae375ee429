// The monitor's customStatus must stay under Azure's 16 KB limit (engine/limits.ts in tests/host
// applies the same rule) for every schema-valid config and state: tested at the schema's maxima,
// with the characters that cost most once JSON-escaped.
import { MAX_PUBLIC_URL_LENGTH } from '../../src/core/alertChannels';
import { MAX_HEADERS, MAX_URL_LENGTH } from '../../src/core/checkSpec';
import { initialState } from '../../src/core/monitor';
import { MONITOR_LIMITS, MonitorConfig, MonitorState } from '../../src/core/monitorSchemas';
import { clipText, MAX_VIEW_JSON_LENGTH, monitorView } from '../../src/core/watch';
import { customStatusTooLarge } from '../host/engine/limits';

const at = '2026-01-01T00:00:00.000Z';
const escaped = (n: number) => '\u0001'.repeat(n); // 6 characters each in JSON

function longUrl(prefix: string): string {
  // Backslashes and quotes are escaped in JSON; new URL accepts them in an http URL.
  const path = '\\"'.repeat(MAX_URL_LENGTH);
  return (prefix + path).slice(0, MAX_URL_LENGTH);
}

function maximalConfig(): MonitorConfig {
  const headers: Record<string, string> = {};
  for (let i = 0; i < MAX_HEADERS; i++)
    headers[`x-${String(i).padStart(2, '0')}-${'h'.repeat(2000)}`] = 'v'.repeat(8192);
  return MonitorConfig.parse({
    target: {
      url: longUrl('https://example.com/'),
      headers,
      expect: {
        status: Array.from({ length: 20 }, () => '2xx'),
        bodyContains: escaped(1024),
        maxLatencyMs: 1000,
      },
    },
    intervalSeconds: 60,
    failureThreshold: MONITOR_LIMITS.maxThreshold,
    recoveryThreshold: MONITOR_LIMITS.maxThreshold,
    realertMinutes: MONITOR_LIMITS.maxRealertMinutes,
    alerts: Array.from({ length: MONITOR_LIMITS.maxAlertChannels }, (_, i) => ({
      type: 'webhook',
      url: `https://hooks.example.com/${i}/${'w'.repeat(MONITOR_LIMITS.maxWebhookLength - 28)}`,
      secret: `whsec_${Buffer.alloc(64, 7).toString('base64')}`,
    })),
  });
}

function maximalState(): MonitorState {
  const message = escaped(MONITOR_LIMITS.maxMessageLength);
  const result = { at, ok: false, status: 599, latencyMs: 123456.789, code: 'ASSERTION' as const, message };
  const id = 'i'.repeat(MONITOR_LIMITS.maxIdLength);
  const by = escaped(MONITOR_LIMITS.maxActorLength);
  return MonitorState.parse({
    ...initialState(at),
    status: 'down',
    statusSince: at,
    startedAt: at,
    lastCheckAt: at,
    consecutiveFailures: 1e9,
    consecutiveSuccesses: 1e9,
    counters: { checks: 1e12, successes: 1e12, incidents: 1e12, alertsDelivered: 1e12, alertsFailed: 1e12 },
    uptimePercent: 99.999,
    recent: Array.from({ length: MONITOR_LIMITS.windowSize }, () => ({
      at,
      ok: false,
      status: 599,
      latencyMs: 123456.789,
      code: 'ASSERTION',
    })),
    lastResult: result,
    incident: {
      id,
      openedAt: at,
      cause: result,
      acknowledgedAt: at,
      acknowledgedBy: by,
      lastAlertAt: at,
      alerts: 1e9,
    },
    lastIncident: {
      id,
      openedAt: at,
      acknowledgedAt: at,
      acknowledgedBy: by,
      lastAlertAt: at,
      alerts: 1e9,
      closedAt: at,
      durationMs: 1e12,
    },
    lastDelivery: { at, kind: 'REALERT', incidentId: id, ok: false, status: 599, error: message },
    configRevision: 1e9,
    reconfiguredAt: at,
    paused: { at, by },
    channels: Array.from({ length: MONITOR_LIMITS.maxAlertChannels }, (_, channel) => ({
      channel,
      type: 'webhook',
      target: '\\'.repeat(MAX_PUBLIC_URL_LENGTH),
      alertId: id,
      kind: 'REALERT',
      at,
      attempt: 1e9,
      ok: false,
      outcome: 'poisoned',
      status: 599,
      error: message,
    })),
  });
}

const extra = { generation: 1e9, round: 24, stopped: true };

test('the view of a maximal config and state fits the customStatus limit, clipped and still valid', () => {
  const config = maximalConfig();
  const state = maximalState();
  // Without clipping this would be far over the limit.
  expect(JSON.stringify({ config, state }).length).toBeGreaterThan(20_000);
  const view = monitorView('a'.repeat(63), config, state, extra);
  const json = JSON.stringify(view);
  expect(json.length).toBeLessThanOrEqual(MAX_VIEW_JSON_LENGTH);
  expect(customStatusTooLarge(json)).toBeUndefined();
  expect(view.clipped).toBe(true);
  expect(MonitorState.safeParse(view.state).success).toBe(true);
  expect(view.config.target.headers).toHaveLength(11);
  expect(view.config.target.headers?.[10]).toBe(`(+${MAX_HEADERS - 10} more)`);
  // Secrets stay out: header values never appear.
  expect(json).not.toContain('vvvv');
});

test('a small config is published in full, without the clipped marker', () => {
  const config = MonitorConfig.parse({
    target: {
      url: 'https://example.com/health',
      headers: { Authorization: 'Bearer s3cret' },
      expect: { bodyContains: 'ok' },
    },
    intervalSeconds: 60,
    failureThreshold: 2,
    recoveryThreshold: 1,
    realertMinutes: 0,
  });
  const view = monitorView('small', config, initialState(at), { generation: 0, round: 0 });
  expect(view.clipped).toBeUndefined();
  expect(view.config.target).toMatchObject({
    url: 'https://example.com/health',
    headers: ['Authorization'],
    expect: { bodyContains: 'ok' },
  });
});

test('clipText bounds the JSON length, escapes included', () => {
  expect(clipText('short', 100)).toBe('short');
  const clipped = clipText('\u0001'.repeat(100), 50);
  expect(JSON.stringify(clipped).length).toBeLessThanOrEqual(50);
  expect(clipped.endsWith('…')).toBe(true);
});
