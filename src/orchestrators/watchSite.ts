import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task, TimerTask } from 'durable-functions';
import { alertForEvent, QUEUE_ALERTS_RETRY, realertAlert, testAlert } from '../core/alert';
import { channelsOf } from '../core/alertChannels';
import { alertMessages } from '../core/alertQueue';
import type { CheckResult } from '../core/checkSpec';
import { acknowledgedRecord, roundRecord, type RecordCheckInput } from '../core/history';
import {
  acknowledge,
  dueCheck,
  dueRealert,
  initialState,
  markAlerted,
  nextWakeAt,
  pause,
  reconfigure,
  recordAlertDelivery,
  recordChannelDelivery,
  resume,
  step,
  upgradeState,
} from '../core/monitor';
import { ChannelDelivery, MonitorConfig, type AlertPayload, type MonitorState } from '../core/monitorSchemas';
import {
  AcknowledgeEvent,
  configDigest,
  MONITOR_EVENTS,
  monitorView,
  PauseEvent,
  ROUNDS_PER_EXECUTION,
  WatchInput,
  type MonitorEventName,
} from '../core/watch';
import { checkUrlRetry, storageRetry } from './retryPolicies';

const queueRetry = new df.RetryOptions(
  QUEUE_ALERTS_RETRY.firstRetryIntervalInMilliseconds,
  QUEUE_ALERTS_RETRY.maxNumberOfAttempts,
);
queueRetry.backoffCoefficient = QUEUE_ALERTS_RETRY.backoffCoefficient;
queueRetry.maxRetryIntervalInMilliseconds = QUEUE_ALERTS_RETRY.maxRetryIntervalInMilliseconds;

/** Every event but `stop` is handled and waited for again; `stop` ends the orchestration. */
const RENEWED_EVENTS: MonitorEventName[] = [
  MONITOR_EVENTS.acknowledge,
  MONITOR_EVENTS.reconfigure,
  MONITOR_EVENTS.pause,
  MONITOR_EVENTS.resume,
  MONITOR_EVENTS.testAlert,
  MONITOR_EVENTS.alertDelivery,
];

/**
 * The monitor pattern with human interaction: check a target on durable timers, open and close
 * incidents, alert on changes, re-alert until acknowledged, pause and resume; eternal through
 * continueAsNew. Alerts are queued (one activity, one storage write) and delivered by the
 * `deliverAlert` queue function, so a slow or broken receiver never holds a check.
 */
const watchSite: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = WatchInput.parse(context.df.getInput());
  const { name, generation } = input;
  let config = input.config;
  let digest = configDigest(config);
  let state: MonitorState = upgradeState(input.state ?? initialState(context.df.currentUtcDateTime));
  const publish = (round: number, stopped = false) =>
    context.df.setCustomStatus(
      monitorView(name, config, state, { generation, round, stopped, configDigest: digest }),
    );

  // One waiter per event name, replaced only once it fired. Two behaviours of durable-functions
  // (lib/src/orchestrations/TaskOrchestrationExecutor.js, trackOpenTask/setTaskValue) shape this:
  // - every yield of Task.any records each open waiter again in the event's list, and an event
  //   completes the LAST one recorded, so a waiter created each round would leave earlier ones
  //   open to swallow later events; and a replaced waiter leaves completed copies in that list,
  //   so the new waiter must be yielded before anything else (else an event that arrives in
  //   between completes a stale copy and is lost): after an event the next yield is Task.any,
  //   with a timer for now when a check is already due;
  // - an event that arrives while another task is awaited (a check, queueing an alert) completes
  //   the open waiter without resuming us, and a Task.any built on a completed waiter does not
  //   resolve: so each round first takes any waiter that already completed.
  const waiters = new Map<MonitorEventName, Task>(
    RENEWED_EVENTS.map((event) => [event, context.df.waitForExternalEvent(event)]),
  );
  const stopped = context.df.waitForExternalEvent(MONITOR_EVENTS.stop);
  let replaced = false;

  // Handles one event; every handler but testAlert is pure, and testAlert only yields to queue.
  function* handle(event: MonitorEventName, value: unknown, now: Date): Generator<Task, void, unknown> {
    waiters.set(event, context.df.waitForExternalEvent(event));
    replaced = true;
    switch (event) {
      case MONITOR_EVENTS.acknowledge: {
        const ack = AcknowledgeEvent.safeParse(value);
        const outcome = acknowledge(state, now, ack.success ? ack.data.by : undefined);
        state = outcome.state;
        if (outcome.result === 'acknowledged')
          yield* record(context, acknowledgedRecord(name, now.toISOString(), state));
        return;
      }
      case MONITOR_EVENTS.reconfigure: {
        const next = MonitorConfig.safeParse(value);
        // The API validated it; a malformed event (sent around the API) must not kill the monitor.
        if (next.success) {
          state = reconfigure(state, next.data, { at: now, oldConfig: config });
          config = next.data;
          digest = configDigest(config);
        }
        return;
      }
      case MONITOR_EVENTS.pause: {
        const who = PauseEvent.safeParse(value);
        state = pause(state, now, who.success ? who.data.by : undefined);
        return;
      }
      case MONITOR_EVENTS.resume:
        state = resume(state);
        return;
      case MONITOR_EVENTS.testAlert:
        // Asked for explicitly, so sent even while paused: it tests the channels, not the target.
        state = yield* queueAlert(context, name, config, state, testAlert(name, config, state, now));
        return;
      case MONITOR_EVENTS.alertDelivery: {
        const report = ChannelDelivery.safeParse(value);
        if (report.success) state = recordChannelDelivery(state, report.data);
        return;
      }
    }
  }

  // Every wake counts as a round, events included, so no execution's history can grow without bound.
  for (let round = 0; round < ROUNDS_PER_EXECUTION; round++) {
    publish(round);
    if (stopped.isCompleted) {
      publish(round, true);
      return { monitor: name, stopped: true, state };
    }
    const ready = [...waiters.entries()].find(([, task]) => task.isCompleted);
    if (ready) {
      yield* handle(ready[0], ready[1].result, context.df.currentUtcDateTime);
      continue;
    }
    // A paused monitor has no timer: it only waits for events (resume, stop, ...).
    const plan = state.paused ? undefined : nextWakeAt(state, config, context.df.currentUtcDateTime);
    if (!plan || replaced || plan.at.getTime() > context.df.currentUtcDateTime.getTime()) {
      const timer: TimerTask | undefined = plan ? context.df.createTimer(plan.at) : undefined;
      const winner: Task = yield context.df.Task.any([
        ...(timer ? [timer] : []),
        ...waiters.values(),
        stopped,
      ]);
      replaced = false;
      // The timer that lost is left alone, not cancelled: on Azure it fires anyway, and the extension
      // replays a cancelled timer as already finished (OutOfProcOrchestrationShim.cs:127-132), so in
      // the last round of a generation it would reach continueAsNew before the event that woke us
      // and DurableTask.Core would hand that event to the next generation a second time.
      if (winner === stopped) {
        publish(round, true);
        return { monitor: name, stopped: true, state };
      }
      const event = [...waiters.entries()].find(([, task]) => task === winner)?.[0];
      if (event !== undefined) {
        yield* handle(event, winner.result, context.df.currentUtcDateTime);
        continue;
      }
    }

    const now = context.df.currentUtcDateTime;
    if (dueCheck(state, config, now)) {
      const result = yield* checkTarget(context, name, config);
      if (result) {
        const outcome = step(state, result, config, { at: now, incidentId: () => context.df.newGuid(name) });
        state = outcome.state;
        yield* record(context, roundRecord(name, now.toISOString(), state, outcome.events));
        for (const event of outcome.events) {
          state = yield* alert(context, name, config, state, alertForEvent(name, config, state, event));
        }
      } else {
        // Our side failed (not the target): try again at the next interval without judging the target.
        state = { ...state, lastCheckAt: now.toISOString() };
      }
    }
    if (dueRealert(state, config, context.df.currentUtcDateTime)) {
      const payload = realertAlert(name, config, state, context.df.currentUtcDateTime);
      if (payload) state = yield* alert(context, name, config, state, payload);
    }
  }

  // An event that arrived while the last round checked or alerted completed its waiter, and this
  // execution's end would drop it (only events processed after the continueAsNew decision reach
  // the next generation): a stop, a reconfigure or an acknowledgement would be lost. Handle them first.
  for (let extra = 0; extra < ROUNDS_PER_EXECUTION; extra++) {
    if (stopped.isCompleted) {
      publish(ROUNDS_PER_EXECUTION, true);
      return { monitor: name, stopped: true, state };
    }
    const ready = [...waiters.entries()].find(([, task]) => task.isCompleted);
    if (!ready) break;
    yield* handle(ready[0], ready[1].result, context.df.currentUtcDateTime);
  }
  publish(ROUNDS_PER_EXECUTION);
  context.df.continueAsNew({ name, config, state, generation: generation + 1 });
  return undefined;
};

function* checkTarget(
  context: OrchestrationContext,
  monitor: string,
  config: MonitorConfig,
): Generator<Task, CheckResult | undefined, unknown> {
  try {
    // checkUrl plus the check's history row, keyed by this round's time (see checkMonitor).
    const input = { monitor, at: context.df.currentUtcDateTime.toISOString(), target: config.target };
    // Our own activity's output: no re-validation, which would run again on every replay.
    return (yield context.df.callActivityWithRetry('checkMonitor', checkUrlRetry, input)) as CheckResult;
  } catch {
    return undefined;
  }
}

/** Writes an incident change to the history tables. Best effort: it never stops the monitor. */
function* record(
  context: OrchestrationContext,
  input: RecordCheckInput | undefined,
): Generator<Task, void, unknown> {
  if (!input) return;
  try {
    yield context.df.callActivityWithRetry('recordCheck', storageRetry, input);
  } catch {
    // The retries are spent (storage down for minutes): that round is missing from the history.
  }
}

/** A DOWN, REALERT or RECOVERED alert: restarts the re-alert clock, then goes to the channels. */
function* alert(
  context: OrchestrationContext,
  name: string,
  config: MonitorConfig,
  state: MonitorState,
  payload: AlertPayload,
): Generator<Task, MonitorState, unknown> {
  // DOWN and REALERT restart the re-alert clock whether or not anyone could be told.
  const next = payload.kind === 'RECOVERED' ? state : markAlerted(state, context.df.currentUtcDateTime);
  return yield* queueAlert(context, name, config, next, payload);
}

/**
 * Queues the alert for every channel and returns at once; deliverAlert reports each attempt back
 * as an `alertDelivery` event. Only a failure to queue (storage down after retries) is recorded
 * here. Never throws.
 */
function* queueAlert(
  context: OrchestrationContext,
  name: string,
  config: MonitorConfig,
  state: MonitorState,
  payload: AlertPayload,
): Generator<Task, MonitorState, unknown> {
  const channels = channelsOf(config);
  if (channels.length === 0) return state;
  // `msg_` and a replay-safe GUID: the Standard Webhooks id, the same on every retry.
  const id = `msg_${context.df.newGuid(`${name}:alert`)}`;
  try {
    yield context.df.callActivityWithRetry('queueAlerts', queueRetry, {
      messages: alertMessages(name, id, channels, payload),
    });
    return state;
  } catch (error) {
    const at = context.df.currentUtcDateTime;
    return recordAlertDelivery(state, {
      at,
      kind: payload.kind,
      ...(payload.incident && { incidentId: payload.incident.id }),
      ok: false,
      error: `could not queue the alert: ${error instanceof Error ? error.message : 'unknown error'}`,
    });
  }
}

df.app.orchestration('watchSite', watchSite);
