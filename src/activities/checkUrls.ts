import * as df from 'durable-functions';
import { z } from 'zod';
import { MAX_CHECK_BATCH_SIZE } from '../core/checkRun';
import type { CheckResult } from '../core/checkSpec';
import { checkUrlActivity } from './checkUrl';

export const CheckUrlsInput = z.object({ specs: z.array(z.unknown()).min(1).max(MAX_CHECK_BATCH_SIZE) });

/**
 * A batch of checks in one activity, all at once; results in input order. One activity per target
 * cost two queue messages, two history rows and two Durable Task Scheduler actions per check, most of
 * what a check costs in storage (BENCHMARKS.md, "Cost of a check"); a batch pays them once.
 * Each spec is validated on its own, so one invalid spec is one INVALID result, as with checkUrl.
 */
export async function checkUrls(input: unknown): Promise<CheckResult[]> {
  const { specs } = CheckUrlsInput.parse(input);
  return Promise.all(specs.map((spec) => checkUrlActivity(spec)));
}

df.app.activity('checkUrls', { handler: checkUrls });
