import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { z } from 'zod';
import {
  CheckRunByRef,
  CheckRunEnvelope,
  CHECK_BATCH_SIZE,
  CheckRunInput,
  childRanges,
  chunk,
  FAN_OUT,
  type IntermediateBlobs,
  nodeInstanceId,
  partBlob,
  partBlobPrefix,
  PARTITION_SIZE,
  PROGRESS_CHUNK_SIZE,
  sliceCount,
  targetsIn,
  type Progress,
} from '../core/checkRun';
import { CheckSpec, type CheckResult } from '../core/checkSpec';
import { mergeSummaryParts, summarizePart, type Summary, type SummaryPart } from '../core/summary';

/** assembleCheckReport's answer: the report's location and the run's summary. */
type AssembledReport = { summary: Summary } & Record<string, unknown>;
import { checkUrlRetry, storageRetry } from './retryPolicies';

/** What a partition sub-orchestration hands back: numbers, not results (those are in its part blob). */
interface PartitionOutput {
  part: SummaryPart;
  blob: string;
  results?: CheckResult[];
}

export const checkReportBlob = (instanceId: string) => `checks/${instanceId}.json`;

/** What a node of a run by reference hands back: a count, never per-target data. */
interface NodeOutput {
  checked: number;
}

/**
 * Fan-out/fan-in: check every target in parallel, then aggregate one summary. Requests larger than
 * PARTITION_SIZE are split into sub-orchestrations so no single history grows with the request.
 */
const checkSites: OrchestrationHandler = function* (context: OrchestrationContext) {
  const raw = context.df.getInput();
  if (raw !== null && typeof raw === 'object' && 'targetsRef' in raw) {
    return yield* checkByReference(context, CheckRunByRef.parse(raw));
  }
  const envelope = CheckRunEnvelope.parse(raw);
  const { instanceId } = context.df;
  const total = envelope.targets.length;
  const partitionSize = envelope.partitionSize ?? PARTITION_SIZE;
  const progressChunkSize = envelope.progressChunkSize ?? PROGRESS_CHUNK_SIZE;

  if (envelope.partition || total <= partitionSize) {
    // This execution checks the targets itself, so it validates them (at most partitionSize).
    return yield* checkTargets(context, CheckRunInput.parse(raw), progressChunkSize);
  }

  // The parent of a partitioned run hands the targets on unvalidated (see CheckRunEnvelope).
  const partitions = chunk(envelope.targets, partitionSize);
  const tasks = partitions.map((targets, index) =>
    context.df.callSubOrchestrator(
      'checkSites',
      {
        targets,
        partition: { parentId: instanceId, index },
        includeResults: envelope.includeResults,
        progressChunkSize: envelope.progressChunkSize,
        checkBatchSize: envelope.checkBatchSize,
      },
      `${instanceId}:part-${index}`,
    ),
  );
  const outputs = (yield* completeWithProgress(
    context,
    tasks,
    partitions.map((p) => p.length),
    total,
  )) as PartitionOutput[];
  const summary = mergeSummaryParts(outputs.map((o) => o.part));
  const { summary: _assembled, ...report } = (yield context.df.callActivityWithRetry(
    'assembleCheckReport',
    storageRetry,
    {
      blob: checkReportBlob(instanceId),
      header: { instanceId, name: envelope.name ?? null, summary },
      parts: outputs.map((o) => o.blob),
    },
  )) as AssembledReport;
  // The partitions named their parts partBlob(instanceId, i): a prefix and a count, not N/500 names again.
  yield* deleteIntermediates(context, {
    parts: { prefix: partBlobPrefix(instanceId), count: partitions.length },
  });
  const results = envelope.includeResults ? outputs.flatMap((o) => o.results ?? []) : undefined;
  return { name: envelope.name ?? null, summary, report, ...(results && { results }) };
};

/**
 * A run whose targets are in blob storage: a tree of sub-orchestrations, at most FAN_OUT children per
 * node, whose leaves are partitions that read and check one slice each. Every input and output in it
 * is a few hundred bytes, and no node has more than FAN_OUT children, so no history grows with N. The
 * root then has the report assembled (and the summary computed) from the partitions' part blobs.
 */
function* checkByReference(
  context: OrchestrationContext,
  input: CheckRunByRef,
): Generator<Task, unknown, unknown> {
  const { instanceId } = context.df;
  const { targetsRef } = input;
  const rootId = input.rootId ?? instanceId;
  const range = input.range ?? { first: 0, count: sliceCount(targetsRef) };
  const progressChunkSize = input.progressChunkSize ?? PROGRESS_CHUNK_SIZE;

  if (input.range && range.count === 1) {
    const slice = yield context.df.callActivityWithRetry('readTargetSlice', storageRetry, {
      prefix: targetsRef.prefix,
      index: range.first,
    });
    // Validated by the activity (its output is our own, from history): not again in every replay.
    const targets = slice as CheckSpec[];
    const results = yield* checkAll(context, targets, targets.length, {
      chunkSize: progressChunkSize,
      batchSize: input.checkBatchSize ?? CHECK_BATCH_SIZE,
    });
    const blob = partBlob(rootId, range.first);
    yield context.df.callActivityWithRetry('saveReport', storageRetry, { blob, document: { results } });
    const output: NodeOutput = { checked: results.length };
    return output;
  }

  const children = childRanges(range, input.fanOut ?? FAN_OUT);
  const tasks = children.map((child) =>
    context.df.callSubOrchestrator(
      'checkSites',
      {
        targetsRef,
        range: child,
        rootId,
        progressChunkSize: input.progressChunkSize,
        checkBatchSize: input.checkBatchSize,
        fanOut: input.fanOut,
      },
      nodeInstanceId(rootId, child),
    ),
  );
  const total = targetsIn(targetsRef, range);
  yield* completeWithProgress(
    context,
    tasks,
    children.map((child) => targetsIn(targetsRef, child)),
    total,
  );
  if (input.range) {
    const output: NodeOutput = { checked: total };
    return output;
  }
  const parts = { prefix: partBlobPrefix(instanceId), count: range.count };
  const { summary, ...report } = (yield context.df.callActivityWithRetry(
    'assembleCheckReport',
    storageRetry,
    { blob: checkReportBlob(instanceId), header: { instanceId, name: input.name ?? null }, parts },
  )) as AssembledReport;
  yield* deleteIntermediates(context, { targetsRef, parts });
  return { name: input.name ?? null, summary, report };
}

/**
 * Once the report is written, the run's slices and part blobs are garbage (hundreds of blobs, tens of
 * MB at 100,000 targets). Best effort: a failure after the retries is swallowed, because the report is
 * already written and failing the run would hide it from the user; a leaked blob is the lesser harm.
 */
function* deleteIntermediates(
  context: OrchestrationContext,
  blobs: IntermediateBlobs,
): Generator<Task, void, unknown> {
  try {
    yield context.df.callActivityWithRetry('deleteRunBlobs', storageRetry, blobs);
  } catch {
    // The activity's failure stays in the history (TaskFailed) for whoever looks for leaked blobs.
  }
}

/** A partition, or a run small enough not to need partitions: check the targets here. */
function* checkTargets(
  context: OrchestrationContext,
  input: z.output<typeof CheckRunInput>,
  progressChunkSize: number,
): Generator<Task, unknown, unknown> {
  const { instanceId } = context.df;
  const total = input.targets.length;
  const batching = { chunkSize: progressChunkSize, batchSize: input.checkBatchSize ?? CHECK_BATCH_SIZE };
  if (input.partition) {
    // A partition checks its slice, stores the results and returns only the mergeable numbers.
    const results: CheckResult[] = yield* checkAll(context, input.targets, total, batching);
    const blob = partBlob(input.partition.parentId, input.partition.index);
    yield context.df.callActivityWithRetry('saveReport', storageRetry, { blob, document: { results } });
    const output: PartitionOutput = { part: summarizePart(results), blob };
    return input.includeResults ? { ...output, results } : output;
  }

  const results: CheckResult[] = yield* checkAll(context, input.targets, total, batching);
  const summary = mergeSummaryParts([summarizePart(results)]);
  const report = yield context.df.callActivityWithRetry('saveReport', storageRetry, {
    blob: checkReportBlob(instanceId),
    document: { instanceId, name: input.name ?? null, summary, results },
  });
  return { name: input.name ?? null, summary, report, ...(input.includeResults && { results }) };
}

/**
 * Checks every spec, `batchSize` per `checkUrls` activity (one `checkUrl` per spec when 1); progress
 * moves per chunk of `chunkSize`. Results come back in input order.
 */
function* checkAll(
  context: OrchestrationContext,
  specs: CheckSpec[],
  total: number,
  { chunkSize, batchSize }: { chunkSize: number; batchSize: number },
): Generator<Task, CheckResult[], unknown> {
  const chunks = chunk(specs, chunkSize);
  const tasks = chunks.map((specChunk) =>
    context.df.Task.all(
      batchSize === 1
        ? specChunk.map((spec) => context.df.callActivityWithRetry('checkUrl', checkUrlRetry, spec))
        : chunk(specChunk, batchSize).map((batch) =>
            context.df.callActivityWithRetry('checkUrls', checkUrlRetry, { specs: batch }),
          ),
    ),
  );
  const perChunk = (yield* completeWithProgress(
    context,
    tasks,
    chunks.map((c) => c.length),
    total,
  )) as (CheckResult | CheckResult[])[][];
  return perChunk.flat(2) as CheckResult[];
}

/**
 * Waits for every task and publishes `{ completed, total }` in customStatus as they finish.
 * One Task.any puts out every task's actions at once, so they all run in parallel; after that each
 * task is awaited on its own, in order. Handing already-yielded tasks to another Task.any or
 * Task.all would make the SDK send their actions again (Azure/azure-functions-durable-js#574).
 */
function* completeWithProgress(
  context: OrchestrationContext,
  tasks: Task[],
  weights: number[],
  total: number,
): Generator<Task, unknown[], unknown> {
  let completed = 0;
  setProgress(context, { completed, total });
  if (tasks.length === 0) return [];
  yield context.df.Task.any(tasks);
  const outputs: unknown[] = [];
  for (const [index, task] of tasks.entries()) {
    outputs.push(yield task);
    completed += weights[index] ?? 0;
    setProgress(context, { completed, total });
  }
  return outputs;
}

function setProgress(context: OrchestrationContext, progress: Progress): void {
  context.df.setCustomStatus(progress);
}

df.app.orchestration('checkSites', checkSites);
