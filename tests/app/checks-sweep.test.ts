// The scheduledSweep timer and the fan-out at scale: 1,000 targets (partitioned into
// sub-orchestrations), a restart in the middle, and the report blob assembled from the parts.
import { BlobServiceClient } from '@azure/storage-blob';
import { PARTITION_SIZE } from '../../src/core/checkRun';
import { isSweepRun, SWEEP_PREFIX } from '../../src/core/instanceIds';
import { startAppHost, type AppHost } from '../support/appHost';
import { respond, startServer, type TargetServer } from '../support/servers';

jest.setTimeout(180_000);

// A yearly schedule keeps every fire in this test inside one occurrence: 1 January, 00:00:00 UTC.
const YEARLY = '0 0 0 1 1 *';
const occurrenceId = () => `${SWEEP_PREFIX}${new Date().getUTCFullYear()}0101T000000Z`;

let target: TargetServer;

beforeAll(async () => {
  target = await startServer({
    '/ok': respond.text('up'),
    '/down': respond.status(500),
    '/slow-ok': respond.slow(30, respond.text('up, slowly')),
    '/hang': respond.hang(),
  });
});
afterAll(() => target?.close());

/** 1,000 targets, 30% failing; the query keeps every URL distinct. */
function targets(path = '/ok'): string[] {
  return Array.from({ length: 1000 }, (_, i) => target.url(`${i % 10 < 3 ? '/down' : path}?n=${i}`));
}

const sweeps = (app: AppHost) =>
  app.host.durable
    .listStatus({ instanceIdPrefix: SWEEP_PREFIX })
    .items.filter((s) => isSweepRun(s.instanceId));

describe('with targets from SITEWATCH_TARGETS', () => {
  let app: AppHost;
  beforeAll(async () => {
    app = await startAppHost({
      settings: {
        SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true',
        SWEEP_SCHEDULE: YEARLY,
        SITEWATCH_TARGETS: JSON.stringify(targets()),
      },
    });
  });
  afterAll(() => app?.stop());

  test('a sweep of 1,000 targets, 30% failing, completes with a correct summary and report', async () => {
    await app.host.runTimer('scheduledSweep');
    const id = occurrenceId();
    expect(sweeps(app).map((s) => s.instanceId)).toEqual([id]);
    const status = await app.host.waitForStatus(id, undefined, { timeoutMs: 150_000 });
    expect(status.runtimeStatus).toBe('Completed');
    const output = status.output as { summary: Record<string, unknown>; report: { blob: string } };
    expect(output.summary).toMatchObject({ total: 1000, up: 700, down: 300, failuresByCode: { HTTP: 300 } });
    expect(status.customStatus).toEqual({ completed: 1000, total: 1000 });

    // Large requests are partitioned into sub-orchestrations, each with a bounded history.
    const parts = app.host.durable.listStatus({ instanceIdPrefix: `${id}:part-` }).items;
    expect(parts).toHaveLength(Math.ceil(1000 / PARTITION_SIZE));
    for (const part of parts) expect(part.runtimeStatus).toBe('Completed');
    const rootEvents = app.host.history(id).length;
    expect(rootEvents).toBeLessThan(200);

    // The report in Azurite matches the summary and lists every target once, in request order.
    const report = (await app.readBlob('reports', output.report.blob)) as {
      summary: unknown;
      results: { url: string; ok: boolean }[];
    };
    expect(report.summary).toEqual(output.summary);
    expect(report.results.map((r) => r.url)).toEqual(targets());
    expect(report.results.filter((r) => !r.ok)).toHaveLength(300);
  });

  test('a double fire of the same occurrence starts one run', async () => {
    await app.host.runTimer('scheduledSweep');
    await app.host.runTimer('scheduledSweep');
    expect(sweeps(app).map((s) => s.instanceId)).toEqual([occurrenceId()]);
  });
});

test('a sweep is skipped while the previous one still runs', async () => {
  const app = await startAppHost({
    settings: {
      SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true',
      SWEEP_SCHEDULE: YEARLY,
      SITEWATCH_TARGETS: JSON.stringify([target.url('/ok')]),
    },
  });
  try {
    const previous = `${SWEEP_PREFIX}20000101T000000Z`;
    app.host.startNew('checkSites', { targets: [{ url: target.url('/hang'), timeoutMs: 60_000 }] }, previous);
    await app.host.runTimer('scheduledSweep');
    expect(sweeps(app).map((s) => s.instanceId)).toEqual([previous]);
    app.host.durable.terminate(previous, 'test over');
  } finally {
    await app.stop();
  }
});

test('targets come from the blob config/targets.json when the setting is absent', async () => {
  const app = await startAppHost({
    settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true', SWEEP_SCHEDULE: YEARLY },
  });
  try {
    await app.host.runTimer('scheduledSweep');
    expect(sweeps(app)).toEqual([]); // nothing configured yet: no run

    const blobs = BlobServiceClient.fromConnectionString(app.host.storageConnectionString as string);
    const config = blobs.getContainerClient('config');
    await config.createIfNotExists();
    const body = JSON.stringify([target.url('/ok'), { url: target.url('/down'), expect: { status: 500 } }]);
    await config.getBlockBlobClient('targets.json').upload(body, Buffer.byteLength(body));

    await app.host.runTimer('scheduledSweep');
    const status = await app.host.waitForStatus(occurrenceId());
    expect((status.output as { summary: unknown }).summary).toMatchObject({ total: 2, up: 2, down: 0 });
  } finally {
    await app.stop();
  }
});

test('a restart in the middle of a sweep still completes, counting each target once', async () => {
  const app = await startAppHost({
    settings: {
      SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true',
      SWEEP_SCHEDULE: YEARLY,
      SITEWATCH_TARGETS: JSON.stringify(targets('/slow-ok')),
    },
  });
  try {
    await app.host.runTimer('scheduledSweep');
    const id = occurrenceId();
    const deadline = Date.now() + 60_000;
    const started = () =>
      app.host
        .activityCalls('checkUrls')
        .reduce((n, c) => n + (c.input as { specs: unknown[] }).specs.length, 0);
    while (started() < 300 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const status = app.host.durable.getStatus(id);
    expect(status?.runtimeStatus).toBe('Running');
    await app.host.restart();

    const done = await app.host.waitForStatus(id, undefined, { timeoutMs: 150_000 });
    expect(done.runtimeStatus).toBe('Completed');
    expect((done.output as { summary: unknown }).summary).toMatchObject({ total: 1000, up: 700, down: 300 });
    const report = (await app.readBlob('reports', `checks/${id}.json`)) as { results: { url: string }[] };
    expect(report.results.map((r) => r.url)).toEqual(targets('/slow-ok'));
  } finally {
    await app.stop();
  }
});
