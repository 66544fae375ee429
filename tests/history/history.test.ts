// The history tables on real Azurite: idempotent rows, rollups that agree with the raw rows,
// summaries that agree with the rollups, data that survives an emulator restart, and the
// retention purge.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dayBefore, HISTORY_TABLES, rollupOf, type RecordCheckInput } from '../../src/core/history';
import { SUMMARY_PARTITION, summaryDays } from '../../src/core/historySummary';
import {
  purgeHistory,
  readChecks,
  readDaily,
  readStatusHistory,
  readSummary,
  recordCheck,
  replaceSummary,
  writeDailyRollup,
} from '../../src/activities/storage/history';
import { tableClient } from '../../src/activities/storage/tables';
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

/**
 * The monitor's summary says what its rollups say: every day's counts and percentiles, and the
 * 15-minute buckets of its newest two days (the summary keeps no older buckets).
 */
async function expectSummaryEqualsRollups(monitor: string): Promise<void> {
  const rollups = await readDaily(monitor);
  const summary = await readSummary(monitor);
  expect(summary).toBeDefined();
  const newest = rollups[rollups.length - 1]!.day;
  expect(summaryDays(summary!)).toEqual(
    rollups.map((r) => ({
      day: r.day,
      checks: r.checks,
      up: r.up,
      down: r.down,
      p50: r.p50,
      p95: r.p95,
      ...(r.day >= dayBefore(newest, 1) && { buckets: r.buckets }),
    })),
  );
}

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
  await expectSummaryEqualsRollups('dupes');
});

test('the summary equals the rollups after duplicates, concurrent retries and an interrupted write', async () => {
  const start = Date.parse('2026-03-05T21:00:00.000Z');
  // Every 20 minutes for 30 hours (three days), each round recorded twice, some three times at once.
  for (let i = 0; i < 90; i++) {
    const input = round('summed', new Date(start + i * 20 * 60_000).toISOString(), i % 7 !== 0, 50 + i);
    await recordCheck(input);
    if (i % 5 === 0) await Promise.all([recordCheck(input), recordCheck(input), recordCheck(input)]);
    else await recordCheck(input);
  }
  expect((await readDaily('summed')).map((d) => d.day)).toEqual(['2026-03-05', '2026-03-06', '2026-03-07']);
  await expectSummaryEqualsRollups('summed');

  // An attempt that died after writing its rollup but before the summary: the summary is one check
  // behind. Its retry counts nothing more, and catches the summary up.
  const behind = (await readSummary('summed'))!;
  const last = round('summed', '2026-03-07T03:00:00.000Z', false, 777);
  expect(await recordCheck(last)).toEqual({ counted: true });
  await replaceSummary(behind);
  expect(await recordCheck(last)).toEqual({ counted: false });
  await expectSummaryEqualsRollups('summed');
  expect((await readSummary('summed'))!.days['2026-03-07']![2]).toBe(
    (await readChecks('summed', '2026-03-07')).filter((r) => !r.ok).length,
  );
});

test('a summary deleted under a writer that remembers its ETag is rebuilt from the rollups by the next check', async () => {
  await recordCheck(round('rebuilt', '2026-03-06T08:00:00.000Z', true, 40));
  await recordCheck(round('rebuilt', '2026-03-07T08:00:00.000Z', false, 900));
  const summaries = await tableClient(HISTORY_TABLES.summary);
  await summaries.deleteEntity(SUMMARY_PARTITION, 'rebuilt');
  expect(await recordCheck(round('rebuilt', '2026-03-07T08:01:00.000Z', true, 41))).toEqual({
    counted: true,
  });
  expect(Object.keys((await readSummary('rebuilt'))!.days)).toEqual(['2026-03-06', '2026-03-07']);
  await expectSummaryEqualsRollups('rebuilt');
});

test('history written before the summaries: the page reads the rollups and stores the summary, and so does the next check', async () => {
  const days = ['2026-03-08', '2026-03-09', '2026-03-10'];
  for (const monitor of ['legacy-page', 'legacy-check']) {
    for (const [i, day] of days.entries()) {
      const samples = [
        { minute: 60, ok: true, latencyMs: 100 + i },
        { minute: 600, ok: i !== 1, latencyMs: 300 },
      ];
      await writeDailyRollup(monitor, rollupOf(day, samples, `${day}T10:00:00.000Z`));
    }
    expect(await readSummary(monitor)).toBeUndefined();
  }
  const history = await readStatusHistory({
    since: '2026-03-01',
    bucketsSince: '2026-03-09',
    incidentsSince: '2026-03-01T00:00:00.000Z',
    monitors: [{ name: 'legacy-page' }],
  });
  expect(history.days.get('legacy-page')!.map((d) => [d.day, d.checks, d.down])).toEqual([
    ['2026-03-08', 2, 0],
    ['2026-03-09', 2, 1],
    ['2026-03-10', 2, 0],
  ]);
  await expectSummaryEqualsRollups('legacy-page');

  // The first check since: its summary starts from all the rollups, not just today's.
  expect(await recordCheck(round('legacy-check', '2026-03-10T11:00:00.000Z', true, 90))).toEqual({
    counted: true,
  });
  expect(Object.keys((await readSummary('legacy-check'))!.days)).toEqual(days);
  await expectSummaryEqualsRollups('legacy-check');
});

test('one round whose time arrives in two forms ("...00.000Z", "...00Z") is still one row, counted once', async () => {
  // A string RowKey made from the text as given would store two rows and count the check twice.
  expect(await recordCheck(round('forms', '2026-03-02T10:00:00.000Z', true, 120))).toEqual({ counted: true });
  expect(await recordCheck(round('forms', '2026-03-02T10:00:00Z', true, 130))).toEqual({ counted: false });
  const rows = await readChecks('forms');
  expect(rows).toEqual([{ at: '2026-03-02T10:00:00.000Z', ok: true, latencyMs: 120, status: 200 }]);
  const [day] = await readDaily('forms');
  expect(day).toMatchObject({ checks: 1, lastAt: '2026-03-02T10:00:00.000Z' });
});

test('incidents are listed newest first and windowed by instant, whatever form their times were given in', async () => {
  const incident = (id: string, openedAt: string) =>
    recordCheck({ monitor: 'incident-forms', at: openedAt, incident: { id, openedAt, closedAt: openedAt } });
  await incident('a', '2026-03-03T10:00:00Z');
  await incident('b', '2026-03-03T10:00:00.500+00:00');
  // Half a second before the window: as text, "...09:00:00Z" >= "...09:00:00.500Z" (the table's
  // `openedAt ge` filter compares text), so only the stored canonical form leaves it out.
  await incident('c', '2026-03-03T09:00:00Z');
  const { incidents } = await readStatusHistory({
    since: '2026-03-03',
    bucketsSince: '2026-03-03',
    incidentsSince: '2026-03-03T09:00:00.500Z',
    monitors: [],
  });
  const mine = incidents.filter((i) => i.monitor === 'incident-forms');
  expect(mine.map((i) => [i.id, i.openedAt])).toEqual([
    ['b', '2026-03-03T10:00:00.500Z'],
    ['a', '2026-03-03T10:00:00.000Z'],
  ]);
  // Out of the way of the tests that count every incident.
  const table = await tableClient(HISTORY_TABLES.incidents);
  for (const id of ['a', 'b', 'c']) await table.deleteEntity('incident-forms', id);
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
    monitors: [],
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
  // Summaries follow: the days before the cut are gone, the rest still equal the rollups, and a
  // monitor with nothing left has no summary.
  expect(deleted.summaries).toBeGreaterThan(0);
  await expectSummaryEqualsRollups('shop');
  await expectSummaryEqualsRollups('summed');
  expect(Object.keys((await readSummary('summed'))!.days)).toEqual([
    '2026-03-05',
    '2026-03-06',
    '2026-03-07',
  ]);
  expect(await readSummary('old')).toBeUndefined();
  expect(await readSummary('dupes')).toBeUndefined();
  // The incidents of the page: opened since the window's start (filtered by the table), plus the
  // open incident of a shown monitor however old.
  const { incidents } = await readStatusHistory({
    since: '2026-01-01',
    bucketsSince: '2026-01-01',
    incidentsSince: '2026-02-01T00:00:00.000Z',
    monitors: [{ name: 'old', openIncident: 'open-old' }, { name: 'api' }],
  });
  expect(incidents.map((i) => i.id)).toEqual(['inc-1', 'open-old']);
});
