// Real Azurite as a child process on free loopback ports. Port 0 lets the OS pick the ports, and
// Azurite prints the ones it got, so there is no race between "find a free port" and "listen".
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Azurite's well-known development account (documented, not a secret).
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface AzuriteOptions {
  /** Workspace folder; a temporary one (deleted on stop) when omitted. */
  location?: string;
  /** Write Azurite's pid here while it runs (persist/dataDir.ts stops it if this host crashes). */
  pidFile?: string;
}

export interface Azurite {
  connectionString: string;
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  stop(): Promise<void>;
}

export class AzuriteStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AzuriteStartError';
  }
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const ownsLocation = options.location === undefined;
  const location = options.location ?? mkdtempSync(join(tmpdir(), 'sitewatch-azurite-'));
  const entry = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  const child = spawn(
    process.execPath,
    [
      ...['--require', join(__dirname, 'azuriteStdio.cjs')],
      entry,
      ...['--blobHost', '127.0.0.1', '--blobPort', '0'],
      ...['--queueHost', '127.0.0.1', '--queuePort', '0'],
      ...['--tableHost', '127.0.0.1', '--tablePort', '0'],
      ...['--location', location],
      '--silent',
      '--skipApiVersionCheck',
      '--loose',
      '--disableProductStyleUrl',
      '--disableTelemetry',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // If the test process dies without calling stop(), do not leave Azurite behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  if (options.pidFile && child.pid !== undefined) writeFileSync(options.pidFile, `${child.pid}\n`);
  const cleanup = (): void => {
    process.removeListener('exit', killOnExit);
    if (options.pidFile) rmSync(options.pidFile, { force: true });
    if (ownsLocation) rmSync(location, { recursive: true, force: true });
  };

  let ports: Record<'Blob' | 'Queue' | 'Table', number>;
  try {
    ports = await waitForPorts(child);
  } catch (error) {
    await stopChild(child);
    cleanup();
    throw error;
  }

  const blobEndpoint = `http://127.0.0.1:${ports.Blob}/${ACCOUNT}`;
  const queueEndpoint = `http://127.0.0.1:${ports.Queue}/${ACCOUNT}`;
  const tableEndpoint = `http://127.0.0.1:${ports.Table}/${ACCOUNT}`;
  let stopping: Promise<void> | undefined;
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
      `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`,
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    stop: () => {
      stopping ??= stopChild(child).finally(cleanup);
      return stopping;
    },
  };
}

function waitForPorts(child: ChildProcess): Promise<Record<'Blob' | 'Queue' | 'Table', number>> {
  return new Promise((resolve, reject) => {
    const ports: Partial<Record<'Blob' | 'Queue' | 'Table', number>> = {};
    let output = '';
    let stderr = '';
    let settled = false;
    const done = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.removeListener('data', onData);
      child.removeListener('exit', onExit);
      // Keep draining so a chatty Azurite never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error) reject(error);
      else resolve(ports as Record<'Blob' | 'Queue' | 'Table', number>);
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      for (const match of output.matchAll(
        /Azurite (Blob|Queue|Table) service is successfully listening at \S+:(\d+)/g,
      )) {
        ports[match[1] as 'Blob' | 'Queue' | 'Table'] = Number(match[2]);
      }
      if (ports.Blob && ports.Queue && ports.Table) done();
    };
    const onExit = (code: number | null, signal: string | null): void => {
      done(
        new AzuriteStartError(
          `Azurite exited before it was ready (code ${code}, signal ${signal}):\n${output}${stderr}`,
        ),
      );
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) =>
      done(new AzuriteStartError(`Azurite could not be started: ${error.message}`)),
    );
    const timer = setTimeout(
      () =>
        done(
          new AzuriteStartError(`Azurite was not ready after ${READY_TIMEOUT_MS} ms:\n${output}${stderr}`),
        ),
      READY_TIMEOUT_MS,
    );
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
