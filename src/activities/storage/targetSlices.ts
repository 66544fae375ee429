import { sliceBlob, sliceCount, type TargetsRef } from '../../core/checkRun';
import type { CheckSpec } from '../../core/checkSpec';
import { settings } from '../../settings';
import { readJson, writeJson } from './blobs';
import { forEachConcurrently } from './forEachConcurrently';

// Uploads at once (see forEachConcurrently).
const UPLOAD_CONCURRENCY = 8;

/**
 * Writes the validated targets of a large request once, as slices of `sliceSize`, and returns the
 * reference the orchestration carries instead of them (see TargetsRef).
 */
export async function writeTargetSlices(
  prefix: string,
  targets: readonly CheckSpec[],
  sliceSize: number,
): Promise<TargetsRef> {
  const ref: TargetsRef = { prefix, total: targets.length, sliceSize };
  const container = settings.reportsContainer();
  await forEachConcurrently(sliceCount(ref), UPLOAD_CONCURRENCY, async (i) => {
    const slice = targets.slice(i * sliceSize, (i + 1) * sliceSize);
    await writeJson({ container, blob: sliceBlob(prefix, i) }, slice, { compact: true });
  });
  return ref;
}

/** One slice as written (unvalidated: the partition validates what it checks). */
export async function readTargetSlice(prefix: string, index: number): Promise<unknown> {
  const blob = sliceBlob(prefix, index);
  const slice = await readJson({ container: settings.reportsContainer(), blob });
  if (slice === undefined) throw new Error(`Target slice ${blob} is missing`);
  return slice;
}
