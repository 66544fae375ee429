// `npm run bench -- status`: the public status page with 100 monitors × 90 days of history on
// tests/host (virtual clock starting now, Azurite): p50/p95 of GET /api/status over loopback,
// which is the server's time plus a loopback round trip (time to the last byte). Goal: p95 ≤ 150 ms with the app's 5 s
// status cache emptied before every request (the real cost of a document); also measured as
// served (cached). Then, in the same run and alternating, the two ways to read the history: the
// summaries (one row per monitor) against the day rollups they replaced (a scan of 9,000 rows).
import http from 'node:http';
import path from 'node:path';
import { startAppHost } from '../tests/support/appHost';
import { seedHistory } from '../tests/support/historySeed';
import { startServer } from '../tests/support/servers';
import { dayBefore } from '../src/core/history';

const MONITORS = 100;
const DAYS = 90;
const REQUESTS = 60;
const READS = 20;
const GOAL_P95_MS = 150;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runStatusBench(): Promise<string> {
  const site = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  const now = new Date();
  const app = await startAppHost({ settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' }, startTime: now });
  process.env.AzureWebJobsStorage = app.host.storageConnectionString;
  try {
    app.host.clock.autoSkip = false;
    const names = Array.from({ length: MONITORS }, (_, i) => `site-${String(i).padStart(3, '0')}`);
    const seedStarted = performance.now();
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(
        names.slice(i, i + 10).map((monitor, j) =>
          seedHistory({
            monitor,
            days: DAYS,
            now,
            everyMinutes: 10,
            latencyMs: 80 + ((i + j) % 7) * 40,
            outages: (i + j) % 9 === 0 ? [{ daysAgo: (i + j) % DAYS, minutes: 45 }] : [],
          }),
        ),
      );
    }
    for (const name of names) {
      await app.api.put(`monitors/${name}`, {
        target: site.url(`/${name}`),
        intervalSeconds: 300,
        failureThreshold: 2,
        recoveryThreshold: 1,
        realertMinutes: 0,
      });
    }
    await app.host.waitForIdle({ timeoutMs: 120_000 });
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const first = await app.api.get('status');
    if (first.status !== 200) throw new Error(`GET /api/status answered ${first.status}`);
    const bytes = Buffer.byteLength(first.data as string);
    // The app runs in this process (tests/host requires dist/), so these are its module instances.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app's own dist modules
    const { forgetCachedStatus } = require(path.resolve('dist/src/functions/statusData.js')) as {
      forgetCachedStatus(): void;
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app's own dist modules
    const { renderStatusPage } = require(path.resolve('dist/src/pages/statusPage.js')) as {
      renderStatusPage(doc: unknown): string;
    };
    // Time to the last byte with node:http, the body counted, not decoded: the client's own work
    // (axios turned the megabyte into a string and tried it as JSON) is not the server's time.
    const statusUrl = `${app.host.apiUrl}/status`;
    const agent = new http.Agent({ keepAlive: true });
    const get = () =>
      new Promise<{ status: number; bytes: number }>((resolve, reject) => {
        http
          .get(statusUrl, { agent }, (res) => {
            let bytes = 0;
            res.on('data', (chunk: Buffer) => (bytes += chunk.length));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
            res.on('error', reject);
          })
          .on('error', reject);
      });
    const measure = async (uncached: boolean) => {
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        if (uncached) forgetCachedStatus();
        const started = performance.now();
        const res = await get();
        times.push(performance.now() - started);
        if (res.status !== 200 || res.bytes === 0) throw new Error(`GET /api/status answered ${res.status}`);
      }
      return times.sort((a, b) => a - b);
    };
    // Phase: rendering alone, on the document the page was built from.
    const doc = (await app.api.get('status.json')).data as unknown;
    const renders: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      renderStatusPage(doc);
      renders.push(performance.now() - started);
    }
    renders.sort((a, b) => a - b);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app's own dist modules
    const history = require(path.resolve('dist/src/activities/storage/history.js')) as {
      readStatusHistory(options: object): Promise<unknown>;
      readDaysFromRollups(since: string, bucketsSince: string): Promise<unknown>;
    };
    const since = dayBefore(now, 89);
    const bucketsSince = dayBefore(now, 1);
    const reads = { summaries: [] as number[], rollups: [] as number[] };
    for (let i = 0; i < READS; i++) {
      let started = performance.now();
      await history.readStatusHistory({
        since,
        bucketsSince,
        incidentsSince: new Date(now.getTime() - 30 * 86_400_000).toISOString(),
        monitors: names.map((name) => ({ name })),
      });
      reads.summaries.push(performance.now() - started);
      started = performance.now();
      await history.readDaysFromRollups(since, bucketsSince);
      reads.rollups.push(performance.now() - started);
    }
    reads.summaries.sort((a, b) => a - b);
    reads.rollups.sort((a, b) => a - b);
    const rows = [
      ['uncached (document read and page rendered every request)', await measure(true)],
      ['cached (5 s status cache, the served case)', await measure(false)],
    ] as const;
    agent.destroy();
    return [
      `| case | monitors × days | requests | p50 | p95 | max | page size | goal p95 ≤ ${GOAL_P95_MS} ms |`,
      '|---|---|---|---|---|---|---|---|',
      ...rows.map(([label, times]) => {
        const p95 = percentile(times, 95);
        return `| ${label} | ${MONITORS} × ${DAYS} | ${REQUESTS} sequential | ${percentile(times, 50).toFixed(1)} ms | ${p95.toFixed(1)} ms | ${times[times.length - 1]!.toFixed(1)} ms | ${(bytes / 1024).toFixed(0)} KiB | ${p95 <= GOAL_P95_MS ? 'met' : 'MISSED'} |`;
      }),
      '',
      `Reading the history, in process, ${READS} times each, alternating: from the summaries (one row per monitor, ` +
        `plus the incidents of 30 days) p50 ${percentile(reads.summaries, 50).toFixed(1)} ms, p95 ${percentile(reads.summaries, 95).toFixed(1)} ms; ` +
        `from the day rollups (${MONITORS * DAYS} rows and the buckets of two days, what the page read before) ` +
        `p50 ${percentile(reads.rollups, 50).toFixed(1)} ms, p95 ${percentile(reads.rollups, 95).toFixed(1)} ms: ` +
        `the summaries take ${(percentile(reads.summaries, 50) / percentile(reads.rollups, 50)).toFixed(2)}x the time at p50.`,
      `Rendering the HTML alone (in process, same document): p50 ${percentile(renders, 50).toFixed(1)} ms, ` +
        `max ${renders[renders.length - 1]!.toFixed(1)} ms; the rest of an uncached request is reading the summaries ` +
        'and incidents from Azurite and listing the monitors from the durable store.',
      'Before the summaries, reading the day rollups (commit fbc30f9, load average 5.83, timed with axios, which also decoded the body): uncached p50 616.8 ms, p95 1025.9 ms, max 1118.3 ms, 1045 KiB; only the 5 s cache met the goal (p95 70.3 ms). ' +
        'Before the status cache and the lighter day cells (commit 9846460, load average 13.6): p50 1732.9 ms, p95 2505.5 ms, 1678 KiB, every request uncached.',
      `Seeding ${MONITORS * DAYS} day rollups and starting ${MONITORS} monitors took ${seedSeconds.toFixed(0)} s.`,
    ].join('\n');
  } finally {
    await app.stop();
    await site.close();
  }
}
