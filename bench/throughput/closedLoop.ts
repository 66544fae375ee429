// A closed-loop load driver: `concurrency` workers each send one request, wait for it, send the next,
// until the deadline. Requests in flight at the deadline finish but are not counted, so every driver
// is measured over the same window.

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  /** Unmeasured run first: sockets opened, code paths compiled (default 1 s). */
  warmupMs?: number;
}

export interface ClosedLoopResult {
  requests: number;
  failures: number;
  elapsedMs: number;
  requestsPerSecond: number;
  /** CPU time (user + system) this process spent per good request: robust to other load on the machine. */
  cpuMicrosPerRequest: number;
}

/** `once` resolves true for a good response, false for a bad one; a throw counts as a failure. */
export async function closedLoop(
  once: () => Promise<boolean>,
  options: ClosedLoopOptions,
): Promise<ClosedLoopResult> {
  if (options.warmupMs !== 0) await window(once, options.concurrency, options.warmupMs ?? 1000);
  return window(once, options.concurrency, options.durationMs);
}

async function window(
  once: () => Promise<boolean>,
  concurrency: number,
  durationMs: number,
): Promise<ClosedLoopResult> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  let requests = 0;
  let failures = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      let ok: boolean;
      try {
        ok = await once();
      } catch {
        ok = false;
      }
      if (performance.now() > deadline) break;
      if (ok) requests++;
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedMs = durationMs;
  return {
    requests,
    failures,
    elapsedMs,
    requestsPerSecond: (requests / elapsedMs) * 1000,
    cpuMicrosPerRequest: requests === 0 ? Number.NaN : (cpu.user + cpu.system) / requests,
  };
}
