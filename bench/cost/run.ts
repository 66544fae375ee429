// Cost model: one child process runs a sweep, a small sweep, a monitor and an audit on tests/host
// and reports what they left behind; bench/cost/model.ts turns that into transactions and money.
import path from 'node:path';
import { lastJsonLine, runToCompletion, tsxArgs } from '../childProcess';
import { BENCH_DIR, REPO_ROOT } from '../paths';
import { fmt, table } from '../stats';
import type { CostFigures } from './costChild';
import {
  blobDollars,
  costRows,
  DTS_ACTIONS_PER_SECOND_PER_CAPACITY_UNIT,
  DTS_CONSUMPTION_REPORTED,
  dtsBreakEvenPerMillionActions,
  dtsDollars,
  PRICES,
  type Price,
  storageDollars,
  storageTerms,
} from './model';

export interface CostResult {
  figures: CostFigures;
}

export async function runCost(): Promise<CostResult> {
  const { stdout } = await runToCompletion(
    process.execPath,
    tsxArgs(path.join(BENCH_DIR, 'cost', 'costChild.ts')),
    {
      timeoutMs: 5 * 60_000,
      cwd: REPO_ROOT,
    },
  );
  return { figures: lastJsonLine<CostFigures>(stdout) };
}

/** A 60-second monitor over a 30-day month. */
export const ROUNDS_PER_MONITOR_MONTH = 30 * 24 * 60;

const money = (usd: number) => {
  if (usd === 0) return '$0';
  if (usd >= 1) return `$${fmt(usd, 2)}`;
  return usd >= 0.01 ? `$${fmt(usd, 3)}` : `$${usd.toPrecision(2)}`;
};

/** One line of the price list under the table: the figure, its meter and region, where it was read, its date. */
export const describePrice = (name: string, p: Price) =>
  `${name}: $${p.usd} per ${p.per}, ${p.meter}, ${p.region}. Source: ${p.source}; dated ${p.date}.`;

/** What the reported, unconfirmed DTS price would make of the sweep and the monitor (same formula). */
function reportedDts(rows: ReturnType<typeof costRows>): string {
  const p = DTS_CONSUMPTION_REPORTED;
  const [sweep, , , monitor] = rows;
  const onDts = (r: (typeof rows)[number]) =>
    dtsDollars(r.transactions, r.perUnit.dtsActions * r.units, p.usd) / r.units;
  const sweepPer1000 = onDts(sweep) * 1000;
  const monitorMonth = onDts(monitor) * ROUNDS_PER_MONITOR_MONTH;
  const times = onDts(sweep) / (storageDollars(sweep.transactions) / sweep.units);
  return (
    `Reported, not confirmed, not used above: $${p.usd / 1e6} per action (${p.meter}, ${p.region}; ${p.source}; ` +
    `dated ${p.date}). At that price a check in a sweep by reference would cost ${money(sweepPer1000)} per 1,000 ` +
    `checks and a 60-second monitor ${money(monitorMonth)} a month on DTS, ${fmt(times)} times the Azure Storage backend.`
  );
}

export function renderCost(c: CostResult): string {
  const rows = costRows(c.figures);
  const dts = PRICES.dtsPerMillionActions;
  const body = rows.map((r) => {
    const perUnitUsd = storageDollars(r.transactions) / r.units;
    const scale = r.unit === 'round' ? ROUNDS_PER_MONITOR_MONTH : 1000;
    const actions = r.perUnit.dtsActions * r.units;
    return [
      r.workload,
      r.unit,
      fmt(r.perUnit.events, 2),
      fmt(r.perUnit.eventBytes),
      fmt(r.perUnit.messages, 2),
      fmt(r.perUnit.tableRows, 2),
      fmt(r.perUnit.blobOps, 3),
      fmt(r.perUnit.storageTransactions, 2),
      fmt(r.perUnit.dtsActions, 2),
      `${money(perUnitUsd * scale)} per ${r.unit === 'round' ? 'monitor-month' : `1,000 ${r.unit}s`}`,
      dts === undefined
        ? `${fmt(r.perUnit.dtsActions * scale)} actions + blobs ${money((blobDollars(r.transactions) / r.units) * scale)}`
        : money((dtsDollars(r.transactions, actions, dts.usd) / r.units) * scale),
      `$${fmt(dtsBreakEvenPerMillionActions(r.transactions, actions), 2)}`,
    ];
  });
  // The terms of the design before batches: what the cut was chosen from.
  const sweep = storageTerms(rows[1].transactions);
  const terms = [
    ['queue operations', sweep.queue],
    ['table rows and episode reads/writes', sweep.table],
    ['blob writes', sweep.blobWrites],
    ['blob reads', sweep.blobReads],
  ] as const;
  const total = terms.reduce((n, [, usd]) => n + usd, 0);
  const byReference = rows[0];
  const checksPerSecondPerCapacityUnit =
    DTS_ACTIONS_PER_SECOND_PER_CAPACITY_UNIT / byReference.perUnit.dtsActions;
  return [
    table(
      [
        'workload',
        'unit',
        'history events',
        'history bytes',
        'queue messages',
        'table transactions',
        'blob operations',
        'storage transactions',
        'DTS actions',
        'Azure Storage backend',
        'Durable Task Scheduler',
        'DTS cheaper below (per million actions)',
      ],
      body,
    ),
    `Terms of the sweep with one activity per check (before the cut) on the Azure Storage backend: ${terms
      .map(([name, usd]) => `${name} ${fmt((100 * usd) / total)}%`)
      .join(', ')}.`,
    `Prices (USD, Standard general-purpose v2, LRS, pay-as-you-go; a secondary source, read from the file ` +
      `at the commit named, dated by the commit that last regenerated it):`,
    [
      describePrice('Queue', PRICES.queue),
      describePrice('Table', PRICES.table),
      describePrice('Hot blob writes', PRICES.blobWrite),
      describePrice('Hot blob reads', PRICES.blobRead),
      dts === undefined
        ? 'Durable Task Scheduler Consumption: no confirmed price per action found (bench/cost/model.ts says ' +
          'where it was looked for). The column gives the actions and the blobs, the last column the price per ' +
          'million actions below which DTS would be the cheaper backend for that workload.'
        : describePrice('Durable Task Scheduler Consumption', dts),
      reportedDts(rows),
      (PRICES.dtsCapacityUnitPerMonth === undefined
        ? 'Durable Task Scheduler Dedicated: no published price per capacity unit found.'
        : describePrice('Durable Task Scheduler Dedicated', PRICES.dtsCapacityUnitPerMonth)) +
        ` One capacity unit dispatches up to ${fmt(DTS_ACTIONS_PER_SECOND_PER_CAPACITY_UNIT)} actions a second, ` +
        `${fmt(checksPerSecondPerCapacityUnit)} checks a second in sweeps by reference: its cost per check is its ` +
        'monthly price over the checks it actually runs, not a function of these counts.',
    ]
      .map((line) => `- ${line}`)
      .join('\n'),
  ].join('\n\n');
}
