import type { HttpResponseInit } from '@azure/functions';
import type { DurableOrchestrationStatus } from 'durable-functions';
import { ReportLink, RunId, type ManagementUrls, type RunView } from '../core/apiSchemas';
import { AuditCounts } from '../core/auditSchemas';
import { Summary } from '../core/summary';
import { readJson } from '../activities/storage/blobs';
import { renderRunPage } from '../pages/runPage';
import { failureMessage, findStatus } from './durableStatus';
import { prefersHtml } from './http/accept';
import { CompressibleBody, compressedJson, compressedResponse } from './http/compressedResponse';
import { problem, validationProblem } from './http/problem';
import { durableRoute } from './http/route';

function field(output: unknown, key: string): unknown {
  return output && typeof output === 'object' && key in output
    ? (output as Record<string, unknown>)[key]
    : undefined;
}

/** A check run's summary, or an audit's counts (the same place for a client to look). */
function summaryOf(output: unknown): RunView['summary'] {
  const summary = Summary.safeParse(field(output, 'summary'));
  if (summary.success) return summary.data;
  const counts = AuditCounts.safeParse(field(output, 'counts'));
  return counts.success ? counts.data : null;
}

export function runView(status: DurableOrchestrationStatus, links: ManagementUrls): RunView {
  const failed = status.runtimeStatus === 'Failed';
  const completed = status.runtimeStatus === 'Completed';
  const report = ReportLink.safeParse(field(status.output, 'report'));
  return {
    instanceId: status.instanceId,
    orchestrator: status.name,
    runtimeStatus: status.runtimeStatus,
    createdTime: new Date(status.createdTime).toISOString(),
    lastUpdatedTime: new Date(status.lastUpdatedTime).toISOString(),
    progress: status.customStatus ?? null,
    summary: completed ? summaryOf(status.output) : null,
    report: completed && report.success ? report.data : null,
    output: completed ? (status.output ?? null) : null,
    error: failed ? failureMessage(status.output) : null,
    links,
  };
}

// GET /api/runs/{instanceId}: a friendly view of any run, with the links to manage it.
durableRoute('getRun', 'runs/{instanceId}', {
  GET: async (request, client): Promise<HttpResponseInit> => {
    const id = RunId.safeParse(request.params.instanceId ?? '');
    if (!id.success) return validationProblem(id.error, 'instanceId');
    const status = await findStatus(client, id.data);
    if (!status) return problem(404, { detail: `No run with id ${id.data}.` });
    const links: ManagementUrls = { ...client.createHttpManagementPayload(id.data) };
    const view = runView(status, links);
    // Vary: a cache must not hand a browser's page to an API client or the other way round.
    if (!prefersHtml(request.headers.get('accept'))) return compressedJson(request, view, { vary: 'Accept' });
    const report = view.report
      ? await readJson({ container: view.report.container, blob: view.report.blob })
      : undefined;
    return compressedResponse(request, new CompressibleBody(renderRunPage(view, report)), {
      'content-type': 'text/html; charset=utf-8',
      vary: 'Accept',
    });
  },
});
