// The uptime monitor as a pure state machine. `watchSite` keeps a MonitorState and, each
// round, feeds it one CheckResult; the reducer answers with the next state and the events
// (DOWN, RECOVERED) to alert on. Nothing here reads a clock or does I/O: every time is passed
// in (use context.df.currentUtcDateTime in the orchestrator, never the activity's checkedAt,
// which comes from a different clock), so replays compute the same states.
//
// A round in the orchestrator, roughly:
//   wake = nextWakeAt(state, config, now)            -> durable timer, raced with `acknowledge`
//   on acknowledge: state = acknowledge(state, now, by).state
//   if dueRealert(state, config, now): send realertAlert(...), then markAlerted + recordAlertDelivery
//   if dueCheck(state, config, now):   result = checkUrl(config.target);
//                                      { state, events } = step(state, result, config, { at: now, incidentId })
//                                      per event: send alertForEvent(...) when a webhook is set,
//                                      markAlerted for DOWN, recordAlertDelivery with the outcome
import { channelsOf, publicChannel } from './alertChannels';
import type { CheckResult } from './checkSpec';
import {
  MONITOR_LIMITS,
  MONITOR_STATE_VERSION,
  type AlertDeliveryRecord,
  type ChannelDelivery,
  type ClosedIncident,
  type Incident,
  type MonitorConfig,
  type MonitorEvent,
  type MonitorState,
  type MonitorStatus,
  type ResultSummary,
  type WindowEntry,
} from './monitorSchemas';

/** A point in time: a Date (context.df.currentUtcDateTime), an ISO string or epoch ms. */
export type TimeInput = Date | string | number;

export interface StepOptions {
  /** When this round happened, on the orchestration clock. */
  at: TimeInput;
  /**
   * Id for an incident this step may open. Pass `() => context.df.newGuid()` for ids that are
   * unique across monitor re-creations; the default `incident-<n>` only counts this monitor's
   * incidents. A function is only called when an incident actually opens.
   */
  incidentId?: string | (() => string);
}

export interface StepOutcome {
  state: MonitorState;
  events: MonitorEvent[];
}

export type AcknowledgeResult = 'acknowledged' | 'nothing-to-acknowledge' | 'already';

export type WakeReason = 'check' | 'realert';

export interface WakePlan {
  /** Never earlier than `now`: a timer for this instant is always valid. */
  at: Date;
  reason: WakeReason;
}

/** Outcome of an alert after the last retry; see recordAlertDelivery. */
export type AlertDeliveryOutcome =
  | { at: TimeInput; kind: AlertDeliveryRecord['kind']; incidentId?: string; ok: true; status: number }
  | { at: TimeInput; kind: AlertDeliveryRecord['kind']; incidentId?: string; ok: false; error: unknown };

export function toIso(time: TimeInput): string {
  const ms = toMs(time);
  return new Date(ms).toISOString();
}

function toMs(time: TimeInput): number {
  const ms = time instanceof Date ? time.getTime() : typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) throw new RangeError(`Not a valid time: ${String(time)}`);
  return ms;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function initialState(now?: TimeInput): MonitorState {
  const at = now === undefined ? null : toIso(now);
  return {
    version: MONITOR_STATE_VERSION,
    status: 'pending',
    statusSince: at,
    startedAt: at,
    lastCheckAt: null,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    counters: { checks: 0, successes: 0, incidents: 0, alertsDelivered: 0, alertsFailed: 0 },
    uptimePercent: null,
    recent: [],
    lastResult: null,
    incident: null,
    lastIncident: null,
    lastDelivery: null,
    configRevision: 0,
    reconfiguredAt: null,
    paused: null,
    channels: [],
  };
}

/**
 * A state carried over (continueAsNew input) from a version without pause or channels gets their
 * empty values, so a deployed update does not break running monitors at their next execution.
 */
export function upgradeState(state: MonitorState): MonitorState {
  const partial = state as Partial<MonitorState> & MonitorState;
  return { ...state, paused: partial.paused ?? null, channels: partial.channels ?? [] };
}

/** Pausing twice keeps the first pause's time and actor. */
export function pause(state: MonitorState, at: TimeInput, by?: string): MonitorState {
  if (state.paused) return state;
  const actor = by?.trim();
  return {
    ...state,
    paused: { at: toIso(at), ...(actor ? { by: truncate(actor, MONITOR_LIMITS.maxActorLength) } : {}) },
  };
}

/**
 * Resuming keeps streaks, the window and any open incident; a check that became due while paused
 * runs at once (nextWakeAt clamps to now), and so does an overdue re-alert.
 */
export function resume(state: MonitorState): MonitorState {
  return state.paused ? { ...state, paused: null } : state;
}

/**
 * Records one delivery attempt that the delivery function reported. The channel's entry always
 * shows the latest attempt; counters move only on final outcomes (delivered, or poisoned after
 * the last attempt), so a retried alert counts once.
 */
export function recordChannelDelivery(state: MonitorState, report: ChannelDelivery): MonitorState {
  const channels = [...state.channels];
  while (channels.length < report.channel) channels.push(null);
  channels[report.channel] = report;
  if (report.outcome === 'retrying') return { ...state, channels };
  const delivered = report.outcome === 'delivered';
  const lastDelivery: AlertDeliveryRecord = { at: report.at, kind: report.kind, ok: delivered };
  if (report.status !== undefined) lastDelivery.status = report.status;
  if (!delivered && report.error !== undefined) lastDelivery.error = report.error;
  return {
    ...state,
    channels,
    lastDelivery,
    counters: {
      ...state.counters,
      alertsDelivered: state.counters.alertsDelivered + (delivered ? 1 : 0),
      alertsFailed: state.counters.alertsFailed + (delivered ? 0 : 1),
    },
  };
}

/** The compact, bounded view of a CheckResult that the state keeps. */
export function summarizeResult(result: CheckResult, at: TimeInput): ResultSummary {
  const entry: ResultSummary = {
    at: toIso(at),
    ok: result.ok,
    latencyMs: Math.max(0, Math.round(result.latencyMs)),
  };
  if (result.status !== undefined) entry.status = result.status;
  if (result.error !== undefined) {
    entry.code = result.error.code;
    entry.message = truncate(result.error.message, MONITOR_LIMITS.maxMessageLength);
  } else if (!result.ok) {
    // A failed check without an error code failed an assertion; say which one.
    const failed = result.assertions.find((a) => !a.ok);
    if (failed) entry.message = truncate(`assertion ${failed.name} failed`, MONITOR_LIMITS.maxMessageLength);
  }
  return entry;
}

function windowEntry(summary: ResultSummary): WindowEntry {
  const { message: _message, ...entry } = summary;
  return entry;
}

function uptimePercent(checks: number, successes: number): number | null {
  return checks === 0 ? null : Math.round((successes / checks) * 100_000) / 1000;
}

function statusOf(incident: Incident | null, lastOk: boolean): MonitorStatus {
  if (incident) return 'down';
  return lastOk ? 'up' : 'degraded';
}

/**
 * Applies one check. An incident opens when a failure brings the failure streak to
 * failureThreshold (or beyond, e.g. after a threshold was lowered) and closes when a success
 * brings the success streak to recoveryThreshold; at most one event per step.
 */
export function step(
  state: MonitorState,
  result: CheckResult,
  config: MonitorConfig,
  options: StepOptions,
): StepOutcome {
  const at = toIso(options.at);
  const summary = summarizeResult(result, at);
  const ok = result.ok;
  const consecutiveFailures = ok ? 0 : state.consecutiveFailures + 1;
  const consecutiveSuccesses = ok ? state.consecutiveSuccesses + 1 : 0;
  const counters = {
    ...state.counters,
    checks: state.counters.checks + 1,
    successes: state.counters.successes + (ok ? 1 : 0),
  };
  const events: MonitorEvent[] = [];
  let incident = state.incident;
  let lastIncident = state.lastIncident;

  if (!incident && !ok && consecutiveFailures >= config.failureThreshold) {
    counters.incidents += 1;
    incident = {
      id: incidentIdFor(options.incidentId, counters.incidents),
      openedAt: at,
      cause: summary,
      alerts: 0,
    };
    events.push({ kind: 'DOWN', at, incidentId: incident.id, consecutiveFailures, result: summary });
  } else if (incident && ok && consecutiveSuccesses >= config.recoveryThreshold) {
    lastIncident = closeIncident(incident, at);
    events.push({
      kind: 'RECOVERED',
      at,
      incidentId: incident.id,
      openedAt: incident.openedAt,
      durationMs: lastIncident.durationMs,
      consecutiveSuccesses,
      result: summary,
    });
    incident = null;
  }

  const status = statusOf(incident, ok);
  const recent = [...state.recent, windowEntry(summary)].slice(-MONITOR_LIMITS.windowSize);
  return {
    state: {
      ...state,
      status,
      statusSince: status === state.status && state.statusSince !== null ? state.statusSince : at,
      startedAt: state.startedAt ?? at,
      lastCheckAt: at,
      consecutiveFailures,
      consecutiveSuccesses,
      counters,
      uptimePercent: uptimePercent(counters.checks, counters.successes),
      recent,
      lastResult: summary,
      incident,
      lastIncident,
    },
    events,
  };
}

function incidentIdFor(given: StepOptions['incidentId'], ordinal: number): string {
  const id = typeof given === 'function' ? given() : given;
  if (id === undefined || id === '') return `incident-${ordinal}`;
  return id.slice(0, MONITOR_LIMITS.maxIdLength);
}

function closeIncident(incident: Incident, at: string): ClosedIncident {
  const { cause: _cause, ...rest } = incident;
  return { ...rest, closedAt: at, durationMs: Math.max(0, Date.parse(at) - Date.parse(incident.openedAt)) };
}

/** A human's acknowledgement stops re-alerts for the open incident (not the RECOVERED alert). */
export function acknowledge(
  state: MonitorState,
  at: TimeInput,
  by?: string,
): { state: MonitorState; result: AcknowledgeResult } {
  if (!state.incident) return { state, result: 'nothing-to-acknowledge' };
  if (state.incident.acknowledgedAt !== undefined) return { state, result: 'already' };
  const incident: Incident = { ...state.incident, acknowledgedAt: toIso(at) };
  const actor = by?.trim();
  if (actor) incident.acknowledgedBy = truncate(actor, MONITOR_LIMITS.maxActorLength);
  return { state: { ...state, incident }, result: 'acknowledged' };
}

/** Re-alerts need an open, unacknowledged incident, a webhook and realertMinutes > 0. */
function realertAtMs(state: MonitorState, config: MonitorConfig): number | undefined {
  const incident = state.incident;
  if (!incident || incident.acknowledgedAt !== undefined) return undefined;
  if (config.realertMinutes <= 0 || channelsOf(config).length === 0) return undefined;
  return toMs(incident.lastAlertAt ?? incident.openedAt) + config.realertMinutes * 60_000;
}

function nextCheckAtMs(state: MonitorState, config: MonitorConfig): number {
  // Before the first check the monitor is due at once.
  return state.lastCheckAt === null ? -Infinity : toMs(state.lastCheckAt) + config.intervalSeconds * 1000;
}

export function dueRealert(state: MonitorState, config: MonitorConfig, now: TimeInput): boolean {
  const at = realertAtMs(state, config);
  return at !== undefined && at <= toMs(now);
}

export function dueCheck(state: MonitorState, config: MonitorConfig, now: TimeInput): boolean {
  return nextCheckAtMs(state, config) <= toMs(now);
}

/**
 * When the orchestrator should wake next: the earlier of the next check and the next re-alert,
 * clamped to `now` (a check that is overdue, e.g. after a slow round, is due at once). On a tie
 * the check wins; the orchestrator then asks dueRealert anyway.
 */
export function nextWakeAt(state: MonitorState, config: MonitorConfig, now: TimeInput): WakePlan {
  const nowMs = toMs(now);
  const check = nextCheckAtMs(state, config);
  const realert = realertAtMs(state, config);
  const reason: WakeReason = realert !== undefined && realert < check ? 'realert' : 'check';
  const at = Math.max(nowMs, reason === 'realert' ? (realert as number) : check);
  return { at: new Date(at), reason };
}

/**
 * Starts the re-alert clock over: call it after every DOWN or REALERT alert attempt, delivered
 * or not, or dueRealert stays true and the next round would alert again at once.
 */
export function markAlerted(state: MonitorState, at: TimeInput): MonitorState {
  if (!state.incident) return state;
  return {
    ...state,
    incident: { ...state.incident, lastAlertAt: toIso(at), alerts: state.incident.alerts + 1 },
  };
}

/**
 * Records how an alert ended after its retries. A failure is kept (counter and lastDelivery)
 * and never stops the monitor: the orchestrator catches the activity's final error and passes
 * it here as `error`.
 */
export function recordAlertDelivery(state: MonitorState, outcome: AlertDeliveryOutcome): MonitorState {
  const record: AlertDeliveryRecord = { at: toIso(outcome.at), kind: outcome.kind, ok: outcome.ok };
  if (outcome.incidentId !== undefined)
    record.incidentId = outcome.incidentId.slice(0, MONITOR_LIMITS.maxIdLength);
  if (outcome.ok) record.status = outcome.status;
  else record.error = truncate(errorMessage(outcome.error), MONITOR_LIMITS.maxMessageLength);
  const counters = {
    ...state.counters,
    alertsDelivered: state.counters.alertsDelivered + (outcome.ok ? 1 : 0),
    alertsFailed: state.counters.alertsFailed + (outcome.ok ? 0 : 1),
  };
  return { ...state, counters, lastDelivery: record };
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return 'unknown error';
}

/**
 * Applies a new configuration. Counters, streaks, the window and any open incident carry over:
 * thresholds take effect at the next check (a lowered failureThreshold that the current
 * failure streak already meets opens the incident on the next failure), and realertMinutes /
 * webhook / intervalSeconds are read from the config at every dueRealert / nextWakeAt call.
 */
export function reconfigure(
  state: MonitorState,
  newConfig: MonitorConfig,
  options: { at?: TimeInput; oldConfig?: MonitorConfig } = {},
): MonitorState {
  // Channel entries are by index: once the channels change, the old entries describe other channels.
  const sameChannels =
    options.oldConfig !== undefined &&
    JSON.stringify(channelsOf(options.oldConfig).map(publicChannel)) ===
      JSON.stringify(channelsOf(newConfig).map(publicChannel));
  return {
    ...state,
    channels: sameChannels ? state.channels : [],
    configRevision: state.configRevision + 1,
    reconfiguredAt: options.at === undefined ? state.reconfiguredAt : toIso(options.at),
  };
}
