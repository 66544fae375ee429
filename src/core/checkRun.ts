import { z } from 'zod';
import { CheckSpec } from './checkSpec';

// How `checkSites` splits work. A partition is the unit that gets its own sub-orchestration (and so
// its own history); a chunk is the unit of progress reporting inside one execution.
// Both are chosen by measurement (`npm run bench`, BENCHMARKS.md "Fan-out scale", N = 10,000):
// 500 is the largest partition that keeps events replayed at their minimum (1,000 replays about a
// third more, 2,500 over twice as many), with orchestrator time per target as low as any size tried;
// smaller partitions only add instances, episodes and storage transactions. Each history stays near
// 1,000 events. The chunk size made no measurable difference (10, 50, 250), so it is set for
// progress granularity: 10 steps per partition.
export const PARTITION_SIZE = 500;
export const PROGRESS_CHUNK_SIZE = 50;

export const PartitionRef = z.object({
  parentId: z.string().min(1),
  index: z.int().min(0),
});
export type PartitionRef = z.infer<typeof PartitionRef>;

/** The input of `checkSites`: validated specs (defaults applied) and, for a sub-orchestration, its partition. */
export const CheckRunInput = z.object({
  name: z.string().optional(),
  targets: z.array(CheckSpec).min(1),
  partition: PartitionRef.optional(),
  /** Also return every result in the output (for a parent run such as an audit that needs them). */
  includeResults: z.boolean().optional(),
  /**
   * Overrides of PARTITION_SIZE / PROGRESS_CHUNK_SIZE for this run. Not reachable from the API (the
   * starters build the input); the benchmark uses them to compare designs on the same code.
   */
  partitionSize: z.int().min(1).optional(),
  progressChunkSize: z.int().min(1).optional(),
});
export type CheckRunInput = z.input<typeof CheckRunInput>;

/**
 * CheckRunInput without looking inside the targets. A run that fans out to partitions reads only
 * this: every partition validates its own slice. Validating all targets in the parent would be
 * repeated on every replay of the parent, whose episodes grow with the number of partitions, so
 * the cost would grow with the square of the request (BENCHMARKS.md, "Fan-out scale").
 */
export const CheckRunEnvelope = CheckRunInput.extend({ targets: z.array(z.unknown()).min(1) });

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('chunk size must be a positive integer');
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

export interface Progress {
  completed: number;
  total: number;
}
