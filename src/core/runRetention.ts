// Which finished runs the daily purge removes, and which blobs belong to a run. Pure: the storage and
// durable calls are in src/activities/storage/runRetention.ts.

/** The orchestrators whose runs expire. watchSite monitors never do (eternal; a stopped one stays readable). */
export const EXPIRING_ORCHESTRATORS: ReadonlySet<string> = new Set(['checkSites', 'auditSite']);

/** The statuses in which an instance is done for good: nothing else in them may be purged. */
export const TERMINAL_STATUSES = ['Completed', 'Failed', 'Terminated'] as const;

/**
 * Instances purged per timer run, at most (roots and their sub-orchestrations), and the time after
 * which it starts no further run: together they keep one invocation well inside the 10-minute
 * functionTimeout (host.json) whatever the backlog (a first run after an upgrade finds every old run).
 * What is left over is still old tomorrow and goes then.
 */
export const MAX_PURGES_PER_RUN = 5_000;
export const PURGE_TIME_BUDGET_MS = 5 * 60_000;

const DAY_MS = 86_400_000;

/** Runs created before this instant expire; undefined for `days` 0 (keep forever). */
export function runCutoff(nowMs: number, days: number): Date | undefined {
  return days === 0 ? undefined : new Date(nowMs - days * DAY_MS);
}

/**
 * The top-level run an instance belongs to. Sub-orchestration ids extend their parent's with
 * `:` (`<id>:part-<i>`, `<id>:parts-<a>-<b>`, `<id>:links`, `<id>:links:part-<i>`), and no top-level
 * run id has one: the starters use SDK GUIDs, `sweep-<time>` and `checks-queue-<message id>`.
 * (`monitor:<name>` has one too, but watchSite is never an expiring orchestrator.)
 */
export function rootOf(instanceId: string): string {
  const colon = instanceId.indexOf(':');
  return colon === -1 ? instanceId : instanceId.slice(0, colon);
}

/** The prefix to list (in the reports container) for a run's blobs; filter the names with isRunBlob. */
export const runBlobListPrefix = (rootId: string) => `checks/${rootId}`;

/** Blobs named outright (no listing finds them under runBlobListPrefix): an audit's report. */
export const runBlobsByName = (rootId: string) => [`audits/${rootId}.json`];

/**
 * Whether a blob belongs to run `rootId`: its report (`checks/<id>.json`), its slices and parts
 * (`checks/<id>/...`), and for an audit its link check's report and parts (`checks/<id>:links.json`,
 * `checks/<id>:links/...`). Exact names and prefixes with their separator: `checks/<id>2.json` or
 * `checks/<id>-2/...` belong to other runs.
 */
export function isRunBlob(rootId: string, name: string): boolean {
  return (
    name === `checks/${rootId}.json` ||
    name.startsWith(`checks/${rootId}/`) ||
    name === `checks/${rootId}:links.json` ||
    name.startsWith(`checks/${rootId}:links/`)
  );
}

export interface ListedInstance {
  instanceId: string;
  name: string;
  runtimeStatus: string;
}

/** One run to remove: its root (when it is in the listing) and its finished sub-orchestrations. */
export interface ExpiredRun {
  rootId: string;
  /** False when only sub-orchestrations were listed: the root may be gone (purge them) or still running (don't). */
  rootListed: boolean;
  children: string[];
}

/**
 * Groups the listed old, finished instances into runs, from a listing in any order. Only expiring
 * orchestrators in a terminal status count, whatever the query returned. At most `maxPurges`
 * instances in all; a run is never split (a root with more children than the cap goes alone).
 */
export function expiredRuns(instances: readonly ListedInstance[], maxPurges: number): ExpiredRun[] {
  const terminal = new Set<string>(TERMINAL_STATUSES);
  const runs = new Map<string, ExpiredRun>();
  for (const instance of instances) {
    if (!EXPIRING_ORCHESTRATORS.has(instance.name) || !terminal.has(instance.runtimeStatus)) continue;
    const rootId = rootOf(instance.instanceId);
    const run = runs.get(rootId) ?? { rootId, rootListed: false, children: [] };
    if (instance.instanceId === rootId) run.rootListed = true;
    else run.children.push(instance.instanceId);
    runs.set(rootId, run);
  }
  const chosen: ExpiredRun[] = [];
  let budget = maxPurges;
  for (const run of runs.values()) {
    const size = run.children.length + (run.rootListed ? 1 : 0);
    if (size > budget && chosen.length > 0) break;
    chosen.push({ ...run, children: [...run.children].sort() });
    budget -= size;
  }
  return chosen;
}
