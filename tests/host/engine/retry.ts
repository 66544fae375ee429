// The extension's retry schedule for callActivityWithRetry / callSubOrchestratorWithRetry.
// The extension hands these to DurableTask.Core's RetryInterceptor (ScheduleWithRetry), whose loop is:
//   for (retryCount = 0; retryCount < MaxNumberOfAttempts; retryCount++) {
//     try { return await call(); } catch (e) { last = e; }
//     delay = ComputeNextDelay(retryCount, firstAttempt, last); if (delay == 0) break;
//     await CreateTimer(now + delay);
//   }
//   throw last;
// ComputeNextDelay: if now < firstAttempt + RetryTimeout then min(first * backoff^retryCount, MaxRetryInterval)
// else 0. So every failed attempt, the last one included, is followed by a backoff timer; the JS SDK
// (RetryableTask) relies on that: it surfaces the failure only when the timer after the last attempt fires.
// When the retry timeout has expired DurableTask.Core would throw without a timer, which the JS SDK
// cannot see; the host then fires an immediate timer and fails the remaining attempts without running them.
import { z } from 'zod';

export const retryOptionsSchema = z.looseObject({
  firstRetryIntervalInMilliseconds: z.number().positive(),
  maxNumberOfAttempts: z.number().int(),
  backoffCoefficient: z.number().optional(),
  maxRetryIntervalInMilliseconds: z.number().optional(),
  retryTimeoutInMilliseconds: z.number().optional(),
});
export type RetryOptionsWire = z.infer<typeof retryOptionsSchema>;

export type RetryDecision =
  { retry: true; delayMs: number } | { retry: false; reason: 'timeout' | 'zeroDelay' };

/**
 * The timer delay after attempt `failedAttempt` (1-based) failed at `now`, for an action first
 * scheduled at `firstAttemptAt` (all epoch ms).
 */
export function retryDelay(
  options: RetryOptionsWire,
  failedAttempt: number,
  firstAttemptAt: number,
  now: number,
): RetryDecision {
  const timeout = options.retryTimeoutInMilliseconds;
  if (timeout !== undefined && !(now < firstAttemptAt + timeout)) return { retry: false, reason: 'timeout' };
  const backoff = options.backoffCoefficient ?? 1;
  const raw = options.firstRetryIntervalInMilliseconds * Math.pow(backoff, failedAttempt - 1);
  const max = options.maxRetryIntervalInMilliseconds;
  const delayMs = max !== undefined && !(raw < max) ? max : raw;
  if (delayMs <= 0) return { retry: false, reason: 'zeroDelay' };
  return { retry: true, delayMs: Math.round(delayMs) };
}

/** After the timer that follows a failure: run attempt `attempt` or surface the failure (the SDK's rule). */
export function afterRetryTimer(options: RetryOptionsWire, attempt: number): 'attempt' | 'fail' {
  return attempt > options.maxNumberOfAttempts ? 'fail' : 'attempt';
}

/**
 * The whole schedule when every attempt fails instantly: timer delays in order (one per attempt, the
 * last included). For documentation and tests.
 */
export function retrySchedule(options: RetryOptionsWire, start = 0): number[] {
  const delays: number[] = [];
  let now = start;
  for (let attempt = 1; attempt <= Math.max(1, options.maxNumberOfAttempts); attempt++) {
    const d = retryDelay(options, attempt, start, now);
    const delay = d.retry ? d.delayMs : 0;
    delays.push(delay);
    now += delay;
  }
  return delays;
}
