import * as df from 'durable-functions';
import { MAX_PURGES_PER_RUN, PURGE_TIME_BUDGET_MS, runCutoff } from '../core/runRetention';
import { purgeExpiredRuns } from '../activities/storage/runRetention';
import { settings } from '../settings';

// Once a day, remove the check runs and audits that finished and were created more than
// SITEWATCH_RUN_RETENTION_DAYS ago: report blobs, leftovers, instances and histories. Half an hour
// after purgeHistory, so the two daily jobs do not compete. Idempotent: a missed, repeated or
// interrupted run leaves only work that the next one finds again.
df.app.client.timer('purgeRuns', {
  schedule: '0 47 3 * * *',
  handler: async (_timer, client, context) => {
    const before = runCutoff(Date.now(), settings.runRetentionDays());
    if (!before) return;
    const deadline = Date.now() + PURGE_TIME_BUDGET_MS;
    const purged = await purgeExpiredRuns(client, { before, maxPurges: MAX_PURGES_PER_RUN, deadline });
    context.log(`purgeRuns: runs created before ${before.toISOString()}: ${JSON.stringify(purged)}`);
  },
});
