import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task, TimerTask } from 'durable-functions';
import { ALERT_RETRY, alertForEvent, realertAlert } from '../core/alert';
import type { CheckResult } from '../core/checkSpec';
import {
  acknowledge,
  dueCheck,
  dueRealert,
  initialState,
  markAlerted,
  nextWakeAt,
  reconfigure,
  recordAlertDelivery,
  step,
} from '../core/monitor';
import { MonitorConfig, type AlertPayload, type MonitorState } from '../core/monitorSchemas';
import {
  AcknowledgeEvent,
  MONITOR_EVENTS,
  monitorView,
  ROUNDS_PER_EXECUTION,
  WatchInput,
} from '../core/watch';
import { checkUrlRetry } from './retryPolicies';

const alertRetry = new df.RetryOptions(
  ALERT_RETRY.firstRetryIntervalInMilliseconds,
  ALERT_RETRY.maxNumberOfAttempts,
);
alertRetry.backoffCoefficient = ALERT_RETRY.backoffCoefficient;
alertRetry.maxRetryIntervalInMilliseconds = ALERT_RETRY.maxRetryIntervalInMilliseconds;
alertRetry.retryTimeoutInMilliseconds = ALERT_RETRY.retryTimeoutInMilliseconds;

/**
 * The monitor pattern with human interaction: check a target on durable timers, open and close
 * incidents, alert on changes, re-alert until acknowledged; eternal through continueAsNew.
 */
const watchSite: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = WatchInput.parse(context.df.getInput());
  const { name, generation } = input;
  let config = input.config;
  let state: MonitorState = input.state ?? initialState(context.df.currentUtcDateTime);
  const publish = (round: number, stopped = false) =>
    context.df.setCustomStatus(monitorView(name, config, state, { generation, round, stopped }));

  // One waiter per event name for the whole execution, replaced only once it fires: a waiter
  // created each round would leave earlier ones open, and they would swallow later events.
  let acknowledged = context.df.waitForExternalEvent(MONITOR_EVENTS.acknowledge);
  let reconfigured = context.df.waitForExternalEvent(MONITOR_EVENTS.reconfigure);
  const stopped = context.df.waitForExternalEvent(MONITOR_EVENTS.stop);

  // Every wake counts as a round, events included, so no execution's history can grow without bound.
  for (let round = 0; round < ROUNDS_PER_EXECUTION; round++) {
    publish(round);
    const plan = nextWakeAt(state, config, context.df.currentUtcDateTime);
    if (plan.at.getTime() > context.df.currentUtcDateTime.getTime()) {
      const timer: TimerTask = context.df.createTimer(plan.at);
      const winner: Task = yield context.df.Task.any([timer, acknowledged, reconfigured, stopped]);
      if (winner !== timer) timer.cancel();
      const now = context.df.currentUtcDateTime;
      if (winner === stopped) {
        publish(round, true);
        return { monitor: name, stopped: true, state };
      }
      if (winner === acknowledged) {
        const event = AcknowledgeEvent.safeParse(acknowledged.result);
        state = acknowledge(state, now, event.success ? event.data.by : undefined).state;
        acknowledged = context.df.waitForExternalEvent(MONITOR_EVENTS.acknowledge);
        continue;
      }
      if (winner === reconfigured) {
        const next = MonitorConfig.safeParse(reconfigured.result);
        // The API validated it; a malformed event (sent around the API) must not kill the monitor.
        if (next.success) {
          config = next.data;
          state = reconfigure(state, config, { at: now });
        }
        reconfigured = context.df.waitForExternalEvent(MONITOR_EVENTS.reconfigure);
        continue;
      }
    }

    const now = context.df.currentUtcDateTime;
    if (dueCheck(state, config, now)) {
      const result = yield* checkTarget(context, config);
      if (result) {
        const outcome = step(state, result, config, { at: now, incidentId: () => context.df.newGuid(name) });
        state = outcome.state;
        for (const event of outcome.events) {
          state = yield* alert(context, config, state, alertForEvent(name, config, state, event));
        }
      } else {
        // Our side failed (not the target): try again at the next interval without judging the target.
        state = { ...state, lastCheckAt: now.toISOString() };
      }
    }
    if (dueRealert(state, config, context.df.currentUtcDateTime)) {
      const payload = realertAlert(name, config, state, context.df.currentUtcDateTime);
      if (payload) state = yield* alert(context, config, state, payload);
    }
  }

  publish(ROUNDS_PER_EXECUTION);
  context.df.continueAsNew({ name, config, state, generation: generation + 1 });
  return undefined;
};

function* checkTarget(
  context: OrchestrationContext,
  config: MonitorConfig,
): Generator<Task, CheckResult | undefined, unknown> {
  try {
    // Our own activity's output: no re-validation, which would run again on every replay.
    return (yield context.df.callActivityWithRetry('checkUrl', checkUrlRetry, config.target)) as CheckResult;
  } catch {
    return undefined;
  }
}

/** Sends one alert when a webhook is configured, and records how it went. Never throws. */
function* alert(
  context: OrchestrationContext,
  config: MonitorConfig,
  state: MonitorState,
  payload: AlertPayload,
): Generator<Task, MonitorState, unknown> {
  const at = context.df.currentUtcDateTime;
  // DOWN and REALERT restart the re-alert clock whether or not anyone could be told.
  let next = payload.kind === 'RECOVERED' ? state : markAlerted(state, at);
  if (config.webhook === undefined) return next;
  const incidentId = payload.incident.id;
  try {
    const delivery = (yield context.df.callActivityWithRetry('sendAlert', alertRetry, {
      webhook: config.webhook,
      alert: payload,
    })) as { status: number };
    next = recordAlertDelivery(next, {
      at,
      kind: payload.kind,
      incidentId,
      ok: true,
      status: delivery.status,
    });
  } catch (error) {
    next = recordAlertDelivery(next, { at, kind: payload.kind, incidentId, ok: false, error });
  }
  return next;
}

df.app.orchestration('watchSite', watchSite);
