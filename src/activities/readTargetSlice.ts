import * as df from 'durable-functions';
import { z } from 'zod';
import { CheckSpec } from '../core/checkSpec';
import { readTargetSlice } from './storage/targetSlices';

export const ReadTargetSliceInput = z.object({
  prefix: z.string().min(1),
  index: z.int().min(0),
});

/**
 * A partition of a run by reference reads its own slice of the targets (see TargetsRef), validated
 * here, once: the partition's orchestrator takes the specs from its history as they are. Parsing 500
 * specs in the orchestrator was repeated in every one of its episodes (every replay).
 */
df.app.activity('readTargetSlice', {
  handler: async (input: unknown) => {
    const { prefix, index } = ReadTargetSliceInput.parse(input);
    return CheckSpec.array().parse(await readTargetSlice(prefix, index));
  },
});
