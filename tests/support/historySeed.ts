// Synthetic history for the screenshots and the status benchmark: day rollups written directly
// (as recordCheck would have left them), a check every `everyMinutes`, plus incidents. No summary
// row: the monitor's first check (or the status page, whichever comes first) builds it from these
// rollups, as for history written before the summaries existed.
import { recordCheck, writeDailyRollup } from '../../src/activities/storage/history';
import { dayBefore, rollupOf, type Sample } from '../../src/core/history';

export interface SeedOptions {
  monitor: string;
  days: number;
  now: Date;
  everyMinutes: number;
  /** Typical latency in ms. */
  latencyMs: number;
  /** Days (back from today) with an outage, and how many minutes it lasted. */
  outages?: Array<{ daysAgo: number; minutes: number }>;
}

// A small deterministic generator, so screenshots and bench runs see the same history.
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

export async function seedHistory(options: SeedOptions): Promise<void> {
  const next = random([...options.monitor].reduce((h, c) => h * 31 + c.charCodeAt(0), 7));
  const nowMinute = Math.floor((options.now.getTime() - Date.parse(dayBefore(options.now, 0))) / 60_000);
  for (let back = options.days - 1; back >= 0; back--) {
    const day = dayBefore(options.now, back);
    const outage = options.outages?.find((o) => o.daysAgo === back);
    const outageStart = 9 * 60;
    const samples: Sample[] = [];
    // Today stops a few minutes before now, so the live monitor's own checks come after it.
    const lastMinute = back === 0 ? nowMinute - 5 : 24 * 60;
    for (let minute = 0; minute < lastMinute; minute += options.everyMinutes) {
      const down = outage !== undefined && minute >= outageStart && minute < outageStart + outage.minutes;
      const jitter = 0.6 + next() * 0.8 + (next() < 0.03 ? 3 : 0);
      samples.push({ minute, ok: !down, latencyMs: Math.round(options.latencyMs * jitter) });
    }
    if (samples.length === 0) continue;
    const last = samples[samples.length - 1]!;
    const lastAt = new Date(Date.parse(day) + last.minute * 60_000).toISOString();
    await writeDailyRollup(options.monitor, rollupOf(day, samples, lastAt));
    if (outage) {
      const openedAt = new Date(Date.parse(day) + outageStart * 60_000).toISOString();
      const closedAt = new Date(Date.parse(openedAt) + outage.minutes * 60_000).toISOString();
      await recordCheck({
        monitor: options.monitor,
        at: openedAt,
        incident: {
          id: `${options.monitor}-${day}`,
          openedAt,
          acknowledgedAt: openedAt,
          closedAt,
          causeStatus: 503,
        },
      });
    }
  }
}
