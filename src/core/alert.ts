// Alert payloads for monitor channels: built from the reducer's state and events, plus the
// one-line `text` that chat channels display, and the retry policy the orchestrator uses to
// queue them.
import { toIso, type TimeInput } from './monitor';
import { withoutCredentials } from './stripCredentials';
import type {
  AlertKind,
  AlertPayload,
  MonitorConfig,
  MonitorEvent,
  MonitorState,
  ResultSummary,
} from './monitorSchemas';

/**
 * Retry policy for `callActivityWithRetry('queueAlerts', ...)`, in the field names of
 * durable-functions' RetryOptions (core cannot import it). Queueing is one storage write, so a
 * few quick retries ride out a storage hiccup; the delivery itself retries from the queue and
 * never holds the monitor's round.
 * Bounded by attempts only: a retryTimeout would make the monitor hang forever on Azure once it
 * expired (azure-functions-durable-js#629; tests/core/retryPolicies.test.ts forbids it).
 */
export const QUEUE_ALERTS_RETRY = {
  firstRetryIntervalInMilliseconds: 2_000,
  backoffCoefficient: 2,
  maxNumberOfAttempts: 3,
  maxRetryIntervalInMilliseconds: 10_000,
} as const;

/** The alert for a DOWN or RECOVERED event that `step` returned together with `state`. */
export function alertForEvent(
  monitor: string,
  config: MonitorConfig,
  state: MonitorState,
  event: MonitorEvent,
): AlertPayload {
  if (event.kind === 'DOWN') {
    return {
      ...common(monitor, config, state, 'DOWN', event.at, event.result),
      incident: {
        id: event.incidentId,
        openedAt: event.at,
        durationMs: 0,
        alerts: state.incident?.id === event.incidentId ? state.incident.alerts : 0,
      },
    };
  }
  const closed = state.lastIncident?.id === event.incidentId ? state.lastIncident : undefined;
  return {
    ...common(monitor, config, state, 'RECOVERED', event.at, event.result),
    incident: {
      id: event.incidentId,
      openedAt: event.openedAt,
      closedAt: event.at,
      durationMs: event.durationMs,
      ...(closed?.acknowledgedAt !== undefined ? { acknowledgedAt: closed.acknowledgedAt } : {}),
      alerts: closed?.alerts ?? 0,
    },
  };
}

/** A reminder for the open incident, or undefined when there is none. */
export function realertAlert(
  monitor: string,
  config: MonitorConfig,
  state: MonitorState,
  now: TimeInput,
): AlertPayload | undefined {
  const incident = state.incident;
  if (!incident) return undefined;
  const at = toIso(now);
  return {
    ...common(monitor, config, state, 'REALERT', at, state.lastResult ?? incident.cause),
    incident: {
      id: incident.id,
      openedAt: incident.openedAt,
      durationMs: Math.max(0, Date.parse(at) - Date.parse(incident.openedAt)),
      ...(incident.acknowledgedAt !== undefined ? { acknowledgedAt: incident.acknowledgedAt } : {}),
      alerts: incident.alerts,
    },
  };
}

function common(
  monitor: string,
  config: MonitorConfig,
  state: MonitorState,
  kind: AlertKind,
  at: string,
  lastResult: ResultSummary,
): Omit<AlertPayload, 'incident'> {
  return {
    monitor,
    kind,
    at,
    // User info is removed, the rest kept so people can act on the alert.
    url: withoutCredentials(config.target.url),
    status: state.status,
    consecutiveFailures: state.consecutiveFailures,
    consecutiveSuccesses: state.consecutiveSuccesses,
    lastResult,
  };
}

/** A TEST alert (POST .../test-alert): the monitor's current status, no incident. */
export function testAlert(
  monitor: string,
  config: MonitorConfig,
  state: MonitorState,
  now: TimeInput,
): AlertPayload {
  const at = toIso(now);
  const lastResult: ResultSummary = state.lastResult ?? { at, ok: true, latencyMs: 0 };
  return { ...common(monitor, config, state, 'TEST', at, lastResult), incident: null };
}

/** "HTTP 500", "TIMEOUT: no response within 10000 ms", ... */
export function describeResult(result: ResultSummary): string {
  if (result.ok) return result.status !== undefined ? `HTTP ${result.status}` : 'ok';
  if (result.code === 'HTTP' && result.status !== undefined) return `HTTP ${result.status}`;
  const head = result.code ?? (result.status !== undefined ? `HTTP ${result.status}` : 'failed');
  return result.message ? `${head}: ${result.message}` : head;
}

/** "1h 5m", "4m 30s", "12s": the two largest units are enough for a chat line. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const units: [number, string][] = [
    [Math.floor(total / 86_400), 'd'],
    [Math.floor((total % 86_400) / 3600), 'h'],
    [Math.floor((total % 3600) / 60), 'm'],
    [total % 60, 's'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  if (first === -1) return '0s';
  return units
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');
}

function count(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

const failures = (n: number): string => count(n, 'consecutive failure');
const successes = (n: number): string => count(n, 'consecutive success', 'consecutive successes');

/** The one line chat tools show, e.g. "🔴 DOWN: api-health (https://…) — 3 consecutive failures: HTTP 500". */
export function alertText(alert: AlertPayload): string {
  const who = `${alert.monitor} (${alert.url})`;
  const cause = describeResult(alert.lastResult);
  const incident = alert.incident;
  switch (alert.kind) {
    case 'TEST':
      return `🧪 TEST: ${who} — a test alert from Sitewatch; this channel works.`;
    case 'DOWN':
      return `🔴 DOWN: ${who} — ${failures(alert.consecutiveFailures)}: ${cause}`;
    case 'REALERT': {
      const latest = alert.lastResult.ok
        ? `recovering, ${successes(alert.consecutiveSuccesses)} so far`
        : `${failures(alert.consecutiveFailures)}: ${cause}`;
      const ack = incident?.acknowledgedAt === undefined ? ' Not acknowledged yet.' : '';
      return `🔴 STILL DOWN: ${who} — down for ${formatDuration(incident?.durationMs ?? 0)}, ${latest}.${ack}`;
    }
    case 'RECOVERED':
      return (
        `✅ RECOVERED: ${who} — ${successes(alert.consecutiveSuccesses)} (${cause}); ` +
        `down for ${formatDuration(incident?.durationMs ?? 0)}`
      );
  }
}
