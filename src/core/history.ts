// Durable check history, as pure data: the rows the `recordCheck` activity writes to Table
// storage and the rollup arithmetic. Nothing here does I/O or reads a clock.
//
// - SitewatchChecks:    PartitionKey = monitor, RowKey = the round's orchestration time (ISO).
//   A round's time comes from context.df.currentUtcDateTime, so every retry or replay of the
//   same round writes the same key: an at-least-once activity cannot count a check twice.
// - SitewatchDaily:     PartitionKey = monitor, RowKey = UTC day (YYYY-MM-DD): counts,
//   exact p50/p95, 15-minute buckets for the 24-hour chart, and the packed samples they come from.
// - SitewatchIncidents: PartitionKey = monitor, RowKey = incident id.
// - SitewatchSummary:   PartitionKey = 'monitors', RowKey = monitor: what the status page shows,
//   derived from the day rollups (src/core/historySummary.ts).
import { z } from 'zod';
import { canonicalIso } from './instant';
import {
  MonitorName,
  ResultSummary,
  Timestamp,
  type MonitorEvent,
  type MonitorState,
} from './monitorSchemas';

export const HISTORY_TABLES = {
  checks: 'SitewatchChecks',
  daily: 'SitewatchDaily',
  incidents: 'SitewatchIncidents',
  summary: 'SitewatchSummary',
} as const;

export const DAY_MS = 86_400_000;
/** The 24-hour chart's resolution: 96 buckets a day. */
export const BUCKET_MINUTES = 15;
export const BUCKETS_PER_DAY = (24 * 60) / BUCKET_MINUTES;

/** What the orchestrator records after a round: the check, and the incident when it changed. */
export const IncidentRecord = z.object({
  id: z.string().min(1).max(100),
  openedAt: Timestamp,
  acknowledgedAt: Timestamp.optional(),
  acknowledgedBy: z.string().max(100).optional(),
  closedAt: Timestamp.optional(),
  /** The failure that opened it: an error code and/or HTTP status, never a message or header. */
  causeCode: z.string().max(40).optional(),
  causeStatus: z.int().optional(),
});
export type IncidentRecord = z.infer<typeof IncidentRecord>;

export const RecordCheckInput = z.object({
  monitor: MonitorName,
  /** The round's orchestration time: the check row's key. */
  at: Timestamp,
  check: ResultSummary.optional(),
  incident: IncidentRecord.optional(),
});
export type RecordCheckInput = z.infer<typeof RecordCheckInput>;

/**
 * The record with every time in Date#toISOString form. The check row's key is its time, rows are
 * found by RowKey ranges and incidents by an `openedAt lt` filter, so one round must always give
 * the same text whatever form its time arrived in (see instant.ts).
 */
export function canonicalRecord(input: RecordCheckInput): RecordCheckInput {
  const out: RecordCheckInput = { ...input, at: canonicalIso(input.at) };
  if (input.check) out.check = { ...input.check, at: canonicalIso(input.check.at) };
  if (input.incident) {
    const incident = { ...input.incident, openedAt: canonicalIso(input.incident.openedAt) };
    if (incident.acknowledgedAt !== undefined)
      incident.acknowledgedAt = canonicalIso(incident.acknowledgedAt);
    if (incident.closedAt !== undefined) incident.closedAt = canonicalIso(incident.closedAt);
    out.incident = incident;
  }
  return out;
}

/** A check as stored (and read back for the last 24 hours). */
export interface CheckRow {
  at: string;
  ok: boolean;
  latencyMs: number;
  status?: number;
  code?: string;
}

/** [checks, down, p50, p95] of one 15-minute bucket. */
export type Bucket = [number, number, number, number];

export interface DailyRollup {
  day: string;
  checks: number;
  up: number;
  down: number;
  p50: number | null;
  p95: number | null;
  /** Bucket index (0..95) -> bucket; only buckets with checks. */
  buckets: Record<number, Bucket>;
  /** The latest check counted: a check at or before it was already counted (idempotence). */
  lastAt: string;
  samples: Sample[];
}

/** A day's rollup without its samples: what the pages read. */
export type DaySummary = Omit<DailyRollup, 'samples' | 'lastAt' | 'buckets'> & {
  buckets?: Record<number, Bucket>;
};

export type StoredIncident = IncidentRecord & { monitor: string };

/** What the status page reads from history (rollups only). */
export interface StatusHistory {
  /** Monitor -> its days, oldest first; the last two days carry their 15-minute buckets. */
  days: Map<string, DaySummary[]>;
  /** Open incidents and those opened in the last 30 days, newest first. */
  incidents: StoredIncident[];
}

/** One check inside a day: minute of the day and latency. */
export interface Sample {
  minute: number;
  ok: boolean;
  latencyMs: number;
}

export function dayOf(at: string | number | Date): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The UTC day `days` before `at`'s day. */
export function dayBefore(at: string | number | Date, days: number): string {
  return dayOf(Date.parse(dayOf(at)) - days * DAY_MS);
}

function minuteOfDay(at: string): number {
  const ms = Date.parse(at);
  return Math.floor((ms - Date.parse(dayOf(ms))) / 60_000);
}

/** Nearest-rank percentile of sorted values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

function latencyStats(latencies: number[]): { p50: number | null; p95: number | null } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

export function checkRowOf(at: string, check: ResultSummary): CheckRow {
  const row: CheckRow = { at, ok: check.ok, latencyMs: Math.max(0, Math.round(check.latencyMs)) };
  if (check.status !== undefined) row.status = check.status;
  if (check.code !== undefined) row.code = check.code;
  return row;
}

/** A day's rollup from its samples: what the raw rows of that day say. */
export function rollupOf(day: string, samples: Sample[], lastAt: string): DailyRollup {
  const up = samples.filter((s) => s.ok).length;
  const byBucket = new Map<number, Sample[]>();
  for (const sample of samples) {
    const index = Math.floor(sample.minute / BUCKET_MINUTES);
    byBucket.set(index, [...(byBucket.get(index) ?? []), sample]);
  }
  const buckets: Record<number, Bucket> = {};
  for (const [index, list] of [...byBucket.entries()].sort((a, b) => a[0] - b[0])) {
    const { p50, p95 } = latencyStats(list.map((s) => s.latencyMs));
    buckets[index] = [list.length, list.filter((s) => !s.ok).length, p50 ?? 0, p95 ?? 0];
  }
  return {
    day,
    checks: samples.length,
    up,
    down: samples.length - up,
    ...latencyStats(samples.map((s) => s.latencyMs)),
    buckets,
    lastAt,
    samples,
  };
}

/**
 * Adds one check to its day's rollup, or leaves the rollup as it is when the check was counted
 * already (a retried activity). Checks of one monitor arrive in orchestration-time order, since
 * the orchestrator waits for each round's activity before the next round.
 */
export function addToRollup(rollup: DailyRollup | undefined, row: CheckRow): DailyRollup | undefined {
  const day = dayOf(row.at);
  if (rollup && rollup.day !== day) throw new RangeError(`check ${row.at} is not on ${rollup.day}`);
  if (rollup && Date.parse(row.at) <= Date.parse(rollup.lastAt)) return undefined;
  const sample: Sample = { minute: minuteOfDay(row.at), ok: row.ok, latencyMs: row.latencyMs };
  return rollupOf(day, [...(rollup?.samples ?? []), sample], row.at);
}

// Samples are stored packed, 4 bytes each (a day of 10-second checks is 34 KiB, inside Table
// storage's 64 KiB limit for one property): minute of day (11 bits), ok (1 bit), latency in ms
// (20 bits, capped at about 17 minutes; checks time out after at most 60 s).
const LATENCY_BITS = 20;
const LATENCY_MAX = 2 ** LATENCY_BITS - 1;

export function packSamples(samples: Sample[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(samples.length * 4));
  samples.forEach((s, i) => {
    const word =
      ((s.minute & 0x7ff) << 21) | ((s.ok ? 1 : 0) << LATENCY_BITS) | Math.min(s.latencyMs, LATENCY_MAX);
    view.setUint32(i * 4, word >>> 0);
  });
  return new Uint8Array(view.buffer);
}

export function unpackSamples(bytes: Uint8Array): Sample[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples: Sample[] = [];
  for (let i = 0; i + 4 <= bytes.byteLength; i += 4) {
    const word = view.getUint32(i);
    samples.push({
      minute: word >>> 21,
      ok: ((word >>> LATENCY_BITS) & 1) === 1,
      latencyMs: word & LATENCY_MAX,
    });
  }
  return samples;
}

function incidentRecordOf(incident: NonNullable<MonitorState['incident']>): IncidentRecord {
  const record: IncidentRecord = { id: incident.id, openedAt: incident.openedAt };
  if (incident.acknowledgedAt !== undefined) record.acknowledgedAt = incident.acknowledgedAt;
  if (incident.acknowledgedBy !== undefined) record.acknowledgedBy = incident.acknowledgedBy;
  if (incident.cause.code !== undefined) record.causeCode = incident.cause.code;
  if (incident.cause.status !== undefined) record.causeStatus = incident.cause.status;
  return record;
}

/**
 * What to record after a check round beyond the check itself (which checkMonitor writes): the
 * incident, when this round opened or closed one. Undefined when nothing changed.
 */
export function roundRecord(
  monitor: string,
  at: string,
  state: MonitorState,
  events: readonly MonitorEvent[],
): RecordCheckInput | undefined {
  if (events.some((e) => e.kind === 'DOWN') && state.incident)
    return { monitor, at, incident: incidentRecordOf(state.incident) };
  const closed = state.lastIncident;
  if (events.some((e) => e.kind === 'RECOVERED') && closed) {
    const incident: IncidentRecord = { id: closed.id, openedAt: closed.openedAt, closedAt: closed.closedAt };
    if (closed.acknowledgedAt !== undefined) incident.acknowledgedAt = closed.acknowledgedAt;
    return { monitor, at, incident };
  }
  return undefined;
}

/** What to record after an acknowledgement: the open incident, now acknowledged. */
export function acknowledgedRecord(
  monitor: string,
  at: string,
  state: MonitorState,
): RecordCheckInput | undefined {
  return state.incident ? { monitor, at, incident: incidentRecordOf(state.incident) } : undefined;
}
