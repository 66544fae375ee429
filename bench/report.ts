// Renders a bench run as Markdown: BENCHMARKS.md, and (the same tables) the terminal output.
import { PARTITION_SIZE, PROGRESS_CHUNK_SIZE } from '../src/core/checkRun';
import type { ColdStartResult, Variant } from './coldStart/run';
import { renderCost, type CostResult } from './cost/run';
import type { FanOutCaseResult, FanOutResult } from './fanOut/run';
import { checkGoals, findCase, overheadGrowth, type OverheadMeasure } from './goals';
import { machineLine, type MachineDescription } from './machine';
import { fmt, table } from './stats';
import type { ThroughputResult, Way } from './throughput/run';

export interface BenchRun {
  machine: MachineDescription;
  startedAt: string;
  commit: string;
  totalSeconds: number;
  fanOut?: FanOutResult;
  throughput?: ThroughputResult;
  coldStart?: ColdStartResult;
  cost?: CostResult;
}

const s = (ms: number) => fmt(ms / 1000, 2);

export function renderGoals(run: BenchRun): string {
  const rows = checkGoals(run).map((g) => [
    g.name,
    fmt(g.value, 2),
    g.limit,
    g.met === undefined ? '' : g.met ? 'met' : 'NOT met',
  ]);
  return table(['goal', 'value', 'target', ''], rows);
}

const opt = (value: number | undefined, format: (v: number) => string = fmt) =>
  value === undefined ? '-' : format(value);

function caseRow(c: FanOutCaseResult): string[] {
  return [
    fmt(c.n),
    c.design === 'flat'
      ? 'flat'
      : c.design === 'by reference'
        ? 'by reference'
        : `partitioned (${fmt(c.partitionSize)})`,
    fmt(c.progressChunkSize ?? PROGRESS_CHUNK_SIZE),
    fmt(c.instances),
    c.processes && c.processes > 1 ? `${fmt(c.processes)} x ${fmt(c.reps)}` : fmt(c.reps),
    s(c.wallMs),
    opt(c.baselineMs, s),
    opt(c.overheadMs, s),
    opt(c.overheadMicrosPerTarget),
    opt(c.cpuOverheadMicrosPerTarget),
    fmt(c.orchestratorMicrosPerTarget),
    // Older runs did not record GC.
    opt(c.orchestratorGcMs === undefined ? undefined : (c.orchestratorGcMs * 1000) / c.n, (v) => fmt(v, 1)),
    opt(c.gcMs, s),
    fmt(c.episodes),
    fmt(c.eventsReplayed),
    // Older runs did not record it.
    opt(c.parentHistoryEvents),
    opt(c.parentHistoryBytes === undefined ? undefined : c.parentHistoryBytes / 1024, (v) => fmt(v, 1)),
    fmt(c.peakRssMiB),
  ];
}

const CASE_HEADERS = [
  'N',
  'design',
  'chunk',
  'instances',
  'pairs',
  'wall s',
  'baseline s',
  'overhead s',
  'overhead µs/target',
  'CPU overhead µs/target',
  'orchestrator µs/target',
  'of it GC µs/target',
  'GC s',
  'episodes',
  'events replayed',
  'parent history events',
  'parent history KiB',
  'peak RSS MiB',
];

export function renderFanOut(f: FanOutResult): string {
  const lines = [table(CASE_HEADERS, f.cases.map(caseRow))];
  for (const design of ['partitioned', 'flat', 'by reference'] as const) {
    const a = findCase(f.cases, 1000, design);
    const b = findCase(f.cases, 10_000, design);
    if (!a || !b) continue;
    const x = (measure: OverheadMeasure) => `x${fmt(overheadGrowth(f, design, measure)!, 2)}`;
    lines.push(
      `${design}, 1,000 -> 10,000 targets (x10): wall-time overhead ${opt(a.overheadMs, s)} s -> ${opt(b.overheadMs, s)} s = ` +
        `${x('overheadMs')}; CPU overhead ${x('cpuOverheadMs')}; orchestrator time ${s(a.orchestratorMs)} s -> ` +
        `${s(b.orchestratorMs)} s = ${x('orchestratorMs')}; events replayed ${x('eventsReplayed')}.`,
    );
  }
  if (f.sweep.length > 0) {
    lines.push(
      '',
      `Tuning runs at N = ${fmt(f.options.sweep!.n)}:`,
      '',
      table(CASE_HEADERS, f.sweep.map(caseRow)),
    );
  }
  return lines.join('\n\n');
}

const WAY_LABEL: Record<Way, string> = {
  checkUrl: 'checkUrl activity code path',
  axios: 'bare axios GET loop',
  'node:http': 'raw node:http, keep-alive agent',
  autocannon: 'autocannon (own process)',
};

export function renderThroughput(t: ThroughputResult): string {
  const { ways } = t;
  const rows = (Object.keys(WAY_LABEL) as Way[]).map((w) => [
    WAY_LABEL[w],
    fmt(ways[w].requestsPerSecond),
    ways[w].cpuMicrosPerRequest === undefined ? '-' : fmt(ways[w].cpuMicrosPerRequest!),
    fmt(ways[w].requests),
  ]);
  const r = (a: Way, b: Way) => fmt(ways[a].requestsPerSecond / ways[b].requestsPerSecond, 2);
  return [
    table(['way', 'requests/s', 'client CPU µs/request', 'requests'], rows),
    [
      `Ratios (requests/s): checkUrl / axios = **${r('checkUrl', 'axios')}**; axios / node:http = ${r('axios', 'node:http')}; ` +
        `node:http / autocannon = ${r('node:http', 'autocannon')}; checkUrl / node:http = ${r('checkUrl', 'node:http')}.`,
      `Failures (non-200 or errors) across all ways: ${t.failures}.`,
    ].join(' '),
  ].join('\n\n');
}

const VARIANT_LABEL: Record<Variant, string> = {
  sdk: '@azure/functions + durable-functions only (baseline)',
  app: 'the app, unbundled (tsc output, dist/src)',
  bundle: 'the app, bundled (scripts/bundleApp.ts)',
};

export function renderColdStart(c: ColdStartResult): string {
  const rows = (['sdk', 'app', 'bundle'] as Variant[])
    .filter((v) => c.variants[v])
    .map((v) => {
      const x = c.variants[v]!;
      return [
        VARIANT_LABEL[v],
        fmt(x.requireMs),
        fmt(x.cpuMs),
        fmt(x.processMs),
        fmt(x.modules),
        fmt(x.registrations),
        fmt(x.ratioToSdk, 2),
        fmt(x.processRatioToSdk, 2),
      ];
    });
  const lines = [
    table(
      [
        'variant',
        'load ms',
        'load CPU ms',
        'process ms',
        'modules',
        'functions',
        'ratio (load)',
        'ratio (process)',
      ],
      rows,
    ),
  ];
  if (c.bundleBytes !== undefined) lines.push(`Bundle size: ${fmt(c.bundleBytes / 1024)} KiB.`);
  return lines.join('\n\n');
}

export const STATUS_HEADING = '## Status page (`npm run bench -- status`)';

/**
 * The status section of an existing BENCHMARKS.md (heading to the end), or '' when there is none.
 * `npm run bench -- status` measures it separately, so a full run carries it over unchanged.
 */
export function statusSectionOf(text: string): string {
  const at = text.indexOf(STATUS_HEADING);
  return at < 0 ? '' : text.slice(at).trim();
}

/**
 * The whole BENCHMARKS.md. `notes` are the hand-kept design notes (see index.ts); `statusSection`
 * is the last status-page measurement (see statusSectionOf), kept at the end.
 */
export function renderMarkdown(
  run: BenchRun,
  notes: { fanOut: string; throughput: string; coldStart: string; cost: string },
  statusSection = '',
): string {
  const parts = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/); edit bench/notes.ts, not this file. -->',
    '',
    `Machine: ${machineLine(run.machine)}.`,
    `Run: ${run.startedAt}, commit ${run.commit}, ${fmt(run.totalSeconds)} s for the whole \`npm run bench\` ` +
      `(build excluded). App constants: PARTITION_SIZE = ${PARTITION_SIZE}, PROGRESS_CHUNK_SIZE = ${PROGRESS_CHUNK_SIZE}.`,
    '',
    '## Goals',
    '',
    renderGoals(run),
  ];
  if (run.fanOut) parts.push('', '## Fan-out scale', '', notes.fanOut, '', renderFanOut(run.fanOut));
  if (run.throughput)
    parts.push('', '## Check throughput', '', notes.throughput, '', renderThroughput(run.throughput));
  if (run.coldStart) {
    parts.push('', '## Cold start', '', notes.coldStart, '', renderColdStart(run.coldStart));
  }
  if (run.cost) parts.push('', '## Cost of a check', '', notes.cost, '', renderCost(run.cost));
  if (statusSection) parts.push('', statusSection);
  return `${parts.join('\n')}\n`;
}
