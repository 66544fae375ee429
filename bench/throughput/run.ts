// Check throughput: one keep-alive target (its own process), driven at the same concurrency four
// ways. The ways take turns in short windows, many times over, and each way's rate is its total
// requests over its total measured time: on a shared machine, load that comes and goes then hits
// every way alike instead of whichever happened to run during it.
import path from 'node:path';
import { startLongLived, tsxArgs } from '../childProcess';
import { BENCH_DIR } from '../paths';
import { runAutocannon } from './autocannon';
import { closedLoop } from './closedLoop';
import { axiosDriver, checkUrlDriver, nodeHttpDriver, type Driver } from './drivers';

export interface ThroughputOptions {
  concurrency: number;
  /** Rounds; each gives every in-process way `turns` windows, then autocannon one run. */
  rounds: number;
  turns: number;
  /** Measured milliseconds per window for the in-process ways. */
  windowMs: number;
  /** Seconds per turn for autocannon (whole seconds: its -d). */
  autocannonSeconds: number;
}

export const WAYS = ['checkUrl', 'axios', 'node:http', 'autocannon'] as const;
export type Way = (typeof WAYS)[number];

export interface WayFigures {
  requestsPerSecond: number;
  requests: number;
  /** This process's CPU per request (in-process ways only). */
  cpuMicrosPerRequest?: number;
}

export interface ThroughputResult {
  options: ThroughputOptions;
  ways: Record<Way, WayFigures>;
  /** Non-200 responses and errors across all ways (should be 0). */
  failures: number;
}

export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const server = await startLongLived<{ port: number }>(
    process.execPath,
    tsxArgs(path.join(BENCH_DIR, 'throughput', 'targetServer.ts')),
  );
  const url = `http://127.0.0.1:${server.ready.port}/`;
  const drivers: Driver[] = [checkUrlDriver(url), axiosDriver(url), nodeHttpDriver(url)];
  const totals = new Map<Way, { requests: number; ms: number; cpuMicros: number }>(
    WAYS.map((w) => [w, { requests: 0, ms: 0, cpuMicros: 0 }]),
  );
  let failures = 0;
  try {
    // Open sockets and let the JIT settle before anything counts.
    for (const driver of drivers) {
      await closedLoop(driver.once, { concurrency: options.concurrency, durationMs: 1000, warmupMs: 0 });
    }
    for (let round = 0; round < options.rounds; round++) {
      for (let turn = 0; turn < options.turns; turn++) {
        for (const driver of rotate(drivers, round + turn)) {
          const r = await closedLoop(driver.once, {
            concurrency: options.concurrency,
            durationMs: options.windowMs,
            warmupMs: 0,
          });
          const t = totals.get(driver.name as Way)!;
          t.requests += r.requests;
          t.ms += r.elapsedMs;
          t.cpuMicros += r.cpuMicrosPerRequest * r.requests;
          failures += r.failures;
        }
      }
      const cannon = await runAutocannon(url, options.concurrency, options.autocannonSeconds);
      const t = totals.get('autocannon')!;
      t.requests += cannon.requests;
      t.ms += cannon.durationMs;
      failures += cannon.failures;
    }
  } finally {
    for (const driver of drivers) driver.close();
    await server.stop();
  }
  const ways = Object.fromEntries(
    WAYS.map((w) => {
      const t = totals.get(w)!;
      const figures: WayFigures = { requestsPerSecond: (t.requests / t.ms) * 1000, requests: t.requests };
      if (w !== 'autocannon' && t.requests > 0) figures.cpuMicrosPerRequest = t.cpuMicros / t.requests;
      return [w, figures];
    }),
  ) as Record<Way, WayFigures>;
  return { options, ways, failures };
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = by % items.length;
  return [...items.slice(n), ...items.slice(0, n)];
}
