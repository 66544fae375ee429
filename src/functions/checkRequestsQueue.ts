import { output } from '@azure/functions';
import * as df from 'durable-functions';
import { checkRequestSchema } from '../core/checkSpec';
import { queueInstanceId } from '../core/instanceIds';
import { settings } from '../settings';
import { findStatus } from './durableStatus';
import { startCheckRun } from './startCheckRun';

export const CHECK_REQUESTS_QUEUE = 'check-requests';
export const REJECTED_QUEUE = 'check-requests-rejected';

// Retrying an invalid message cannot make it valid, so it goes to a queue operators watch, with the
// reason, instead of bouncing five times into the poison queue.
const rejected = output.storageQueue({ queueName: REJECTED_QUEUE, connection: 'AzureWebJobsStorage' });

df.app.client.storageQueue('checkRequestsQueue', {
  queueName: CHECK_REQUESTS_QUEUE,
  connection: 'AzureWebJobsStorage',
  extraOutputs: [rejected],
  handler: async (message, client, context) => {
    const messageId = String(context.triggerMetadata?.id ?? '');
    const parsed = checkRequestSchema({ maxTargets: settings.maxTargets() }).safeParse(message);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => ({
        field: issue.path.length > 0 ? issue.path.join('.') : 'message',
        message: issue.message,
      }));
      context.extraOutputs.set(rejected, {
        messageId,
        reason: 'invalid check request',
        errors,
        message,
        rejectedAt: new Date().toISOString(),
      });
      context.warn(
        `check-requests message ${messageId} rejected: ${errors[0]?.field}: ${errors[0]?.message}`,
      );
      return;
    }
    // The id comes from the message, so a redelivered message finds its run instead of starting another.
    const instanceId = queueInstanceId(messageId);
    if (await findStatus(client, instanceId)) {
      context.log(`check-requests message ${messageId} already started ${instanceId}; nothing to do`);
      return;
    }
    await startCheckRun(client, parsed.data, { instanceId });
    context.log(`check-requests message ${messageId} started ${instanceId}`);
  },
});
