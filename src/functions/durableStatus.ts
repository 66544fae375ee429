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

/**
 * After a startNew that threw: is the instance live now (someone else started it first)? On Azure
 * Storage a start over a Pending or Running id is refused with a 500, not a 409 (the extension's
 * catch-all for OrchestrationAlreadyExistsException), so the error itself cannot tell a lost race
 * from a real fault; the instance's status can.
 */
export async function startedElsewhere(client: DurableClient, instanceId: string): Promise<boolean> {
  const status = await findStatus(client, instanceId).catch(() => undefined);
  return status !== undefined && ACTIVE_STATUSES.has(status.runtimeStatus);
}

/** A failed run's message, first line only: the runtime may append a stack trace after it. */
export function failureMessage(output: unknown): string {
  return String(output ?? 'unknown error').split('\n')[0] ?? '';
}
