// Queue trigger on `alerts`: posts one alert to one channel. A failure throws, so the Functions
// host retries the message after host.json `queues.visibilityTimeout` and, after
// `maxDequeueCount` attempts, moves it to `alerts-poison`, where it stays for operators.
//
// Where a channel's last delivery lives: each attempt is raised to the monitor as an
// `alertDelivery` event and the monitor keeps it in its state (state.channels), so it appears in
// the monitor view (customStatus) with the rest of the monitor, survives continueAsNew, and needs
// no extra storage, connection or setting; the monitor is the one writer of its own view. The
// event carries nothing secret (the channel's URL redacted, the error scrubbed). A monitor that
// is stopped cannot take the event; the delivery still happened, and the log line records it.
import * as df from 'durable-functions';
import { AlertDeliveryError, sendToChannel } from '../activities/sendAlert';
import { publicChannel } from '../core/alertChannels';
import { ALERTS_QUEUE, AlertMessage, deliveryReport, type AttemptResult } from '../core/alertQueue';
import { monitorInstanceId } from '../core/instanceIds';
import { MONITOR_EVENTS } from '../core/watch';

df.app.client.storageQueue('deliverAlert', {
  queueName: ALERTS_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: async (raw, client, context) => {
    const messageId = String(context.triggerMetadata?.id ?? '');
    const parsed = AlertMessage.safeParse(raw);
    if (!parsed.success) {
      // Retrying cannot make it valid; name the fields, never the values (they may hold secrets).
      const fields = parsed.error.issues.map((i) => i.path.join('.') || 'message').join(', ');
      context.error(`alerts message ${messageId} is not an alert (${fields}); dropped`);
      return;
    }
    const message = parsed.data;
    const attempt = Math.max(1, Number(context.triggerMetadata?.dequeueCount ?? 1) || 1);
    const shown = `${message.destination.type} ${publicChannel(message.destination).url}`;
    let result: AttemptResult;
    let failure: Error | undefined;
    try {
      const answer = await sendToChannel(message);
      result = { ok: true, status: answer.status };
      context.log(
        `Alert ${message.alert.kind} ${message.id} for ${message.monitor} delivered to ${shown}: HTTP ${answer.status} in ${answer.latencyMs} ms (attempt ${attempt})`,
      );
    } catch (error) {
      failure = error instanceof AlertDeliveryError ? error : new Error(`Alert not delivered to ${shown}`);
      result = {
        ok: false,
        error: failure.message,
        ...(error instanceof AlertDeliveryError && error.status !== undefined && { status: error.status }),
      };
    }
    const report = deliveryReport(message, attempt, result, new Date());
    try {
      await client.raiseEvent(monitorInstanceId(message.monitor), MONITOR_EVENTS.alertDelivery, report);
    } catch {
      // Never retry a delivered alert because its monitor could not hear about it.
      context.warn(
        `Monitor ${message.monitor} did not take the delivery report of ${message.id} (not running?)`,
      );
    }
    if (failure) {
      context.warn(`${failure.message} (attempt ${attempt}, ${report.outcome})`);
      throw failure;
    }
  },
});
