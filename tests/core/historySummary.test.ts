import fc from 'fast-check';
import { addToRollup, dayBefore, type CheckRow, type DailyRollup } from '../../src/core/history';
import {
  emptySummary,
  mergeRollup,
  summaryDays,
  withoutDaysBefore,
  type MonitorSummary,
} from '../../src/core/historySummary';

const DAY0 = Date.parse('2026-05-01T00:00:00.000Z');

/** Every version of every day's rollup, as the activity writes them check by check. */
function versions(checks: Array<{ minute: number; ok: boolean; latencyMs: number }>): DailyRollup[] {
  const byDay = new Map<string, DailyRollup>();
  const all: DailyRollup[] = [];
  const sorted = [...new Map(checks.map((c) => [c.minute, c])).values()].sort((a, b) => a.minute - b.minute);
  for (const check of sorted) {
    const row: CheckRow = {
      at: new Date(DAY0 + check.minute * 60_000).toISOString(),
      ok: check.ok,
      latencyMs: check.latencyMs,
    };
    const day = row.at.slice(0, 10);
    const next = addToRollup(byDay.get(day), row)!;
    byDay.set(day, next);
    all.push(next);
  }
  return all;
}

function mergeAll(summary: MonitorSummary, rollups: DailyRollup[]): MonitorSummary {
  return rollups.reduce((s, r) => mergeRollup(s, r) ?? s, summary);
}

/** What the summary must say: the latest version of each day, buckets for the newest two days. */
function expected(rollups: DailyRollup[]) {
  const latest = new Map<string, DailyRollup>();
  for (const r of rollups)
    if (!latest.has(r.day) || latest.get(r.day)!.lastAt < r.lastAt) latest.set(r.day, r);
  const days = [...latest.keys()].sort();
  const newest = days[days.length - 1]!;
  return days.map((day) => {
    const r = latest.get(day)!;
    return {
      day,
      checks: r.checks,
      up: r.up,
      down: r.down,
      p50: r.p50,
      p95: r.p95,
      ...(day >= dayBefore(newest, 1) && { buckets: r.buckets }),
    };
  });
}

const checks = fc.array(
  fc.record({
    minute: fc.integer({ min: 0, max: 5 * 24 * 60 }),
    ok: fc.boolean(),
    latencyMs: fc.integer({ min: 0, max: 5000 }),
  }),
  { minLength: 1, maxLength: 60 },
);

test('merging rollups is idempotent and order-free: duplicates, replays and any order give the latest rollups', () => {
  fc.assert(
    fc.property(
      checks,
      fc.array(fc.nat(), { maxLength: 40 }),
      fc.integer({ min: 0, max: 1000 }),
      (list, duplicates, seed) => {
        const rollups = versions(list);
        // Replays: any version again, at any later point; then the whole sequence shuffled.
        const withReplays = [...rollups, ...duplicates.map((i) => rollups[i % rollups.length]!)];
        const shuffled = withReplays
          .map((r, i) => ({ r, key: (i * 7919 + seed * 104729) % 1000003 }))
          .sort((a, b) => a.key - b.key)
          .map(({ r }) => r);
        const inOrder = mergeAll(emptySummary('m'), rollups);
        expect(summaryDays(inOrder)).toEqual(expected(rollups));
        expect(mergeAll(emptySummary('m'), shuffled)).toEqual(inOrder);
        // Merging what is already there changes nothing (so nothing is written).
        for (const r of withReplays) expect(mergeRollup(inOrder, r)).toBeUndefined();
      },
    ),
  );
});

test('a summary keeps the newest 90 days, and the purge cut drops the days before it', () => {
  const rollups: DailyRollup[] = [];
  for (let day = 0; day < 100; day++) {
    const at = new Date(DAY0 + day * 86_400_000 + 60_000).toISOString();
    rollups.push(addToRollup(undefined, { at, ok: day % 10 !== 0, latencyMs: 100 + day })!);
  }
  const summary = mergeAll(emptySummary('m'), rollups);
  const days = summaryDays(summary);
  expect(days).toHaveLength(90);
  expect(days[0]!.day).toBe(rollups[10]!.day);
  expect(days.filter((d) => d.buckets).map((d) => d.day)).toEqual([rollups[98]!.day, rollups[99]!.day]);
  // A replayed rollup of a day that has left the window does not come back.
  expect(mergeRollup(summary, rollups[0]!)).toBeUndefined();

  const cut = rollups[50]!.day;
  const purged = withoutDaysBefore(summary, cut)!;
  expect(summaryDays(purged).map((d) => d.day)).toEqual(rollups.slice(50).map((r) => r.day));
  expect(withoutDaysBefore(purged, cut)).toBeUndefined();
});
