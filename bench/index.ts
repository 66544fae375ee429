// `npm run bench` (after the build): fan-out scale, check throughput and cold start, printed as
// tables and written to BENCHMARKS.md. Everything talks only to servers it starts on 127.0.0.1,
// every loop is bounded by a count or a deadline, and every child process has a deadline.
//   npm run bench                         the full run; writes BENCHMARKS.md
//   npm run bench -- --quick              small sizes, fewer rounds; prints only
//   npm run bench -- --only=throughput    one or more of fanout,throughput,coldstart,cost; prints only
//   npm run bench -- --tuning             also the tuning runs at N = 10,000 (partition and chunk sizes)
//   npx tsx bench/index.ts --render       rewrite BENCHMARKS.md from bench/last-run.json (after editing notes.ts)
import './hostHook';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import prettier from 'prettier';
import { PARTITION_SIZE, PROGRESS_CHUNK_SIZE } from '../src/core/checkRun';
import { loadSettings } from '../tests/host/settings';
import { runColdStart } from './coldStart/run';
import { renderCost, runCost } from './cost/run';
import { runFanOut } from './fanOut/run';
import { describeMachine, machineLine } from './machine';
import { notes } from './notes';
import { REPO_ROOT } from './paths';
import {
  renderColdStart,
  renderFanOut,
  renderGoals,
  renderMarkdown,
  STATUS_HEADING,
  statusSectionOf,
  renderThroughput,
  type BenchRun,
} from './report';
import { fmt } from './stats';
import { runStatusBench } from './status';
import { runThroughput } from './throughput/run';

const SECTIONS = ['fanout', 'throughput', 'coldstart', 'cost'] as const;
type Section = (typeof SECTIONS)[number];
/** The whole run must finish well inside the issue's 10 minutes; past this it gives up. */
const WATCHDOG_MS = 14 * 60_000;

function parseArgs(argv: readonly string[]): { quick: boolean; tuning: boolean; only: Set<Section> } {
  let quick = false;
  let tuning = false;
  let only = new Set<Section>(SECTIONS);
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--tuning') tuning = true;
    else if (arg.startsWith('--only=')) {
      const names = arg.slice('--only='.length).split(',');
      const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (unknown.length > 0)
        throw new Error(`Unknown section(s) ${unknown.join(', ')}; use ${SECTIONS.join(',')}`);
      only = new Set(names as Section[]);
    } else throw new Error(`Unknown argument ${arg}`);
  }
  return { quick, tuning, only };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const LAST_RUN = path.join(REPO_ROOT, 'bench', 'last-run.json');
const REPORT = path.join(REPO_ROOT, 'BENCHMARKS.md');

function readReport(): string {
  return fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8') : '';
}

/** `npm run bench -- status`: its own section of BENCHMARKS.md, replaced on each run. */
async function statusSection(): Promise<void> {
  const table = await runStatusBench();
  console.log(table);
  const text = readReport();
  const before = text.includes(STATUS_HEADING)
    ? text.slice(0, text.indexOf(STATUS_HEADING)).trimEnd()
    : text.trimEnd();
  const section = `${STATUS_HEADING}\n\n${machineLine(describeMachine())}, commit ${gitCommit()}, ${new Date().toISOString()}.\n\n${table}\n`;
  fs.writeFileSync(REPORT, await prettier.format(`${before}\n\n${section}`, { parser: 'markdown' }));
}

async function main(): Promise<void> {
  if (process.argv[2] === 'status' && process.argv.length === 3) {
    await statusSection();
    process.exit(0);
  }
  if (process.argv[2] === '--render' && process.argv.length === 3) {
    const run = JSON.parse(fs.readFileSync(LAST_RUN, 'utf8')) as BenchRun;
    fs.writeFileSync(REPORT, renderMarkdown(run, notes, statusSectionOf(readReport())));
    console.log(`Rewrote BENCHMARKS.md from ${LAST_RUN} (run of ${run.startedAt})`);
    return;
  }
  const { quick, tuning, only } = parseArgs(process.argv.slice(2));
  const full = !quick && only.size === SECTIONS.length;
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${WATCHDOG_MS / 60_000} minutes; giving up`);
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();

  const machine = describeMachine();
  const started = performance.now();
  const run: BenchRun = {
    machine,
    startedAt: new Date().toISOString(),
    commit: gitCommit(),
    totalSeconds: 0,
  };
  console.log(`Machine: ${machineLine(machine)}\n`);
  // The concurrency the app runs checks at: host.json maxConcurrentActivityFunctions.
  const concurrency = loadSettings(REPO_ROOT).maxConcurrentActivityFunctions;

  if (only.has('throughput')) {
    console.log(`## Check throughput (concurrency ${concurrency})\n`);
    run.throughput = await runThroughput({
      concurrency,
      rounds: quick ? 2 : 8,
      turns: 4,
      windowMs: 250,
      autocannonSeconds: 2,
    });
    console.log(`${renderThroughput(run.throughput)}\n`);
  }
  if (only.has('coldstart')) {
    console.log('## Cold start\n');
    run.coldStart = await runColdStart({ rounds: quick ? 3 : 15, bundle: true });
    console.log(`${renderColdStart(run.coldStart)}\n`);
  }
  if (only.has('fanout')) {
    console.log('## Fan-out scale\n');
    run.fanOut = await runFanOut({
      sizes: quick ? [100, 1000] : [100, 1000, 5000, 10_000],
      // More pairs where they are cheap: the overhead is a small difference of two larger times.
      reps: (n) => (quick ? 1 : n <= 1000 ? 5 : n <= 5000 ? 3 : 2),
      partitionSize: PARTITION_SIZE,
      progressChunkSize: PROGRESS_CHUNK_SIZE,
      flat: true,
      byReference: {
        sizes: quick ? [1000, 10_000] : [1000, 10_000, 100_000],
        // The ratios between sizes are the goals, so every size is a minimum over repeated runs in
        // several processes, 100,000 included (one run in each of two): a single 100,000 run moved the
        // ratio from x0.86 to x1.43 between benches, and a whole process from 7 to 14 µs/target at 1,000.
        reps: (n) => (quick ? 1 : n <= 1000 ? 5 : n <= 10_000 ? 3 : 1),
        processes: (n) => (quick ? 1 : n <= 10_000 ? 3 : 2),
        noBaselineFrom: 100_000,
      },
      // The tuning runs chose PARTITION_SIZE and PROGRESS_CHUNK_SIZE (BENCHMARKS.md notes); with the
      // 100,000-target run they would push the whole bench past its time budget, so only on request.
      sweep: tuning
        ? { n: 10_000, partitionSizes: [100, 250, 1000, 2500], progressChunkSizes: [10, 250] }
        : undefined,
      timeoutMs: 5 * 60_000,
      onCase: (c) =>
        console.log(
          `  N=${fmt(c.n)} ${c.design}${c.design === 'partitioned' ? ` (${c.partitionSize})` : ''} ` +
            `chunk ${c.progressChunkSize}: wall ${fmt(c.wallMs)} ms, orchestrator ${fmt(c.orchestratorMicrosPerTarget)} µs/target, ` +
            `parent history ${fmt(c.parentHistoryBytes / 1024, 1)} KiB`,
        ),
    });
    console.log(`\n${renderFanOut(run.fanOut)}\n`);
  }

  if (only.has('cost')) {
    console.log('## Cost of a check\n');
    run.cost = await runCost();
    console.log(`${renderCost(run.cost)}\n`);
  }

  run.totalSeconds = (performance.now() - started) / 1000;
  console.log(`## Goals\n\n${renderGoals(run)}\n`);
  console.log(`Total: ${fmt(run.totalSeconds)} s`);
  if (full) {
    fs.writeFileSync(REPORT, renderMarkdown(run, notes, statusSectionOf(readReport())));
    // Formatted as the repo's Prettier config would, so `npm run lint` stays clean.
    const options = { ...(await prettier.resolveConfig(LAST_RUN)), filepath: LAST_RUN };
    fs.writeFileSync(LAST_RUN, await prettier.format(JSON.stringify(run), options));
    console.log('Wrote BENCHMARKS.md');
  } else {
    console.log('(partial run: BENCHMARKS.md left as it is)');
  }
  clearTimeout(watchdog);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
