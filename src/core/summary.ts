// Aggregates check results into the run summary.
//
// Definitions:
// - up: ok results.
// - degraded: results that failed ONLY their maxLatencyMs assertion: reachable, right status, right
//   content, certificate fine, just slower than asked. An operator should look, but it is not an outage.
// - down: every other failed result (network errors, bad status, failed content/cert assertions).
//   up + degraded + down = total.
// - latency: nearest-rank p50/p95 and max over targets that answered with an HTTP status (a timeout's
//   "latency" is the timeout, which would only distort the figures); null when none answered.
// - slowest: the 5 slowest answering targets, slowest first (ties by URL, so the order is deterministic).
// - failuresByCode: error code -> count over every failed result (degraded ones count as ASSERTION).
//
// Partitioned runs: each partition returns a SummaryPart, not its results. A part keeps the counts,
// its top-5 slowest and its sorted latencies. Latencies (one integer per answering target) make the
// merged percentiles exact, unlike a histogram, and stay ~60x smaller than the results themselves
// (~5 KB for 1,000 targets); counts and top-5 merge trivially. Everything here is deterministic: the
// orchestrator calls it during replay.
import { z } from 'zod';
import { ErrorCode, type CheckResult } from './checkSpec';

export const SLOWEST_COUNT = 5;

const Count = z.int().nonnegative();
const Slow = z.object({ url: z.string(), latencyMs: z.number().nonnegative() });
const FailuresByCode = z.partialRecord(ErrorCode, Count);

export const SummaryPart = z.object({
  total: Count,
  up: Count,
  down: Count,
  degraded: Count,
  failuresByCode: FailuresByCode,
  /** Latencies of answering targets, ascending. */
  latencies: z.array(z.number().nonnegative()),
  slowest: z.array(Slow).max(SLOWEST_COUNT),
});
export type SummaryPart = z.infer<typeof SummaryPart>;

export const Summary = z.object({
  total: Count,
  up: Count,
  down: Count,
  degraded: Count,
  latency: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), max: z.number().nullable() }),
  slowest: z.array(Slow).max(SLOWEST_COUNT),
  failuresByCode: FailuresByCode,
});
export type Summary = z.infer<typeof Summary>;

/** Failed only on latency: see the module comment. */
export function isDegraded(result: CheckResult): boolean {
  if (result.ok || result.error?.code !== 'ASSERTION') return false;
  const failed = result.assertions.filter((a) => !a.ok);
  return failed.length > 0 && failed.every((a) => a.name === 'maxLatencyMs');
}

/** Nearest-rank percentile of an ascending list; null for an empty list. */
export function percentile(sortedAscending: readonly number[], p: number): number | null {
  if (sortedAscending.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAscending.length));
  return sortedAscending[Math.min(rank, sortedAscending.length) - 1];
}

const bySlowest = (a: z.infer<typeof Slow>, b: z.infer<typeof Slow>) =>
  b.latencyMs - a.latencyMs || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0);

function sortedCodes(counts: Partial<Record<ErrorCode, number>>): Partial<Record<ErrorCode, number>> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The mergeable summary of one batch of results. */
export function summarizePart(results: readonly CheckResult[]): SummaryPart {
  const part: SummaryPart = {
    total: 0,
    up: 0,
    down: 0,
    degraded: 0,
    failuresByCode: {},
    latencies: [],
    slowest: [],
  };
  const answered: z.infer<typeof Slow>[] = [];
  for (const r of results) {
    part.total++;
    if (r.ok) part.up++;
    else if (isDegraded(r)) part.degraded++;
    else part.down++;
    if (!r.ok) {
      const code = r.error?.code ?? 'HTTP';
      part.failuresByCode[code] = (part.failuresByCode[code] ?? 0) + 1;
    }
    if (r.status !== undefined) answered.push({ url: r.url, latencyMs: r.latencyMs });
  }
  part.latencies = answered.map((a) => a.latencyMs).sort((a, b) => a - b);
  part.slowest = answered.sort(bySlowest).slice(0, SLOWEST_COUNT);
  part.failuresByCode = sortedCodes(part.failuresByCode);
  return part;
}

/** Combines parts into one part (for nested partitioning). */
export function combineSummaryParts(parts: readonly SummaryPart[]): SummaryPart {
  const failures: Partial<Record<ErrorCode, number>> = {};
  for (const p of parts) {
    for (const [code, n] of Object.entries(p.failuresByCode) as [ErrorCode, number][]) {
      failures[code] = (failures[code] ?? 0) + n;
    }
  }
  const sum = (key: 'total' | 'up' | 'down' | 'degraded') => parts.reduce((n, p) => n + p[key], 0);
  return {
    total: sum('total'),
    up: sum('up'),
    down: sum('down'),
    degraded: sum('degraded'),
    failuresByCode: sortedCodes(failures),
    latencies: parts.flatMap((p) => p.latencies).sort((a, b) => a - b),
    slowest: parts
      .flatMap((p) => p.slowest)
      .sort(bySlowest)
      .slice(0, SLOWEST_COUNT),
  };
}

/** The final summary from the parts of a run (one part for an unpartitioned run). */
export function mergeSummaryParts(parts: readonly SummaryPart[]): Summary {
  const all = combineSummaryParts(parts);
  return {
    total: all.total,
    up: all.up,
    down: all.down,
    degraded: all.degraded,
    latency: {
      p50: percentile(all.latencies, 50),
      p95: percentile(all.latencies, 95),
      max: all.latencies.length > 0 ? all.latencies[all.latencies.length - 1] : null,
    },
    slowest: all.slowest,
    failuresByCode: all.failuresByCode,
  };
}

export function summarize(results: readonly CheckResult[]): Summary {
  return mergeSummaryParts([summarizePart(results)]);
}
