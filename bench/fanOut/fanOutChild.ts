// Child process: one fan-out case in a fresh process (so peak RSS and heap state belong to this case
// alone). Starts the test host with Azurite (checkSites saves its reports), warms up, then measures
// `reps` pairs: a baseline (N direct checkUrl invocations through the host's invoker at the host's
// activity concurrency, no orchestration) and a checkSites run over the same N targets. Prints one
// JSON line with the figures.
//   argv[2]: JSON FanOutCase
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { writeTargetSlices } from '../../src/activities/storage/targetSlices';
import { PARTITION_SIZE, targetsPrefix, type CheckRunByRef } from '../../src/core/checkRun';
import { checkRequestSchema } from '../../src/core/checkSpec';
import { startHost, type Host } from '../../tests/host';
import type { FunctionRegistration } from '../../tests/host/types';
import { forEachConcurrently } from '../../src/activities/storage/forEachConcurrently';
import { replayCost } from './replayedEvents';

export interface FanOutCase {
  /** The instant target, e.g. http://127.0.0.1:1234/ (a server the bench started). */
  targetUrl: string;
  n: number;
  /** Passed to checkSites as its partitionSize input (huge = the flat design). */
  partitionSize: number;
  progressChunkSize?: number;
  /**
   * The production path for requests over PARTITION_SIZE: validate as the starter does, write the
   * targets to blob slices, start with a reference (partitionSize is then PARTITION_SIZE).
   */
  byReference?: boolean;
  /** Baseline/run pairs; each figure is the minimum over them (see FanOutFigures). */
  reps: number;
  /** Runs only, no baselines (at 100,000 a baseline alone would take a minute). */
  noBaseline?: boolean;
  /** Per run. */
  timeoutMs: number;
}

/**
 * Times are minima over the pairs: load from other processes on the machine only ever adds time,
 * so the minimum is the best estimate of what the code itself costs. Counts come from the run with
 * the smallest wall time.
 */
export interface FanOutFigures {
  n: number;
  partitionSize: number;
  progressChunkSize?: number;
  reps: number;
  activityConcurrency: number;
  /** N direct checkUrl invocations through the host's invoker, at activityConcurrency (none: noBaseline). */
  baselineMs?: number;
  /** This process's CPU time (user + system) during the baseline. */
  baselineCpuMs?: number;
  /** startNew to Completed. */
  wallMs: number;
  /** This process's CPU time during the run (the host runs activities and orchestrations in-process). */
  cpuMs: number;
  /**
   * Time spent inside orchestrator invocations (the SDK's replay plus checkSites' own code), summed
   * over every episode of every instance: the part of the overhead the Node worker pays in Azure too.
   */
  orchestratorMs: number;
  /** Every pair's wall times, for the record. */
  pairs: Array<{ baselineMs?: number; wallMs: number }>;
  instances: number;
  /** The top-level instance's history: events and JSON bytes (what every replay of it loads). */
  parentHistoryEvents: number;
  parentHistoryBytes: number;
  episodes: number;
  eventsReplayed: number;
  /**
   * GC pauses during the run with the smallest orchestrator time, and the part of them inside its
   * orchestrator invocations (counted in orchestratorMs). Runs before 2026-11-30 18:45 did not record them.
   */
  gcMs?: number;
  orchestratorGcMs?: number;
  /** The process's peak resident set (host, SDK, activities; Azurite and the target are other processes). */
  peakRssMiB: number;
}

// Enough for the JIT and the socket pool to settle: with fewer, the first baseline still runs
// measurably slower than later ones in the same process.
const WARMUP_CHECKS = 1000;

interface RunFigures {
  gcMs: number;
  orchestratorGcMs: number;
  parentHistoryEvents: number;
  parentHistoryBytes: number;
  wallMs: number;
  cpuMs: number;
  orchestratorMs: number;
  instances: number;
  episodes: number;
  eventsReplayed: number;
}

let runCounter = 0;

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as FanOutCase;
  const gcPauses = new GcPauses();
  const host = await startHost({
    storage: 'azurite',
    settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  try {
    const concurrency = host.settings.maxConcurrentActivityFunctions;
    const url = (i: number) => `${spec.targetUrl}t/${i}`;
    const check = async (i: number) => {
      const result = (await host.invoke('checkUrl', { url: url(i) })) as { ok: boolean };
      if (!result.ok) throw new Error(`baseline check ${i} failed: ${JSON.stringify(result)}`);
    };
    // Warm up everything the measured runs touch, so neither they nor the baselines pay first-use
    // costs (JIT, the storage SDK's lazy load, the report container): checks, then a small
    // partitioned run (sub-orchestrations, part blobs, assembleCheckReport).
    await forEachConcurrently(WARMUP_CHECKS, concurrency, check);
    await runCheckSites(
      host,
      gcPauses,
      { ...spec, n: 200, partitionSize: 50, progressChunkSize: undefined },
      url,
    );
    if (spec.byReference) await runCheckSites(host, gcPauses, { ...spec, n: 2 * PARTITION_SIZE + 1 }, url);

    const baselines: Array<{ ms: number; cpuMs: number }> = [];
    const runs: RunFigures[] = [];
    for (let rep = 0; rep < spec.reps; rep++) {
      if (!spec.noBaseline) {
        const cpu = process.cpuUsage();
        const started = performance.now();
        await forEachConcurrently(spec.n, concurrency, check);
        baselines.push({ ms: performance.now() - started, cpuMs: cpuMs(process.cpuUsage(cpu)) });
      }
      runs.push(await runCheckSites(host, gcPauses, spec, url));
    }
    const min = (values: number[]) => (values.length > 0 ? Math.min(...values) : undefined);
    const best = runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    const fastest = runs.reduce((a, b) => (b.orchestratorMs < a.orchestratorMs ? b : a));
    const figures: FanOutFigures = {
      n: spec.n,
      partitionSize: spec.partitionSize,
      progressChunkSize: spec.progressChunkSize,
      reps: spec.reps,
      activityConcurrency: concurrency,
      baselineMs: min(baselines.map((b) => b.ms)),
      baselineCpuMs: min(baselines.map((b) => b.cpuMs)),
      wallMs: best.wallMs,
      cpuMs: Math.min(...runs.map((r) => r.cpuMs)),
      orchestratorMs: fastest.orchestratorMs,
      gcMs: fastest.gcMs,
      orchestratorGcMs: fastest.orchestratorGcMs,
      pairs: runs.map((r, i) => ({ baselineMs: baselines[i]?.ms, wallMs: r.wallMs })),
      instances: best.instances,
      parentHistoryEvents: best.parentHistoryEvents,
      parentHistoryBytes: best.parentHistoryBytes,
      episodes: best.episodes,
      eventsReplayed: best.eventsReplayed,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    gcPauses.stop();
    await host.stop();
  }
}

/** One checkSites run over `spec.n` targets; checks the outcome, counts replays, then purges it. */
async function runCheckSites(
  host: Host,
  gcPauses: GcPauses,
  spec: FanOutCase,
  url: (i: number) => string,
): Promise<RunFigures> {
  const orchestrator = timeOrchestrator(host.registry.get('checkSites')!);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const targets = Array.from({ length: spec.n }, (_, i) => ({ url: url(i) }));
  let id: string;
  if (spec.byReference) {
    // What startCheckRun does for a large request: validate, write the slices once, start with a reference.
    id = `bench-${runCounter++}`;
    const request = checkRequestSchema({ maxTargets: spec.n }).parse({ targets });
    const targetsRef = await writeTargetSlices(targetsPrefix(id), request.targets, PARTITION_SIZE);
    const input: CheckRunByRef = {
      targetsRef,
      ...(spec.progressChunkSize !== undefined && { progressChunkSize: spec.progressChunkSize }),
    };
    host.startNew('checkSites', input, id);
  } else {
    id = host.startNew('checkSites', {
      targets,
      partitionSize: spec.partitionSize,
      ...(spec.progressChunkSize !== undefined && { progressChunkSize: spec.progressChunkSize }),
    });
  }
  const status = await host.waitForStatus(id, undefined, { timeoutMs: spec.timeoutMs });
  const wallMs = performance.now() - started;
  const runCpuMs = cpuMs(process.cpuUsage(cpu));
  const ended = performance.now();
  const { ms: orchestratorMs, intervals } = orchestrator.stop();
  const gc = gcPauses.measure(started, ended, intervals);
  if (status.runtimeStatus !== 'Completed') {
    throw new Error(`checkSites ended ${status.runtimeStatus}: ${JSON.stringify(status.output)}`);
  }
  const { summary } = status.output as { summary: { total: number; up: number } };
  if (summary.total !== spec.n || summary.up !== spec.n) {
    throw new Error(`summary counts ${summary.up} up of ${summary.total}, expected ${spec.n} of ${spec.n}`);
  }

  // The run and every sub-orchestration below it (`<id>:part-<i>`, `<id>:parts-<a>-<b>`, see checkSites).
  const ids = host.durable
    .listStatus({ instanceIdPrefix: id })
    .items.map((s) => s.instanceId)
    .filter((instanceId) => instanceId === id || instanceId.startsWith(`${id}:`));
  const expected = spec.byReference
    ? undefined
    : 1 + (spec.n > spec.partitionSize ? Math.ceil(spec.n / spec.partitionSize) : 0);
  if (expected !== undefined && ids.length !== expected) {
    throw new Error(`${id}: ${ids.length} instances, expected ${expected}`);
  }
  const parentHistory = host.history(id);
  const parentHistoryBytes = Buffer.byteLength(JSON.stringify(parentHistory));
  let episodes = 0;
  let eventsReplayed = 0;
  for (const instanceId of ids) {
    const cost = replayCost(host.history(instanceId));
    // The history must account for every episode the host ran, or the count means nothing.
    if (cost.episodes !== host.episodes(instanceId)) {
      throw new Error(
        `${instanceId}: ${cost.episodes} episodes in history, host counted ${host.episodes(instanceId)}`,
      );
    }
    episodes += cost.episodes;
    eventsReplayed += cost.eventsReplayed;
  }
  // The next pair should not pay for this run's state (the host keeps every history in memory).
  for (const instanceId of ids) host.durable.purge(instanceId);
  return {
    wallMs,
    cpuMs: runCpuMs,
    orchestratorMs,
    gcMs: gc.total,
    orchestratorGcMs: gc.inside,
    instances: ids.length,
    episodes,
    eventsReplayed,
    parentHistoryEvents: parentHistory.length,
    parentHistoryBytes,
  };
}

/**
 * Wraps an orchestrator's registered callback to add up the time its invocations take. The SDK
 * replays synchronously inside the call (the promise it returns is already settled in substance),
 * so the call itself is the replay; timing to the promise's settlement would also count whatever
 * other microtasks run first. Each invocation's interval is kept so GC pauses can be attributed.
 */
function timeOrchestrator(registration: FunctionRegistration): {
  stop(): { ms: number; intervals: Array<[number, number]> };
} {
  const original = registration.callback;
  let total = 0;
  const intervals: Array<[number, number]> = [];
  registration.callback = (...args: unknown[]) => {
    const started = performance.now();
    try {
      return original(...args);
    } finally {
      const ended = performance.now();
      total += ended - started;
      intervals.push([started, ended]);
    }
  };
  return {
    stop: () => {
      registration.callback = original;
      return { ms: total, intervals };
    },
  };
}

/**
 * GC pauses of this process, as the runtime reports them. In tests/host the host's own state (every
 * instance's history, the scheduler, the storage clients) lives in the same heap as the orchestrators,
 * which on Azure run in a worker process of their own: a pause that lands inside an orchestrator
 * invocation is paid for that whole heap.
 */
class GcPauses {
  private readonly entries: PerformanceEntry[] = [];
  private readonly observer = new PerformanceObserver((list) => this.entries.push(...list.getEntries()));

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Total pause time between `from` and `to`, and the part of it inside `intervals` (sorted). */
  measure(
    from: number,
    to: number,
    intervals: ReadonlyArray<[number, number]>,
  ): { total: number; inside: number } {
    this.entries.push(...this.observer.takeRecords());
    let total = 0;
    let inside = 0;
    for (const entry of this.entries) {
      const start = entry.startTime;
      const end = start + entry.duration;
      if (end < from || start > to) continue;
      total += entry.duration;
      for (const [a, b] of intervals) {
        if (a >= end) break;
        inside += Math.max(0, Math.min(b, end) - Math.max(a, start));
      }
    }
    return { total, inside };
  }

  stop(): void {
    this.observer.disconnect();
  }
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
