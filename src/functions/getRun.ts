import type { DurableOrchestrationStatus } from 'durable-functions';
import { z } from 'zod';
import { findStatus } from './durableStatus';
import { problem, validationProblem } from './http/problem';
import { durableRoute } from './http/route';

export const RunId = z
  .string()
  .min(1)
  .max(256)
  .refine(
    (id) => !/[/\\#?]/.test(id) && ![...id].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
    {
      message: 'must not contain /, \\, #, ? or control characters',
    },
  );

/** A failure's first line: the orchestrator's message without any stack the runtime appended. */
function failureMessage(output: unknown): string {
  return String(output ?? 'unknown error').split('\n')[0] ?? '';
}

function reportOf(output: unknown): unknown {
  return output && typeof output === 'object' && 'report' in output
    ? (output as { report: unknown }).report
    : null;
}

export function runView(status: DurableOrchestrationStatus) {
  const failed = status.runtimeStatus === 'Failed';
  const completed = status.runtimeStatus === 'Completed';
  return {
    instanceId: status.instanceId,
    orchestrator: status.name,
    runtimeStatus: status.runtimeStatus,
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    progress: status.customStatus ?? null,
    output: completed ? status.output : null,
    report: completed ? reportOf(status.output) : null,
    error: failed ? failureMessage(status.output) : null,
  };
}

// GET /api/runs/{instanceId}: a friendly view of any run, with the links to manage it.
durableRoute('getRun', 'runs/{instanceId}', {
  GET: async (request, client) => {
    const id = RunId.safeParse(request.params.instanceId ?? '');
    if (!id.success) return validationProblem(id.error, 'instanceId');
    const status = await findStatus(client, id.data);
    if (!status) return problem(404, { detail: `No run with id ${id.data}.` });
    return {
      status: 200,
      jsonBody: { ...runView(status), links: client.createHttpManagementPayload(id.data) },
    };
  },
});
