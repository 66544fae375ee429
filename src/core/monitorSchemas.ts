// Schemas for uptime monitors: the configuration a user PUTs, the state the `watchSite`
// orchestrator carries from round to round (customStatus and continueAsNew input), the events
// the reducer emits and the alert payload a webhook receives. All of it is plain JSON and
// bounded in size: timestamps are ISO strings, absent values are null or missing keys (never
// `undefined`), lists and texts have caps.
import { z } from 'zod';
import {
  AlertChannel,
  ChannelType,
  MAX_ALERT_CHANNELS,
  MAX_PUBLIC_URL_LENGTH,
  MAX_WEBHOOK_URL_LENGTH,
  WebhookUrl,
} from './alertChannels';
import { CheckTarget, ErrorCode } from './checkSpec';

export { WebhookUrl };

export const MONITOR_LIMITS = {
  /** Shorter intervals would mostly measure the orchestration overhead and cost per execution. */
  minIntervalSeconds: 10,
  maxIntervalSeconds: 86_400,
  maxThreshold: 100,
  /** One week; 0 means "alert once per incident". */
  maxRealertMinutes: 10_080,
  /** Compact entries kept in `recent`. */
  windowSize: 20,
  maxMessageLength: 300,
  maxIdLength: 100,
  maxActorLength: 100,
  maxWebhookLength: MAX_WEBHOOK_URL_LENGTH,
  /** Channels per monitor, the `webhook` shorthand included. */
  maxAlertChannels: MAX_ALERT_CHANNELS,
} as const;

/**
 * A monitor name is a DNS label: 1-63 lowercase letters, digits and hyphens, starting and
 * ending with a letter or digit. It becomes the instance id `monitor:{name}` and a URL path
 * segment, so it must need no escaping anywhere and compare equal regardless of case habits.
 */
export const MONITOR_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const MonitorName = z
  .string()
  .regex(
    MONITOR_NAME_PATTERN,
    'must be 1-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
  );
export type MonitorName = z.infer<typeof MonitorName>;

const count = z.int().min(0);
const threshold = z.int().min(1).max(MONITOR_LIMITS.maxThreshold);

export const MonitorConfig = z
  .strictObject({
    /** A CheckSpec; a plain URL string means { url }. */
    target: CheckTarget,
    intervalSeconds: z.int().min(MONITOR_LIMITS.minIntervalSeconds).max(MONITOR_LIMITS.maxIntervalSeconds),
    /** Consecutive failed checks that open an incident (event DOWN). */
    failureThreshold: threshold,
    /** Consecutive successful checks that close the open incident (event RECOVERED). */
    recoveryThreshold: threshold,
    /** Minutes between reminders while an incident is open and unacknowledged; 0 = never. */
    realertMinutes: z.int().min(0).max(MONITOR_LIMITS.maxRealertMinutes),
    /** Shorthand for one plain `{ type: "webhook", url }` channel. A secret: shown only through redactUrl. */
    webhook: WebhookUrl.optional(),
    /** Where alerts go (see alertChannels.ts); with `webhook`, at most maxAlertChannels in all. */
    alerts: z.array(AlertChannel).max(MAX_ALERT_CHANNELS).optional(),
  })
  .refine(
    (config) => (config.webhook === undefined ? 0 : 1) + (config.alerts?.length ?? 0) <= MAX_ALERT_CHANNELS,
    {
      path: ['alerts'],
      message: `at most ${MAX_ALERT_CHANNELS} channels, the webhook shorthand included`,
    },
  );
export type MonitorConfig = z.infer<typeof MonitorConfig>;

/** An ISO 8601 UTC timestamp, as produced by Date#toISOString. */
export const Timestamp = z.iso.datetime();

/**
 * - `pending`: no check has run yet.
 * - `up`: no open incident and the latest check passed.
 * - `degraded`: no open incident, but the latest check failed; failures so far are below
 *   failureThreshold. An early warning for operators; no alert is sent.
 * - `down`: an incident is open. It stays `down` while passing checks accumulate towards
 *   recoveryThreshold, so the status always agrees with the alerts that were sent.
 */
export const MonitorStatus = z.enum(['pending', 'up', 'degraded', 'down']);
export type MonitorStatus = z.infer<typeof MonitorStatus>;

/** One check, compacted for the recent-results window. */
export const WindowEntry = z.strictObject({
  at: Timestamp,
  ok: z.boolean(),
  status: z.int().optional(),
  latencyMs: z.number().min(0),
  code: ErrorCode.optional(),
});
export type WindowEntry = z.infer<typeof WindowEntry>;

/** A window entry plus the (truncated) error message: what alerts and incidents quote. */
export const ResultSummary = WindowEntry.extend({
  message: z.string().max(MONITOR_LIMITS.maxMessageLength).optional(),
});
export type ResultSummary = z.infer<typeof ResultSummary>;

export const Incident = z.strictObject({
  id: z.string().min(1).max(MONITOR_LIMITS.maxIdLength),
  openedAt: Timestamp,
  /** The check that crossed failureThreshold. */
  cause: ResultSummary,
  acknowledgedAt: Timestamp.optional(),
  acknowledgedBy: z.string().max(MONITOR_LIMITS.maxActorLength).optional(),
  /** When an alert for this incident (DOWN or REALERT) was last attempted. */
  lastAlertAt: Timestamp.optional(),
  /** Alerts attempted for this incident, delivered or not. */
  alerts: count,
});
export type Incident = z.infer<typeof Incident>;

export const ClosedIncident = Incident.omit({ cause: true }).extend({
  closedAt: Timestamp,
  durationMs: z.number().min(0),
});
export type ClosedIncident = z.infer<typeof ClosedIncident>;

/** TEST is sent on request (POST .../test-alert) and belongs to no incident. */
export const AlertKind = z.enum(['DOWN', 'RECOVERED', 'REALERT', 'TEST']);
export type AlertKind = z.infer<typeof AlertKind>;

/** The outcome of one alert after all retries, as the orchestrator records it. */
export const AlertDeliveryRecord = z.strictObject({
  at: Timestamp,
  kind: AlertKind,
  incidentId: z.string().max(MONITOR_LIMITS.maxIdLength).optional(),
  ok: z.boolean(),
  /** HTTP status of a delivered alert. */
  status: z.int().optional(),
  /** Why the delivery failed (already redacted by sendAlert), truncated. */
  error: z.string().max(MONITOR_LIMITS.maxMessageLength).optional(),
});
export type AlertDeliveryRecord = z.infer<typeof AlertDeliveryRecord>;

export const PauseRecord = z.strictObject({
  at: Timestamp,
  by: z.string().max(MONITOR_LIMITS.maxActorLength).optional(),
});
export type PauseRecord = z.infer<typeof PauseRecord>;

/**
 * - `delivered`: the channel answered 2xx;
 * - `retrying`: the attempt failed and the alerts queue will offer the message again;
 * - `poisoned`: the last allowed attempt failed; the message now waits in `alerts-poison`.
 */
export const DeliveryOutcome = z.enum(['delivered', 'retrying', 'poisoned']);
export type DeliveryOutcome = z.infer<typeof DeliveryOutcome>;

/** One delivery attempt to one channel, as the delivery function reports it to the monitor. */
export const ChannelDelivery = z.strictObject({
  channel: z
    .int()
    .min(0)
    .max(MAX_ALERT_CHANNELS - 1),
  type: ChannelType,
  /** The channel's URL, redacted. */
  target: z.string().max(MAX_PUBLIC_URL_LENGTH),
  /** The webhook-id of the alert: the same for every attempt of one alert. */
  alertId: z.string().max(MONITOR_LIMITS.maxIdLength),
  kind: AlertKind,
  /** When the attempt ended (the delivery function's clock). */
  at: Timestamp,
  /** 1 for the first attempt; the queue message's dequeue count. */
  attempt: z.int().min(1),
  ok: z.boolean(),
  outcome: DeliveryOutcome,
  status: z.int().optional(),
  /** Why it failed, redacted and truncated. */
  error: z.string().max(MONITOR_LIMITS.maxMessageLength).optional(),
});
export type ChannelDelivery = z.infer<typeof ChannelDelivery>;

export const MonitorCounters = z.strictObject({
  checks: count,
  successes: count,
  incidents: count,
  alertsDelivered: count,
  alertsFailed: count,
});
export type MonitorCounters = z.infer<typeof MonitorCounters>;

export const MONITOR_STATE_VERSION = 1;

export const MonitorState = z.strictObject({
  version: z.literal(MONITOR_STATE_VERSION),
  status: MonitorStatus,
  /** When `status` last changed (or the monitor started). */
  statusSince: Timestamp.nullable(),
  /** First check of this monitor; uptime counts from here. */
  startedAt: Timestamp.nullable(),
  lastCheckAt: Timestamp.nullable(),
  consecutiveFailures: count,
  consecutiveSuccesses: count,
  counters: MonitorCounters,
  /** successes / checks in percent, 3 decimals; null before the first check. */
  uptimePercent: z.number().min(0).max(100).nullable(),
  /** Oldest first, at most MONITOR_LIMITS.windowSize entries. */
  recent: z.array(WindowEntry).max(MONITOR_LIMITS.windowSize),
  lastResult: ResultSummary.nullable(),
  incident: Incident.nullable(),
  lastIncident: ClosedIncident.nullable(),
  lastDelivery: AlertDeliveryRecord.nullable(),
  /** Bumped by every reconfigure, so readers can tell the configuration changed. */
  configRevision: count,
  reconfiguredAt: Timestamp.nullable(),
  /** Set while the monitor is paused: it neither checks nor alerts until resumed. */
  paused: PauseRecord.nullable(),
  /** The latest delivery attempt per channel, by channel index (see channelsOf). */
  channels: z.array(ChannelDelivery.nullable()).max(MAX_ALERT_CHANNELS),
});
export type MonitorState = z.infer<typeof MonitorState>;

export const MonitorEvent = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('DOWN'),
    at: Timestamp,
    incidentId: Incident.shape.id,
    consecutiveFailures: count,
    result: ResultSummary,
  }),
  z.strictObject({
    kind: z.literal('RECOVERED'),
    at: Timestamp,
    incidentId: Incident.shape.id,
    openedAt: Timestamp,
    durationMs: z.number().min(0),
    consecutiveSuccesses: count,
    result: ResultSummary,
  }),
]);
export type MonitorEvent = z.infer<typeof MonitorEvent>;

/** What a webhook receives, next to a human-readable `text` (see sendAlert). */
export const AlertPayload = z.strictObject({
  monitor: MonitorName,
  kind: AlertKind,
  at: Timestamp,
  /** The checked URL without user info. */
  url: z.string(),
  status: MonitorStatus,
  /** Null only for TEST alerts. */
  incident: z
    .strictObject({
      id: Incident.shape.id,
      openedAt: Timestamp,
      closedAt: Timestamp.optional(),
      durationMs: z.number().min(0),
      acknowledgedAt: Timestamp.optional(),
      alerts: count,
    })
    .nullable(),
  consecutiveFailures: count,
  consecutiveSuccesses: count,
  lastResult: ResultSummary,
});
export type AlertPayload = z.infer<typeof AlertPayload>;
