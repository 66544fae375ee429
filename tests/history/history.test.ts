// The history tables on real Azurite: idempotent rows, rollups that agree with the raw rows, data
// that survives an emulator restart, and the retention purge.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordCheckInput } from '../../src/core/history';
import {
  purgeHistory,
  readChecks,
  readDaily,
  readStatusHistory,
  recordCheck,
} from '../../src/activities/storage/history';
import { startAzurite, type Azurite } from '../host/azurite';

jest.setTimeout(120_000);

let location: string;
let azurite: Azurite;
const savedStorage = process.env.AzureWebJobsStorage;

beforeAll(async () => {
  location = mkdtempSync(join(tmpdir(), 'sitewatch-history-'));
  azurite = await startAzurite({ location });
  process.env.AzureWebJobsStorage = azurite.connectionString;
});

afterAll(async () => {
  await azurite?.stop();
  rmSync(location, { recursive: true, force: true });
  if (savedStorage === undefined) delete process.env.AzureWebJobsStorage;
  else process.env.AzureWebJobsStorage = savedStorage;
});

const round = (monitor: string, at: string, ok: boolean, latencyMs: number): RecordCheckInput => ({
  monitor,
  at,
  check: ok ? { at, ok, latencyMs, status: 200 } : { at, ok, latencyMs, status: 503 },
});

/** Nearest-rank percentile, written out independently of src/core/history.ts. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

test('a round recorded twice (a retried activity) is one row and counts once; concurrent duplicates too', async () => {
  const first = round('dupes', '2026-03-01T10:00:00.000Z', true, 120);
  expect(await recordCheck(first)).toEqual({ counted: true });
  expect(await recordCheck(first)).toEqual({ counted: false });
  const second = round('dupes', '2026-03-01T10:01:00.000Z', false, 900);
  const outcomes = await Promise.all([recordCheck(second), recordCheck(second), recordCheck(second)]);
  expect(outcomes.filter((o) => o.counted)).toHaveLength(1);

  expect(await readChecks('dupes')).toHaveLength(2);
  const [day] = await readDaily('dupes');
  expect(day).toMatchObject({ day: '2026-03-01', checks: 2, up: 1, down: 1 });
});

test('rollups equal the raw rows, day by day, across a day boundary', async () => {
  const latencies = [80, 95, 400, 120, 3000, 101, 99, 250, 87, 60, 1500, 110];
  const start = Date.parse('2026-03-02T22:10:00.000Z');
  for (const [i, latency] of latencies.entries()) {
    // Every 17 minutes: crosses midnight and several 15-minute buckets; every fourth one fails.
    await recordCheck(round('shop', new Date(start + i * 17 * 60_000).toISOString(), i % 4 !== 3, latency));
  }
  const raw = await readChecks('shop');
  expect(raw).toHaveLength(latencies.length);
  const daily = await readDaily('shop');
  expect(daily.map((d) => d.day)).toEqual(['2026-03-02', '2026-03-03']);
  for (const day of daily) {
    const rows = raw.filter((r) => r.at.startsWith(day.day));
    expect(day.checks).toBe(rows.length);
    expect(day.up).toBe(rows.filter((r) => r.ok).length);
    expect(day.down).toBe(rows.filter((r) => !r.ok).length);
    expect(day.p50).toBe(
      nearestRank(
        rows.map((r) => r.latencyMs),
        50,
      ),
    );
    expect(day.p95).toBe(
      nearestRank(
        rows.map((r) => r.latencyMs),
        95,
      ),
    );
    // The 15-minute buckets hold every check of the day exactly once.
    const buckets = Object.values(day.buckets);
    expect(buckets.reduce((n, b) => n + b[0], 0)).toBe(rows.length);
    expect(buckets.reduce((n, b) => n + b[1], 0)).toBe(day.down);
  }
});

test('incidents keep their opening, acknowledgement and closing, whatever order they arrive in', async () => {
  const id = 'inc-1';
  await recordCheck({
    monitor: 'api',
    at: '2026-03-04T09:00:00.000Z',
    incident: { id, openedAt: '2026-03-04T09:00:00.000Z', causeStatus: 503 },
  });
  await recordCheck({
    monitor: 'api',
    at: '2026-03-04T09:30:00.000Z',
    incident: { id, openedAt: '2026-03-04T09:00:00.000Z', closedAt: '2026-03-04T09:30:00.000Z' },
  });
  await recordCheck({
    monitor: 'api',
    at: '2026-03-04T09:10:00.000Z',
    incident: { id, openedAt: '2026-03-04T09:00:00.000Z', acknowledgedAt: '2026-03-04T09:10:00.000Z' },
  });
  const { incidents } = await readStatusHistory({
    since: '2026-03-01',
    bucketsSince: '2026-03-03',
    incidentsSince: '2026-02-01',
  });
  expect(incidents.filter((i) => i.monitor === 'api')).toEqual([
    {
      monitor: 'api',
      id,
      openedAt: '2026-03-04T09:00:00.000Z',
      acknowledgedAt: '2026-03-04T09:10:00.000Z',
      closedAt: '2026-03-04T09:30:00.000Z',
      causeStatus: 503,
    },
  ]);
});

test('history survives a restart of the storage emulator', async () => {
  const before = { checks: await readChecks('shop'), daily: await readDaily('shop') };
  expect(before.checks.length).toBeGreaterThan(0);
  await azurite.stop();
  azurite = await startAzurite({ location });
  process.env.AzureWebJobsStorage = azurite.connectionString;
  expect(await readChecks('shop')).toEqual(before.checks);
  expect(await readDaily('shop')).toEqual(before.daily);
  // And it keeps counting where it left off.
  expect(await recordCheck(round('shop', '2026-03-03T02:00:00.000Z', true, 100))).toEqual({ counted: true });
});

test('the purge deletes rows and rollups of days before the cut, and closed incidents opened before it', async () => {
  await recordCheck({
    monitor: 'old',
    at: '2026-01-05T00:00:00.000Z',
    incident: { id: 'open-old', openedAt: '2026-01-05T00:00:00.000Z' },
  });
  await recordCheck({
    monitor: 'old',
    at: '2026-01-06T00:00:00.000Z',
    incident: {
      id: 'closed-old',
      openedAt: '2026-01-05T00:00:00.000Z',
      closedAt: '2026-01-06T00:00:00.000Z',
    },
  });
  await recordCheck(round('old', '2026-01-05T12:00:00.000Z', true, 50));
  const deleted = await purgeHistory('2026-03-03');
  expect(deleted).toMatchObject({ incidents: 1 });
  expect(deleted.checks).toBeGreaterThan(0);
  expect(await readChecks('old')).toEqual([]);
  expect((await readChecks('shop')).every((r) => r.at >= '2026-03-03')).toBe(true);
  expect((await readDaily('shop')).map((d) => d.day)).toEqual(['2026-03-03']);
  const { incidents } = await readStatusHistory({
    since: '2026-01-01',
    bucketsSince: '2026-01-01',
    incidentsSince: '2026-01-01',
  });
  expect(incidents.map((i) => i.id)).toContain('open-old');
  expect(incidents.map((i) => i.id)).not.toContain('closed-old');
});
