// Old runs expire: the daily purgeRuns timer removes finished check runs and audits created more than
// SITEWATCH_RUN_RETENTION_DAYS ago (report and leftover blobs, instances and histories of the run and
// its sub-orchestrations), and leaves alone recent runs, unfinished runs, monitors and other runs' blobs.
// Instances are created on the host's virtual clock, started 40 days before the real now (which the
// timer reads); the clock then moves 35 days forward for the recent runs.
import type { ServerResponse } from 'node:http';
import { InvocationContext } from '@azure/functions';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import * as df from 'durable-functions';
import { purgeExpiredRuns } from '../../src/activities/storage/runRetention';
import { MAX_TIMEOUT_MS } from '../../src/core/checkSpec';
import { partBlob, sliceBlob, targetsPrefix, type CheckRunByRef } from '../../src/core/checkRun';
import { durableClientBinding } from '../host/api/clientBinding';
import { startAppHost, type AppHost } from '../support/appHost';
import { respond, startServer, type TargetServer } from '../support/servers';

jest.setTimeout(180_000);

const DAY = 86_400_000;
const RETENTION_DAYS = 30;

let app: AppHost;
let target: TargetServer;
let reports: ContainerClient;
const held: ServerResponse[] = [];
let holding = true;

function release(): void {
  holding = false;
  for (const res of held.splice(0)) respond.text('released')(undefined as never, res);
}

beforeAll(async () => {
  target = await startServer({
    '/ok': respond.text('all good'),
    '/page': respond.text('<a href="/ok?a">a</a> <a href="/ok?b">b</a>', 200, {
      'content-type': 'text/html; charset=utf-8',
    }),
    // Answers only once the test releases it: a run that is still checking.
    '/hold': (req, res) => (holding ? held.push(res) : respond.text('late')(req, res)),
  });
  app = await startAppHost({
    startTime: new Date(Date.now() - 40 * DAY),
    settings: {
      SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true',
      // Monitors write no history: this test is about runs.
      SITEWATCH_HISTORY_DAYS: '0',
      SITEWATCH_RUN_RETENTION_DAYS: String(RETENTION_DAYS),
    },
  });
  reports = BlobServiceClient.fromConnectionString(app.host.storageConnectionString!).getContainerClient(
    'reports',
  );
  await reports.createIfNotExists();
});

afterAll(async () => {
  release();
  await app?.stop();
  await target?.close();
});

const blobNames = async (prefix = '') => {
  const names: string[] = [];
  for await (const blob of reports.listBlobsFlat({ prefix })) names.push(blob.name);
  return names.sort();
};

const upload = async (blob: string, value: unknown) => {
  const body = JSON.stringify(value);
  await reports.getBlockBlobClient(blob).upload(body, Buffer.byteLength(body));
};

const instanceIds = () =>
  app.host.durable
    .listStatus({})
    .items.map((s) => s.instanceId)
    .sort();

/** Writes the slices of a run by reference as the starter does (2 targets a slice). */
async function seedByReference(id: string, paths: string[]): Promise<CheckRunByRef> {
  const sliceSize = 2;
  const prefix = targetsPrefix(id);
  // The longest timeout a check may have: a held target keeps its run unfinished that long.
  const specs = paths.map((path, i) => ({
    url: target.url(`${path}?${id}=${i}`),
    timeoutMs: MAX_TIMEOUT_MS,
  }));
  for (let i = 0; i * sliceSize < specs.length; i++)
    await upload(sliceBlob(prefix, i), specs.slice(i * sliceSize, (i + 1) * sliceSize));
  return { name: id, targetsRef: { prefix, total: specs.length, sliceSize } };
}

const finished = async (id: string, status = 'Completed') =>
  expect((await app.host.waitForStatus(id, undefined, { timeoutMs: 60_000 })).runtimeStatus).toBe(status);

test('old finished runs and audits expire; recent and unfinished runs, monitors and other runs stay', async () => {
  // --- 40 days ago ---
  // A run that has not finished: partition 0 completes, partition 1 is still checking when the run
  // is suspended, so it stays unfinished (Suspended) with finished, old sub-orchestrations.
  app.host.startNew(
    'checkSites',
    await seedByReference('unfinished', ['/ok', '/ok', '/hold', '/hold']),
    'unfinished',
  );
  await finished('unfinished:part-0');
  app.host.durable.suspend('unfinished');
  await app.host.waitForStatus('unfinished', ['Suspended']);
  release();
  await finished('unfinished:part-1');
  // A check run with its targets inline, in 3 partitions; a leftover part blob it never deleted.
  const inline = Array.from({ length: 7 }, (_, i) => ({ url: target.url(`/ok?shared=${i}`) }));
  app.host.startNew('checkSites', { targets: inline, partitionSize: 3 }, 'shared');
  // A run by reference: a tree of sub-orchestrations (fan-out 2 over 3 slices).
  app.host.startNew(
    'checkSites',
    { ...(await seedByReference('byref', Array(6).fill('/ok'))), fanOut: 2 },
    'byref',
  );
  // An audit, with its link check as the sub-orchestration `<id>:links`.
  app.host.startNew('auditSite', { url: target.url('/page') }, 'audit');
  // A run that fails: one slice is missing, so its other partitions' slices and parts stay behind.
  const failing = await seedByReference('failed', Array(6).fill('/ok'));
  await reports.deleteBlob(sliceBlob(failing.targetsRef.prefix, 1));
  app.host.startNew('checkSites', failing, 'failed');

  await finished('shared');
  await finished('byref');
  await finished('audit');
  await finished('failed', 'Failed');
  await upload(partBlob('shared', 9), { results: [] });
  await upload('checks/audit:links/part-0.json', { results: [] });

  // Monitors, created just as old: one running, one stopped (Completed, readable through the API).
  app.host.clock.autoSkip = false;
  const monitor = {
    target: { url: target.url('/ok?monitor') },
    intervalSeconds: 86_400,
    failureThreshold: 1,
    recoveryThreshold: 1,
    realertMinutes: 0,
  };
  expect((await app.api.put('monitors/kept', monitor)).status).toBe(201);
  expect((await app.api.put('monitors/stopped', monitor)).status).toBe(201);
  await app.host.waitForIdle();
  expect((await app.api.delete('monitors/stopped')).status).toBe(202);
  await finished('monitor:stopped');

  // --- 5 days ago ---
  await app.host.clock.advance(35 * DAY);
  // A recent run whose id starts like the old one's, with a leftover of its own.
  app.host.startNew('checkSites', { targets: [{ url: target.url('/ok?recent') }] }, 'shared-2');
  await finished('shared-2');
  await upload(partBlob('shared-2', 5), { results: [] });

  const old = {
    shared: ['shared', 'shared:part-0', 'shared:part-1', 'shared:part-2'],
    byref: ['byref', 'byref:part-0', 'byref:part-1', 'byref:part-2', 'byref:parts-0-1'],
    audit: ['audit', 'audit:links'],
    failed: ['failed', 'failed:part-0', 'failed:part-1', 'failed:part-2'],
  };
  const kept = [
    'monitor:kept',
    'monitor:stopped',
    'shared-2',
    'unfinished',
    'unfinished:part-0',
    'unfinished:part-1',
  ];
  const everyId = [...Object.values(old).flat(), ...kept].sort();
  expect(instanceIds()).toEqual(everyId);
  const everyBlob = await blobNames();
  expect(everyBlob).toEqual(
    [
      'audits/audit.json',
      'checks/audit:links.json',
      'checks/audit:links/part-0.json',
      'checks/byref.json',
      'checks/failed/part-0.json',
      'checks/failed/part-2.json',
      'checks/failed/targets/slice-0.json',
      'checks/failed/targets/slice-2.json',
      'checks/shared-2.json',
      'checks/shared-2/part-5.json',
      'checks/shared.json',
      'checks/shared/part-9.json',
      'checks/unfinished/part-0.json',
      'checks/unfinished/part-1.json',
      'checks/unfinished/targets/slice-0.json',
      'checks/unfinished/targets/slice-1.json',
    ].sort(),
  );

  // 0 keeps everything.
  process.env.SITEWATCH_RUN_RETENTION_DAYS = '0';
  await app.host.runTimer('purgeRuns');
  expect(instanceIds()).toEqual(everyId);
  expect(await blobNames()).toEqual(everyBlob);
  process.env.SITEWATCH_RUN_RETENTION_DAYS = String(RETENTION_DAYS);

  await app.host.runTimer('purgeRuns');
  expect(instanceIds()).toEqual(kept);
  for (const id of Object.values(old).flat()) expect(app.host.status(id)).toBeUndefined();
  const left = [
    'checks/shared-2.json',
    'checks/shared-2/part-5.json',
    'checks/unfinished/part-0.json',
    'checks/unfinished/part-1.json',
    'checks/unfinished/targets/slice-0.json',
    'checks/unfinished/targets/slice-1.json',
  ];
  expect(await blobNames()).toEqual(left);
  // The stopped monitor is still there for the monitors API.
  expect((await app.api.get('monitors/stopped')).data).toMatchObject({ runtimeStatus: 'Completed' });

  // A second purge finds nothing more to do.
  await app.host.runTimer('purgeRuns');
  expect(instanceIds()).toEqual(kept);
  expect(await blobNames()).toEqual(left);

  // Once the unfinished run finishes, it is old and finished: the next purge takes it and its children.
  app.host.durable.resume('unfinished');
  await finished('unfinished');
  await app.host.runTimer('purgeRuns');
  expect(instanceIds()).toEqual(['monitor:kept', 'monitor:stopped', 'shared-2']);
  expect(await blobNames()).toEqual(['checks/shared-2.json', 'checks/shared-2/part-5.json']);
  expect((await app.api.get('monitors/kept')).data).toMatchObject({ runtimeStatus: 'Running' });
});

test('a run whose blob cannot be deleted keeps its instance for the next purge; an interrupted purge is finished', async () => {
  // Runs of 5 days ago, expired under a retention of 1 day.
  app.host.startNew('checkSites', { targets: [{ url: target.url('/ok?leased') }] }, 'leased');
  await finished('leased');
  const targets = [1, 2, 3].map((i) => ({ url: target.url(`/ok?interrupted=${i}`) }));
  app.host.startNew('checkSites', { targets, partitionSize: 2 }, 'interrupted');
  await finished('interrupted');
  // An earlier purge that stopped after the blobs and one sub-orchestration (a crash, a timeout).
  await reports.deleteBlob('checks/interrupted.json');
  expect(app.host.durable.purge('interrupted:part-0')).toBe(1);
  // A leased blob cannot be deleted without its lease id (412 LeaseIdMissing): a real storage fault.
  const stuck = partBlob('leased', 0);
  await upload(stuck, { results: [] });
  const lease = reports.getBlobClient(stuck).getBlobLeaseClient();
  await lease.acquireLease(-1);

  process.env.SITEWATCH_RUN_RETENTION_DAYS = '1';
  try {
    await expect(app.host.runTimer('purgeRuns')).rejects.toThrow(/1 expired runs could not be removed/);
    // Its instance stays, so the next purge finds the run again; the other runs went all the same.
    expect(instanceIds()).toEqual(['leased', 'monitor:kept', 'monitor:stopped']);
    expect(await blobNames()).toEqual([stuck]);

    await lease.releaseLease();
    await app.host.runTimer('purgeRuns');
    expect(instanceIds()).toEqual(['monitor:kept', 'monitor:stopped']);
    expect(await blobNames()).toEqual([]);
  } finally {
    process.env.SITEWATCH_RUN_RETENTION_DAYS = String(RETENTION_DAYS);
  }
});

test('one purge removes at most its cap of instances and starts no run after its deadline; the next carries on', async () => {
  // The client a df.app.client function gets, to call the purge with a cap and a deadline of our own.
  const input = df.input.durableClient();
  const context = new InvocationContext({ options: { extraInputs: [input] } });
  context.extraInputs.set(
    input,
    durableClientBinding({ baseUrl: app.host.url, taskHubName: app.host.settings.taskHubName }),
  );
  const client = df.getClient(context);
  for (const id of ['capped-1', 'capped-2']) {
    app.host.startNew('checkSites', { targets: [{ url: target.url(`/ok?${id}`) }] }, id);
    await finished(id);
  }
  const before = new Date(app.host.clock.now() + 1);
  const runs = () => instanceIds().filter((id) => id.startsWith('capped-'));

  const late = await purgeExpiredRuns(client, { before, maxPurges: 10, deadline: 0 });
  expect(late).toMatchObject({ runs: 0, instances: 0, deferred: 2 });
  expect(runs()).toEqual(['capped-1', 'capped-2']);

  const capped = await purgeExpiredRuns(client, { before, maxPurges: 1, deadline: Infinity });
  expect(capped).toMatchObject({ runs: 1, instances: 1, blobs: 1, deferred: 0 });
  expect(runs()).toHaveLength(1);

  const rest = await purgeExpiredRuns(client, { before, maxPurges: 1, deadline: Infinity });
  expect(rest).toMatchObject({ runs: 1, instances: 1, blobs: 1 });
  expect(runs()).toEqual([]);
  expect(await blobNames()).toEqual([]);
  expect(instanceIds()).toEqual(['monitor:kept', 'monitor:stopped']);
});
