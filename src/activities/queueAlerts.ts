// Activity: hands a monitor's alert to the `alerts` queue, one message per channel, through a
// queue output binding. Orchestrators may not use bindings or I/O, so this one-write activity is
// the step between watchSite and the queue; it returns at once, and delivery (with its retries)
// happens in `deliverAlert`, never in the monitor's round.
import { output } from '@azure/functions';
import * as df from 'durable-functions';
import { ALERTS_QUEUE, QueueAlertsInput } from '../core/alertQueue';

const alertsQueue = output.storageQueue({ queueName: ALERTS_QUEUE, connection: 'AzureWebJobsStorage' });

/** Validates the input; a malformed one is a bug in the caller, so the message names fields, never values. */
export function parseQueueAlertsInput(input: unknown): QueueAlertsInput {
  const parsed = QueueAlertsInput.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    throw new TypeError(`Invalid queueAlerts input: ${fields}`);
  }
  return parsed.data;
}

df.app.activity('queueAlerts', {
  extraOutputs: [alertsQueue],
  handler: (input: unknown, context) => {
    const { messages } = parseQueueAlertsInput(input);
    // An array output writes one queue message per element.
    if (messages.length > 0) context.extraOutputs.set(alertsQueue, messages);
    return { queued: messages.length };
  },
});
