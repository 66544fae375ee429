// One summary row per monitor (table SitewatchSummary): everything the status page shows from
// history, so a page reads one row per monitor instead of 90 day rollups. Pure: the storage code
// reads and writes the rows, this decides what they hold.
//
// The summary is derived from the day rollups, never from checks: a cell is a copy of its day's
// rollup, replaced only by a rollup that counted a later check (`lastAt`). So merging is
// idempotent and order-independent: a retried activity, a duplicate running concurrently, a
// replayed rollup or the purge's reconciliation can merge the same rollup any number of times,
// in any order, and the summary still equals the rollups.
import { BAR_DAYS } from './statusModel';
import { dayBefore, type Bucket, type DailyRollup, type DaySummary } from './history';

/** All summaries share one partition, so the page reads them with one query. */
export const SUMMARY_PARTITION = 'monitors';

/** [checks, up, down, p50, p95] of a day: p50/p95 are -1 for a day without latency. */
export type SummaryCell = [number, number, number, number, number];

export interface MonitorSummary {
  monitor: string;
  /** Day (YYYY-MM-DD) -> its cell; the newest BAR_DAYS days only. */
  days: Record<string, SummaryCell>;
  /**
   * Day -> the latest check its rollup had counted when copied. Only writers need it (the page does
   * not read it), so it is kept apart from the cells.
   */
  lastAt: Record<string, string>;
  /** Day -> its 15-minute buckets, for the newest two days only (they hold the last 24 hours). */
  buckets: Record<string, Record<number, Bucket>>;
}

/** What a summary needs of a day's rollup (its samples stay in the rollup). */
export type RollupForSummary = Pick<
  DailyRollup,
  'day' | 'checks' | 'up' | 'down' | 'p50' | 'p95' | 'lastAt'
> & {
  buckets?: DailyRollup['buckets'];
};

function cellOf(rollup: RollupForSummary): SummaryCell {
  return [rollup.checks, rollup.up, rollup.down, rollup.p50 ?? -1, rollup.p95 ?? -1];
}

function newestDay(summary: MonitorSummary): string | undefined {
  let newest: string | undefined;
  for (const day of Object.keys(summary.days)) if (newest === undefined || day > newest) newest = day;
  return newest;
}

/** Drops the days outside the window that ends at the newest day (BAR_DAYS cells, two of buckets). */
function trimmed(summary: MonitorSummary): MonitorSummary {
  const newest = newestDay(summary);
  if (newest === undefined) return summary;
  const firstDay = dayBefore(newest, BAR_DAYS - 1);
  const firstBucketDay = dayBefore(newest, 1);
  const days = Object.fromEntries(Object.entries(summary.days).filter(([day]) => day >= firstDay));
  const lastAt = Object.fromEntries(Object.entries(summary.lastAt).filter(([day]) => day >= firstDay));
  const buckets = Object.fromEntries(
    Object.entries(summary.buckets).filter(([day]) => day >= firstBucketDay && days[day] !== undefined),
  );
  return { monitor: summary.monitor, days, lastAt, buckets };
}

export function emptySummary(monitor: string): MonitorSummary {
  return { monitor, days: {}, lastAt: {}, buckets: {} };
}

/**
 * The summary with `rollup` merged in, or undefined when it already holds that rollup or a later
 * one of the same day (nothing to write), or the day is too old to show.
 */
export function mergeRollup(summary: MonitorSummary, rollup: RollupForSummary): MonitorSummary | undefined {
  const counted = summary.lastAt[rollup.day];
  if (counted !== undefined && Date.parse(counted) >= Date.parse(rollup.lastAt)) return undefined;
  const newest = newestDay(summary);
  if (newest !== undefined && rollup.day < dayBefore(newest, BAR_DAYS - 1)) return undefined;
  const buckets = { ...summary.buckets };
  if (rollup.buckets && Object.keys(rollup.buckets).length > 0) buckets[rollup.day] = rollup.buckets;
  else delete buckets[rollup.day];
  return trimmed({
    monitor: summary.monitor,
    days: { ...summary.days, [rollup.day]: cellOf(rollup) },
    lastAt: { ...summary.lastAt, [rollup.day]: rollup.lastAt },
    buckets,
  });
}

/** The summary without the days before `beforeDay` (the purge's cut), or undefined if none were there. */
export function withoutDaysBefore(summary: MonitorSummary, beforeDay: string): MonitorSummary | undefined {
  if (!Object.keys(summary.days).some((day) => day < beforeDay)) return undefined;
  const keep = <T>(record: Record<string, T>) =>
    Object.fromEntries(Object.entries(record).filter(([day]) => day >= beforeDay));
  return {
    monitor: summary.monitor,
    days: keep(summary.days),
    lastAt: keep(summary.lastAt),
    buckets: keep(summary.buckets),
  };
}

/** The days the status page reads, oldest first, as the day rollups would give them. */
export function summaryDays(summary: MonitorSummary): DaySummary[] {
  return Object.entries(summary.days)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, [checks, up, down, p50, p95]]) => {
      const result: DaySummary = {
        day,
        checks,
        up,
        down,
        p50: p50 < 0 ? null : p50,
        p95: p95 < 0 ? null : p95,
      };
      const buckets = summary.buckets[day];
      if (buckets) result.buckets = buckets;
      return result;
    });
}
