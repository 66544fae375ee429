// Child process: one fan-out case in a fresh process (so peak RSS and heap state belong to this case
// alone). Starts the test host with Azurite (checkSites saves its reports), warms up, measures the
// cost of a direct checkUrl invocation at the host's activity concurrency (a sample before and one
// after the run), runs checkSites over N targets and prints one JSON line with the figures.
//   argv[2]: JSON FanOutCase
import { startHost } from '../../tests/host';
import type { FunctionRegistration } from '../../tests/host/types';
import { closedLoopCount } from './countedLoop';
import { replayCost } from './replayedEvents';

export interface FanOutCase {
  /** The instant target, e.g. http://127.0.0.1:1234/ (a server the bench started). */
  targetUrl: string;
  n: number;
  /** Passed to checkSites as its partitionSize input (huge = the flat design). */
  partitionSize: number;
  progressChunkSize?: number;
  timeoutMs: number;
}

export interface FanOutFigures {
  n: number;
  partitionSize: number;
  progressChunkSize?: number;
  activityConcurrency: number;
  /**
   * What N direct checkUrl invocations through the host's invoker take at activityConcurrency:
   * N x the mean time per check over BASELINE_SAMPLE checks before and as many after the run.
   */
  baselineMs: number;
  /** The same in this process's CPU time (user + system). */
  baselineCpuMs: number;
  /** startNew to Completed. */
  wallMs: number;
  /** This process's CPU time during the run (the host runs activities and orchestrations in-process). */
  cpuMs: number;
  /**
   * Time spent inside orchestrator invocations (the SDK's replay plus checkSites' own code), summed
   * over every episode of every instance: the part of the overhead the Node worker pays in Azure too.
   */
  orchestratorMs: number;
  instances: number;
  episodes: number;
  eventsReplayed: number;
  peakRssMiB: number;
  up: number;
}

// Enough for the JIT and the socket pool to settle: fewer and the baseline, measured next, still
// runs measurably slower than it does later in the same process.
const WARMUP_CHECKS = 1000;
const BASELINE_SAMPLE = 2000;

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as FanOutCase;
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
    // Warm up everything the measured run touches, so neither it nor the baseline pays first-use
    // costs (JIT, the storage SDK's lazy load, the report container): checks, then a small
    // partitioned run (sub-orchestrations, part blobs, assembleCheckReport).
    await closedLoopCount(WARMUP_CHECKS, concurrency, check);
    const warmup = host.startNew('checkSites', {
      targets: Array.from({ length: 200 }, (_, i) => ({ url: url(i) })),
      partitionSize: 50,
    });
    const warmed = await host.waitForStatus(warmup, undefined, { timeoutMs: 60_000 });
    if (warmed.runtimeStatus !== 'Completed') throw new Error(`warm-up run ended ${warmed.runtimeStatus}`);
    const sample = async () => {
      const cpuBefore = process.cpuUsage();
      const before = performance.now();
      await closedLoopCount(BASELINE_SAMPLE, concurrency, check);
      return { ms: performance.now() - before, cpuMs: cpuMs(process.cpuUsage(cpuBefore)) };
    };
    const first = await sample();
    const orchestrator = timeOrchestrator(host.registry.get('checkSites')!);

    const targets = Array.from({ length: spec.n }, (_, i) => ({ url: url(i) }));
    const cpu = process.cpuUsage();
    const started = performance.now();
    const id = host.startNew('checkSites', {
      targets,
      name: `bench-${spec.n}`,
      partitionSize: spec.partitionSize,
      ...(spec.progressChunkSize !== undefined && { progressChunkSize: spec.progressChunkSize }),
    });
    const status = await host.waitForStatus(id, undefined, { timeoutMs: spec.timeoutMs });
    const wallMs = performance.now() - started;
    const runCpuMs = cpuMs(process.cpuUsage(cpu));
    const orchestratorMs = orchestrator.stop();
    const second = await sample();
    const perCheck = (first.ms + second.ms) / (2 * BASELINE_SAMPLE);
    const cpuPerCheck = (first.cpuMs + second.cpuMs) / (2 * BASELINE_SAMPLE);
    if (status.runtimeStatus !== 'Completed') {
      throw new Error(`checkSites ended ${status.runtimeStatus}: ${JSON.stringify(status.output)}`);
    }
    const output = status.output as { summary: { total: number; up: number } };
    if (output.summary.total !== spec.n)
      throw new Error(`summary counts ${output.summary.total} of ${spec.n}`);

    // The run and, when partitioned, its partitions (`<id>:part-<i>`, see checkSites).
    const parts = spec.n > spec.partitionSize ? Math.ceil(spec.n / spec.partitionSize) : 0;
    const ids = [id, ...Array.from({ length: parts }, (_, i) => `${id}:part-${i}`)];
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
    const figures: FanOutFigures = {
      n: spec.n,
      partitionSize: spec.partitionSize,
      progressChunkSize: spec.progressChunkSize,
      activityConcurrency: concurrency,
      baselineMs: perCheck * spec.n,
      baselineCpuMs: cpuPerCheck * spec.n,
      wallMs,
      cpuMs: runCpuMs,
      orchestratorMs,
      instances: ids.length,
      episodes,
      eventsReplayed,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      up: output.summary.up,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await host.stop();
  }
}

/**
 * Wraps an orchestrator's registered callback to add up the time its invocations take. The SDK
 * replays synchronously inside the call (the promise it returns is already settled in substance),
 * so the call itself is the replay; timing to the promise's settlement would also count whatever
 * other microtasks run first.
 */
function timeOrchestrator(registration: FunctionRegistration): { stop(): number } {
  const original = registration.callback;
  let total = 0;
  registration.callback = (...args: unknown[]) => {
    const started = performance.now();
    try {
      return original(...args);
    } finally {
      total += performance.now() - started;
    }
  };
  return {
    stop: () => {
      registration.callback = original;
      return total;
    },
  };
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
