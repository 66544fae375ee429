// retry.ts as pure functions: DurableTask.Core's RetryInterceptor schedule.
import { afterRetryTimer, retryDelay, retrySchedule } from './engine/retry';

test('back-off doubles with coefficient 2; the last attempt is followed by an immediate timer', () => {
  expect(
    retrySchedule({ firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 4, backoffCoefficient: 2 }),
  ).toEqual([1000, 2000, 4000, 0]);
  expect(retryDelay({ firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 1 }, 1, 0, 0)).toEqual({
    kind: 'last',
    delayMs: 0,
  });
});

test('coefficient defaults to 1 and maxRetryInterval caps each delay', () => {
  expect(retrySchedule({ firstRetryIntervalInMilliseconds: 500, maxNumberOfAttempts: 3 })).toEqual([
    500, 500, 0,
  ]);
  expect(
    retrySchedule({
      firstRetryIntervalInMilliseconds: 1000,
      maxNumberOfAttempts: 5,
      backoffCoefficient: 3,
      maxRetryIntervalInMilliseconds: 5000,
    }),
  ).toEqual([1000, 3000, 5000, 5000, 0]);
});

test('the retry timeout is measured from the first attempt and stops retrying once reached', () => {
  const options = {
    firstRetryIntervalInMilliseconds: 1000,
    maxNumberOfAttempts: 5,
    retryTimeoutInMilliseconds: 1500,
  };
  expect(retryDelay(options, 1, 0, 0)).toEqual({ kind: 'backoff', delayMs: 1000 });
  expect(retryDelay(options, 2, 0, 1499)).toEqual({ kind: 'backoff', delayMs: 1000 });
  expect(retryDelay(options, 3, 0, 1500)).toEqual({ kind: 'stop', reason: 'timeout' });
  // The last attempt is checked first: its timer is immediate even after the timeout.
  expect(retryDelay(options, 5, 0, 99_999)).toEqual({ kind: 'last', delayMs: 0 });
});

test('a zero delay stops retrying, as DurableTask.Core does', () => {
  const options = {
    firstRetryIntervalInMilliseconds: 1000,
    maxNumberOfAttempts: 3,
    maxRetryIntervalInMilliseconds: 0,
  };
  expect(retryDelay(options, 1, 0, 0)).toEqual({ kind: 'stop', reason: 'zeroDelay' });
});

test('after the timer the next attempt runs until attempts are used up (the SDK counts from 1)', () => {
  const options = { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3 };
  expect(afterRetryTimer(options, 2)).toBe('attempt');
  expect(afterRetryTimer(options, 3)).toBe('attempt');
  expect(afterRetryTimer(options, 4)).toBe('fail');
});
