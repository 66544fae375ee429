// The public status page's data, built from the monitors' live state (customStatus) and the
// history rollups. Pure: the caller passes the time, the settings and what it read. The same
// model is served as HTML (/api/status), JSON (/api/status.json) and badges.
import { z } from 'zod';
import {
  BUCKET_MINUTES,
  BUCKETS_PER_DAY,
  DAY_MS,
  dayBefore,
  type DaySummary,
  type StatusHistory,
  type StoredIncident,
} from './history';
import type { MonitorState } from './monitorSchemas';
import { canonicalIso, compareInstants, instantOf } from './instant';

/** Cells of the uptime bar: one per UTC day, today last. */
export const BAR_DAYS = 90;
/** How far back the incident history goes. */
export const INCIDENT_DAYS = 30;

export const PublicState = z.enum(['up', 'down', 'degraded', 'pending', 'paused']);
export type PublicState = z.infer<typeof PublicState>;

export const Overall = z.enum(['operational', 'degraded', 'outage', 'unknown']);
export type Overall = z.infer<typeof Overall>;

const Percent = z.number().min(0).max(100).nullable();
const Time = z.iso.datetime();

export const StatusDay = z.object({
  day: z.iso.date(),
  checks: z.int().min(0),
  down: z.int().min(0),
  /** Percent of checks that passed; null for a day without checks. */
  uptime: Percent,
});
export type StatusDay = z.infer<typeof StatusDay>;

export const LatencyPoint = z.object({
  /** Start of a 15-minute bucket. */
  at: Time,
  checks: z.int().min(1),
  down: z.int().min(0),
  p50: z.number().min(0),
  p95: z.number().min(0),
});
export type LatencyPoint = z.infer<typeof LatencyPoint>;

export const PublicIncident = z.object({
  monitor: z.string(),
  id: z.string(),
  openedAt: Time,
  acknowledgedAt: Time.nullable(),
  closedAt: Time.nullable(),
  durationMs: z.number().min(0),
  /** What failed: an HTTP status or an error code. Never a message, URL or header. */
  cause: z.string().nullable(),
});
export type PublicIncident = z.infer<typeof PublicIncident>;

export const StatusMonitor = z.object({
  name: z.string(),
  state: PublicState,
  since: Time.nullable(),
  /** The target, redacted; only with SITEWATCH_STATUS_SHOW_URLS=true. */
  url: z.string().optional(),
  uptime: z.object({ h24: Percent, d7: Percent, d30: Percent, d90: Percent }),
  /** BAR_DAYS cells, oldest first. */
  days: z.array(StatusDay),
  /** The last 24 hours in 15-minute buckets, oldest first; buckets without checks are left out. */
  latency: z.array(LatencyPoint),
  incident: PublicIncident.nullable(),
});
export type StatusMonitor = z.infer<typeof StatusMonitor>;

export const StatusDocument = z.object({
  title: z.string(),
  generatedAt: Time,
  overall: Overall,
  monitors: z.array(StatusMonitor),
  /** Incidents opened in the last INCIDENT_DAYS days, and any still open; newest first. */
  incidents: z.array(PublicIncident),
});
export type StatusDocument = z.infer<typeof StatusDocument>;

/** A monitor as the durable status shows it: runtime status and its customStatus view. */
export interface LiveMonitor {
  name: string;
  runtimeStatus: string;
  state: MonitorState | null;
  /** The check target's URL (unredacted: only the redacted form leaves this module). */
  targetUrl: string | null;
  /** The monitor was paused (tests/host and Azure: runtime status Suspended, or a paused view). */
  paused?: boolean;
}

export interface StatusOptions {
  now: Date;
  title: string;
  showUrls: boolean;
  redact: (url: string) => string;
}

function percent(up: number, checks: number): number | null {
  return checks === 0 ? null : Math.round((up / checks) * 100_000) / 1000;
}

function publicState(live: LiveMonitor): PublicState {
  if (live.paused || live.runtimeStatus === 'Suspended') return 'paused';
  const status = live.state?.status;
  if (status === 'up' || status === 'down' || status === 'degraded') return status;
  return 'pending';
}

function cause(incident: StoredIncident): string | null {
  if (incident.causeStatus !== undefined) return `HTTP ${incident.causeStatus}`;
  return incident.causeCode ?? null;
}

// Times are published in one form (canonicalIso): a Failed monitor's view, for one, comes back
// from the extension with "...:00Z" where the monitor wrote "...:00.000Z" (see instant.ts).
function toPublicIncident(incident: StoredIncident, now: Date): PublicIncident {
  const end = incident.closedAt ? instantOf(incident.closedAt) : now.getTime();
  return {
    monitor: incident.monitor,
    id: incident.id,
    openedAt: canonicalIso(incident.openedAt),
    acknowledgedAt: incident.acknowledgedAt === undefined ? null : canonicalIso(incident.acknowledgedAt),
    closedAt: incident.closedAt === undefined ? null : canonicalIso(incident.closedAt),
    durationMs: Math.max(0, end - instantOf(incident.openedAt)),
    cause: cause(incident),
  };
}

/** The live incident from the monitor's state, when history has not caught up yet (or failed). */
function liveIncident(name: string, state: MonitorState | null, now: Date): PublicIncident | null {
  const open = state?.incident;
  if (!open) return null;
  return toPublicIncident(
    {
      monitor: name,
      id: open.id,
      openedAt: open.openedAt,
      ...(open.acknowledgedAt !== undefined && { acknowledgedAt: open.acknowledgedAt }),
      ...(open.cause.status !== undefined && { causeStatus: open.cause.status }),
      ...(open.cause.code !== undefined && { causeCode: open.cause.code }),
    },
    now,
  );
}

function uptimeSince(days: DaySummary[], firstDay: string): number | null {
  let checks = 0;
  let up = 0;
  for (const day of days) {
    if (day.day < firstDay) continue;
    checks += day.checks;
    up += day.up;
  }
  return percent(up, checks);
}

/**
 * The 15-minute buckets that start within the 24 hours before `now`. `isoOf` turns a bucket's
 * start into its ISO time; buildStatus shares one cache of them across all monitors.
 */
function last24h(days: DaySummary[], now: Date, isoOf: (ms: number) => string): LatencyPoint[] {
  const from = now.getTime() - DAY_MS;
  const points: LatencyPoint[] = [];
  for (const day of days) {
    if (!day.buckets) continue;
    const dayStart = Date.parse(day.day);
    for (let index = 0; index < BUCKETS_PER_DAY; index++) {
      const bucket = day.buckets[index];
      if (!bucket) continue;
      const start = dayStart + index * BUCKET_MINUTES * 60_000;
      if (start + BUCKET_MINUTES * 60_000 <= from || start > now.getTime()) continue;
      const [checks, down, p50, p95] = bucket;
      points.push({ at: isoOf(start), checks, down, p50, p95 });
    }
  }
  return points.sort((a, b) => a.at.localeCompare(b.at));
}

/** The bar's cells for `barDays` (the same BAR_DAYS days for every monitor, oldest first). */
function bar(days: DaySummary[], barDays: readonly string[]): StatusDay[] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  return barDays.map((day) => {
    const summary = byDay.get(day);
    return {
      day,
      checks: summary?.checks ?? 0,
      down: summary?.down ?? 0,
      uptime: summary ? percent(summary.up, summary.checks) : null,
    };
  });
}

function overallOf(monitors: StatusMonitor[]): Overall {
  const active = monitors.filter((m) => m.state !== 'paused' && m.state !== 'pending');
  if (active.length === 0) return 'unknown';
  if (active.every((m) => m.state === 'down')) return 'outage';
  if (active.some((m) => m.state !== 'up')) return 'degraded';
  return 'operational';
}

export function buildStatus(
  live: LiveMonitor[],
  history: StatusHistory,
  options: StatusOptions,
): StatusDocument {
  const { now } = options;
  const incidentsSince = new Date(now.getTime() - INCIDENT_DAYS * DAY_MS).toISOString();
  const stored = history.incidents;
  // Computed once for all monitors: with a hundred monitors, per-monitor date arithmetic was
  // most of the time it took to build the document.
  const barDays = Array.from({ length: BAR_DAYS }, (_, i) => dayBefore(now, BAR_DAYS - 1 - i));
  const [d7, d30, d90] = [6, 29, 89].map((back) => dayBefore(now, back)) as [string, string, string];
  const isoTimes = new Map<number, string>();
  const isoOf = (ms: number) => {
    let iso = isoTimes.get(ms);
    if (iso === undefined) isoTimes.set(ms, (iso = new Date(ms).toISOString()));
    return iso;
  };
  const monitors = [...live]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((monitor): StatusMonitor => {
      const days = history.days.get(monitor.name) ?? [];
      const latency = last24h(days, now, isoOf);
      const h24 = latency.reduce(
        (acc, p) => ({ checks: acc.checks + p.checks, up: acc.up + p.checks - p.down }),
        { checks: 0, up: 0 },
      );
      const openId = monitor.state?.incident?.id;
      const open = openId ? stored.find((i) => i.monitor === monitor.name && i.id === openId) : undefined;
      const result: StatusMonitor = {
        name: monitor.name,
        state: publicState(monitor),
        since: monitor.state?.statusSince ? canonicalIso(monitor.state.statusSince) : null,
        uptime: {
          h24: percent(h24.up, h24.checks),
          d7: uptimeSince(days, d7),
          d30: uptimeSince(days, d30),
          d90: uptimeSince(days, d90),
        },
        days: bar(days, barDays),
        latency,
        incident: open ? toPublicIncident(open, now) : liveIncident(monitor.name, monitor.state, now),
      };
      if (options.showUrls && monitor.targetUrl) result.url = options.redact(monitor.targetUrl);
      return result;
    });
  const shown = new Set(live.map((m) => m.name));
  const incidents = stored
    .filter(
      (i) =>
        shown.has(i.monitor) &&
        (i.closedAt === undefined || compareInstants(i.openedAt, incidentsSince) >= 0),
    )
    .map((i) => toPublicIncident(i, now));
  return {
    title: options.title,
    generatedAt: now.toISOString(),
    overall: overallOf(monitors),
    monitors,
    incidents,
  };
}
