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

/**
 * Azure fails the orchestration when its customStatus JSON reaches 17 KB in UTF-16, i.e. 8,704
 * characters (azure-functions-durable-extension MessagePayloadDataConverter.cs, 16 KB rounded
 * down). The view keeps a margin below that for every schema-valid config and state.
 */
export const MAX_VIEW_JSON_LENGTH = 8_000;

/** customStatus of a monitor: its live state, with secrets redacted, always under MAX_VIEW_JSON_LENGTH. */
export function monitorView(
  name: string,
  config: MonitorConfig,
  state: MonitorState,
  extra: { generation: number; round: number; stopped?: boolean; configDigest?: string },
) {
  const view: {
    monitor: string;
    config: ReturnType<typeof publicConfig>;
    /** True while paused; the details are in state.paused. */
    paused: boolean;
    configDigest?: string;
    state: MonitorState;
    generation: number;
    round: number;
    stopped?: true;
    /** Set when long text was clipped to fit; the full config is the instance's input. */
    clipped?: true;
  } = {
    monitor: name,
    config: publicConfig(config),
    paused: state.paused !== null && state.paused !== undefined,
    ...(extra.configDigest !== undefined && { configDigest: extra.configDigest }),
    state,
    generation: extra.generation,
    round: extra.round,
    ...(extra.stopped && { stopped: true as const }),
  };
  if (fits(view)) return view;
  // Long user text (URLs, header names, bodyContains, channel URLs) is what usually overflows: clip it.
  const compact = { ...view, config: clipConfig(view.config), clipped: true as const };
  if (fits(compact)) return compact;
  // Escaped error messages and channel targets can still add up: clip the state's free text too.
  return { ...compact, state: clipState(state) };
}
export type MonitorView = ReturnType<typeof monitorView>;

const fits = (value: unknown): boolean => JSON.stringify(value).length <= MAX_VIEW_JSON_LENGTH;

/** `text` cut so that its JSON form is at most `maxJson` characters (escapes count), marked with "…". */
export function clipText(text: string, maxJson: number): string {
  if (JSON.stringify(text).length <= maxJson) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (JSON.stringify(`${text.slice(0, mid)}…`).length <= maxJson) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

const MAX_HEADER_NAMES_SHOWN = 10;

function clipConfig(config: ReturnType<typeof publicConfig>): ReturnType<typeof publicConfig> {
  const { target } = config;
  const headers = target.headers;
  return {
    ...config,
    target: {
      ...target,
      url: clipText(target.url, 300),
      ...(headers && {
        headers: [
          ...headers.slice(0, MAX_HEADER_NAMES_SHOWN).map((h) => clipText(h, 32)),
          ...(headers.length > MAX_HEADER_NAMES_SHOWN
            ? [`(+${headers.length - MAX_HEADER_NAMES_SHOWN} more)`]
            : []),
        ],
      }),
      ...(target.expect?.bodyContains !== undefined && {
        expect: { ...target.expect, bodyContains: clipText(target.expect.bodyContains, 128) },
      }),
    },
    ...(config.webhook !== undefined && { webhook: clipText(config.webhook, 256) }),
    ...(config.alerts !== undefined && {
      alerts: config.alerts.map((channel) => ({ ...channel, url: clipText(channel.url, 256) })),
    }),
  };
}

function clipState(state: MonitorState): MonitorState {
  const message = <T extends { message?: string }>(r: T): T =>
    r.message === undefined ? r : { ...r, message: clipText(r.message, 120) };
  return {
    ...state,
    lastResult: state.lastResult && message(state.lastResult),
    incident: state.incident && {
      ...state.incident,
      cause: message(state.incident.cause),
      ...(state.incident.acknowledgedBy !== undefined && {
        acknowledgedBy: clipText(state.incident.acknowledgedBy, 60),
      }),
    },
    lastIncident: state.lastIncident && {
      ...state.lastIncident,
      ...(state.lastIncident.acknowledgedBy !== undefined && {
        acknowledgedBy: clipText(state.lastIncident.acknowledgedBy, 60),
      }),
    },
    lastDelivery: state.lastDelivery && {
      ...state.lastDelivery,
      ...(state.lastDelivery.error !== undefined && { error: clipText(state.lastDelivery.error, 120) }),
    },
    paused: state.paused && {
      ...state.paused,
      ...(state.paused.by !== undefined && { by: clipText(state.paused.by, 60) }),
    },
    channels: (state.channels ?? []).map(
      (c) =>
        c && {
          ...c,
          target: clipText(c.target, 80),
          alertId: clipText(c.alertId, 40),
          ...(c.error !== undefined && { error: clipText(c.error, 80) }),
        },
    ),
  };
}
