// Cost model: one child process runs a sweep, a small sweep, a monitor and an audit on tests/host
// and reports what they left behind; bench/cost/model.ts turns that into transactions and money.
import path from 'node:path';
import { lastJsonLine, runToCompletion, tsxArgs } from '../childProcess';
import { BENCH_DIR, REPO_ROOT } from '../paths';
import { fmt, table } from '../stats';
import type { CostFigures } from './costChild';
import { blobDollars, costRows, PRICES, storageDollars } from './model';

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

const money = (usd: number) => (usd >= 0.01 ? `$${fmt(usd, 3)}` : `$${usd.toPrecision(2)}`);

export function renderCost(c: CostResult): string {
  const rows = costRows(c.figures);
  const body = rows.map((r) => {
    const perUnitUsd = storageDollars(r.transactions) / r.units;
    const scale = r.unit === 'round' ? ROUNDS_PER_MONITOR_MONTH : 1000;
    const dts = PRICES.dtsPerMillionActions;
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
        : money(((r.perUnit.dtsActions * dts) / 1e6 + blobDollars(r.transactions) / r.units) * scale),
    ];
  });
  // The terms of the design before batches: what the cut was chosen from.
  const sweep = rows[1].transactions;
  const terms = [
    ['queue operations', (sweep.queue * PRICES.queuePer10k) / 10_000],
    [
      'table rows and episode reads/writes',
      ((sweep.tableRows + sweep.tableEpisodes) * PRICES.tablePer10k) / 10_000,
    ],
    ['blob writes', (sweep.blobWrites * PRICES.blobWritePer10k) / 10_000],
    ['blob reads', (sweep.blobReads * PRICES.blobReadPer10k) / 10_000],
  ] as const;
  const total = terms.reduce((n, [, usd]) => n + usd, 0);
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
      ],
      body,
    ),
    `Terms of the sweep with one activity per check (before the cut) on the Azure Storage backend: ${terms
      .map(([name, usd]) => `${name} ${fmt((100 * usd) / total)}%`)
      .join(
        ', ',
      )}. Prices: ${PRICES.date}: queue $${PRICES.queuePer10k} and table $${PRICES.tablePer10k} per 10,000, ` +
      `hot blob writes $${PRICES.blobWritePer10k} and reads $${PRICES.blobReadPer10k} per 10,000.`,
  ].join('\n\n');
}
