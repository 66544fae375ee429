import { sliceBlob, sliceCount, type TargetsRef } from '../../core/checkRun';
import type { CheckSpec } from '../../core/checkSpec';
import { settings } from '../../settings';
import { readJson, writeJson } from './blobs';

// Uploads at once: enough to hide a round trip each, few enough not to flood one account's sockets.
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
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < sliceCount(ref); i = next++) {
      const slice = targets.slice(i * sliceSize, (i + 1) * sliceSize);
      await writeJson({ container, blob: sliceBlob(prefix, i) }, slice, { compact: true });
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, sliceCount(ref)) }, worker));
  return ref;
}

/** One slice as written (unvalidated: the partition validates what it checks). */
export async function readTargetSlice(prefix: string, index: number): Promise<unknown> {
  const blob = sliceBlob(prefix, index);
  const slice = await readJson({ container: settings.reportsContainer(), blob });
  if (slice === undefined) throw new Error(`Target slice ${blob} is missing`);
  return slice;
}
