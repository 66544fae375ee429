// `npm run start:testhost -- --app <dir> --port <port> --data <dir>`: serves a Functions app the way
// `func start` would, on the test host: real clock, timers on their schedules, Azurite when storage
// is needed. Prints exactly `listening on http://127.0.0.1:<port>` once ready; SIGTERM/SIGINT stop it
// cleanly. With `--data` the durable store and Azurite's data live in that folder and survive a
// restart or a crash (index.ts StartHostOptions.dataDir); a recovered host says what it owes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startHost, type Host } from './index';
import type { Recovery } from './persist/journal';
import { REPO_ROOT } from './loader';

const USAGE = 'usage: tsx tests/host/cli.ts [--app <dir>] [--port <port>] [--data <dir>]';
const DEFAULT_PORT = 7071;
const STOP_DEADLINE_MS = 20_000;

export interface CliOptions {
  appDir: string;
  port: number;
  /** Absolute; undefined without --data. */
  dataDir?: string;
}

export class CliUsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'CliUsageError';
  }
}

/** Parses argv; a relative --app is taken from the directory npm was started in (INIT_CWD). */
export function parseCliArgs(argv: string[], cwd = process.env.INIT_CWD ?? process.cwd()): CliOptions {
  let values: { app?: string; port?: string; data?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        app: { type: 'string' },
        port: { type: 'string' },
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.help) throw new CliUsageError('tests/host: serve a Functions app locally');
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliUsageError(`--port must be 0-65535, got '${values.port}'`);
  if (values.data === '') throw new CliUsageError('--data needs a folder');
  return {
    appDir: values.app === undefined ? REPO_ROOT : path.resolve(cwd, values.app),
    port,
    ...(values.data !== undefined && { dataDir: path.resolve(cwd, values.data) }),
  };
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }

  // The CLI is plain node even when a jest test spawned it; an inherited JEST_WORKER_ID would make
  // the loader skip its @azure/functions-core resolve hook and the app would register nothing.
  delete process.env.JEST_WORKER_ID;

  let host: Host;
  try {
    host = await startHost({
      appDir: options.appDir,
      port: options.port,
      clock: 'real',
      fireTimers: true,
      dataDir: options.dataDir,
    });
  } catch (error) {
    process.stderr.write(`tests/host could not start ${options.appDir}: ${(error as Error).message}\n`);
    process.exit(1);
  }

  let stopping = false;
  const stop = (reason: string): void => {
    // A group-wide kill can deliver the signal twice (directly and relayed by tsx): stop once.
    if (stopping) return;
    stopping = true;
    watch.stop();
    const deadline = setTimeout(() => {
      process.stderr.write(`tests/host did not stop within ${STOP_DEADLINE_MS} ms (${reason})\n`);
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    host.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`tests/host stop failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // `npx tsx` and `npm run` put sh and tsx between the caller and this process, and sh does not
  // pass SIGTERM on; stop when a launcher above us goes away instead of lingering as an orphan.
  const watch = watchLaunchers(() => stop('launcher exited'));

  if (host.recovery) process.stdout.write(`${recoveryLine(options.dataDir!, host.recovery)}\n`);
  process.stdout.write(`listening on ${host.url}\n`);
}

/** The log line of a host started on a `--data` folder: what it found and what it runs again. */
export function recoveryLine(dataDir: string, r: Recovery): string {
  if (r.instances === 0) return `[tests/host] durable store in ${dataDir}: empty`;
  return (
    `[tests/host] durable store in ${dataDir}: ${r.instances} instances, ${r.open} open; ` +
    `redelivering ${r.activities} activities and ${r.pendingEvents} events, re-arming ${r.timers} timers` +
    (r.tornTail ? '; ignored a torn last line' : '')
  );
}

const LAUNCHER_POLL_MS = 500;

/** Calls `onGone` when our parent or grandparent exits (seen as a changed ppid). */
export function watchLaunchers(onGone: () => void): { stop(): void } {
  const parent = process.ppid;
  const grandparent = parentOf(parent);
  const timer = setInterval(() => {
    if (process.ppid !== parent || (grandparent !== undefined && parentOf(parent) !== grandparent)) onGone();
  }, LAUNCHER_POLL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The parent pid of `pid` from /proc (Linux); undefined elsewhere or when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may contain spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

if (require.main === module) void main();
