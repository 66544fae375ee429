// Child process: runs one unit of each workload on tests/host (Azurite for blobs) and prints what it
// left behind: history counts from the committed histories (bench/cost/counts.ts) and the blob
// requests the app made, counted on the wire. Prints one JSON line.
// The targets are a small server in this process: counts do not depend on timing.
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeTargetSlices } from '../../src/activities/storage/targetSlices';
import { PARTITION_SIZE, targetsPrefix, type CheckRunByRef } from '../../src/core/checkRun';
import { checkRequestSchema } from '../../src/core/checkSpec';
import { startHost, type Host } from '../../tests/host';
import { addCounts, countHistory, ZERO, type HistoryCounts } from './counts';

export interface BlobCounts {
  writes: number;
  reads: number;
  /** Delete Blob: free on GPv2 (see storageTransactions). */
  deletes: number;
  other: number;
}

export interface WorkloadCounts {
  /** The unit the counts are divided by (checks, rounds, links). */
  units: number;
  instances: number;
  history: HistoryCounts;
  blobs: BlobCounts;
}

export interface CostFigures {
  /** The same sweep with one checkUrl activity per target (checkBatchSize 1): the design before batches. */
  sweepUnbatched: WorkloadCounts;
  sweep: WorkloadCounts;
  sweepSmall: WorkloadCounts;
  monitor: WorkloadCounts;
  audit: WorkloadCounts;
}

const SWEEP_N = 2 * PARTITION_SIZE;
const SMALL_N = 100;
const MONITOR_ROUNDS = 48;
const AUDIT_LINKS = 100;

/** Counts requests to the blob endpoint by method, from Node's own HTTP client instrumentation. */
function blobCounter(blobPort: number) {
  let counts: BlobCounts = { writes: 0, reads: 0, deletes: 0, other: 0 };
  diagnostics.subscribe('http.client.request.start', (message) => {
    const request = (message as { request: ClientRequest }).request;
    const host = request.getHeader('host');
    if (typeof host !== 'string' || !host.endsWith(`:${blobPort}`)) return;
    if (request.method === 'PUT') counts.writes++;
    else if (request.method === 'GET' || request.method === 'HEAD') counts.reads++;
    else if (request.method === 'DELETE') counts.deletes++;
    else counts.other++;
  });
  return {
    take(): BlobCounts {
      const taken = counts;
      counts = { writes: 0, reads: 0, deletes: 0, other: 0 };
      return taken;
    },
  };
}

function instanceCounts(host: Host, prefix: string): { instances: number; history: HistoryCounts } {
  const ids = host.durable
    .listStatus({ instanceIdPrefix: prefix })
    .items.map((s) => s.instanceId)
    .filter((id) => id === prefix || id.startsWith(`${prefix}:`));
  let history = ZERO;
  for (const id of ids) {
    // Every execution (continueAsNew) separately: each is its own history in storage.
    const all = host.history(id, { allExecutions: true });
    const executions: (typeof all)[] = [];
    // An execution begins with OrchestratorStarted (12) directly followed by ExecutionStarted (0).
    all.forEach((event, i) => {
      if (executions.length === 0 || (event.EventType === 12 && all[i + 1]?.EventType === 0)) {
        executions.push([]);
      }
      executions[executions.length - 1].push(event);
    });
    history = addCounts(history, countHistory(executions));
  }
  return { instances: ids.length, history };
}

async function main(): Promise<void> {
  const site = http.createServer((req, res) => {
    if (req.url?.startsWith('/page')) {
      const links = Array.from({ length: AUDIT_LINKS }, (_, i) => `<a href="/l/${i}">${i}</a>`).join('\n');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><body>${links}</body></html>`);
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    }
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const targetUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  const host = await startHost({
    storage: 'azurite',
    settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true', SITEWATCH_MAX_TARGETS: '100000' },
  });
  try {
    const blobPort = Number(/BlobEndpoint=http:\/\/[^:]+:(\d+)/.exec(host.storageConnectionString!)![1]);
    const blobs = blobCounter(blobPort);
    const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ url: `${targetUrl}t/${i}` }));

    // Warm up (the container exists, the SDK is loaded) so the counts are what a run costs.
    await runCheck(host, 'warmup', targets(SMALL_N));
    blobs.take();

    await runCheck(host, 'unbatched', targets(SWEEP_N), 1);
    const sweepUnbatched = { units: SWEEP_N, ...instanceCounts(host, 'unbatched'), blobs: blobs.take() };
    await runCheck(host, 'sweep', targets(SWEEP_N));
    const sweep = { units: SWEEP_N, ...instanceCounts(host, 'sweep'), blobs: blobs.take() };
    await runCheck(host, 'small', targets(SMALL_N));
    const sweepSmall = { units: SMALL_N, ...instanceCounts(host, 'small'), blobs: blobs.take() };

    await runMonitor(host, targetUrl, MONITOR_ROUNDS);
    const monitorCounts = {
      units: MONITOR_ROUNDS,
      ...instanceCounts(host, 'monitor:cost'),
      blobs: blobs.take(),
    };

    const auditId = await runAudit(host, targetUrl);
    const audit = { units: AUDIT_LINKS, ...instanceCounts(host, auditId), blobs: blobs.take() };
    const figures: CostFigures = { sweepUnbatched, sweep, sweepSmall, monitor: monitorCounts, audit };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await host.stop();
    site.closeAllConnections();
    site.close();
  }
}

/** A check run as the starters start it: by reference over PARTITION_SIZE, inline below. */
async function runCheck(
  host: Host,
  id: string,
  targets: { url: string }[],
  checkBatchSize?: number,
): Promise<void> {
  const request = checkRequestSchema({ maxTargets: targets.length }).parse({ targets });
  const batch = checkBatchSize === undefined ? {} : { checkBatchSize };
  if (targets.length > PARTITION_SIZE) {
    const targetsRef = await writeTargetSlices(targetsPrefix(id), request.targets, PARTITION_SIZE);
    const input: CheckRunByRef = { targetsRef, ...batch };
    host.startNew('checkSites', input, id);
  } else {
    host.startNew('checkSites', { ...request, ...batch }, id);
  }
  const status = await host.waitForStatus(id, undefined, { timeoutMs: 120_000 });
  if (status.runtimeStatus !== 'Completed') throw new Error(`${id} ended ${status.runtimeStatus}`);
}

/** A monitor checking every minute, for `rounds` minutes of virtual time. */
async function runMonitor(host: Host, targetUrl: string, rounds: number): Promise<void> {
  host.clock.autoSkip = false;
  const res = await request(host, 'PUT', 'monitors/cost', {
    target: { url: `${targetUrl}health` },
    intervalSeconds: 60,
    failureThreshold: 3,
    recoveryThreshold: 1,
    realertMinutes: 0,
  });
  if (res !== 201) throw new Error(`PUT monitors/cost answered ${res}`);
  await host.waitForIdle();
  for (let i = 0; i < rounds; i++) await host.clock.advance(60_000);
  await host.waitForIdle();
  host.clock.autoSkip = true;
}

/** An audit of a page with AUDIT_LINKS distinct links on the target server. */
async function runAudit(host: Host, targetUrl: string): Promise<string> {
  const id = 'audit-cost';
  host.startNew('auditSite', { url: `${targetUrl}page`, maxLinks: AUDIT_LINKS }, id);
  const status = await host.waitForStatus(id, undefined, { timeoutMs: 120_000 });
  if (status.runtimeStatus !== 'Completed') throw new Error(`audit ended ${status.runtimeStatus}`);
  return id;
}

function request(host: Host, method: string, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      `${host.apiUrl}/${path}`,
      { method, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
