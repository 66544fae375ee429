import type { CheckResult } from '../../src/core/checkSpec';
import {
  acknowledge,
  dueCheck,
  dueRealert,
  initialState,
  markAlerted,
  nextWakeAt,
  reconfigure,
  recordAlertDelivery,
  step,
  type StepOutcome,
} from '../../src/core/monitor';
import {
  MONITOR_LIMITS,
  MonitorConfig,
  MonitorEvent,
  MonitorName,
  MonitorState,
} from '../../src/core/monitorSchemas';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const minutes = (n: number): number => n * 60_000;

function config(overrides: Partial<MonitorConfig> = {}): MonitorConfig {
  return MonitorConfig.parse({
    target: 'https://api.example.test/health',
    intervalSeconds: 60,
    failureThreshold: 2,
    recoveryThreshold: 2,
    realertMinutes: 30,
    webhook: 'https://hooks.example.test/services/T0/B0/secret',
    ...overrides,
  });
}

function check(ok: boolean, overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    url: 'https://api.example.test/health',
    finalUrl: 'https://api.example.test/health',
    ok,
    status: ok ? 200 : 500,
    latencyMs: 42,
    redirects: [],
    assertions: [],
    ...(ok ? {} : { error: { code: 'HTTP' as const, message: 'HTTP 500' } }),
    // A different clock than the orchestrator's: the reducer must not use it.
    checkedAt: '1999-01-01T00:00:00.000Z',
    bytesRead: 10,
    ...overrides,
  };
}

/** Runs checks one interval apart starting at T0; returns every step's outcome. */
function run(pattern: boolean[], cfg = config(), state = initialState(T0)): StepOutcome[] {
  const outcomes: StepOutcome[] = [];
  let current = state;
  pattern.forEach((ok, i) => {
    const outcome = step(current, check(ok), cfg, { at: T0 + i * cfg.intervalSeconds * 1000 });
    outcomes.push(outcome);
    current = outcome.state;
  });
  return outcomes;
}

const last = (outcomes: StepOutcome[]): MonitorState => outcomes[outcomes.length - 1].state;

describe('step', () => {
  it('opens exactly one incident after failureThreshold failures and closes it after recoveryThreshold successes', () => {
    const outcomes = run([true, false, false, false, true, true, true]);
    const kinds = outcomes.map((o) => o.events.map((e) => e.kind));
    expect(kinds).toEqual([[], [], ['DOWN'], [], [], ['RECOVERED'], []]);
    expect(outcomes.map((o) => o.state.status)).toEqual([
      'up',
      'degraded',
      'down',
      'down',
      'down',
      'up',
      'up',
    ]);

    const down = outcomes[2].events[0];
    expect(down).toMatchObject({
      kind: 'DOWN',
      at: iso(T0 + minutes(2)),
      consecutiveFailures: 2,
      incidentId: 'incident-1',
    });
    const recovered = outcomes[5].events[0];
    expect(recovered).toMatchObject({
      kind: 'RECOVERED',
      incidentId: 'incident-1',
      openedAt: iso(T0 + minutes(2)),
      at: iso(T0 + minutes(5)),
      durationMs: minutes(3),
      consecutiveSuccesses: 2,
    });
    for (const o of outcomes) for (const e of o.events) expect(MonitorEvent.parse(e)).toStrictEqual(e);

    const final = last(outcomes);
    expect(final.incident).toBeNull();
    expect(final.lastIncident).toMatchObject({
      id: 'incident-1',
      closedAt: iso(T0 + minutes(5)),
      durationMs: minutes(3),
    });
    expect(final.counters).toMatchObject({ checks: 7, successes: 4, incidents: 1 });
    expect(final.uptimePercent).toBe(57.143);
    expect(final.statusSince).toBe(iso(T0 + minutes(5)));
  });

  it('emits nothing while failures flap below the threshold', () => {
    const outcomes = run([false, true, false, true, false, true, false, true]);
    expect(outcomes.flatMap((o) => o.events)).toEqual([]);
    expect(outcomes.map((o) => o.state.status)).toEqual([
      'degraded',
      'up',
      'degraded',
      'up',
      'degraded',
      'up',
      'degraded',
      'up',
    ]);
    expect(last(outcomes).counters.incidents).toBe(0);
  });

  it('keeps an incident open while successes flap below the recovery threshold', () => {
    const outcomes = run(
      [false, false, true, false, true, false, true, true],
      config({ recoveryThreshold: 2 }),
    );
    expect(outcomes.map((o) => o.events.map((e) => e.kind))).toEqual([
      [],
      ['DOWN'],
      [],
      [],
      [],
      [],
      [],
      ['RECOVERED'],
    ]);
    expect(outcomes.slice(1, 7).every((o) => o.state.status === 'down')).toBe(true);
  });

  it('goes straight to down with failureThreshold 1 and records the cause', () => {
    const [first] = run([false], config({ failureThreshold: 1 }));
    expect(first.events.map((e) => e.kind)).toEqual(['DOWN']);
    expect(first.state.status).toBe('down');
    expect(first.state.incident?.cause).toEqual({
      at: iso(T0),
      ok: false,
      status: 500,
      latencyMs: 42,
      code: 'HTTP',
      message: 'HTTP 500',
    });
  });

  it('takes the time from options.at, not from the activity clock', () => {
    const [first] = run([true]);
    expect(first.state.lastCheckAt).toBe(iso(T0));
    expect(first.state.recent[0].at).toBe(iso(T0));
    const fromDate = step(initialState(), check(true), config(), { at: new Date(T0) }).state;
    const fromString = step(initialState(), check(true), config(), { at: iso(T0) }).state;
    expect(fromDate).toStrictEqual(fromString);
    expect(fromDate.startedAt).toBe(iso(T0));
    expect(() => step(initialState(), check(true), config(), { at: 'not a time' })).toThrow(RangeError);
  });

  it('uses a given incident id and only calls an id factory when an incident opens', () => {
    const factory = jest.fn(() => 'guid-1');
    const cfg = config();
    let state = initialState(T0);
    for (const [i, ok] of [true, false, false, false].entries()) {
      state = step(state, check(ok), cfg, { at: T0 + i * 1000, incidentId: factory }).state;
    }
    expect(factory).toHaveBeenCalledTimes(1);
    expect(state.incident?.id).toBe('guid-1');
    const long = step(step(initialState(), check(false), cfg, { at: T0 }).state, check(false), cfg, {
      at: T0 + 1,
      incidentId: 'x'.repeat(500),
    }).state;
    expect(long.incident?.id).toHaveLength(MONITOR_LIMITS.maxIdLength);
  });

  it('says which assertion failed when a failed check has no error code', () => {
    const failed = check(false, {
      status: 200,
      error: undefined,
      assertions: [{ name: 'bodyContains', ok: false, expected: 'contains "ok"', actual: false }],
    });
    delete failed.error;
    const { state } = step(initialState(), failed, config(), { at: T0 });
    expect(state.lastResult).toEqual({
      at: iso(T0),
      ok: false,
      status: 200,
      latencyMs: 42,
      message: 'assertion bodyContains failed',
    });
  });
});

describe('bounds', () => {
  it('keeps the window at windowSize entries, newest last, and truncates messages', () => {
    const cfg = config({ failureThreshold: 3 });
    let state = initialState(T0);
    const n = 500;
    for (let i = 0; i < n; i++) {
      const ok = i % 7 !== 0;
      const result = ok
        ? check(true)
        : check(false, { error: { code: 'TIMEOUT', message: 'm'.repeat(10_000) } });
      state = step(state, result, cfg, { at: T0 + i * 60_000 }).state;
    }
    expect(state.recent).toHaveLength(MONITOR_LIMITS.windowSize);
    expect(state.recent[0].at).toBe(iso(T0 + (n - MONITOR_LIMITS.windowSize) * 60_000));
    expect(state.recent[MONITOR_LIMITS.windowSize - 1].at).toBe(iso(T0 + (n - 1) * 60_000));
    expect(state.recent.every((e) => !('message' in e))).toBe(true);
    expect(state.counters.checks).toBe(n);
    expect(state.counters.successes).toBe(n - Math.ceil(n / 7));
    expect(state.lastResult?.message?.length ?? 0).toBeLessThanOrEqual(MONITOR_LIMITS.maxMessageLength);
    // Far below the 16 KB the Azure Storage backend allows for customStatus.
    expect(JSON.stringify(state).length).toBeLessThan(6_000);
  });
});

describe('re-alerts and wake-up times', () => {
  const cfg = config({ intervalSeconds: 3600, failureThreshold: 1, realertMinutes: 30 });
  const opened = (): MonitorState => step(initialState(T0), check(false), cfg, { at: T0 }).state;

  it('is due realertMinutes after the last alert attempt', () => {
    const alerted = markAlerted(opened(), T0);
    expect(alerted.incident).toMatchObject({ lastAlertAt: iso(T0), alerts: 1 });
    expect(dueRealert(alerted, cfg, T0 + minutes(30) - 1)).toBe(false);
    expect(dueRealert(alerted, cfg, T0 + minutes(30))).toBe(true);

    const again = markAlerted(alerted, T0 + minutes(30));
    expect(again.incident?.alerts).toBe(2);
    expect(dueRealert(again, cfg, T0 + minutes(59))).toBe(false);
    expect(dueRealert(again, cfg, T0 + minutes(60))).toBe(true);
  });

  it('counts from openedAt when no alert was attempted yet', () => {
    expect(dueRealert(opened(), cfg, T0 + minutes(30))).toBe(true);
    expect(dueRealert(opened(), cfg, T0 + minutes(29))).toBe(false);
  });

  it('never re-alerts when acknowledged, disabled, without a webhook or without an incident', () => {
    const later = T0 + minutes(600);
    const acked = acknowledge(markAlerted(opened(), T0), T0 + 1000).state;
    expect(dueRealert(acked, cfg, later)).toBe(false);
    expect(dueRealert(opened(), { ...cfg, realertMinutes: 0 }, later)).toBe(false);
    expect(dueRealert(opened(), { ...cfg, webhook: undefined }, later)).toBe(false);
    expect(dueRealert(initialState(T0), cfg, later)).toBe(false);
  });

  it('wakes for the earlier of the next check and the next re-alert', () => {
    const state = markAlerted(opened(), T0);
    expect(nextWakeAt(state, cfg, T0 + 1000)).toEqual({ at: new Date(T0 + minutes(30)), reason: 'realert' });
    const frequent = { ...cfg, intervalSeconds: 60 };
    expect(nextWakeAt(state, frequent, T0 + 1000)).toEqual({ at: new Date(T0 + 60_000), reason: 'check' });
    const acked = acknowledge(state, T0 + 1000).state;
    expect(nextWakeAt(acked, cfg, T0 + 1000)).toEqual({ at: new Date(T0 + minutes(60)), reason: 'check' });
  });

  it('is due at once before the first check and never schedules in the past', () => {
    expect(nextWakeAt(initialState(), cfg, T0)).toEqual({ at: new Date(T0), reason: 'check' });
    expect(dueCheck(initialState(), cfg, T0)).toBe(true);
    const state = step(initialState(), check(true), cfg, { at: T0 }).state;
    expect(dueCheck(state, cfg, T0 + minutes(59))).toBe(false);
    expect(dueCheck(state, cfg, T0 + minutes(60))).toBe(true);
    const overdue = T0 + minutes(90);
    expect(nextWakeAt(state, cfg, overdue)).toEqual({ at: new Date(overdue), reason: 'check' });
  });
});

describe('acknowledge', () => {
  const cfg = config({ failureThreshold: 1, recoveryThreshold: 1 });

  it('reports nothing to acknowledge without an open incident', () => {
    const state = step(initialState(), check(true), cfg, { at: T0 }).state;
    const outcome = acknowledge(state, T0 + 1);
    expect(outcome.result).toBe('nothing-to-acknowledge');
    expect(outcome.state).toBe(state);
  });

  it('acknowledges once, then reports already', () => {
    const open = step(initialState(), check(false), cfg, { at: T0 }).state;
    const first = acknowledge(open, T0 + 5000, '  alice@example.test ');
    expect(first.result).toBe('acknowledged');
    expect(first.state.incident).toMatchObject({
      acknowledgedAt: iso(T0 + 5000),
      acknowledgedBy: 'alice@example.test',
    });
    const second = acknowledge(first.state, T0 + 9000, 'bob');
    expect(second.result).toBe('already');
    expect(second.state.incident?.acknowledgedBy).toBe('alice@example.test');
    expect(acknowledge(open, T0, 'x'.repeat(1000)).state.incident?.acknowledgedBy).toHaveLength(
      MONITOR_LIMITS.maxActorLength,
    );
    expect(acknowledge(open, T0, '   ').state.incident).not.toHaveProperty('acknowledgedBy');
  });

  it('carries the acknowledgement into the closed incident and starts the next incident unacknowledged', () => {
    let state = step(initialState(), check(false), cfg, { at: T0 }).state;
    state = acknowledge(state, T0 + 1000, 'alice').state;
    state = step(state, check(true), cfg, { at: T0 + 60_000 }).state;
    expect(state.lastIncident).toMatchObject({ id: 'incident-1', acknowledgedAt: iso(T0 + 1000) });
    state = step(state, check(false), cfg, { at: T0 + 120_000 }).state;
    expect(state.incident?.id).toBe('incident-2');
    expect(state.incident).not.toHaveProperty('acknowledgedAt');
    expect(acknowledge(state, T0 + 130_000).result).toBe('acknowledged');
  });
});

describe('alert deliveries', () => {
  it('records a failed delivery and keeps monitoring', () => {
    const cfg = config({ failureThreshold: 1, recoveryThreshold: 1 });
    let state = step(initialState(), check(false), cfg, { at: T0 }).state;
    state = markAlerted(state, T0);
    state = recordAlertDelivery(state, {
      at: T0 + 40_000,
      kind: 'DOWN',
      incidentId: state.incident?.id,
      ok: false,
      error: new Error("Activity function 'sendAlert' failed: " + 'x'.repeat(1000)),
    });
    expect(state.lastDelivery).toMatchObject({
      at: iso(T0 + 40_000),
      kind: 'DOWN',
      incidentId: 'incident-1',
      ok: false,
    });
    expect(state.lastDelivery?.error?.startsWith("Activity function 'sendAlert' failed")).toBe(true);
    expect(state.lastDelivery?.error?.length).toBeLessThanOrEqual(MONITOR_LIMITS.maxMessageLength);
    expect(state.counters).toMatchObject({ alertsDelivered: 0, alertsFailed: 1 });

    const next = step(state, check(true), cfg, { at: T0 + 60_000 });
    expect(next.events.map((e) => e.kind)).toEqual(['RECOVERED']);
    const delivered = recordAlertDelivery(next.state, {
      at: T0 + 61_000,
      kind: 'RECOVERED',
      ok: true,
      status: 204,
    });
    expect(delivered.lastDelivery).toEqual({
      at: iso(T0 + 61_000),
      kind: 'RECOVERED',
      ok: true,
      status: 204,
    });
    expect(delivered.counters).toMatchObject({ alertsDelivered: 1, alertsFailed: 1 });
    expect(
      recordAlertDelivery(next.state, { at: T0, kind: 'DOWN', ok: false, error: { weird: true } })
        .lastDelivery?.error,
    ).toBe('unknown error');
  });

  it('ignores markAlerted without an open incident', () => {
    const state = initialState(T0);
    expect(markAlerted(state, T0)).toBe(state);
  });
});

describe('reconfigure', () => {
  it('keeps counters, streaks, window and the open incident', () => {
    const before = last(run([true, false, false, false, true], config()));
    const after = reconfigure(before, config({ intervalSeconds: 300, failureThreshold: 5 }), {
      at: T0 + minutes(10),
    });
    const { configRevision, reconfiguredAt, ...kept } = after;
    const { configRevision: _r, reconfiguredAt: _a, ...keptBefore } = before;
    expect(kept).toStrictEqual(keptBefore);
    expect(configRevision).toBe(before.configRevision + 1);
    expect(reconfiguredAt).toBe(iso(T0 + minutes(10)));
    expect(after.counters.checks).toBe(5);
    expect(after.incident?.id).toBe('incident-1');
  });

  it('applies a lowered failure threshold at the next failure', () => {
    const degraded = last(run([false, false], config({ failureThreshold: 3 })));
    expect(degraded.status).toBe('degraded');
    const lowered = config({ failureThreshold: 2 });
    const state = reconfigure(degraded, lowered);
    expect(state.reconfiguredAt).toBeNull();
    const next = step(state, check(false), lowered, { at: T0 + minutes(3) });
    expect(next.events).toHaveLength(1);
    expect(next.events[0]).toMatchObject({ kind: 'DOWN', consecutiveFailures: 3 });
  });
});

describe('serialisation', () => {
  it('survives a JSON round trip unchanged and validates against MonitorState', () => {
    const cfg = config();
    let state = last(run([true, false, false, true, false, false, false], cfg));
    state = markAlerted(state, T0 + minutes(6));
    state = acknowledge(state, T0 + minutes(7), 'ops').state;
    state = recordAlertDelivery(state, { at: T0 + minutes(6), kind: 'DOWN', ok: false, error: 'HTTP 500' });
    state = reconfigure(state, cfg, { at: T0 + minutes(8) });
    state = step(state, check(true), cfg, { at: T0 + minutes(9) }).state;
    state = step(state, check(true), cfg, { at: T0 + minutes(10) }).state;
    expect(state.lastIncident).not.toBeNull();

    for (const candidate of [initialState(), initialState(T0), state]) {
      const copy = JSON.parse(JSON.stringify(candidate)) as unknown;
      expect(copy).toStrictEqual(candidate);
      expect(MonitorState.parse(copy)).toStrictEqual(candidate);
    }
  });

  it('rejects a state that breaks its bounds', () => {
    const state = initialState(T0);
    const tooLong = {
      ...state,
      recent: Array.from({ length: MONITOR_LIMITS.windowSize + 1 }, () => ({
        at: iso(T0),
        ok: true,
        latencyMs: 1,
      })),
    };
    expect(MonitorState.safeParse(tooLong).success).toBe(false);
    expect(MonitorState.safeParse({ ...state, extra: 1 }).success).toBe(false);
  });
});

describe('schemas', () => {
  it.each([
    ['api-health', true],
    ['a', true],
    ['0', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['', false],
    ['-api', false],
    ['api-', false],
    ['API', false],
    ['api_health', false],
    ['api.health', false],
    ['api health', false],
    ['api/health', false],
  ])('MonitorName %j valid=%s', (name, valid) => {
    expect(MonitorName.safeParse(name).success).toBe(valid);
  });

  it('normalises a string target and validates every field', () => {
    const parsed = config();
    expect(parsed.target).toMatchObject({ url: 'https://api.example.test/health', method: 'GET' });
    const invalid: [string, Record<string, unknown>][] = [
      ['intervalSeconds', { intervalSeconds: 9 }],
      ['intervalSeconds', { intervalSeconds: 86_401 }],
      ['intervalSeconds', { intervalSeconds: 1.5 }],
      ['failureThreshold', { failureThreshold: 0 }],
      ['recoveryThreshold', { recoveryThreshold: 0 }],
      ['realertMinutes', { realertMinutes: -1 }],
      ['webhook', { webhook: 'ftp://hooks.example.test/x' }],
      ['webhook', { webhook: 'not a url' }],
      ['target', { target: 'file:///etc/passwd' }],
    ];
    for (const [field, overrides] of invalid) {
      const result = MonitorConfig.safeParse({ ...config(), ...overrides });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0].path[0]).toBe(field);
    }
    expect(MonitorConfig.safeParse({ ...config(), surprise: true }).success).toBe(false);
    const { webhook: _w, ...withoutWebhook } = config();
    expect(MonitorConfig.safeParse(withoutWebhook).success).toBe(true);
    expect(config({ realertMinutes: 0 }).realertMinutes).toBe(0);
  });
});
