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
/**
 * Checks per activity (`checkUrls`). Queue messages were 95% of what a check cost in storage, two per
 * check (the work item and its result), and two history rows and two DTS actions went with them
 * (BENCHMARKS.md, "Cost of a check"): a batch of 10 pays them once for ten checks. The checks of a
 * batch run at once, so a worker at maxConcurrentActivityFunctions (32) has up to 320 checks in flight.
 * Larger batches save little more (the cost is then in blobs and episodes) and make one slow target
 * hold up more results. It divides PROGRESS_CHUNK_SIZE, so a progress step is whole batches.
 */
export const CHECK_BATCH_SIZE = 10;
/** The most checks one `checkUrls` activity accepts (an override of CHECK_BATCH_SIZE may go this far). */
export const MAX_CHECK_BATCH_SIZE = 50;
/**
 * Children per node of a run whose targets are in blob storage (a tree of sub-orchestrations, see
 * `childRanges`): a node's history holds at most this many sub-orchestrations, whatever N is, so the
 * parent's history and replays stay flat in N (BENCHMARKS.md, "Fan-out scale").
 */
export const FAN_OUT = 20;

export const PartitionRef = z.object({
  parentId: z.string().min(1),
  index: z.int().min(0),
});
export type PartitionRef = z.infer<typeof PartitionRef>;

/**
 * Where the targets of a large request are: the starter wrote them once as JSON arrays of
 * `sliceSize` validated specs, `<prefix>/slice-<i>.json` in the reports container; the last slice
 * may be shorter. The orchestration input carries only this reference, so its size does not depend on N.
 */
export const TargetsRef = z.object({
  prefix: z.string().min(1).max(900),
  total: z.int().min(1),
  sliceSize: z.int().min(1),
});
export type TargetsRef = z.infer<typeof TargetsRef>;

/** Slices [first, first + count) of a TargetsRef. */
export const SliceRange = z.object({ first: z.int().min(0), count: z.int().min(1) });
export type SliceRange = z.infer<typeof SliceRange>;

/** The input of a run by reference; `range` and `rootId` are set for the sub-orchestrations below the root. */
export const CheckRunByRef = z.object({
  name: z.string().optional(),
  targetsRef: TargetsRef,
  range: SliceRange.optional(),
  rootId: z.string().min(1).optional(),
  progressChunkSize: z.int().min(1).optional(),
  checkBatchSize: z.int().min(1).max(MAX_CHECK_BATCH_SIZE).optional(),
  /** Override of FAN_OUT, like partitionSize in CheckRunInput: tests and the benchmark only. */
  fanOut: z.int().min(2).optional(),
});
export type CheckRunByRef = z.infer<typeof CheckRunByRef>;

/** Where the starter writes the targets of a large request (see TargetsRef). */
export const targetsPrefix = (instanceId: string) => `checks/${instanceId}/targets`;

export const sliceCount = (ref: TargetsRef) => Math.ceil(ref.total / ref.sliceSize);
export const sliceBlob = (prefix: string, index: number) => `${prefix}/slice-${index}.json`;

/** Where the partitions of run `runId` write their results: `checks/<runId>/part-<i>.json`. */
export const partBlobPrefix = (runId: string) => `checks/${runId}/part`;
export const partBlob = (runId: string, index: number) => `${partBlobPrefix(runId)}-${index}.json`;

/**
 * The part blobs of a run: their names (an inline partitioned run, whose parent knows them), or
 * `<prefix>-<i>.json` for i in [0, count) (a run by reference, whose root must not carry N/500 names).
 */
export const PartBlobs = z.union([
  z.array(z.string().min(1)).min(1),
  z.object({ prefix: z.string().min(1), count: z.int().min(1) }),
]);
export type PartBlobs = z.infer<typeof PartBlobs>;

export const partBlobNames = (parts: PartBlobs): string[] =>
  Array.isArray(parts) ? parts : Array.from({ length: parts.count }, (_, i) => `${parts.prefix}-${i}.json`);

/**
 * The blobs a run writes only to get its report written: its target slices (a run by reference) and
 * its part blobs. Once the report is assembled nothing reads them again.
 */
export const IntermediateBlobs = z.object({ targetsRef: TargetsRef.optional(), parts: PartBlobs });
export type IntermediateBlobs = z.infer<typeof IntermediateBlobs>;

/** Every intermediate blob by name, computed (never listed): nothing outside these names is touched. */
export function intermediateBlobNames({ targetsRef, parts }: IntermediateBlobs): string[] {
  const slices = targetsRef
    ? Array.from({ length: sliceCount(targetsRef) }, (_, i) => sliceBlob(targetsRef.prefix, i))
    : [];
  return [...slices, ...partBlobNames(parts)];
}

/** How many targets the slices of `range` hold. */
export function targetsIn(ref: TargetsRef, range: SliceRange): number {
  const start = range.first * ref.sliceSize;
  return Math.max(0, Math.min(ref.total, (range.first + range.count) * ref.sliceSize) - start);
}

/**
 * Splits a range of slices into at most `fanOut` contiguous children, as even as possible (sizes differ
 * by at most one, larger first). A child of one slice is a partition that checks it; a larger child
 * splits again. Depth is log_fanOut(slices): 2 levels below the root up to 400 slices (200,000 targets).
 */
export function childRanges(range: SliceRange, fanOut: number): SliceRange[] {
  if (!Number.isInteger(fanOut) || fanOut < 2) throw new RangeError('fanOut must be an integer >= 2');
  const children = Math.min(fanOut, range.count);
  const base = Math.floor(range.count / children);
  const larger = range.count % children;
  const ranges: SliceRange[] = [];
  let first = range.first;
  for (let i = 0; i < children; i++) {
    const count = base + (i < larger ? 1 : 0);
    ranges.push({ first, count });
    first += count;
  }
  return ranges;
}

/**
 * Instance id of a node below the root of a run by reference: `<root>:part-<i>` for the partition
 * that checks slice i (as in an inline run, whose part blobs have the same names), `<root>:parts-<a>-<b>`
 * for a node over slices a..b.
 */
export const nodeInstanceId = (rootId: string, range: SliceRange) =>
  range.count === 1
    ? `${rootId}:part-${range.first}`
    : `${rootId}:parts-${range.first}-${range.first + range.count - 1}`;

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
  /** Override of CHECK_BATCH_SIZE; 1 is one `checkUrl` activity per target (the design before batches). */
  checkBatchSize: z.int().min(1).max(MAX_CHECK_BATCH_SIZE).optional(),
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
