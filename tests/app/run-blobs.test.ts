// A check run's intermediate blobs (target slices, part blobs) are deleted once its report is
// assembled, best effort: the report survives a failed delete, and no other run's blobs are touched.
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import {
  partBlob,
  sliceBlob,
  targetsPrefix,
  type CheckRunByRef,
  type IntermediateBlobs,
} from '../../src/core/checkRun';
import { startAppHost, type AppHost } from '../support/appHost';
import { respond, startServer, type TargetServer } from '../support/servers';

jest.setTimeout(120_000);

let app: AppHost;
let target: TargetServer;
let reports: ContainerClient;

beforeAll(async () => {
  target = await startServer({ '/ok': respond.text('all good') });
  app = await startAppHost({ settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
  reports = BlobServiceClient.fromConnectionString(app.host.storageConnectionString!).getContainerClient(
    'reports',
  );
  await reports.createIfNotExists();
});

afterAll(async () => {
  await app?.stop();
  await target?.close();
});

const urls = (n: number, run: string) => Array.from({ length: n }, (_, i) => target.url(`/ok?${run}=${i}`));

const blobNames = async (prefix: string) => {
  const names: string[] = [];
  for await (const blob of reports.listBlobsFlat({ prefix })) names.push(blob.name);
  return names;
};

const upload = async (blob: string, value: unknown) => {
  const body = JSON.stringify(value);
  await reports.getBlockBlobClient(blob).upload(body, Buffer.byteLength(body));
};

/** Writes the slices of a run by reference as the starter does (2 targets a slice) and returns its input. */
async function seedByReference(id: string, n: number): Promise<CheckRunByRef> {
  const sliceSize = 2;
  const prefix = targetsPrefix(id);
  const specs = urls(n, id).map((url) => ({ url }));
  for (let i = 0; i * sliceSize < n; i++) {
    await upload(sliceBlob(prefix, i), specs.slice(i * sliceSize, (i + 1) * sliceSize));
  }
  return { name: id, targetsRef: { prefix, total: n, sliceSize } };
}

const readReport = (id: string) =>
  app.readBlob('reports', `checks/${id}.json`) as Promise<{
    summary: { total: number };
    results: { url: string }[];
  }>;

// 4 = TaskScheduled, 6 = TaskFailed (the wire protocol's event types).
const scheduled = (id: string, name: string) =>
  app.host.history(id).filter((e) => e.EventType === 4 && e.Name === name);
const failed = (id: string) => app.host.history(id).filter((e) => e.EventType === 6);

test('a partitioned run (targets inline) leaves its report and no part blobs; results still come back in the output', async () => {
  const id = 'inline-parts';
  const targets = urls(7, id);
  const input = { targets: targets.map((url) => ({ url })), partitionSize: 3, includeResults: true };
  app.host.startNew('checkSites', input, id);
  const status = await app.host.waitForStatus(id, undefined, { timeoutMs: 60_000 });
  expect(status.runtimeStatus).toBe('Completed');
  expect((status.output as { results: { url: string }[] }).results.map((r) => r.url)).toEqual(targets);
  expect(scheduled(id, 'deleteRunBlobs')).toHaveLength(1);

  expect(await blobNames(`checks/${id}`)).toEqual([`checks/${id}.json`]);
  expect((await readReport(id)).results.map((r) => r.url)).toEqual(targets);
  const view = await app.api.get(`runs/${id}`);
  expect(view.data.report).toMatchObject({ container: 'reports', blob: `checks/${id}.json` });
  const page = await app.api.get(`runs/${id}`, { headers: { accept: 'text/html' } });
  expect(page.data).toContain('7 results');

  // A late duplicate of assembleCheckReport (an at-least-once redelivery after the cleanup) finds a part
  // gone and fails before writing: it cannot replace the report with a shorter one.
  const before = await reports.getBlobClient(`checks/${id}.json`).downloadToBuffer();
  const assembleInput = JSON.parse(scheduled(id, 'assembleCheckReport')[0]!.Input as string) as unknown;
  await expect(app.host.invoke('assembleCheckReport', assembleInput)).rejects.toThrow(/missing/);
  expect(await reports.getBlobClient(`checks/${id}.json`).downloadToBuffer()).toEqual(before);
});

test('a run by reference whose delete keeps failing still completes with its report; the rest is deleted', async () => {
  const id = 'stuck-slice';
  const input = await seedByReference(id, 6);
  // A leased blob cannot be deleted without its lease id (412 LeaseIdMissing): a real storage fault.
  const stuck = sliceBlob(input.targetsRef.prefix, 1);
  const lease = reports.getBlobClient(stuck).getBlobLeaseClient();
  await lease.acquireLease(-1);
  try {
    app.host.startNew('checkSites', input, id);
    const status = await app.host.waitForStatus(id, undefined, { timeoutMs: 60_000 });
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toMatchObject({ name: id, summary: { total: 6, up: 6 } });

    // storageRetry: four attempts, each failed, and the run went on.
    expect(scheduled(id, 'deleteRunBlobs')).toHaveLength(4);
    expect(failed(id)).toHaveLength(4);
    expect(JSON.stringify(failed(id)[0])).toContain('1 of 6 blobs could not be deleted');

    expect(await blobNames(`checks/${id}`)).toEqual([`checks/${id}.json`, stuck]);
    expect((await readReport(id)).results.map((r) => r.url)).toEqual(urls(6, id));
  } finally {
    await lease.releaseLease();
  }
});

test("a run's cleanup does not touch another run whose id starts the same", async () => {
  const other = await seedByReference('shared-2', 4);
  const input = await seedByReference('shared', 6);
  // Blobs of the other run that are neither its slices nor its report, to be sure none is touched.
  await upload(partBlob('shared-2', 0), { results: [] });
  await upload(partBlob('shared2', 0), { results: [] });
  const before = await blobNames('checks/shared-2');
  expect(before).toHaveLength(3);

  app.host.startNew('checkSites', input, 'shared');
  expect((await app.host.waitForStatus('shared', undefined, { timeoutMs: 60_000 })).runtimeStatus).toBe(
    'Completed',
  );
  expect(await blobNames('checks/shared/')).toEqual([]);
  expect(await blobNames('checks/shared-2')).toEqual(before);
  expect(await blobNames('checks/shared2')).toEqual([partBlob('shared2', 0)]);

  // The other run still finds its slices, and its own cleanup leaves the first run's report alone.
  app.host.startNew('checkSites', other, 'shared-2');
  const status = await app.host.waitForStatus('shared-2', undefined, { timeoutMs: 60_000 });
  expect(status.output).toMatchObject({ summary: { total: 4, up: 4 } });
  expect(await blobNames('checks/shared-2')).toEqual(['checks/shared-2.json']);
  expect((await readReport('shared')).results).toHaveLength(6);
});

test('deleteRunBlobs is idempotent: a redelivery finds the blobs gone and succeeds', async () => {
  const id = 'redelivered';
  const { targetsRef } = await seedByReference(id, 4);
  const blobs: IntermediateBlobs = { targetsRef, parts: { prefix: `checks/${id}/part`, count: 2 } };
  for (const i of [0, 1]) await upload(partBlob(id, i), { results: [] });
  expect(await blobNames(`checks/${id}/`)).toHaveLength(4);

  expect(await app.host.invoke('deleteRunBlobs', blobs)).toEqual({ deleted: 4, absent: 0 });
  expect(await blobNames(`checks/${id}/`)).toEqual([]);
  expect(await app.host.invoke('deleteRunBlobs', blobs)).toEqual({ deleted: 0, absent: 4 });
});
