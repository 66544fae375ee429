// Removes finished check runs and audits older than the retention: their report and leftover blobs,
// then their Durable instances (instance rows and histories). Which runs: src/core/runRetention.ts.
import * as df from 'durable-functions';
import type { DurableClient } from 'durable-functions';
import {
  expiredRuns,
  isRunBlob,
  runBlobListPrefix,
  runBlobsByName,
  TERMINAL_STATUSES,
  type ExpiredRun,
} from '../../core/runRetention';
import { findStatus } from '../../functions/durableStatus';
import { settings } from '../../settings';
import { deleteBlobs, listBlobNames } from './blobs';
import { forEachConcurrently } from './forEachConcurrently';

// Runs removed at once, and purges at once within one run: enough to hide round trips (a small run
// is a list, a few deletes and a purge, each a round trip), few enough not to flood the task hub.
const RUN_CONCURRENCY = 4;
const PURGE_CONCURRENCY = 4;

export interface PurgeRunsResult {
  /** Runs whose blobs and instances were removed. */
  runs: number;
  /** Instances purged (roots and sub-orchestrations). */
  instances: number;
  blobs: number;
  /** Runs left alone: only sub-orchestrations were old and finished, and their root still exists. */
  skipped: number;
  /** Runs not started because the deadline had passed (they are still old next time). */
  deferred: number;
}

/**
 * Removes the finished runs created before `before`, at most `maxPurges` instances per call, and no
 * run is started after `deadline` (epoch ms): the rest are still old next time. For each run the blobs go first and the instances after, children
 * before their root: a crash in between leaves a listed root or child that the next call finds and
 * finishes, and a blob already gone is no failure. One run failing does not stop the others; the
 * call throws at the end, naming how many failed.
 */
export async function purgeExpiredRuns(
  client: DurableClient,
  options: { before: Date; maxPurges: number; deadline: number },
): Promise<PurgeRunsResult> {
  // One query for the whole task hub: the extension answers it a page at a time (PageSize 100,
  // x-ms-continuation-token: azure-functions-durable-extension HttpApiHandler.cs:452-510 at a7c6d694,
  // OrchestrationStatusQueryCondition.cs:64) and durable-functions follows every token before it
  // resolves (lib/src/durableClient/DurableClient.js:636-651, 3.5.0): the SDK offers no page-at-a-time
  // call and no instanceIdPrefix, so `maxPurges` bounds the work, not the listing. createdTimeTo is
  // inclusive ("CreatedTime le", durabletask OrchestrationInstanceStatusQueryCondition.cs:120-123).
  const listed = await client.getStatusBy({
    createdTimeTo: options.before,
    runtimeStatus: TERMINAL_STATUSES.map((status) => df.OrchestrationRuntimeStatus[status]),
  });
  const result: PurgeRunsResult = { runs: 0, instances: 0, blobs: 0, skipped: 0, deferred: 0 };
  const failures: unknown[] = [];
  const runs = expiredRuns(listed, options.maxPurges);
  await forEachConcurrently(runs.length, RUN_CONCURRENCY, async (i) => {
    const run = runs[i]!;
    if (Date.now() >= options.deadline) {
      result.deferred++;
      return;
    }
    try {
      if (!run.rootListed && (await findStatus(client, run.rootId))) {
        // Old finished children whose root exists but was not listed: the root is still running
        // (or suspended). The run goes with its root, once that is finished and old.
        result.skipped++;
        return;
      }
      result.blobs += await deleteRunBlobs(run.rootId);
      result.instances += await purgeInstances(client, run);
      result.runs++;
    } catch (error) {
      failures.push(error);
    }
  });
  if (failures.length > 0) {
    const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
    throw new Error(`${failures.length} expired runs could not be removed (first: ${first})`);
  }
  return result;
}

/** A run's report and leftovers in the reports container (see isRunBlob); answers how many were deleted. */
async function deleteRunBlobs(rootId: string): Promise<number> {
  const container = settings.reportsContainer();
  const listed = await listBlobNames(container, runBlobListPrefix(rootId));
  const names = [...listed.filter((name) => isRunBlob(rootId, name)), ...runBlobsByName(rootId)];
  return (await deleteBlobs(container, names)).deleted;
}

/**
 * Purges the run's sub-orchestrations, then its root. Each instance is purged on its own: Azure
 * Storage deletes only the named instance's row, history and large-message blobs
 * (durabletask src/DurableTask.AzureStorage/Tracking/AzureTableTrackingStore.cs:667-708 and 717-746
 * at 52170329), never its sub-orchestrations (the maintainers' advice in
 * azure-functions-durable-extension#704: name sub-orchestrations after their parent, as checkSites
 * and auditSite do, and purge them yourself); an id already gone answers 404, which the SDK turns
 * into 0 deleted (DurableClient.js:138-143).
 */
async function purgeInstances(client: DurableClient, run: ExpiredRun): Promise<number> {
  let purged = 0;
  await forEachConcurrently(run.children.length, PURGE_CONCURRENCY, async (i) => {
    purged += (await client.purgeInstanceHistory(run.children[i]!)).instancesDeleted;
  });
  if (run.rootListed) purged += (await client.purgeInstanceHistory(run.rootId)).instancesDeleted;
  return purged;
}
