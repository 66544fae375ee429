// Alerts travel off the monitor's round: the orchestrator hands them to the `queueAlerts`
// activity, whose queue output binding writes one message per channel to ALERTS_QUEUE; the
// queue-triggered `deliverAlert` function posts it. A failed post throws, the Functions host
// offers the message again after host.json `queues.visibilityTimeout` (1 minute) and, after the
// `maxDequeueCount`-th (5th) failure, moves it to `<queue>-poison` (the WebJobs storage-queue
// convention): attempts at about 0, 1, 2, 3 and 4 minutes, so a receiver that is down for two or
// three minutes still gets the alert. The host's retry interval is fixed (host.json applies to
// every queue of the app), not exponential; the attempts are few and minutes apart, which is the
// back-off receivers need. Each attempt is reported to the monitor as an `alertDelivery` event, which is
// how the monitor view shows every channel's last delivery.
import { z } from 'zod';
import { AlertChannel, MAX_ALERT_CHANNELS, publicChannel } from './alertChannels';
import { MonitorName, AlertPayload, MONITOR_LIMITS, type ChannelDelivery } from './monitorSchemas';

export const ALERTS_QUEUE = 'alerts';
export const ALERTS_POISON_QUEUE = `${ALERTS_QUEUE}-poison`;
/**
 * host.json `extensions.queues.maxDequeueCount` (tests/core/monitorChannels checks they agree): the
 * attempt with this dequeue count is the last one, after which the host moves the message to
 * ALERTS_POISON_QUEUE. The delivery function only reads it to tell the monitor so.
 */
export const ALERT_MAX_DEQUEUE_COUNT = 5;

/** One alert for one channel. The channel travels with its URL and secret, like the monitor's own input. */
export const AlertMessage = z.strictObject({
  /** Standard Webhooks `webhook-id`: one per alert, the same on every retry and every channel. */
  id: z.string().min(1).max(MONITOR_LIMITS.maxIdLength),
  monitor: MonitorName,
  /** The channel's index in channelsOf(config). */
  channel: z
    .int()
    .min(0)
    .max(MAX_ALERT_CHANNELS - 1),
  destination: AlertChannel,
  alert: AlertPayload,
});
export type AlertMessage = z.infer<typeof AlertMessage>;

export const QueueAlertsInput = z.strictObject({ messages: z.array(AlertMessage).max(MAX_ALERT_CHANNELS) });
export type QueueAlertsInput = z.infer<typeof QueueAlertsInput>;

export function alertMessages(
  monitor: string,
  id: string,
  channels: AlertChannel[],
  alert: AlertPayload,
): AlertMessage[] {
  return channels.map((destination, channel) => ({ id, monitor, channel, destination, alert }));
}

export type AttemptResult = { ok: true; status: number } | { ok: false; status?: number; error: string };

/** What the delivery function tells the monitor about one attempt (nothing secret in it). */
export function deliveryReport(
  message: AlertMessage,
  attempt: number,
  result: AttemptResult,
  at: Date,
  maxAttempts: number = ALERT_MAX_DEQUEUE_COUNT,
): ChannelDelivery {
  const report: ChannelDelivery = {
    channel: message.channel,
    type: message.destination.type,
    target: publicChannel(message.destination).url,
    alertId: message.id,
    kind: message.alert.kind,
    at: at.toISOString(),
    attempt,
    ok: result.ok,
    outcome: result.ok ? 'delivered' : attempt >= maxAttempts ? 'poisoned' : 'retrying',
  };
  if (result.status !== undefined) report.status = result.status;
  if (!result.ok) {
    const error = result.error;
    report.error =
      error.length <= MONITOR_LIMITS.maxMessageLength
        ? error
        : `${error.slice(0, MONITOR_LIMITS.maxMessageLength - 1)}…`;
  }
  return report;
}
