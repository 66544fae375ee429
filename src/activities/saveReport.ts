import * as df from 'durable-functions';
import { z } from 'zod';
import { settings } from '../settings';
import { writeJson } from './storage/blobs';

export const SaveReportInput = z.object({
  /** Blob name inside the reports container, e.g. `checks/<instanceId>.json`. */
  blob: z.string().min(1).max(1024),
  document: z.unknown(),
});
export type SaveReportInput = z.infer<typeof SaveReportInput>;

export const ReportLocation = z.object({
  container: z.string(),
  blob: z.string(),
  url: z.string(),
  bytes: z.int(),
});
export type ReportLocation = z.infer<typeof ReportLocation>;

/** Writes one JSON report to the reports container (overwriting: an activity may run more than once). */
export async function saveReport(input: SaveReportInput): Promise<ReportLocation> {
  const container = settings.reportsContainer();
  const { url, bytes } = await writeJson({ container, blob: input.blob }, input.document);
  return { container, blob: input.blob, url, bytes };
}

df.app.activity('saveReport', { handler: (input: unknown) => saveReport(SaveReportInput.parse(input)) });
