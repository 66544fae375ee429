import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';

/**
 * getStatus, but `undefined` for an unknown instance. The SDK only reports a 404 through the
 * message of the error it throws, so that is what this reads.
 */
export async function findStatus(
  client: DurableClient,
  instanceId: string,
  options: { showInput?: boolean } = {},
): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId, { showInput: options.showInput ?? false });
  } catch (error) {
    if (error instanceof Error && /HTTP 404/.test(error.message)) return undefined;
    throw error;
  }
}

export const FINAL_STATUSES = new Set(['Completed', 'Failed', 'Terminated']);
export const ACTIVE_STATUSES = new Set(['Pending', 'Running', 'Suspended', 'ContinuedAsNew']);

/** startNew on an id that is already running: the SDK reports the extension's 409 in the message only. */
export function isConflict(error: unknown): boolean {
  return error instanceof Error && /status code: 409\b/.test(error.message);
}

/** A failed run's message, first line only: the runtime may append a stack trace after it. */
export function failureMessage(output: unknown): string {
  return String(output ?? 'unknown error').split('\n')[0] ?? '';
}
