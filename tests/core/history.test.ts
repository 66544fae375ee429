import {
  addToRollup,
  canonicalRecord,
  dayBefore,
  packSamples,
  percentile,
  roundRecord,
  unpackSamples,
  type CheckRow,
} from '../../src/core/history';
import { initialState, step } from '../../src/core/monitor';
import type { MonitorConfig } from '../../src/core/monitorSchemas';

const row = (at: string, ok: boolean, latencyMs: number): CheckRow => ({ at, ok, latencyMs });

test('samples survive packing, with latencies capped rather than wrapped', () => {
  const samples = [
    { minute: 0, ok: true, latencyMs: 0 },
    { minute: 1439, ok: false, latencyMs: 60_000 },
    { minute: 700, ok: true, latencyMs: 5_000_000 },
  ];
  expect(unpackSamples(packSamples(samples))).toEqual([
    samples[0],
    samples[1],
    { minute: 700, ok: true, latencyMs: 2 ** 20 - 1 },
  ]);
});

test('a check at or before the last counted one is not counted again', () => {
  const first = addToRollup(undefined, row('2026-05-01T00:00:00.000Z', true, 10));
  expect(first).toMatchObject({ checks: 1, up: 1, down: 0, p50: 10, p95: 10 });
  expect(addToRollup(first, row('2026-05-01T00:00:00.000Z', true, 10))).toBeUndefined();
  const second = addToRollup(first, row('2026-05-01T00:14:59.000Z', false, 30));
  expect(second).toMatchObject({ checks: 2, up: 1, down: 1, buckets: { 0: [2, 1, 10, 30] } });
  expect(addToRollup(second, row('2026-05-01T00:01:00.000Z', true, 5))).toBeUndefined();
  expect(() => addToRollup(second, row('2026-05-02T00:00:00.000Z', true, 5))).toThrow(RangeError);
});

test('nearest-rank percentiles', () => {
  expect(percentile([], 50)).toBeNull();
  expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  expect(
    percentile(
      [...Array(20).keys()].map((i) => i + 1),
      95,
    ),
  ).toBe(19);
  expect(dayBefore('2026-03-01T05:00:00Z', 1)).toBe('2026-02-28');
});

test('a round that opens an incident records it, one that closes it records the close, others nothing', () => {
  const config: MonitorConfig = {
    target: { url: 'https://example.test/', method: 'GET', timeoutMs: 10_000, followRedirects: true },
    intervalSeconds: 60,
    failureThreshold: 1,
    recoveryThreshold: 1,
    realertMinutes: 0,
  };
  const fail = {
    url: 'https://example.test/',
    ok: false,
    status: 503,
    latencyMs: 40,
    assertions: [],
    redirects: [],
    checkedAt: '2026-05-01T00:00:00.000Z',
  };
  const down = step(initialState('2026-05-01T00:00:00.000Z'), fail as never, config, {
    at: '2026-05-01T00:01:00.000Z',
    incidentId: 'i1',
  });
  expect(roundRecord('shop', '2026-05-01T00:01:00.000Z', down.state, down.events)).toEqual({
    monitor: 'shop',
    at: '2026-05-01T00:01:00.000Z',
    incident: { id: 'i1', openedAt: '2026-05-01T00:01:00.000Z', causeStatus: 503 },
  });
  const up = step(down.state, { ...fail, ok: true, status: 200 } as never, config, {
    at: '2026-05-01T00:02:00.000Z',
  });
  expect(roundRecord('shop', '2026-05-01T00:02:00.000Z', up.state, up.events)?.incident).toEqual({
    id: 'i1',
    openedAt: '2026-05-01T00:01:00.000Z',
    closedAt: '2026-05-01T00:02:00.000Z',
  });
  const quiet = step(up.state, { ...fail, ok: true, status: 200 } as never, config, {
    at: '2026-05-01T00:03:00.000Z',
  });
  expect(roundRecord('shop', '2026-05-01T00:03:00.000Z', quiet.state, quiet.events)).toBeUndefined();
});

describe('canonicalRecord: one round, one key, whatever form its time arrived in', () => {
  it('writes every time of the record as Date#toISOString does', () => {
    const record = canonicalRecord({
      monitor: 'm',
      at: '2026-11-30T10:00:00Z',
      check: { at: '2026-11-30T10:00:00Z', ok: true, latencyMs: 5 },
      incident: {
        id: 'i',
        openedAt: '2026-11-30T09:00:00.5Z',
        acknowledgedAt: '2026-11-30T09:30:00+00:00',
        closedAt: '2026-11-30T10:00:00Z',
      },
    });
    expect(record).toEqual({
      monitor: 'm',
      at: '2026-11-30T10:00:00.000Z',
      check: { at: '2026-11-30T10:00:00.000Z', ok: true, latencyMs: 5 },
      incident: {
        id: 'i',
        openedAt: '2026-11-30T09:00:00.500Z',
        acknowledgedAt: '2026-11-30T09:30:00.000Z',
        closedAt: '2026-11-30T10:00:00.000Z',
      },
    });
    const same = canonicalRecord({ monitor: 'm', at: '2026-11-30T10:00:00.000Z' });
    expect(same.at).toBe(record.at);
  });
});
