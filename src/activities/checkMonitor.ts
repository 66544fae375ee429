import * as df from 'durable-functions';
import { z } from 'zod';
import { summarizeResult } from '../core/monitor';
import { MonitorName, Timestamp } from '../core/monitorSchemas';
import { checkUrlActivity } from './checkUrl';
import { settings } from '../settings';
import { recordCheck } from './storage/history';

export const CheckMonitorInput = z.object({
  monitor: MonitorName,
  /** The round's orchestration time: the key of the check's history row. */
  at: Timestamp,
  target: z.unknown(),
});
export type CheckMonitorInput = z.infer<typeof CheckMonitorInput>;

// A monitor's check: checkUrl, then the check's row in the history tables. Written here rather
// than by a second activity so a round costs the orchestrator no extra episode (replays grow with
// every episode). History is best effort: a storage failure is logged, never a failed check, so
// an outage of the tables cannot stop a monitor from judging its target.
df.app.activity('checkMonitor', {
  handler: async (input: unknown, context) => {
    const { monitor, at, target } = CheckMonitorInput.parse(input);
    const result = await checkUrlActivity(target);
    if (settings.historyDays() === 0) return result;
    try {
      await recordCheck({ monitor, at, check: summarizeResult(result, at) });
    } catch (error) {
      context.warn(`checkMonitor: history of ${monitor} at ${at} not written: ${(error as Error).message}`);
    }
    return result;
  },
});
