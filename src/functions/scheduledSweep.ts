import * as df from 'durable-functions';
import { z } from 'zod';
import { CheckTarget } from '../core/checkSpec';
import { isSweepRun, sweepInstanceId } from '../core/instanceIds';
import { settings } from '../settings';
import { loadConfig } from './configSource';
import { findStatus } from './durableStatus';
import { startCheckRun } from './startCheckRun';

const SweepTargets = z.array(CheckTarget).min(1);

/**
 * The occurrence a timer invocation belongs to: the latest scheduled time at or before now. Two
 * fires of the same occurrence (a double fire, a retry) map to the same instance id.
 */
export function scheduledOccurrence(schedule: string, now: Date): Date {
  // cron-parser (and luxon under it) loads at the first fire, not with the app: the same reason as
  // htmlparser2 in extractLinks (BENCHMARKS.md, "Cold start").
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CronExpressionParser } = require('cron-parser') as typeof import('cron-parser');
  // A fire is never early by more than clock skew; one second of slack keeps an on-time fire in its own slot.
  const expression = CronExpressionParser.parse(schedule, {
    currentDate: new Date(now.getTime() + 1000),
    tz: 'UTC',
  });
  return expression.prev().toDate();
}

df.app.client.timer('scheduledSweep', {
  schedule: '%SWEEP_SCHEDULE%',
  handler: async (_timer, client, context) => {
    const instanceId = sweepInstanceId(scheduledOccurrence(settings.sweepSchedule(), new Date()));

    const active = await client.getStatusBy({
      runtimeStatus: [df.OrchestrationRuntimeStatus.Running, df.OrchestrationRuntimeStatus.Pending],
    });
    const previous = active.find((s) => isSweepRun(s.instanceId) && s.instanceId !== instanceId);
    if (previous) {
      context.log(`Sweep ${instanceId} skipped: the previous sweep ${previous.instanceId} is still running`);
      return;
    }
    if (await findStatus(client, instanceId)) {
      context.log(`Sweep ${instanceId} already started; nothing to do`);
      return;
    }

    const config = await loadConfig(SweepTargets, {
      settingValue: settings.sweepTargetsJson(),
      settingName: 'SITEWATCH_TARGETS',
      blobName: 'targets.json',
    });
    if (!config.ok) {
      if (config.missing)
        context.log(`Sweep ${instanceId} skipped: no targets configured (${config.source})`);
      else
        context.error(`Sweep ${instanceId} skipped: invalid targets in ${config.source}: ${config.reason}`);
      return;
    }
    await startCheckRun(client, { name: 'scheduled sweep', targets: config.value }, { instanceId });
    context.log(`Sweep ${instanceId} started with ${config.value.length} targets from ${config.source}`);
  },
});
