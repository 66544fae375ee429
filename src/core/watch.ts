// What the `watchSite` orchestrator carries between executions and what it publishes. Both are
// plain JSON: the input survives continueAsNew, the view is the instance's customStatus.
import { z } from 'zod';
import type { CheckSpec } from './checkSpec';
import { MonitorConfig, MonitorName, type MonitorState } from './monitorSchemas';
import { redactUrl } from './redactUrl';

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

export const MONITOR_EVENTS = {
  acknowledge: 'acknowledge',
  reconfigure: 'reconfigure',
  stop: 'stop',
} as const;

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
  const { webhook, target, ...rest } = config;
  return {
    ...rest,
    target: publicTarget(target),
    ...(webhook !== undefined && { webhook: redactUrl(webhook) }),
  };
}

/** customStatus of a monitor: its live state, with secrets redacted. */
export function monitorView(
  name: string,
  config: MonitorConfig,
  state: MonitorState,
  extra: { generation: number; round: number; stopped?: boolean },
) {
  return {
    monitor: name,
    config: publicConfig(config),
    state,
    generation: extra.generation,
    round: extra.round,
    ...(extra.stopped && { stopped: true }),
  };
}
export type MonitorView = ReturnType<typeof monitorView>;
