// Turns what a workload left behind (bench/cost/counts.ts, blob requests) into storage transactions,
// Durable Task Scheduler actions and money. The formulas are the model; the prices are inputs with
// their source and date (PRICES). Everything per unit: one check, one monitor round, one audit link.
import type { CostFigures, WorkloadCounts } from './costChild';

/**
 * Unit prices in USD. ASSUMPTIONS: the search tool returned the Durable Task Scheduler billing pages
 * (what an action is, Dedicated vs Consumption) and Azure Storage billing notes, but none of the
 * published price tables' figures. The storage figures are the long-standing pay-as-you-go list
 * prices for a Standard general-purpose v2 LRS account (Hot blobs) as we know them; check them
 * against https://azure.microsoft.com/pricing/details/storage/ for your region before relying on the
 * money columns. The transaction and action counts do not depend on them.
 */
export const PRICES = {
  date: '2026-11-30 (assumed list prices, not read from the live price list; see bench/cost/model.ts)',
  /** Queue operations (class 1 and class 2), per 10,000. */
  queuePer10k: 0.004,
  /** Table transactions, per 10,000. */
  tablePer10k: 0.00036,
  /** Hot block blob write operations, per 10,000. */
  blobWritePer10k: 0.05,
  /** Hot block blob read operations (and other), per 10,000. */
  blobReadPer10k: 0.004,
  /** Durable Task Scheduler Consumption: price per million actions. Not found: left as a parameter. */
  dtsPerMillionActions: undefined as number | undefined,
};

/**
 * Azure Storage provider (DurableTask.AzureStorage), per workload:
 * - queue: every message is put once, fetched once and deleted once: 3 operations (the control-queue
 *   fetch takes up to 32 messages per call, so this is an upper bound; idle polling is left out: it
 *   is a per-app cost, not per check).
 * - table: every history event is a History table row written once (entity-group batches are billed
 *   per entity); every episode loads the history (1 query per 1,000 rows) and updates the Instances
 *   row (1 write).
 * - blob: the app's own requests as counted on the wire, plus a write and a read for every history
 *   payload over 45 KiB (the provider keeps large messages and history payloads in blobs).
 */
export interface StorageTransactions {
  queue: number;
  tableRows: number;
  tableEpisodes: number;
  blobWrites: number;
  blobReads: number;
  total: number;
}

export function storageTransactions(w: WorkloadCounts): StorageTransactions {
  const h = w.history;
  const queue = 3 * h.messages;
  const tableRows = h.events;
  // One Instances write and ceil(rows / 1000) history queries per episode; histories here stay
  // under 1,000 rows per execution except the largest partitions, so ~2 per episode.
  const tableEpisodes = h.episodes * 2 + Math.floor(h.eventsLoaded / 1000);
  const blobWrites = w.blobs.writes + h.largePayloads;
  const blobReads = w.blobs.reads + w.blobs.other + h.largePayloads;
  return {
    queue,
    tableRows,
    tableEpisodes,
    blobWrites,
    blobReads,
    total: queue + tableRows + tableEpisodes + blobWrites + blobReads,
  };
}

/** DTS bills an action per orchestration start, activity start, activity result, sub-orchestration result, timer and event. */
export const dtsActions = (w: WorkloadCounts) => w.history.messages;

export function storageDollars(t: StorageTransactions): number {
  return (
    (t.queue * PRICES.queuePer10k +
      (t.tableRows + t.tableEpisodes) * PRICES.tablePer10k +
      t.blobWrites * PRICES.blobWritePer10k +
      t.blobReads * PRICES.blobReadPer10k) /
    10_000
  );
}

/** Blob requests are paid on either backend (reports, slices, config live in the app's storage). */
export function blobDollars(t: StorageTransactions): number {
  return (t.blobWrites * PRICES.blobWritePer10k + t.blobReads * PRICES.blobReadPer10k) / 10_000;
}

export interface CostRow {
  workload: string;
  unit: string;
  units: number;
  perUnit: {
    events: number;
    eventBytes: number;
    messages: number;
    tableRows: number;
    blobOps: number;
    storageTransactions: number;
    dtsActions: number;
  };
  transactions: StorageTransactions;
}

export function costRows(f: CostFigures): CostRow[] {
  const rows: Array<[string, string, WorkloadCounts]> = [
    ['sweep of 1,000 targets (by reference)', 'check', f.sweep],
    ['the same, one activity per check (before)', 'check', f.sweepUnbatched],
    ['sweep of 100 targets (inline)', 'check', f.sweepSmall],
    ['monitor, 60 s interval', 'round', f.monitor],
    ['audit of a page with 100 links', 'link', f.audit],
  ];
  return rows.map(([workload, unit, w]) => {
    const t = storageTransactions(w);
    return {
      workload,
      unit,
      units: w.units,
      perUnit: {
        events: w.history.events / w.units,
        eventBytes: w.history.eventBytes / w.units,
        messages: w.history.messages / w.units,
        tableRows: (t.tableRows + t.tableEpisodes) / w.units,
        blobOps: (t.blobWrites + t.blobReads) / w.units,
        storageTransactions: t.total / w.units,
        dtsActions: dtsActions(w) / w.units,
      },
      transactions: t,
    };
  });
}
