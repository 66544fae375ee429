import type { DurableClient } from 'durable-functions';
import * as df from 'durable-functions';
import { readStatusHistory } from '../activities/storage/history';
import { dayBefore, DAY_MS } from '../core/history';
import { monitorNameFromInstanceId } from '../core/instanceIds';
import {
  buildStatus,
  INCIDENT_DAYS,
  BAR_DAYS,
  type LiveMonitor,
  type StatusDocument,
} from '../core/statusModel';
import type { MonitorView } from '../core/watch';
import { displayUrl } from '../pages/html';
import { settings } from '../settings';

const { OrchestrationRuntimeStatus: S } = df;

function targetUrl(view: MonitorView | null): string | null {
  const target = view?.config?.target as { url?: unknown } | undefined;
  return typeof target?.url === 'string' ? target.url : null;
}

// The anonymous pages all read the same document: computing it costs one query of the history
// summaries (one row per monitor), one of the recent incidents and a listing of the durable store.
// That is fast enough to do on every request (BENCHMARKS.md, status page), but the document is
// still kept for a few seconds and concurrent requests share one computation, so a flood of
// anonymous visitors costs at most one read per CACHE_MS; downstream caches keep the page 30 s.
const CACHE_MS = 5_000;
let cached: { key: string; at: number; document: Promise<StatusDocument> } | undefined;

/** The status document, at most CACHE_MS old (per storage account, so hosts never mix). */
export function loadStatus(client: DurableClient): Promise<StatusDocument> {
  const key = `${JSON.stringify(settings.tableStorage())}|${client.taskHubName}`;
  const at = Date.now();
  if (cached && cached.key === key && at - cached.at < CACHE_MS) return cached.document;
  const document = computeStatus(client);
  const entry = { key, at, document };
  cached = entry;
  // A failed read must not be served for the next few seconds.
  document.catch(() => {
    if (cached === entry) cached = undefined;
  });
  return document;
}

/** Drops the cached document; the benchmark uses it to measure the uncached cost per request. */
export function forgetCachedStatus(): void {
  cached = undefined;
}

/** The public status: running monitors (stopped ones are gone) with their history summaries. */
export async function computeStatus(client: DurableClient, now = new Date()): Promise<StatusDocument> {
  const live = liveMonitors(client);
  const shown = live.then((list) =>
    list.map((m) => ({ name: m.name, ...(m.state?.incident && { openIncident: m.state.incident.id }) })),
  );
  // Its failure is `live`'s, which Promise.all reports; this copy must not count as unhandled.
  shown.catch(() => undefined);
  const [monitors, history] = await Promise.all([
    live,
    readStatusHistory({
      since: dayBefore(now, BAR_DAYS - 1),
      // Yesterday and today hold the last 24 hours.
      bucketsSince: dayBefore(now, 1),
      incidentsSince: new Date(now.getTime() - INCIDENT_DAYS * DAY_MS).toISOString(),
      monitors: shown,
    }),
  ]);
  return buildStatus(monitors, history, {
    now,
    title: settings.statusTitle(),
    showUrls: settings.statusShowUrls(),
    redact: displayUrl,
  });
}

async function liveMonitors(client: DurableClient): Promise<LiveMonitor[]> {
  const statuses = await client.getStatusBy({
    runtimeStatus: [S.Pending, S.Running, S.ContinuedAsNew, S.Suspended, S.Failed],
  });
  const live: LiveMonitor[] = [];
  for (const status of statuses) {
    const name = monitorNameFromInstanceId(status.instanceId);
    if (name === undefined) continue;
    const view = (status.customStatus ?? null) as (MonitorView & { paused?: boolean }) | null;
    live.push({
      name,
      runtimeStatus: status.runtimeStatus,
      state: view?.state ?? null,
      targetUrl: targetUrl(view),
      paused: Boolean(view?.state?.paused) || view?.paused === true,
    });
  }
  return live;
}
