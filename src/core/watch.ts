// What the `watchSite` orchestrator carries between executions and what it publishes. Both are
// plain JSON: the input survives continueAsNew, the view is the instance's customStatus.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { publicChannel, publicUrl } from './alertChannels';
import type { CheckSpec } from './checkSpec';
import { MonitorConfig, MonitorName, type MonitorState } from './monitorSchemas';

/**
 * Rounds (checks or re-alerts) per execution before continueAsNew. A round adds about ten history
 * events (the check's TaskScheduled/TaskCompleted, the timer's TimerCreated/TimerFired, and an
 * OrchestratorStarted/Completed pair for each of the two episodes), so one execution stays near
 * 250 events however long the monitor runs.
 */
export const ROUNDS_PER_EXECUTION = 24;

export const WatchInput = z.object({
  name: MonitorName,
  config: MonitorConfig,
  /**
   * Carried over by continueAsNew; absent for a new monitor. Only our own orchestrator writes it,
   * and the input is parsed again on every replay, so it is taken as it is rather than re-validated.
   */
  state: z.custom<MonitorState>((value) => typeof value === 'object' && value !== null).optional(),
  /** Executions so far (for the view: how many times the monitor continued as new). */
  generation: z.int().min(0).default(0),
});
export type WatchInput = z.input<typeof WatchInput>;

export const AcknowledgeEvent = z.object({ by: z.string().max(100).optional() }).default({});
/** Who pauses a monitor; the body of POST .../pause may be empty. */
export const PauseEvent = AcknowledgeEvent;

export const MONITOR_EVENTS = {
  acknowledge: 'acknowledge',
  reconfigure: 'reconfigure',
  stop: 'stop',
  pause: 'pause',
  resume: 'resume',
  testAlert: 'testAlert',
  /** Raised by deliverAlert after each attempt (a ChannelDelivery). */
  alertDelivery: 'alertDelivery',
} as const;
export type MonitorEventName = (typeof MONITOR_EVENTS)[keyof typeof MONITOR_EVENTS];

/** JSON with object keys sorted, so equal configurations give equal text whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A fingerprint of the whole configuration, secrets included, so keepMonitors can tell whether a
 * running monitor's settings differ from the configured ones without the view ever showing a
 * secret. SHA-256 of the full configuration: the channel URLs and `whsec_` secrets in it are long
 * random tokens, so the digest gives nothing to guess from. Pure computation, safe in an orchestrator.
 */
export function configDigest(config: MonitorConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

/** The target as others may see it: header values can be credentials, so only names are shown. */
function publicTarget(target: CheckSpec) {
  const { headers, body, ...rest } = target;
  return {
    ...rest,
    ...(headers && { headers: Object.keys(headers) }),
    ...(body !== undefined && { body: '(set)' }),
  };
}

export function publicConfig(config: MonitorConfig) {
  const { webhook, alerts, target, ...rest } = config;
  return {
    ...rest,
    target: publicTarget(target),
    ...(webhook !== undefined && { webhook: publicUrl(webhook) }),
    ...(alerts !== undefined && { alerts: alerts.map(publicChannel) }),
  };
}

/** customStatus of a monitor: its live state, with secrets redacted. */
export function monitorView(
  name: string,
  config: MonitorConfig,
  state: MonitorState,
  extra: { generation: number; round: number; stopped?: boolean; configDigest?: string },
) {
  return {
    monitor: name,
    config: publicConfig(config),
    /** True while paused; the details are in state.paused. */
    paused: state.paused !== null && state.paused !== undefined,
    ...(extra.configDigest !== undefined && { configDigest: extra.configDigest }),
    state,
    generation: extra.generation,
    round: extra.round,
    ...(extra.stopped && { stopped: true }),
  };
}
export type MonitorView = ReturnType<typeof monitorView>;
