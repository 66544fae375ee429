import * as df from 'durable-functions';
import { z } from 'zod';
import { monitorInstanceId } from '../core/instanceIds';
import { MonitorConfig, MonitorName } from '../core/monitorSchemas';
import { settings } from '../settings';
import { loadConfig } from './configSource';
import { configDigest, MONITOR_EVENTS, type MonitorView } from '../core/watch';
import { ACTIVE_STATUSES, findStatus, startedElsewhere } from './durableStatus';

const ConfiguredMonitors = z
  .array(MonitorConfig.extend({ name: MonitorName }))
  .refine((list) => new Set(list.map((m) => m.name)).size === list.length, 'monitor names must be unique');

// Missing, failed and terminated monitors are (re)started; a running one is reconfigured when its
// configured settings differ from the ones it runs with (compared by configDigest, since the view
// shows secrets only redacted), and a monitor someone stopped through the API (Completed) stays stopped.
const RESTARTABLE = new Set<string>([
  df.OrchestrationRuntimeStatus.Failed,
  df.OrchestrationRuntimeStatus.Terminated,
]);

df.app.client.timer('keepMonitors', {
  schedule: '%MONITORS_SCHEDULE%',
  handler: async (_timer, client, context) => {
    const config = await loadConfig(ConfiguredMonitors, {
      settingValue: settings.monitorsJson(),
      settingName: 'SITEWATCH_MONITORS',
      blobName: 'monitors.json',
    });
    if (!config.ok) {
      if (config.missing) context.log(`keepMonitors: no monitors configured (${config.source})`);
      else context.error(`keepMonitors: invalid monitors in ${config.source}: ${config.reason}`);
      return;
    }
    // Each monitor on its own: one that cannot be read, reconfigured or started must not keep the
    // others down in this run.
    const failed: string[] = [];
    for (const { name, ...monitor } of config.value) {
      const instanceId = monitorInstanceId(name);
      try {
        const status = await findStatus(client, instanceId);
        if (status && ACTIVE_STATUSES.has(status.runtimeStatus)) {
          const running = (status.customStatus as MonitorView | null)?.configDigest;
          // No view yet: the monitor has not started its first round, with the config it was given.
          if (running !== undefined && running !== configDigest(monitor)) {
            await client.raiseEvent(instanceId, MONITOR_EVENTS.reconfigure, monitor);
            context.log(`keepMonitors: reconfigured ${instanceId} (its configured settings changed)`);
          }
          continue;
        }
        if (status && !RESTARTABLE.has(status.runtimeStatus)) continue;
        try {
          await client.startNew('watchSite', { instanceId, input: { name, config: monitor } });
        } catch (error) {
          // A concurrent fire started it first (Azure Storage answers that start with a 500, not a
          // 409, so the instance's status decides): that is the outcome we wanted.
          if (await startedElsewhere(client, instanceId)) continue;
          throw error;
        }
        context.log(`keepMonitors: started ${instanceId} (was ${status?.runtimeStatus ?? 'missing'})`);
      } catch (error) {
        failed.push(name);
        context.error(`keepMonitors: could not start ${instanceId}: ${(error as Error).message}`);
      }
    }
    // Fail the invocation so monitoring sees it; the next fire tries the failed ones again.
    if (failed.length > 0) throw new Error(`keepMonitors: could not start ${failed.join(', ')}`);
  },
});
