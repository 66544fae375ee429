// checkSites' partitionSize / progressChunkSize inputs, which the benchmark uses to compare designs
// on the same code (the API never sets them). Runs the built app on tests/host; needs `npm run build`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startHost, type Host } from '../host';
import { startServer, type TargetServer } from '../support/servers';

jest.setTimeout(60_000);

let host: Host;
let target: TargetServer;
/** Requests to /held wait here until released. */
const held: ServerResponse[] = [];

beforeAll(async () => {
  target = await startServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/held') held.push(res);
    else res.end('ok');
  });
  host = await startHost({ storage: 'azurite', settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
});

afterAll(async () => {
  for (const res of held.splice(0)) res.end('released');
  await host?.stop();
  await target?.close();
});

const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ url: target.url(`/t${i}`) }));

test('partitionSize splits a run into sub-orchestrations of that size', async () => {
  const id = host.startNew('checkSites', { targets: targets(7), partitionSize: 3 });
  const status = await host.waitForStatus(id);
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toMatchObject({ summary: { total: 7, up: 7 } });
  const parts = [0, 1, 2].map((i) => host.status(`${id}:part-${i}`));
  expect(parts.map((p) => p?.runtimeStatus)).toEqual(['Completed', 'Completed', 'Completed']);
  expect(parts.map((p) => (p?.input as { targets: unknown[] }).targets.length)).toEqual([3, 3, 1]);
  expect(host.status(`${id}:part-3`)).toBeUndefined();
});

test('without partitionSize the same run is one instance (PARTITION_SIZE is larger)', async () => {
  const id = host.startNew('checkSites', { targets: targets(7) });
  expect((await host.waitForStatus(id)).runtimeStatus).toBe('Completed');
  expect(host.status(`${id}:part-0`)).toBeUndefined();
});

/** Progress once the orchestration has seen the three fast checks finish (the fourth is held). */
async function progressAfterFastChecks(id: string): Promise<unknown> {
  const delivered = () => host.history(id).filter((e) => e.EventType === 5).length; // TaskCompleted
  for (let i = 0; i < 1000 && delivered() < 3; i++) await new Promise((r) => setTimeout(r, 10));
  expect(delivered()).toBe(3);
  expect(held).toHaveLength(1);
  return host.status(id)?.customStatus;
}

test('progressChunkSize sets how often progress moves: per check with 1, once per chunk by default', async () => {
  const specs = [...targets(3), { url: target.url('/held') }];

  // One activity per check (checkBatchSize 1), so each fast check completes on its own.
  const perCheck = host.startNew('checkSites', { targets: specs, progressChunkSize: 1, checkBatchSize: 1 });
  expect(await progressAfterFastChecks(perCheck)).toEqual({ completed: 3, total: 4 });
  held.splice(0).forEach((res) => res.end('released'));
  expect((await host.waitForStatus(perCheck)).customStatus).toEqual({ completed: 4, total: 4 });

  const oneChunk = host.startNew('checkSites', { targets: specs, checkBatchSize: 1 });
  expect(await progressAfterFastChecks(oneChunk)).toEqual({ completed: 0, total: 4 });
  held.splice(0).forEach((res) => res.end('released'));
  expect((await host.waitForStatus(oneChunk)).customStatus).toEqual({ completed: 4, total: 4 });
});

test('checkBatchSize sets how many checks share a checkUrls activity (CHECK_BATCH_SIZE by default)', async () => {
  const batches = async (input: Record<string, unknown>) => {
    const id = host.startNew('checkSites', { targets: targets(5), ...input });
    const status = await host.waitForStatus(id);
    expect(status.output).toMatchObject({ summary: { total: 5, up: 5 } });
    const scheduled = host.history(id).filter((e) => e.EventType === 4); // TaskScheduled
    return scheduled
      .filter((e) => e.Name !== 'saveReport')
      .map(
        (e) =>
          `${String(e.Name)}:${(JSON.parse(String(e.Input)) as { specs?: unknown[] }).specs?.length ?? 1}`,
      );
  };
  expect(await batches({})).toEqual(['checkUrls:5']);
  expect(await batches({ checkBatchSize: 2 })).toEqual(['checkUrls:2', 'checkUrls:2', 'checkUrls:1']);
  expect(await batches({ checkBatchSize: 1 })).toEqual(Array(5).fill('checkUrl:1'));
});
