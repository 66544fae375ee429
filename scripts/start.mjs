// `npm start`: Azurite (the storage emulator) on its default ports, then `func start`.
// Without Core Tools, or with `npm start -- --testhost`, the app runs on tests/host instead
// (`--port`, default 7071, and `--data`, default .testhost/, are passed on to it).
// The build has already run (npm's prestart). The children stop when this process does.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function portInUse(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function findFunc() {
  if (existsSync(bin('func'))) return bin('func');
  const probe = spawnSync('func', ['--version'], { stdio: 'ignore' });
  return probe.status === 0 ? 'func' : undefined;
}

const { values: args } = parseArgs({
  options: {
    testhost: { type: 'boolean', default: false },
    port: { type: 'string', default: '7071' },
    data: { type: 'string', default: path.join(root, '.testhost') },
  },
});

const func = args.testhost ? undefined : findFunc();
if (!func) {
  // No Core Tools: serve the same app on the bundled test host, keeping its runs, monitors and
  // history in .testhost/ between restarts (its --data flag).
  const data = path.resolve(args.data);
  const banner = [
    '='.repeat(78),
    args.testhost
      ? ' Starting the app on tests/host (--testhost).'
      : ' Azure Functions Core Tools (`func`) is not installed: starting the app on tests/host instead.',
    ' (azure-functions-core-tools is an optional dependency: 4.14+ needs Node 22, and its installer',
    '  downloads the host from a CDN. Install Core Tools v4 from https://aka.ms/func-install to use it.)',
    ` Data is kept in ${path.relative(root, data) || '.'}/ between restarts. Status page: /api/status`,
    '='.repeat(78),
  ];
  console.log(banner.join('\n'));
  const testHost = spawn(
    bin('tsx'),
    [path.join(root, 'tests', 'host', 'cli.ts'), '--port', args.port, '--data', data],
    { stdio: 'inherit', cwd: root },
  );
  const stopTestHost = () => testHost.kill('SIGTERM');
  process.on('SIGINT', stopTestHost);
  process.on('SIGTERM', stopTestHost);
  testHost.on('exit', (code) => process.exit(code ?? 0));
} else {
  const children = [];
  if (await portInUse(10000)) {
    console.log('Azurite (or another storage emulator) already listens on 10000; using it.');
  } else {
    const azurite = spawn(
      bin('azurite'),
      [
        '--silent',
        '--skipApiVersionCheck',
        // Azurite reports telemetry to Application Insights unless told not to; a local emulator has no business calling out.
        '--disableTelemetry',
        '--location',
        path.join(root, '.azurite'),
        '--blobHost',
        '127.0.0.1',
        '--queueHost',
        '127.0.0.1',
        '--tableHost',
        '127.0.0.1',
      ],
      { stdio: 'inherit' },
    );
    children.push(azurite);
  }

  const host = spawn(func, ['start'], { stdio: 'inherit', cwd: root });
  children.push(host);

  const stop = () => children.forEach((child) => child.kill('SIGTERM'));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  host.on('exit', (code) => {
    stop();
    process.exit(code ?? 0);
  });
}
