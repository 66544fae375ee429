// The extension's retry schedule for callActivityWithRetry / callSubOrchestratorWithRetry.
// The extension hands these to DurableTask.Core's RetryInterceptor (ScheduleWithRetry). Its loop,
// as of Azure/durabletask main (src/DurableTask.Core/RetryInterceptor.cs):
//   for (retryCount = 0; retryCount < MaxNumberOfAttempts; retryCount++) {
//     try { return await call(); } catch (e) { last = e; }
//     if (retryCount + 1 == MaxNumberOfAttempts) { await CreateTimer(now); break; }  // "Dummy timer for back-compat"
//     delay = ComputeNextDelay(retryCount, firstAttempt, last); if (delay == 0) break;
//     await CreateTimer(now + delay);
//   }
//   throw last;
// ComputeNextDelay: if now < firstAttempt + RetryTimeout then min(first * backoff^retryCount, MaxRetryInterval)
// else 0. So every failed attempt is followed by a timer, the last one by an immediate one; the JS
// SDK (RetryableTask) relies on that and surfaces the failure only when the timer after the last
// attempt fires. When the retry timeout has expired DurableTask.Core throws without a timer, which
// the JS SDK cannot see: the orchestration never hears of the failure and waits forever
// (azure-functions-durable-js#629). The host reproduces that hang and logs why (retryTasks.ts).
import { z } from 'zod';
import { DEFAULT_MAX_RETRY_INTERVAL_MS } from './limits';

export const retryOptionsSchema = z.looseObject({
  firstRetryIntervalInMilliseconds: z.number().positive(),
  maxNumberOfAttempts: z.number().int(),
  backoffCoefficient: z.number().optional(),
  maxRetryIntervalInMilliseconds: z.number().optional(),
  retryTimeoutInMilliseconds: z.number().optional(),
});
export type RetryOptionsWire = z.infer<typeof retryOptionsSchema>;

export type RetryDecision =
  /** A back-off timer, then the next attempt. */
  | { kind: 'backoff'; delayMs: number }
  /** The immediate timer DurableTask.Core still creates after the last attempt. */
  | { kind: 'last'; delayMs: 0 }
  /** DurableTask.Core stops retrying without a timer (retry timeout passed, or a zero delay). */
  | { kind: 'stop'; reason: 'timeout' | 'zeroDelay' };

/**
 * What follows the failure of attempt `failedAttempt` (1-based) at `now`, for an action first
 * scheduled at `firstAttemptAt` (all epoch ms).
 */
export function retryDelay(
  options: RetryOptionsWire,
  failedAttempt: number,
  firstAttemptAt: number,
  now: number,
): RetryDecision {
  if (failedAttempt >= options.maxNumberOfAttempts) return { kind: 'last', delayMs: 0 };
  const timeout = options.retryTimeoutInMilliseconds;
  if (timeout !== undefined && !(now < firstAttemptAt + timeout)) return { kind: 'stop', reason: 'timeout' };
  const backoff = options.backoffCoefficient ?? 1;
  const raw = options.firstRetryIntervalInMilliseconds * Math.pow(backoff, failedAttempt - 1);
  const max = options.maxRetryIntervalInMilliseconds ?? DEFAULT_MAX_RETRY_INTERVAL_MS;
  const delayMs = !(raw < max) ? max : raw;
  if (!(delayMs > 0)) return { kind: 'stop', reason: 'zeroDelay' };
  return { kind: 'backoff', delayMs: Math.round(delayMs) };
}

/** After the timer that follows a failure: run attempt `attempt` or surface the failure (the SDK's rule). */
export function afterRetryTimer(options: RetryOptionsWire, attempt: number): 'attempt' | 'fail' {
  return attempt > options.maxNumberOfAttempts ? 'fail' : 'attempt';
}

/**
 * The timer delays in order when every attempt fails instantly (one per attempt, the immediate
 * one after the last included). For documentation and tests.
 */
export function retrySchedule(options: RetryOptionsWire, start = 0): number[] {
  const delays: number[] = [];
  let now = start;
  for (let attempt = 1; attempt <= Math.max(1, options.maxNumberOfAttempts); attempt++) {
    const d = retryDelay(options, attempt, start, now);
    const delay = d.kind === 'stop' ? 0 : d.delayMs;
    delays.push(delay);
    now += delay;
    if (d.kind === 'stop') break;
  }
  return delays;
}
