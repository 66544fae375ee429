import {
  QUEUE_ALERTS_RETRY,
  testAlert,
  alertForEvent,
  alertText,
  describeResult,
  formatDuration,
  realertAlert,
} from '../../src/core/alert';
import type { CheckResult } from '../../src/core/checkSpec';
import { acknowledge, initialState, markAlerted, step } from '../../src/core/monitor';
import { AlertPayload, MonitorConfig, type MonitorState } from '../../src/core/monitorSchemas';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

const cfg = MonitorConfig.parse({
  target: 'https://api.example.test/health',
  intervalSeconds: 60,
  failureThreshold: 3,
  recoveryThreshold: 2,
  realertMinutes: 30,
  webhook: 'https://hooks.example.test/services/T0/B0/secret',
});

function check(ok: boolean, status = ok ? 200 : 500): CheckResult {
  return {
    url: cfg.target.url,
    finalUrl: cfg.target.url,
    ok,
    status,
    latencyMs: 12,
    redirects: [],
    assertions: [],
    ...(ok ? {} : { error: { code: 'HTTP' as const, message: `HTTP ${status}` } }),
    checkedAt: iso(T0),
    bytesRead: 0,
  };
}

describe('alerts for events', () => {
  let state: MonitorState = initialState(T0);
  const payloads: AlertPayload[] = [];

  beforeAll(() => {
    const pattern = [false, false, false, false, true, true];
    pattern.forEach((ok, i) => {
      const out = step(state, check(ok), cfg, { at: T0 + i * 60_000 });
      state = out.state;
      for (const event of out.events) {
        payloads.push(alertForEvent('api-health', cfg, state, event));
        if (event.kind === 'DOWN') state = markAlerted(state, T0 + i * 60_000);
      }
    });
  });

  it('builds a DOWN and a RECOVERED payload that validate against AlertPayload', () => {
    expect(payloads.map((p) => p.kind)).toEqual(['DOWN', 'RECOVERED']);
    for (const p of payloads) expect(AlertPayload.parse(p)).toStrictEqual(p);
    const [down, recovered] = payloads;
    expect(down).toMatchObject({
      monitor: 'api-health',
      at: iso(T0 + 120_000),
      url: 'https://api.example.test/health',
      status: 'down',
      consecutiveFailures: 3,
      incident: { id: 'incident-1', openedAt: iso(T0 + 120_000), durationMs: 0, alerts: 0 },
      lastResult: { ok: false, status: 500, code: 'HTTP' },
    });
    expect(recovered).toMatchObject({
      status: 'up',
      consecutiveSuccesses: 2,
      incident: { id: 'incident-1', closedAt: iso(T0 + 300_000), durationMs: 180_000, alerts: 1 },
    });
  });

  it('writes one chat line per kind', () => {
    expect(alertText(payloads[0])).toBe(
      '🔴 DOWN: api-health (https://api.example.test/health) — 3 consecutive failures: HTTP 500',
    );
    expect(alertText(payloads[1])).toBe(
      '✅ RECOVERED: api-health (https://api.example.test/health) — 2 consecutive successes (HTTP 200); down for 3m',
    );
  });
});

describe('realertAlert', () => {
  const open = (): MonitorState => {
    let s = initialState(T0);
    for (let i = 0; i < 3; i++) s = step(s, check(false, 503), cfg, { at: T0 + i * 60_000 }).state;
    return markAlerted(s, T0 + 120_000);
  };

  it('describes the open incident and how long it has lasted', () => {
    const alert = realertAlert('api-health', cfg, open(), T0 + 120_000 + 65 * 60_000);
    expect(alert).toBeDefined();
    expect(AlertPayload.parse(alert)).toStrictEqual(alert);
    expect(alert).toMatchObject({ kind: 'REALERT', incident: { alerts: 1, durationMs: 65 * 60_000 } });
    expect(alertText(alert as AlertPayload)).toBe(
      '🔴 STILL DOWN: api-health (https://api.example.test/health) — down for 1h 5m, 3 consecutive failures: HTTP 503. Not acknowledged yet.',
    );
  });

  it('says when the target is recovering and drops the nag once acknowledged', () => {
    let s = acknowledge(open(), T0 + 130_000, 'ops').state;
    s = step(s, check(true), cfg, { at: T0 + 180_000 }).state;
    const alert = realertAlert('api-health', cfg, s, T0 + 200_000) as AlertPayload;
    expect(alert.incident?.acknowledgedAt).toBe(iso(T0 + 130_000));
    expect(alertText(alert)).toBe(
      '🔴 STILL DOWN: api-health (https://api.example.test/health) — down for 1m 20s, recovering, 1 consecutive success so far.',
    );
  });

  it('returns undefined without an open incident', () => {
    expect(realertAlert('api-health', cfg, initialState(T0), T0)).toBeUndefined();
  });
});

describe('formatting helpers', () => {
  it.each([
    [0, '0s'],
    [999, '1s'],
    [12_000, '12s'],
    [270_000, '4m 30s'],
    [3_600_000, '1h'],
    [3_900_000, '1h 5m'],
    [90_061_000, '1d 1h'],
  ])('formatDuration(%d) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('describes results by their error code', () => {
    const at = iso(T0);
    expect(
      describeResult({ at, ok: false, status: 500, latencyMs: 1, code: 'HTTP', message: 'HTTP 500' }),
    ).toBe('HTTP 500');
    expect(
      describeResult({ at, ok: false, latencyMs: 1, code: 'TIMEOUT', message: 'no answer in 10000 ms' }),
    ).toBe('TIMEOUT: no answer in 10000 ms');
    expect(describeResult({ at, ok: false, latencyMs: 1, code: 'DNS' })).toBe('DNS');
    expect(
      describeResult({ at, ok: false, status: 200, latencyMs: 1, message: 'assertion bodyContains failed' }),
    ).toBe('HTTP 200: assertion bodyContains failed');
  });

  it('strips user info from the alerted URL and keeps the rest', () => {
    // The schema refuses user info in a target; an alert must not depend on that to stay clean.
    const withUserInfo = { ...cfg, target: { ...cfg.target, url: 'https://u:p@example.test/x?y=1' } };
    const alert = testAlert('api-health', withUserInfo, initialState(T0), T0);
    expect(alert.url).toBe('https://example.test/x?y=1');
  });

  it('recommends a bounded retry policy with back-off for queueing alerts', () => {
    expect(QUEUE_ALERTS_RETRY.firstRetryIntervalInMilliseconds).toBeGreaterThan(0);
    expect(QUEUE_ALERTS_RETRY.backoffCoefficient).toBeGreaterThan(1);
    expect(QUEUE_ALERTS_RETRY.maxNumberOfAttempts).toBeGreaterThan(1);
    const waits = Array.from({ length: QUEUE_ALERTS_RETRY.maxNumberOfAttempts - 1 }, (_, i) =>
      Math.min(
        QUEUE_ALERTS_RETRY.firstRetryIntervalInMilliseconds * QUEUE_ALERTS_RETRY.backoffCoefficient ** i,
        QUEUE_ALERTS_RETRY.maxRetryIntervalInMilliseconds,
      ),
    );
    // Bounded by attempts (no retryTimeout: tests/core/retryPolicies.test.ts): a storage hiccup costs seconds.
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThan(30_000);
  });
});

describe('testAlert', () => {
  it('is a valid payload without an incident and says it is a test', () => {
    const alert = testAlert('api-health', cfg, initialState(T0), T0 + 5_000);
    expect(AlertPayload.parse(alert)).toStrictEqual(alert);
    expect(alert).toMatchObject({ kind: 'TEST', incident: null, at: iso(T0 + 5_000), status: 'pending' });
    expect(alertText(alert)).toBe(
      '🧪 TEST: api-health (https://api.example.test/health) — a test alert from Sitewatch; this channel works.',
    );
  });
});
