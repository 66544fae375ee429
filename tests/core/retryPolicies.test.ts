// No retry policy may use retryTimeout: on Azure, once it expires DurableTask.Core stops without the
// timer the JS SDK waits for and the orchestration hangs forever (azure-functions-durable-js#629;
// tests/host reproduces it, see tests/host/engine-retry.test.ts). Bound retries by attempts and
// per-attempt timeouts instead.
import fs from 'node:fs';
import path from 'node:path';
import { QUEUE_ALERTS_RETRY } from '../../src/core/alert';
import * as policies from '../../src/orchestrators/retryPolicies';

const SRC = path.join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [full] : [];
  });
}

test('no source file under src/ sets or reads retryTimeoutInMilliseconds', () => {
  const files = sourceFiles(SRC);
  expect(files.length).toBeGreaterThan(10);
  const offenders = files
    .filter((file) => /retryTimeoutInMilliseconds/.test(fs.readFileSync(file, 'utf8')))
    .map((file) => path.relative(SRC, file));
  expect(offenders).toEqual([]);
});

test('every retry policy is bounded by attempts, with no retry timeout', () => {
  const all: Array<[string, Record<string, unknown>]> = [
    ['QUEUE_ALERTS_RETRY', QUEUE_ALERTS_RETRY],
    ...Object.entries(policies).map(
      ([name, p]) => [name, p as unknown as Record<string, unknown>] as [string, Record<string, unknown>],
    ),
  ];
  expect(all.length).toBeGreaterThanOrEqual(3);
  for (const [name, policy] of all) {
    expect([name, policy.retryTimeoutInMilliseconds]).toEqual([name, undefined]);
    expect([name, Number.isInteger(policy.maxNumberOfAttempts)]).toEqual([name, true]);
  }
});
