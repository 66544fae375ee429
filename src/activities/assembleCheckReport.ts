import * as df from 'durable-functions';
import { z } from 'zod';
import { settings } from '../settings';
import { type ReportLocation } from './saveReport';
import { readJson, writeJson } from './storage/blobs';

export const AssembleCheckReportInput = z.object({
  blob: z.string().min(1),
  header: z.record(z.string(), z.unknown()),
  /** Part blobs written by the partition sub-orchestrations, in target order. */
  parts: z.array(z.string().min(1)).min(1),
});
export type AssembleCheckReportInput = z.infer<typeof AssembleCheckReportInput>;

const Part = z.object({ results: z.array(z.unknown()) });

/**
 * Joins the partition reports of a large check run into the one report the run promises, so
 * orchestration histories never carry the full result list.
 */
export async function assembleCheckReport(input: AssembleCheckReportInput): Promise<ReportLocation> {
  const container = settings.reportsContainer();
  const results: unknown[] = [];
  for (const blob of input.parts) {
    const part = Part.safeParse(await readJson({ container, blob }));
    if (!part.success) throw new Error(`Report part ${blob} is missing or malformed`);
    results.push(...part.data.results);
  }
  const { url, bytes } = await writeJson({ container, blob: input.blob }, { ...input.header, results });
  return { container, blob: input.blob, url, bytes };
}

df.app.activity('assembleCheckReport', {
  handler: (input: unknown) => assembleCheckReport(AssembleCheckReportInput.parse(input)),
});
