// Reads and writes the check history tables (layout: src/core/history.ts).
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import {
  addToRollup,
  canonicalRecord,
  checkRowOf,
  dayBefore,
  dayOf,
  HISTORY_TABLES,
  packSamples,
  unpackSamples,
  type Bucket,
  type CheckRow,
  type DailyRollup,
  type DaySummary,
  type IncidentRecord,
  type StatusHistory,
  type RecordCheckInput,
} from '../../core/history';
import {
  emptySummary,
  mergeRollup,
  summaryDays,
  SUMMARY_PARTITION,
  withoutDaysBefore,
  type MonitorSummary,
  type RollupForSummary,
} from '../../core/historySummary';
import { BAR_DAYS } from '../../core/statusModel';
import { compareInstants } from '../../core/instant';
import { odataString, statusCodeOf, tableClient } from './tables';

const ROLLUP_ATTEMPTS = 8;

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string; etag: string };

function entityOf(result: TableEntityResult<Record<string, unknown>>): Entity {
  return {
    ...result,
    partitionKey: result.partitionKey ?? '',
    rowKey: result.rowKey ?? '',
    etag: result.etag,
  };
}

export async function recordCheck(given: RecordCheckInput): Promise<{ counted: boolean }> {
  const input = canonicalRecord(given);
  let counted = false;
  if (input.check) {
    const row = await insertCheck(input.monitor, checkRowOf(input.at, input.check));
    const daily = await addToDaily(await tableClient(HISTORY_TABLES.daily), input.monitor, row);
    counted = daily.counted;
    // Also when the check was counted already: a first attempt that died between the rollup and the
    // summary left the summary behind, and this merge (a no-op otherwise) catches it up.
    await mergeIntoSummary(input.monitor, daily.rollup);
  }
  if (input.incident) {
    const incidents = await tableClient(HISTORY_TABLES.incidents);
    // Merge: an acknowledgement and a close may arrive in any order and must both stay.
    await incidents.upsertEntity(
      { partitionKey: input.monitor, rowKey: input.incident.id, ...input.incident },
      'Merge',
    );
  }
  return { counted };
}

/**
 * Insert-only: the first write of a round wins, and a repeated round (a re-run activity, whose
 * check measured a slightly different latency) adopts the stored row, so the rollup is always
 * computed from what the checks table holds.
 */
async function insertCheck(monitor: string, row: CheckRow): Promise<CheckRow> {
  const checks = await tableClient(HISTORY_TABLES.checks);
  try {
    await checks.createEntity({ partitionKey: monitor, rowKey: row.at, ...row });
    return row;
  } catch (error) {
    if (statusCodeOf(error) !== 409) throw error;
    return checkRowFromEntity(entityOf(await checks.getEntity(monitor, row.at)));
  }
}

const LAST_WRITTEN_MAX = 2_000;

/**
 * Rows as this worker last wrote them, with their ETags (bounded, oldest out first): the next update
 * of a row skips reading it. Another writer's change fails the ETag (412) and the row is re-read.
 */
class LastWritten<E extends { etag: string }> {
  private readonly rows = new Map<string, E>();

  get(key: string): E | undefined {
    return this.rows.get(key);
  }

  forget(key: string): void {
    this.rows.delete(key);
  }

  /** Keeps `entry` with the ETag the write answered; without one, only forgets the old entry. */
  remember(key: string, etag: string | undefined, entry: Omit<E, 'etag'>): void {
    this.rows.delete(key);
    if (etag === undefined) return;
    if (this.rows.size >= LAST_WRITTEN_MAX) this.rows.delete(this.rows.keys().next().value as string);
    this.rows.set(key, { ...entry, etag } as E);
  }
}

// The day rollups (key `monitor|day`) and the summaries (key: the monitor).
const recentRollups = new LastWritten<{ etag: string; rollup: DailyRollup }>();
const recentSummaries = new LastWritten<{ etag: string; summary: MonitorSummary }>();

/**
 * Optimistic concurrency on the day's row: a concurrent duplicate of this activity loses and
 * re-reads. Answers the day's rollup as stored after the call, and whether this call counted the check.
 */
async function addToDaily(
  daily: TableClient,
  monitor: string,
  row: CheckRow,
): Promise<{ counted: boolean; rollup: DailyRollup }> {
  const day = dayOf(row.at);
  const key = `${monitor}|${day}`;
  for (let attempt = 0; attempt < ROLLUP_ATTEMPTS; attempt++) {
    let existing = attempt === 0 ? recentRollups.get(key) : undefined;
    if (!existing) {
      try {
        const entity = entityOf(await daily.getEntity(monitor, day));
        existing = { etag: entity.etag, rollup: rollupFromEntity(entity) };
      } catch (error) {
        if (statusCodeOf(error) !== 404) throw error;
      }
    }
    const next = addToRollup(existing?.rollup, row);
    if (!next) return { counted: false, rollup: existing!.rollup };
    const entity = { partitionKey: monitor, rowKey: day, ...rollupToEntity(next) };
    try {
      const written = existing
        ? await daily.updateEntity(entity, 'Replace', { etag: existing.etag })
        : await daily.createEntity(entity);
      recentRollups.remember(key, written.etag, { rollup: next });
      return { counted: true, rollup: next };
    } catch (error) {
      recentRollups.forget(key);
      const status = statusCodeOf(error);
      if (status !== 412 && status !== 409) throw error;
    }
  }
  throw new Error(`Could not update the rollup of ${monitor} for ${day}: too much contention`);
}

function summaryToEntity(summary: MonitorSummary) {
  return {
    partitionKey: SUMMARY_PARTITION,
    rowKey: summary.monitor,
    days: JSON.stringify(summary.days),
    lastAt: JSON.stringify(summary.lastAt),
    buckets: JSON.stringify(summary.buckets),
  };
}

function parseRecord<T>(value: unknown): Record<string, T> {
  if (typeof value !== 'string') return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, T>) : {};
  } catch {
    return {};
  }
}

function summaryFromEntity(entity: Entity): MonitorSummary {
  return {
    monitor: entity.rowKey,
    days: parseRecord(entity.days),
    lastAt: parseRecord(entity.lastAt),
    buckets: parseRecord(entity.buckets),
  };
}

async function readSummaryEntry(
  client: TableClient,
  monitor: string,
): Promise<{ etag: string; summary: MonitorSummary } | undefined> {
  try {
    const entity = entityOf(await client.getEntity(SUMMARY_PARTITION, monitor));
    return { etag: entity.etag, summary: summaryFromEntity(entity) };
  } catch (error) {
    if (statusCodeOf(error) !== 404) throw error;
    return undefined;
  }
}

const ROLLUP_SUMMARY_FIELDS = ['RowKey', 'checks', 'up', 'down', 'p50', 'p95', 'lastAt', 'buckets'];

/** A monitor's day rollups from `since` on, without their samples. */
async function readRollupsForSummary(monitor: string, since: string): Promise<RollupForSummary[]> {
  const daily = await tableClient(HISTORY_TABLES.daily);
  const rows = await listAll(
    daily,
    `PartitionKey eq ${odataString(monitor)} and RowKey ge ${odataString(since)}`,
    ROLLUP_SUMMARY_FIELDS,
  );
  return rows.map(rollupForSummaryFromEntity);
}

function mergeAll(summary: MonitorSummary, rollups: RollupForSummary[]): MonitorSummary | undefined {
  let changed: MonitorSummary | undefined;
  for (const rollup of rollups) changed = mergeRollup(changed ?? summary, rollup) ?? changed;
  return changed;
}

/**
 * A summary built from the monitor's rollups from `since` on (a monitor whose history predates
 * the summaries, or its first check), so a summary never shows fewer days than the rollups hold.
 */
async function summaryFromRollups(monitor: string, since: string): Promise<MonitorSummary> {
  const empty = emptySummary(monitor);
  return mergeAll(empty, await readRollupsForSummary(monitor, since)) ?? empty;
}

/** Merges a day's rollup (as stored) into the monitor's summary; ETag-guarded, idempotent. */
async function mergeIntoSummary(monitor: string, rollup: RollupForSummary): Promise<void> {
  const client = await tableClient(HISTORY_TABLES.summary);
  for (let attempt = 0; attempt < ROLLUP_ATTEMPTS; attempt++) {
    const existing =
      (attempt === 0 ? recentSummaries.get(monitor) : undefined) ?? (await readSummaryEntry(client, monitor));
    // No summary yet: start from every rollup the monitor has, this one included.
    const base =
      existing?.summary ?? (await summaryFromRollups(monitor, dayBefore(rollup.day, BAR_DAYS - 1)));
    const next = mergeRollup(base, rollup) ?? (existing ? undefined : base);
    if (!next) return;
    try {
      const written = existing
        ? await client.updateEntity(summaryToEntity(next), 'Replace', { etag: existing.etag })
        : await client.createEntity(summaryToEntity(next));
      recentSummaries.remember(monitor, written.etag, { summary: next });
      return;
    } catch (error) {
      recentSummaries.forget(monitor);
      // 412: another writer changed it; 409: another writer created it; 404: the purge deleted it.
      const status = statusCodeOf(error);
      if (status !== 412 && status !== 409 && status !== 404) throw error;
    }
  }
  throw new Error(`Could not update the summary of ${monitor}: too much contention`);
}

/**
 * The summary of a monitor that has none (history written before summaries existed), built from
 * its rollups and stored (create-only: a writer that got there first wins). Undefined without history.
 */
async function backfillSummary(monitor: string, since: string): Promise<MonitorSummary | undefined> {
  const summary = await summaryFromRollups(monitor, since);
  if (Object.keys(summary.days).length === 0) return undefined;
  const client = await tableClient(HISTORY_TABLES.summary);
  try {
    await client.createEntity(summaryToEntity(summary));
  } catch (error) {
    // 409: a check of the monitor wrote its summary meanwhile, from the same rollups and newer.
    if (statusCodeOf(error) !== 409) throw error;
  }
  return summary;
}

/** One monitor's stored summary (tests, the bench). */
export async function readSummary(monitor: string): Promise<MonitorSummary | undefined> {
  return (await readSummaryEntry(await tableClient(HISTORY_TABLES.summary), monitor))?.summary;
}

/** Stores a monitor's summary as it is (tests simulate an interrupted write with it). */
export async function replaceSummary(summary: MonitorSummary): Promise<void> {
  recentSummaries.forget(summary.monitor);
  await (await tableClient(HISTORY_TABLES.summary)).upsertEntity(summaryToEntity(summary), 'Replace');
}

/**
 * Brings the summary of a monitor in line with its rollups after a purge: the days before the cut
 * go, and any rollup the summary missed (a write that failed after its rollup) is merged in.
 * Answers whether the summary changed.
 */
async function reconcileSummary(client: TableClient, monitor: string, beforeDay: string): Promise<boolean> {
  for (let attempt = 0; attempt < ROLLUP_ATTEMPTS; attempt++) {
    const existing = await readSummaryEntry(client, monitor);
    if (!existing) return false;
    const cut = withoutDaysBefore(existing.summary, beforeDay) ?? existing.summary;
    const days = Object.keys(existing.summary.days).sort();
    const newest = days[days.length - 1] ?? beforeDay;
    const from = [beforeDay, dayBefore(newest, BAR_DAYS - 1)].sort()[1]!;
    const next = mergeAll(cut, await readRollupsForSummary(monitor, from)) ?? cut;
    if (next === existing.summary) return false;
    try {
      if (Object.keys(next.days).length === 0)
        await client.deleteEntity(SUMMARY_PARTITION, monitor, { etag: existing.etag });
      else await client.updateEntity(summaryToEntity(next), 'Replace', { etag: existing.etag });
      recentSummaries.forget(monitor);
      return true;
    } catch (error) {
      const status = statusCodeOf(error);
      if (status === 404) return false;
      if (status !== 412) throw error;
    }
  }
  throw new Error(`Could not reconcile the summary of ${monitor}: too much contention`);
}

function checkRowFromEntity(e: Entity): CheckRow {
  const row: CheckRow = { at: e.rowKey, ok: e.ok === true, latencyMs: num(e.latencyMs) ?? 0 };
  if (typeof e.status === 'number') row.status = e.status;
  if (typeof e.code === 'string') row.code = e.code;
  return row;
}

function rollupToEntity(rollup: DailyRollup) {
  return {
    checks: rollup.checks,
    up: rollup.up,
    down: rollup.down,
    // Table storage has no null: an absent property means "no latency".
    ...(rollup.p50 !== null && { p50: rollup.p50 }),
    ...(rollup.p95 !== null && { p95: rollup.p95 }),
    buckets: JSON.stringify(rollup.buckets),
    lastAt: rollup.lastAt,
    samples: packSamples(rollup.samples),
  };
}

function num(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

function rollupForSummaryFromEntity(entity: Entity): Omit<DailyRollup, 'samples'> {
  return {
    day: entity.rowKey,
    checks: num(entity.checks) ?? 0,
    up: num(entity.up) ?? 0,
    down: num(entity.down) ?? 0,
    p50: num(entity.p50),
    p95: num(entity.p95),
    lastAt: String(entity.lastAt),
    buckets: parseBuckets(entity.buckets),
  };
}

function rollupFromEntity(entity: Entity): DailyRollup {
  return {
    ...rollupForSummaryFromEntity(entity),
    samples: entity.samples instanceof Uint8Array ? unpackSamples(entity.samples) : [],
  };
}

function parseBuckets(value: unknown): Record<number, Bucket> {
  if (typeof value !== 'string') return {};
  try {
    return JSON.parse(value) as Record<number, Bucket>;
  } catch {
    return {};
  }
}

async function listAll(client: TableClient, filter: string, select: string[]): Promise<Entity[]> {
  const entities: Entity[] = [];
  const queryOptions = { ...(filter && { filter }), ...(select.length > 0 && { select }) };
  for await (const entity of client.listEntities({ queryOptions })) entities.push(entityOf(entity));
  return entities;
}

/** A monitor the status page shows, and the id of the incident its live state says is open. */
export interface ShownMonitor {
  name: string;
  openIncident?: string;
}

/**
 * Everything the status page shows from history, read from the summaries (one row per monitor,
 * one query for all): the days from `since` on (with the 15-minute buckets of the days from
 * `bucketsSince` on), and the incidents opened since `incidentsSince` (a filter the table applies)
 * plus the open incident of each shown monitor, however old. `monitors` may still be pending when
 * this is called: the reads that do not need it start at once.
 *
 * A shown monitor without a summary (history from before summaries, or no check since) is read
 * from its day rollups instead, and its summary is stored for the next request.
 */
export async function readStatusHistory(options: {
  since: string;
  bucketsSince: string;
  incidentsSince: string;
  monitors: ShownMonitor[] | Promise<ShownMonitor[]>;
}): Promise<StatusHistory> {
  const [summaryTable, incidentTable] = await Promise.all([
    tableClient(HISTORY_TABLES.summary),
    tableClient(HISTORY_TABLES.incidents),
  ]);
  const [summaryRows, incidentRows, monitors] = await Promise.all([
    listAll(summaryTable, `PartitionKey eq ${odataString(SUMMARY_PARTITION)}`, ['RowKey', 'days', 'buckets']),
    listAll(incidentTable, `openedAt ge ${odataString(options.incidentsSince)}`, []),
    options.monitors,
  ]);
  const summaries = new Map(summaryRows.map((e) => [e.rowKey, summaryFromEntity(e)]));
  const incidents = incidentRows.map(incidentFromEntity);
  const known = new Set(incidents.map((i) => `${i.monitor}|${i.id}`));
  await Promise.all(
    monitors.map(async ({ name, openIncident }) => {
      if (!summaries.has(name)) {
        const summary = await backfillSummary(name, options.since);
        if (summary) summaries.set(name, summary);
      }
      if (openIncident !== undefined && !known.has(`${name}|${openIncident}`)) {
        try {
          incidents.push(incidentFromEntity(entityOf(await incidentTable.getEntity(name, openIncident))));
        } catch (error) {
          // Not written yet (history is best effort): the page shows the live state's incident.
          if (statusCodeOf(error) !== 404) throw error;
        }
      }
    }),
  );
  const days = new Map<string, DaySummary[]>();
  for (const { name } of monitors) {
    const summary = summaries.get(name);
    if (!summary) continue;
    days.set(
      name,
      summaryDays(summary)
        .filter((d) => d.day >= options.since)
        .map((d) => {
          if (d.day >= options.bucketsSince) return d;
          const { buckets: _unused, ...rest } = d;
          return rest;
        }),
    );
  }
  // By instant: rows written before times were stored canonically may spell them differently.
  const placed = incidents.filter((i) => Number.isFinite(Date.parse(i.openedAt)));
  placed.sort((a, b) => compareInstants(b.openedAt, a.openedAt));
  return { days, incidents: placed };
}

/**
 * The same days read from the day rollups of every monitor (a scan of about BAR_DAYS rows per
 * monitor, plus the 15-minute buckets of the last two days): what the page read before the
 * summaries. The status benchmark measures it against readStatusHistory in the same run.
 */
export async function readDaysFromRollups(
  since: string,
  bucketsSince: string,
): Promise<Map<string, DaySummary[]>> {
  const daily = await tableClient(HISTORY_TABLES.daily);
  const [dayRows, bucketRows] = await Promise.all([
    listAll(daily, `RowKey ge ${odataString(since)}`, [
      'PartitionKey',
      'RowKey',
      'checks',
      'up',
      'down',
      'p50',
      'p95',
    ]),
    listAll(daily, `RowKey ge ${odataString(bucketsSince)}`, ['PartitionKey', 'RowKey', 'buckets']),
  ]);
  const buckets = new Map(bucketRows.map((e) => [`${e.partitionKey}|${e.rowKey}`, parseBuckets(e.buckets)]));
  const days = new Map<string, DaySummary[]>();
  for (const entity of dayRows) {
    const summary: DaySummary = {
      day: entity.rowKey,
      checks: num(entity.checks) ?? 0,
      up: num(entity.up) ?? 0,
      down: num(entity.down) ?? 0,
      p50: num(entity.p50),
      p95: num(entity.p95),
    };
    const dayBuckets = buckets.get(`${entity.partitionKey}|${entity.rowKey}`);
    if (dayBuckets) summary.buckets = dayBuckets;
    days.set(entity.partitionKey, [...(days.get(entity.partitionKey) ?? []), summary]);
  }
  for (const list of days.values()) list.sort((a, b) => a.day.localeCompare(b.day));
  return days;
}

function incidentFromEntity(entity: Entity): IncidentRecord & { monitor: string } {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const record: IncidentRecord & { monitor: string } = {
    monitor: entity.partitionKey,
    id: entity.rowKey,
    openedAt: str(entity.openedAt) ?? '',
  };
  for (const key of ['acknowledgedAt', 'acknowledgedBy', 'closedAt', 'causeCode'] as const) {
    const value = str(entity[key]);
    if (value !== undefined) record[key] = value;
  }
  if (typeof entity.causeStatus === 'number') record.causeStatus = entity.causeStatus;
  return record;
}

/** The raw checks of one monitor from `since` on (tests and the rollup cross-check). */
export async function readChecks(monitor: string, since = ''): Promise<CheckRow[]> {
  const client = await tableClient(HISTORY_TABLES.checks);
  const rows = await listAll(
    client,
    `PartitionKey eq ${odataString(monitor)} and RowKey ge ${odataString(since)}`,
    ['RowKey', 'ok', 'latencyMs', 'status', 'code'],
  );
  return rows.map(checkRowFromEntity);
}

/** Writes a day's rollup as it is (seeding history for screenshots and the bench). */
export async function writeDailyRollup(monitor: string, rollup: DailyRollup): Promise<void> {
  const daily = await tableClient(HISTORY_TABLES.daily);
  await daily.upsertEntity(
    { partitionKey: monitor, rowKey: rollup.day, ...rollupToEntity(rollup) },
    'Replace',
  );
}

/** One monitor's day rollups (tests, the bench). */
export async function readDaily(monitor: string): Promise<DailyRollup[]> {
  const client = await tableClient(HISTORY_TABLES.daily);
  const rows = await listAll(client, `PartitionKey eq ${odataString(monitor)}`, []);
  return rows.map(rollupFromEntity);
}

/**
 * Deletes checks and rollups older than `beforeDay` (YYYY-MM-DD) and closed incidents opened
 * before it, then brings every summary in line with the rollups that are left. Row keys sort by
 * time, so one range filter per table finds the rows.
 */
export async function purgeHistory(
  beforeDay: string,
): Promise<Record<'checks' | 'daily' | 'incidents' | 'summaries', number>> {
  const deleted = { checks: 0, daily: 0, incidents: 0, summaries: 0 };
  const purge = async (
    table: 'checks' | 'daily' | 'incidents',
    filter: string,
    keep?: (e: Entity) => boolean,
  ) => {
    const client = await tableClient(HISTORY_TABLES[table]);
    const doomed = (await listAll(client, filter, ['PartitionKey', 'RowKey', 'closedAt'])).filter(
      (e) => !keep?.(e),
    );
    deleted[table] += await deleteAll(client, doomed);
  };
  await purge('checks', `RowKey lt ${odataString(beforeDay)}`);
  await purge('daily', `RowKey lt ${odataString(beforeDay)}`);
  // An incident still open is kept however old it is: the page shows it until it closes.
  await purge('incidents', `openedAt lt ${odataString(beforeDay)}`, (e) => typeof e.closedAt !== 'string');
  // After the rollups, so a summary never keeps a day whose rollup is gone ("summaries" counts the
  // summaries rewritten or deleted).
  const summaries = await tableClient(HISTORY_TABLES.summary);
  const monitors = await listAll(summaries, `PartitionKey eq ${odataString(SUMMARY_PARTITION)}`, ['RowKey']);
  for (const { rowKey } of monitors)
    if (await reconcileSummary(summaries, rowKey, beforeDay)) deleted.summaries += 1;
  return deleted;
}

// A batch holds at most 100 operations, all in one partition.
const BATCH_SIZE = 100;

async function deleteAll(client: TableClient, entities: Entity[]): Promise<number> {
  const byPartition = new Map<string, string[]>();
  for (const e of entities)
    byPartition.set(e.partitionKey, [...(byPartition.get(e.partitionKey) ?? []), e.rowKey]);
  let count = 0;
  for (const [partitionKey, rowKeys] of byPartition) {
    for (let i = 0; i < rowKeys.length; i += BATCH_SIZE) {
      const chunk = rowKeys.slice(i, i + BATCH_SIZE);
      try {
        await client.submitTransaction(chunk.map((rowKey) => ['delete', { partitionKey, rowKey }]));
        count += chunk.length;
      } catch {
        // One row deleted meanwhile fails the whole batch: fall back to one by one.
        for (const rowKey of chunk) {
          try {
            await client.deleteEntity(partitionKey, rowKey);
            count += 1;
          } catch (error) {
            if (statusCodeOf(error) !== 404) throw error;
          }
        }
      }
    }
  }
  return count;
}
