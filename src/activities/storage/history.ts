// Reads and writes the check history tables (layout: src/core/history.ts).
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import {
  addToRollup,
  checkRowOf,
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

export async function recordCheck(input: RecordCheckInput): Promise<{ counted: boolean }> {
  let counted = false;
  if (input.check) {
    const row = await insertCheck(input.monitor, checkRowOf(input.at, input.check));
    counted = await addToDaily(await tableClient(HISTORY_TABLES.daily), input.monitor, row);
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

// The day's rollup as this worker last wrote it, with its ETag: the next check of the monitor
// updates it without reading it first. Another writer's change fails the ETag (412) and is re-read.
const recentRollups = new Map<string, { etag: string; rollup: DailyRollup }>();
const RECENT_ROLLUPS_MAX = 2_000;

function remember(key: string, etag: string | undefined, rollup: DailyRollup): void {
  recentRollups.delete(key);
  if (etag === undefined) return;
  if (recentRollups.size >= RECENT_ROLLUPS_MAX)
    recentRollups.delete(recentRollups.keys().next().value as string);
  recentRollups.set(key, { etag, rollup });
}

/** Optimistic concurrency on the day's row: a concurrent duplicate of this activity loses and re-reads. */
async function addToDaily(daily: TableClient, monitor: string, row: CheckRow): Promise<boolean> {
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
    if (!next) return false;
    const entity = { partitionKey: monitor, rowKey: day, ...rollupToEntity(next) };
    try {
      const written = existing
        ? await daily.updateEntity(entity, 'Replace', { etag: existing.etag })
        : await daily.createEntity(entity);
      remember(key, written.etag, next);
      return true;
    } catch (error) {
      recentRollups.delete(key);
      const status = statusCodeOf(error);
      if (status !== 412 && status !== 409) throw error;
    }
  }
  throw new Error(`Could not update the rollup of ${monitor} for ${day}: too much contention`);
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

function rollupFromEntity(entity: Entity): DailyRollup {
  return {
    day: entity.rowKey,
    checks: num(entity.checks) ?? 0,
    up: num(entity.up) ?? 0,
    down: num(entity.down) ?? 0,
    p50: num(entity.p50),
    p95: num(entity.p95),
    buckets: parseBuckets(entity.buckets),
    lastAt: String(entity.lastAt),
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

/** A day's rollup without its samples: what the pages read. */
async function listAll(client: TableClient, filter: string, select: string[]): Promise<Entity[]> {
  const entities: Entity[] = [];
  const queryOptions = { ...(filter && { filter }), ...(select.length > 0 && { select }) };
  for await (const entity of client.listEntities({ queryOptions })) entities.push(entityOf(entity));
  return entities;
}

/**
 * Everything the status page shows from history, read from rollups only: the day rows of the last
 * `days` days (with 15-minute buckets for the last two, which hold the last 24 hours) and the
 * incidents opened since `incidentsSince` or still open.
 */
export async function readStatusHistory(options: {
  since: string;
  bucketsSince: string;
  incidentsSince: string;
}): Promise<StatusHistory> {
  const [daily, incidents] = await Promise.all([
    tableClient(HISTORY_TABLES.daily),
    tableClient(HISTORY_TABLES.incidents),
  ]);
  const [dayRows, bucketRows, incidentRows] = await Promise.all([
    listAll(daily, `RowKey ge ${odataString(options.since)}`, [
      'PartitionKey',
      'RowKey',
      'checks',
      'up',
      'down',
      'p50',
      'p95',
    ]),
    listAll(daily, `RowKey ge ${odataString(options.bucketsSince)}`, ['PartitionKey', 'RowKey', 'buckets']),
    listAll(incidents, '', []),
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
    const list = days.get(entity.partitionKey) ?? [];
    list.push(summary);
    days.set(entity.partitionKey, list);
  }
  for (const list of days.values()) list.sort((a, b) => a.day.localeCompare(b.day));
  const recent = incidentRows
    .map((e) => incidentFromEntity(e))
    .filter((i) => i.closedAt === undefined || i.openedAt >= options.incidentsSince)
    .sort((a, b) => b.openedAt.localeCompare(a.openedAt));
  return { days, incidents: recent };
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
 * before it. Row keys sort by time, so one range filter per table finds them.
 */
export async function purgeHistory(
  beforeDay: string,
): Promise<Record<'checks' | 'daily' | 'incidents', number>> {
  const deleted = { checks: 0, daily: 0, incidents: 0 };
  const purge = async (table: keyof typeof deleted, filter: string, keep?: (e: Entity) => boolean) => {
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
