import * as df from 'durable-functions';
import { z } from 'zod';
import { PartBlobs, partBlobNames } from '../core/checkRun';
import { CheckResult } from '../core/checkSpec';
import { summarize, type Summary } from '../core/summary';
import { settings } from '../settings';
import { type ReportLocation } from './saveReport';
import { readJson, writeJson } from './storage/blobs';

export const AssembleCheckReportInput = z.object({
  blob: z.string().min(1),
  header: z.record(z.string(), z.unknown()),
  /** Part blobs written by the partition sub-orchestrations, in target order. */
  parts: PartBlobs,
});
export type AssembleCheckReportInput = z.input<typeof AssembleCheckReportInput>;

const Part = z.object({ results: z.array(CheckResult) });

export type AssembledReport = ReportLocation & { summary: Summary };

/**
 * Joins the partition reports of a large check run into the one report the run promises, so
 * orchestration histories never carry the full result list. It also computes the run's summary from
 * every result: the orchestrations above the partitions then pass up no per-target data at all
 * (percentiles need every latency), which keeps their histories flat in N. It leaves the parts in
 * place: a redelivered assemble reads them again. checkSites has them deleted after (deleteRunBlobs);
 * a duplicate that still runs later finds a part missing and throws before writing, so the report it
 * would write with fewer results never replaces the real one.
 */
export async function assembleCheckReport(input: AssembleCheckReportInput): Promise<AssembledReport> {
  const { blob, header, parts } = AssembleCheckReportInput.parse(input);
  const container = settings.reportsContainer();
  const results: CheckResult[] = [];
  for (const name of partBlobNames(parts)) {
    const part = Part.safeParse(await readJson({ container, blob: name }));
    if (!part.success) throw new Error(`Report part ${name} is missing or malformed`);
    for (const result of part.data.results) results.push(result);
  }
  const summary = summarize(results);
  const { url, bytes } = await writeJson({ container, blob }, { ...header, summary, results });
  return { container, blob, url, bytes, summary };
}

df.app.activity('assembleCheckReport', {
  handler: (input: unknown) => assembleCheckReport(input as AssembleCheckReportInput),
});
