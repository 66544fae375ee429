// Fan-out scale: checkSites on tests/host against an instant local target, one fresh process per
// case. Overhead is the run's wall time minus a baseline measured in the same process: what N
// checkUrl invocations through the host's invoker take at the host's activity concurrency without
// an orchestration. So overhead is what the orchestration adds (scheduling, replay, history,
// progress, sub-orchestrations, saving the report), not the checks themselves.
import path from 'node:path';
import { lastJsonLine, runToCompletion, startLongLived, tsxArgs } from '../childProcess';
import { BENCH_DIR, REPO_ROOT } from '../paths';
import type { FanOutCase, FanOutFigures } from './fanOutChild';

export interface FanOutOptions {
  sizes: number[];
  /** Baseline/run pairs per case at size n (each figure is the minimum over them). */
  reps: (n: number) => number;
  /** The partitioned design's partition size (the app's PARTITION_SIZE). */
  partitionSize: number;
  /** The app's PROGRESS_CHUNK_SIZE (what the main matrix runs with). */
  progressChunkSize: number;
  /** Also run each size above partitionSize flat (one instance). */
  flat: boolean;
  /**
   * The production path for large requests (targets by reference, a tree of sub-orchestrations), at
   * these sizes; from `noBaselineFrom` on, runs only (a baseline at 100,000 would take a minute).
   */
  byReference?: {
    sizes: number[];
    reps: (n: number) => number;
    /**
     * Fresh processes per size, each running `reps` pairs. The whole process's orchestrator time moves
     * between processes (7 and 14 µs/target at 1,000 in two processes, each a minimum over 5 runs), so
     * a ratio between sizes needs every size measured in more than one.
     */
    processes: (n: number) => number;
    noBaselineFrom: number;
  };
  /** Extra runs at one N to choose the constants. */
  sweep?: { n: number; partitionSizes: number[]; progressChunkSizes: number[] };
  /** Per case. */
  timeoutMs: number;
  /** Called after each case (progress on the terminal). */
  onCase?: (figures: FanOutCaseResult) => void;
}

/** A partition size no request reaches: the flat design. */
export const FLAT = 1_000_000_000;

export type Design = 'partitioned' | 'flat' | 'by reference';

export interface FanOutCaseResult extends FanOutFigures {
  design: Design;
  /** wallMs - baselineMs (none without a baseline). */
  overheadMs?: number;
  overheadMicrosPerTarget?: number;
  /** cpuMs - baselineCpuMs: the same, in CPU time, which other load on the machine skews far less. */
  cpuOverheadMs?: number;
  cpuOverheadMicrosPerTarget?: number;
  orchestratorMicrosPerTarget: number;
  /** Spawn to exit of the case's process. */
  processMs: number;
  /** Processes the case ran in (its figures are the one with the smallest orchestrator time). */
  processes?: number;
}

export interface FanOutResult {
  options: Omit<FanOutOptions, 'onCase'>;
  cases: FanOutCaseResult[];
  sweep: FanOutCaseResult[];
}

export async function runFanOut(options: FanOutOptions): Promise<FanOutResult> {
  const server = await startLongLived<{ port: number }>(
    process.execPath,
    tsxArgs(path.join(BENCH_DIR, 'throughput', 'targetServer.ts')),
  );
  const targetUrl = `http://127.0.0.1:${server.ready.port}/`;
  const run = async (
    n: number,
    partitionSize: number,
    progressChunkSize: number,
    reps: number,
    byReference?: { noBaseline: boolean },
  ): Promise<FanOutCaseResult> => {
    const spec: FanOutCase = {
      targetUrl,
      n,
      partitionSize,
      progressChunkSize,
      reps,
      timeoutMs: options.timeoutMs,
      ...(byReference && { byReference: true, noBaseline: byReference.noBaseline }),
    };
    const { stdout, wallMs } = await runToCompletion(
      process.execPath,
      tsxArgs(path.join(BENCH_DIR, 'fanOut', 'fanOutChild.ts'), JSON.stringify(spec)),
      { timeoutMs: (options.timeoutMs + 30_000) * (reps + 1), cwd: REPO_ROOT },
    );
    const figures = lastJsonLine<FanOutFigures>(stdout);
    const overheadMs = figures.baselineMs === undefined ? undefined : figures.wallMs - figures.baselineMs;
    const cpuOverheadMs =
      figures.baselineCpuMs === undefined ? undefined : figures.cpuMs - figures.baselineCpuMs;
    const result: FanOutCaseResult = {
      ...figures,
      design: byReference ? 'by reference' : partitionSize === FLAT ? 'flat' : 'partitioned',
      overheadMs,
      overheadMicrosPerTarget: overheadMs === undefined ? undefined : (overheadMs * 1000) / n,
      cpuOverheadMs,
      cpuOverheadMicrosPerTarget: cpuOverheadMs === undefined ? undefined : (cpuOverheadMs * 1000) / n,
      orchestratorMicrosPerTarget: (figures.orchestratorMs * 1000) / n,
      processMs: wallMs,
    };
    options.onCase?.(result);
    return result;
  };
  try {
    const cases: FanOutCaseResult[] = [];
    for (const n of options.sizes) {
      const reps = options.reps(n);
      cases.push(await run(n, options.partitionSize, options.progressChunkSize, reps));
      if (options.flat && n > options.partitionSize) {
        cases.push(await run(n, FLAT, options.progressChunkSize, reps));
      }
    }
    if (options.byReference) {
      const { sizes, reps, processes, noBaselineFrom } = options.byReference;
      for (const n of sizes) {
        const runs: FanOutCaseResult[] = [];
        for (let p = 0; p < processes(n); p++) {
          runs.push(
            await run(n, options.partitionSize, options.progressChunkSize, reps(n), {
              noBaseline: n >= noBaselineFrom,
            }),
          );
        }
        const best = runs.reduce((a, b) => (b.orchestratorMs < a.orchestratorMs ? b : a));
        cases.push({
          ...best,
          processes: runs.length,
          peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
        });
      }
    }
    const sweep: FanOutCaseResult[] = [];
    if (options.sweep) {
      const { n, partitionSizes, progressChunkSizes } = options.sweep;
      // One pair each: the sweep is read for its orchestrator time, replays and memory.
      for (const size of partitionSizes) sweep.push(await run(n, size, options.progressChunkSize, 1));
      for (const size of progressChunkSizes) sweep.push(await run(n, options.partitionSize, size, 1));
    }
    const { onCase: _onCase, ...rest } = options;
    return { options: rest, cases, sweep };
  } finally {
    await server.stop();
  }
}
