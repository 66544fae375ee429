// The layout of `--data <dir>`: the durable store's journal under durable/, Azurite's workspace
// under azurite/, and two pid files. A host killed with SIGKILL leaves its Azurite running (nothing
// of the host runs to stop it); the next host on the same dir stops that Azurite with SIGTERM, so
// it saves its databases (LokiJS otherwise saves only every few seconds), before starting its own.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DataDir {
  root: string;
  journalDir: string;
  azuriteLocation: string;
  azuritePidFile: string;
  release(): void;
}

export class DataDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirError';
  }
}

const ORPHAN_STOP_MS = 15_000;
/** Folders claimed by hosts in this process (tests start several). */
const claimed = new Set<string>();

/** Creates `root` if missing, makes sure no live host uses it, and stops a crashed host's Azurite. */
export async function claimDataDir(root: string): Promise<DataDir> {
  mkdirSync(root, { recursive: true });
  const hostPidFile = path.join(root, 'host.pid');
  const owner = readPid(hostPidFile);
  if (claimed.has(root) || (owner !== undefined && owner !== process.pid && isAlive(owner, 'node'))) {
    throw new DataDirError(
      `${root} is in use by another tests/host (pid ${owner ?? process.pid}); ` +
        `if that process is not a tests/host, delete ${hostPidFile}`,
    );
  }
  claimed.add(root);
  writeFileSync(hostPidFile, `${process.pid}\n`);
  const azuritePidFile = path.join(root, 'azurite.pid');
  const orphan = readPid(azuritePidFile);
  if (orphan !== undefined && isAlive(orphan, 'azurite')) await stopOrphan(orphan);
  rmSync(azuritePidFile, { force: true });
  return {
    root,
    journalDir: path.join(root, 'durable'),
    azuriteLocation: path.join(root, 'azurite'),
    azuritePidFile,
    release: () => {
      claimed.delete(root);
      if (readPid(hostPidFile) === process.pid) rmSync(hostPidFile, { force: true });
    },
  };
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive, not a zombie, and its command line mentions `what` (a pid can be reused). */
function isAlive(pid: number, what: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(what);
  } catch {
    // No /proc (not Linux): fall back to signal 0, without the command-line check.
    try {
      process.kill(pid, 0);
      return process.platform !== 'linux';
    } catch {
      return false;
    }
  }
}

async function stopOrphan(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + ORPHAN_STOP_MS;
  while (isAlive(pid, 'azurite')) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
