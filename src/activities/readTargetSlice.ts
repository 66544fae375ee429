import * as df from 'durable-functions';
import { z } from 'zod';
import { readTargetSlice } from './storage/targetSlices';

export const ReadTargetSliceInput = z.object({
  prefix: z.string().min(1),
  index: z.int().min(0),
});

/** A partition of a run by reference reads its own slice of the targets (see TargetsRef). */
df.app.activity('readTargetSlice', {
  handler: (input: unknown) => {
    const { prefix, index } = ReadTargetSliceInput.parse(input);
    return readTargetSlice(prefix, index);
  },
});
