// `dataDir` (the CLI's --data): the durable store is a journal on disk that a new host on the same
// folder loads. Crashes with real processes and SIGKILL are in cli-crash.test.ts; these tests cover
// the journal's own rules in one process.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHost, type Host } from './index';
import { Journal, JOURNAL_FILE } from './persist/journal';
import { TrackedMap } from './persist/trackedMap';
import { current, newExecution, type InstanceRecord } from './store';
import { startServer } from './server';
import { FakeDurable, fakeInvoker } from './edgesFakes';
import { loadApp } from './loader';
import { loadSettings } from './settings';

const APP = path.join(__dirname, '..', 'fixtures', 'engine-app');

interface Gate {
  waiting: number[];
  open: boolean;
  release: Array<() => void>;
  wait(n: number): Promise<void>;
}

let dir: string;
const hosts: Host[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sitewatch-store-'));
  const gate: Gate = {
    waiting: [],
    open: true,
    release: [],
    wait(n) {
      if (this.open) return Promise.resolve();
      this.waiting.push(n);
      return new Promise((resolve) => this.release.push(resolve));
    },
  };
  (globalThis as { __engineGate?: Gate }).__engineGate = gate;
});

afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop();
  rmSync(dir, { recursive: true, force: true });
});

const gate = (): Gate => (globalThis as { __engineGate?: Gate }).__engineGate!;

async function host(dataDir = path.join(dir, 'data')): Promise<Host> {
  const h = await startHost({ appDir: APP, storage: 'none', clock: 'real', dataDir });
  hosts.push(h);
  return h;
}

async function stop(h: Host): Promise<void> {
  hosts.splice(hosts.indexOf(h), 1);
  await h.stop();
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

test('a host on the same folder has every instance: finished ones as they were, waiting ones still waiting', async () => {
  const first = await host();
  expect(first.recovery).toMatchObject({ instances: 0, open: 0 });
  const hello = first.startNew('hello');
  const parent = first.startNew('parent');
  await first.waitForStatus(hello);
  await first.waitForStatus(parent);
  const approval = first.startNew('approval');
  await until(() => first.status(approval)?.runtimeStatus === 'Running');
  await first.waitForIdle();
  const before = {
    hello: first.status(hello),
    parent: first.status(parent),
    helloHistory: first.history(hello),
  };
  await stop(first);

  const second = await host();
  // hello, parent with its three children, approval.
  expect(second.recovery).toMatchObject({ instances: 6, open: 1, timers: 1, activities: 0 });
  expect(second.status(hello)).toEqual(before.hello);
  expect(second.status(parent)).toEqual(before.parent);
  expect(second.history(hello)).toEqual(before.helloHistory);
  expect(second.status(approval)?.runtimeStatus).toBe('Running');
  expect(second.durable.raiseEvent(approval, 'approve', 'ann')).toBe('accepted');
  const approved = await second.waitForStatus(approval);
  expect(approved.output).toMatchObject({ approved: true, by: 'ann' });
});

test('activities that had not completed run again on the next host (at least once)', async () => {
  gate().open = false;
  const first = await host();
  const id = first.startNew('gatedFanOut', 4);
  await until(() => gate().waiting.length === 4);
  // Two complete; their results are journaled and must not run again.
  gate()
    .release.splice(0, 2)
    .forEach((release) => release());
  await until(() => first.history(id).filter((e) => e.EventType === 5).length === 2);
  await stop(first);

  gate().waiting = [];
  gate().open = true;
  const second = await host();
  expect(second.recovery).toMatchObject({ open: 1, activities: 2 });
  const done = await second.waitForStatus(id);
  expect(done.output).toEqual([10, 20, 30, 40]);
  expect(second.activityCalls('gated')).toHaveLength(2);
});

test('a retry waiting for its back-off timer carries on in the next host', async () => {
  const first = await host();
  const id = first.startNew('retrying', { key: `store-${Date.now()}`, failTimes: 1, maxAttempts: 3 });
  // The first attempt failed and the SDK waits on the back-off timer (1 s): the retry state was
  // changed in place, and that change must be in the journal.
  await until(() => first.history(id).some((e) => e.EventType === 10));
  await stop(first);

  const second = await host();
  expect(second.recovery).toMatchObject({ open: 1, timers: 1, activities: 0 });
  const done = await second.waitForStatus(id);
  expect(done.output).toBe('ok after 2');
});

test('a torn last line is ignored; damage before the end is refused', async () => {
  const first = await host();
  const id = first.startNew('hello');
  await first.waitForStatus(id);
  await stop(first);
  const file = path.join(dir, 'data', 'durable', JOURNAL_FILE);
  appendFileSync(file, '{"ops":[{"id":"torn","new":true,"f":{"name":"hel');

  const second = await host();
  expect(second.recovery).toMatchObject({ instances: 1, tornTail: true });
  expect(second.status(id)?.runtimeStatus).toBe('Completed');
  await stop(second);

  writeFileSync(file, `{"ops":[{"id":"x","new":tr\n${readFileSync(file, 'utf8')}`);
  await expect(host()).rejects.toThrow(/journal.jsonl line 1 is not valid JSON/);
});

test('a second host on a folder in use is refused', async () => {
  await host();
  await expect(host()).rejects.toThrow(/is in use by another tests\/host/);
});

test('the journal writes deltas and compacts to one line per instance', async () => {
  const journalDir = path.join(dir, 'journal');
  const { journal } = await Journal.open(journalDir, { compactAfterBytes: 10_000 });
  const record = sampleRecord('a');
  journal.store.put(record);
  await journal.settled();
  const file = path.join(journalDir, JOURNAL_FILE);
  const firstLine = readFileSync(file, 'utf8');

  const exec = current(record);
  for (let i = 0; i < 50; i++) exec.activities.set(i, { name: 'act', input: { i, pad: 'x'.repeat(20) } });
  journal.store.changed(record);
  await journal.settled();
  const grown = readFileSync(file, 'utf8').length;
  // One more entry: only it is written, not the 50 already there.
  exec.activities.set(50, { name: 'act', input: { i: 50 } });
  exec.activities.delete(3);
  journal.store.changed(record);
  await journal.settled();
  const delta = readFileSync(file, 'utf8').length - grown;
  expect(delta).toBeLessThan(200);

  // Enough changes to pass compactAfterBytes: the file becomes one line stating the record whole.
  for (let i = 0; i < 200; i++) {
    exec.history.push({ EventType: 5, EventId: -1, IsPlayed: true, Timestamp: 'x', Result: `${i}` });
    journal.store.changed(record);
    await journal.settled();
  }
  const compacted = readFileSync(file, 'utf8');
  expect(compacted.length).toBeGreaterThan(firstLine.length);
  expect(compacted.split('\n').filter(Boolean).length).toBeLessThan(200);
  await journal.close();

  const { journal: reopened, recovery } = await Journal.open(journalDir);
  const again = reopened.store.get('a')!;
  expect(recovery.instances).toBe(1);
  expect(current(again).history).toHaveLength(200);
  expect(current(again).activities).toBeInstanceOf(TrackedMap);
  expect([...current(again).activities.keys()].sort((x, y) => x - y)).toEqual(
    [...exec.activities.keys()].sort((x, y) => x - y),
  );
  expect(current(again).activities.has(3)).toBe(false);
  expect(again.customStatus).toEqual({ map: new Map([[1, 'one']]) });
  await reopened.close();
});

test('durable API answers wait until the journal has them', async () => {
  const appDir = path.join(__dirname, '..', 'fixtures', 'edges-app');
  const registry = loadApp(appDir);
  const settings = loadSettings(appDir);
  let persisted!: () => void;
  const onDisk = new Promise<void>((resolve) => (persisted = resolve));
  const server = await startServer({
    registry,
    settings,
    durable: new FakeDurable(new Set(['helloOrchestrator'])),
    invoker: fakeInvoker(registry, { baseUrl: () => server.url, taskHubName: settings.taskHubName }),
    runTimer: async () => undefined,
    durableReplies: () => onDisk,
  });
  try {
    let answered = false;
    const reply = fetch(`${server.url}/runtime/webhooks/durabletask/orchestrators/helloOrchestrator`, {
      method: 'POST',
    }).then((res) => {
      answered = true;
      return res;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(answered).toBe(false);
    persisted();
    expect((await reply).status).toBe(202);
  } finally {
    await server.close();
  }
});

function sampleRecord(id: string): InstanceRecord {
  return {
    instanceId: id,
    name: 'sample',
    runtimeStatus: 'Running',
    createdAt: 1,
    updatedAt: 1,
    output: undefined,
    customStatus: { map: new Map([[1, 'one']]) },
    executions: [newExecution('e1', '"input"')],
    episodes: 0,
  };
}
