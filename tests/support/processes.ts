// A child process of a test (the tests/host CLI, `npm start`) with its output collected, and the
// wait for its `listening on <url>` line.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../host/loader';

export interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `command` in the repository, with `env` over `baseEnv` (this process's environment by default). */
export function launch(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  baseEnv: NodeJS.ProcessEnv = process.env,
): Running {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...baseEnv, INIT_CWD: REPO_ROOT, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The URL of the `listening on <url>` line, once the process prints it. */
export async function waitForListening(running: Running): Promise<string> {
  for (let i = 0; i < 1200; i++) {
    const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(running.stdout());
    if (match) return match[1];
    if (running.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `the CLI never said it was listening.\nstdout: ${running.stdout()}\nstderr: ${running.stderr()}`,
  );
}

/**
 * This process's environment without the settings in `appDir`'s local.settings.json: the
 * environment wins over that file (as with Core Tools), and a value another test's host left in this
 * jest worker must not redirect a child host (e.g. to another Azurite).
 */
export function environmentWithoutAppSettings(appDir: string): NodeJS.ProcessEnv {
  const local = JSON.parse(readFileSync(path.join(appDir, 'local.settings.json'), 'utf8')) as {
    Values: Record<string, string>;
  };
  const env = { ...process.env };
  for (const key of Object.keys(local.Values)) delete env[key];
  return env;
}
