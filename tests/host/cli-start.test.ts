// The CLI contract: `tsx tests/host/cli.ts --app <dir> --port <port>` prints exactly
// `listening on http://127.0.0.1:<port>`, serves the app, and exits cleanly on SIGTERM.
import { createServer } from 'node:net';
import path from 'node:path';
import { CliUsageError, parseCliArgs } from './cli';
import { REPO_ROOT } from './loader';
import { launch, waitForListening } from '../support/processes';

const TSX_CLI = require.resolve('tsx/cli');
const FIXTURE = path.join('tests', 'fixtures', 'edges-app');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function runToCompletion(apiUrl: string): Promise<Record<string, unknown>> {
  const started = await fetch(`${apiUrl}/start/helloOrchestrator`, {
    method: 'POST',
    body: JSON.stringify('CLI'),
  });
  expect(started.status).toBe(202);
  const { statusQueryGetUri } = (await started.json()) as { statusQueryGetUri: string };
  for (let i = 0; i < 1200; i++) {
    const res = await fetch(statusQueryGetUri);
    const body = (await res.json()) as Record<string, unknown>;
    if (body.runtimeStatus === 'Completed') return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the orchestration never completed');
}

async function refusesConnections(url: string): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(url);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('cli argument parsing', () => {
  it('resolves --app against the directory npm started in and defaults to the repo on 7071', () => {
    expect(parseCliArgs(['--app', 'x/y', '--port', '8080'], '/tmp/base')).toEqual({
      appDir: '/tmp/base/x/y',
      port: 8080,
    });
    expect(parseCliArgs([], '/tmp')).toEqual({ appDir: REPO_ROOT, port: 7071 });
    expect(parseCliArgs(['--app=/abs/app'], '/tmp').appDir).toBe('/abs/app');
    expect(parseCliArgs(['--data', '.testhost'], '/tmp/base').dataDir).toBe('/tmp/base/.testhost');
    expect(parseCliArgs([], '/tmp')).not.toHaveProperty('dataDir');
  });

  it.each([
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--nope']],
    [['extra']],
    [['--help']],
    [['--data', '']],
    [['--data']],
  ])('refuses %j', (argv) => {
    expect(() => parseCliArgs(argv, '/tmp')).toThrow(CliUsageError);
  });
});

describe('cli', () => {
  it('serves a fixture app, runs an orchestration over HTTP, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const running = launch(process.execPath, [
      TSX_CLI,
      'tests/host/cli.ts',
      '--app',
      FIXTURE,
      '--port',
      String(port),
    ]);
    try {
      const url = await waitForListening(running);
      expect(url).toBe(`http://127.0.0.1:${port}`);
      expect(running.stdout()).toBe(`listening on http://127.0.0.1:${port}\n`);
      expect(await runToCompletion(`${url}/api`)).toMatchObject({ output: 'Hello, CLI!', input: 'CLI' });
    } finally {
      running.child.kill('SIGTERM');
    }
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.stderr()).toBe('');
  }, 120_000);

  it('lets the environment win over local.settings.json and prints Core Tools skip line', async () => {
    const port = await freePort();
    const running = launch(
      process.execPath,
      [TSX_CLI, 'tests/host/cli.ts', '--app', FIXTURE, '--port', String(port)],
      { TASKHUB_NAME: 'FromEnvironment' },
    );
    try {
      const url = await waitForListening(running);
      expect(running.stdout()).toBe(
        "Skipping 'TASKHUB_NAME' from local settings as it's already defined in current environment variables.\n" +
          `listening on ${url}\n`,
      );
      const started = await fetch(`${url}/api/start/helloOrchestrator`, { method: 'POST', body: '"env"' });
      const { statusQueryGetUri } = (await started.json()) as { statusQueryGetUri: string };
      expect(new URL(statusQueryGetUri).searchParams.get('taskHub')).toBe('FromEnvironment');
    } finally {
      running.child.kill('SIGTERM');
    }
    expect(await running.exited).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('does not outlive `npx tsx` when only npx gets SIGTERM', async () => {
    const port = await freePort();
    const running = launch('npx', ['tsx', 'tests/host/cli.ts', '--app', FIXTURE, '--port', String(port)]);
    let url: string;
    try {
      url = await waitForListening(running);
      expect((await fetch(`${url}/admin/host/status`)).status).toBe(200);
    } finally {
      running.child.kill('SIGTERM');
    }
    // npm reports the signal (exit 143); what matters is that the server behind it shut down.
    await running.exited;
    expect(await refusesConnections(`${url}/admin/host/status`)).toBe(true);
  }, 120_000);
});
