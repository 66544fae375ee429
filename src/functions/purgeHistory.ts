import { app } from '@azure/functions';
import { dayBefore } from '../core/history';
import { purgeHistory } from '../activities/storage/history';
import { settings } from '../settings';

// Once a day, delete check history older than SITEWATCH_HISTORY_DAYS (whole UTC days are kept, so
// the 90-day bar always has its 90 cells). Idempotent: a missed or repeated run only deletes later.
app.timer('purgeHistory', {
  schedule: '0 17 3 * * *',
  handler: async (_timer, context) => {
    const days = settings.historyDays();
    if (days === 0) return;
    const before = dayBefore(Date.now(), days - 1);
    const deleted = await purgeHistory(before);
    context.log(`purgeHistory: deleted rows before ${before}: ${JSON.stringify(deleted)}`);
  },
});
