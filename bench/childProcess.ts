// Runs bench helpers in their own Node processes, always with a deadline so a stuck child cannot
// hold the benchmark: run-to-completion children (cold start) and long-lived ones (the target server).
import { spawn, type ChildProcess } from 'node:child_process';

export class ChildProcessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChildProcessError';
  }
}

export interface RunOptions {
  /** Kill the child after this long (default 60 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface RunResult {
  stdout: string;
  /** Wall time from spawn to exit, measured by the parent. */
  wallMs: number;
}

/** Runs `command args`, resolves with its stdout once it exits 0. */
export function runToCompletion(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new ChildProcessError(
          `${command} ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60_000} ms`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      if (code === 0) resolve({ stdout, wallMs });
      else
        reject(
          new ChildProcessError(`${command} exited with ${code ?? signal}: ${stderr.trim().slice(-2000)}`),
        );
    });
  });
}

/** The last line of `stdout` that parses as JSON. */
export function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as T;
    } catch {
      // not JSON after all; keep looking
    }
  }
  throw new ChildProcessError(`No JSON result in child output: ${stdout.slice(-500)}`);
}

export interface LongLivedChild<T> {
  /** The first JSON line the child printed (e.g. its port). */
  ready: T;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a child that prints one JSON line when ready and runs until stopped. */
export function startLongLived<T>(
  command: string,
  args: readonly string[],
  options: { readyTimeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<LongLivedChild<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    let stderr = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(forced);
      }
    };
    const timer = setTimeout(() => {
      void stop();
      reject(
        new ChildProcessError(
          `${args.join(' ')} was not ready within ${options.readyTimeoutMs ?? 30_000} ms: ${stderr}`,
        ),
      );
    }, options.readyTimeoutMs ?? 30_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const onData = (d: string) => {
      buffer += d;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      clearTimeout(timer);
      try {
        resolve({ ready: JSON.parse(buffer.slice(0, newline)) as T, process: child, stop });
      } catch (err) {
        void stop();
        reject(err);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new ChildProcessError(`${args.join(' ')} exited early (${code}): ${stderr.trim()}`));
    });
  });
}

/** `node --import tsx <file>`: run a TypeScript bench helper in a fresh process. */
export function tsxArgs(file: string, ...args: string[]): string[] {
  return ['--import', 'tsx', file, ...args];
}
