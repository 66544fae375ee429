import { randomUUID } from 'node:crypto';
import type * as df from 'durable-functions';
import { PARTITION_SIZE, targetsPrefix, type CheckRunByRef } from '../core/checkRun';
import type { CheckRequest } from '../core/checkSpec';
import { writeTargetSlices } from '../activities/storage/targetSlices';

/**
 * Starts `checkSites` for a validated request. A request that will be partitioned writes its targets to
 * blob storage once, in slices of PARTITION_SIZE, and the orchestration gets only a reference: its input
 * (the ExecutionStarted event, handed back to every replay) stays a few hundred bytes at any N.
 * Small requests keep their targets inline: one blob write would cost more than it saves.
 */
export async function startCheckRun(
  client: df.DurableClient,
  request: CheckRequest,
  options: { instanceId?: string } = {},
): Promise<string> {
  if (request.targets.length <= PARTITION_SIZE) {
    return client.startNew('checkSites', { instanceId: options.instanceId, input: request });
  }
  // The id names the slices, so it is chosen before the run exists (the SDK's own ids are GUIDs too).
  const instanceId = options.instanceId ?? randomUUID().replaceAll('-', '');
  const targetsRef = await writeTargetSlices(targetsPrefix(instanceId), request.targets, PARTITION_SIZE);
  const input: CheckRunByRef = { ...(request.name !== undefined && { name: request.name }), targetsRef };
  return client.startNew('checkSites', { instanceId, input });
}
