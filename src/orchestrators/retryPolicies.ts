import * as df from 'durable-functions';

function retry(options: {
  firstMs: number;
  attempts: number;
  backoff: number;
  maxMs: number;
}): df.RetryOptions {
  const policy = new df.RetryOptions(options.firstMs, options.attempts);
  policy.backoffCoefficient = options.backoff;
  policy.maxRetryIntervalInMilliseconds = options.maxMs;
  return policy;
}

/**
 * checkUrl reports a down target as a result; it only throws when our own side failed (a worker
 * fault, a storage hiccup), which is worth a few quick retries before the run fails.
 */
export const checkUrlRetry = retry({ firstMs: 1_000, attempts: 3, backoff: 2, maxMs: 10_000 });

/** Blob writes: transient storage errors. */
export const storageRetry = retry({ firstMs: 2_000, attempts: 4, backoff: 2, maxMs: 30_000 });
