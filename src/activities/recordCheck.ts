import * as df from 'durable-functions';
import { RecordCheckInput } from '../core/history';
import { settings } from '../settings';
import { recordCheck } from './storage/history';

// Writes one monitor round to the history tables. Idempotent, so the at-least-once activity can
// run a round twice: the check row's key is the round's orchestration time, and the day's rollup
// only counts a check later than the last one it counted.
df.app.activity('recordCheck', {
  handler: async (input: unknown) => {
    const parsed = RecordCheckInput.parse(input);
    return settings.historyDays() === 0 ? { counted: false } : recordCheck(parsed);
  },
});
