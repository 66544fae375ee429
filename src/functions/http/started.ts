import type { HttpRequest, HttpResponse, HttpResponseInit } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { z } from 'zod';
import { settings } from '../../settings';
import type { Parsed } from './body';
import { failureMessage } from '../durableStatus';
import { problem, validationProblem } from './problem';

export function waitQuerySchema(maxWaitSeconds: number) {
  return z.coerce
    .number()
    .int('must be a whole number of seconds')
    .min(0, 'must be at least 0')
    .max(maxWaitSeconds, `must be at most ${maxWaitSeconds}`);
}

/** `?wait=<seconds>`: how long a starter may block for the run to finish (0 = answer 202 at once). */
export function parseWait(request: HttpRequest): Parsed<number> {
  const raw = request.query.get('wait');
  if (raw === null || raw === '') return { ok: true, value: 0 };
  const result = waitQuerySchema(settings.maxWaitSeconds()).safeParse(raw);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, response: validationProblem(result.error, 'wait') };
}

/**
 * Seconds a client should wait before its first poll. The SDK says 10, which is longer than most
 * check runs take; the status endpoint itself then answers with its own Retry-After.
 */
export const RETRY_AFTER_SECONDS = 2;

/** The SDK's check-status response, with our Retry-After. */
function checkStatus(response: HttpResponse): HttpResponse {
  if (response.status === 202) response.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
  return response;
}

/**
 * The async HTTP API answer for a run that was just started (or already existed): 202 with
 * `Location`, `Retry-After` and the management URLs; or, when the caller asked to wait and the run
 * finished in time, 200 with its output.
 */
export async function startedResponse(
  client: DurableClient,
  request: HttpRequest,
  instanceId: string,
  waitSeconds: number,
): Promise<HttpResponse | HttpResponseInit> {
  if (waitSeconds <= 0) return checkStatus(client.createCheckStatusResponse(request, instanceId));
  const response = await client.waitForCompletionOrCreateCheckStatusResponse(request, instanceId, {
    timeoutInMilliseconds: waitSeconds * 1000,
    retryIntervalInMilliseconds: 250,
  });
  // The SDK answers a failed run with 500 and the raw status; give clients a problem document
  // that points at the run instead.
  if (response.status === 500) {
    const status = await client.getStatus(instanceId);
    const payload = client.createHttpManagementPayload(instanceId);
    return problem(500, {
      detail: `The run ${instanceId} failed: ${failureMessage(status.output)}`,
      instance: payload.statusQueryGetUri,
    });
  }
  return checkStatus(response);
}
