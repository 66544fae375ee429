import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { z } from 'zod';
import {
  CheckRunEnvelope,
  CheckRunInput,
  chunk,
  PARTITION_SIZE,
  PROGRESS_CHUNK_SIZE,
  type Progress,
} from '../core/checkRun';
import type { CheckResult, CheckSpec } from '../core/checkSpec';
import { mergeSummaryParts, summarizePart, type SummaryPart } from '../core/summary';
import { checkUrlRetry, storageRetry } from './retryPolicies';

/** What a partition sub-orchestration hands back: numbers, not results (those are in its part blob). */
interface PartitionOutput {
  part: SummaryPart;
  blob: string;
  results?: CheckResult[];
}

export const checkReportBlob = (instanceId: string) => `checks/${instanceId}.json`;
const partBlob = (parentId: string, index: number) => `checks/${parentId}/part-${index}.json`;

/**
 * Fan-out/fan-in: check every target in parallel, then aggregate one summary. Requests larger than
 * PARTITION_SIZE are split into sub-orchestrations so no single history grows with the request.
 */
const checkSites: OrchestrationHandler = function* (context: OrchestrationContext) {
  const raw = context.df.getInput();
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
  const report = yield context.df.callActivityWithRetry('assembleCheckReport', storageRetry, {
    blob: checkReportBlob(instanceId),
    header: { instanceId, name: envelope.name ?? null, summary },
    parts: outputs.map((o) => o.blob),
  });
  const results = envelope.includeResults ? outputs.flatMap((o) => o.results ?? []) : undefined;
  return { name: envelope.name ?? null, summary, report, ...(results && { results }) };
};

/** A partition, or a run small enough not to need partitions: check the targets here. */
function* checkTargets(
  context: OrchestrationContext,
  input: z.output<typeof CheckRunInput>,
  progressChunkSize: number,
): Generator<Task, unknown, unknown> {
  const { instanceId } = context.df;
  const total = input.targets.length;
  if (input.partition) {
    // A partition checks its slice, stores the results and returns only the mergeable numbers.
    const results: CheckResult[] = yield* checkAll(context, input.targets, total, progressChunkSize);
    const blob = partBlob(input.partition.parentId, input.partition.index);
    yield context.df.callActivityWithRetry('saveReport', storageRetry, { blob, document: { results } });
    const output: PartitionOutput = { part: summarizePart(results), blob };
    return input.includeResults ? { ...output, results } : output;
  }

  const results: CheckResult[] = yield* checkAll(context, input.targets, total, progressChunkSize);
  const summary = mergeSummaryParts([summarizePart(results)]);
  const report = yield context.df.callActivityWithRetry('saveReport', storageRetry, {
    blob: checkReportBlob(instanceId),
    document: { instanceId, name: input.name ?? null, summary, results },
  });
  return { name: input.name ?? null, summary, report, ...(input.includeResults && { results }) };
}

/** Checks every spec; results come back in input order. */
function* checkAll(
  context: OrchestrationContext,
  specs: CheckSpec[],
  total: number,
  chunkSize: number,
): Generator<Task, CheckResult[], unknown> {
  const chunks = chunk(specs, chunkSize);
  const tasks = chunks.map((specChunk) =>
    context.df.Task.all(
      specChunk.map((spec) => context.df.callActivityWithRetry('checkUrl', checkUrlRetry, spec)),
    ),
  );
  const perChunk = (yield* completeWithProgress(
    context,
    tasks,
    chunks.map((c) => c.length),
    total,
  )) as CheckResult[][];
  return perChunk.flat();
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
