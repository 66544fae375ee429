// `npm start` without Core Tools (here forced with `--testhost`): the app runs on tests/host with
// a banner, its status page answers, and a run made before a restart is still there after it,
// because the data folder (`--data`, .testhost/ by default) outlives the process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './loader';
import { environmentWithoutAppSettings, launch, waitForListening, type Running } from '../support/processes';
import { respond, startServer, type TargetServer } from '../support/servers';

jest.setTimeout(180_000);

let dataDir: string;
let target: TargetServer;
const running: Running[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'sitewatch-npm-start-'));
  target = await startServer({ '/ok': respond.text('ok') });
});

afterAll(async () => {
  for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await target?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function npmStart(): Promise<{ url: string; run: Running }> {
  const run = launch(
    process.execPath,
    ['scripts/start.mjs', '--testhost', '--port', '0', '--data', dataDir],
    {},
    { ...environmentWithoutAppSettings(REPO_ROOT), SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' },
  );
  running.push(run);
  return { url: await waitForListening(run), run };
}

async function stop(run: Running): Promise<void> {
  run.child.kill('SIGTERM');
  await run.exited;
}

/** The run view without its links, which name the port of the process that answered. */
async function runOf(url: string, id: string): Promise<{ runtimeStatus: string; summary: unknown }> {
  const res = await fetch(`${url}/api/runs/${encodeURIComponent(id)}`);
  expect(res.status).toBe(200);
  const { links: _links, ...view } = (await res.json()) as {
    runtimeStatus: string;
    summary: unknown;
    links: unknown;
  };
  return view;
}

test('npm start serves the app on tests/host with a banner, and keeps its runs across a restart', async () => {
  const first = await npmStart();
  expect(first.run.stdout()).toContain('Starting the app on tests/host (--testhost).');
  expect(first.run.stdout()).toContain('between restarts. Status page: /api/status');

  const status = await fetch(`${first.url}/api/status`);
  expect(status.status).toBe(200);
  expect(status.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await status.text()).toContain('<title>');

  const started = await fetch(`${first.url}/api/checks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ targets: [target.url('/ok')] }),
  });
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  let before = await runOf(first.url, id);
  for (let i = 0; i < 600 && before.runtimeStatus !== 'Completed'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    before = await runOf(first.url, id);
  }
  expect(before).toMatchObject({ runtimeStatus: 'Completed', summary: { total: 1, up: 1 } });
  await stop(first.run);

  const second = await npmStart();
  expect(second.run.stdout()).toMatch(/durable store in .*: \d+ instances, 0 open/);
  const after = await runOf(second.url, id);
  expect(after).toEqual(before);
  await stop(second.run);
  expect((await second.run.exited).code).toBe(0);
});
