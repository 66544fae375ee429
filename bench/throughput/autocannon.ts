// autocannon as its own process (node_modules/.bin/autocannon -c C -d s --json): the ceiling a
// purpose-built load generator reaches against the same server.
import path from 'node:path';
import { runToCompletion } from '../childProcess';
import { REPO_ROOT } from '../paths';

interface AutocannonJson {
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

export interface AutocannonResult {
  requestsPerSecond: number;
  requests: number;
  durationMs: number;
  failures: number;
}

export async function runAutocannon(
  url: string,
  concurrency: number,
  seconds: number,
): Promise<AutocannonResult> {
  const bin = path.join(REPO_ROOT, 'node_modules', '.bin', 'autocannon');
  const { stdout } = await runToCompletion(
    bin,
    ['-c', String(concurrency), '-d', String(seconds), '--json', url],
    {
      timeoutMs: (seconds + 30) * 1000,
    },
  );
  const json = JSON.parse(stdout) as AutocannonJson;
  // requests.total over the run's measured duration (seconds) is the mean rate.
  return {
    requestsPerSecond: json.requests.total / json.duration,
    requests: json.requests.total,
    durationMs: json.duration * 1000,
    failures: json.non2xx + json.errors + json.timeouts,
  };
}
