// Limits the Durable Task extension enforces and a lenient host would not. Sources are
// Azure/azure-functions-durable-extension at a7c6d694 (2024-10-23) unless stated otherwise.

/**
 * DurableClient.cs:33 and :198-201 (`MaxInstanceIdLength = 256`): StartNewAsync throws an
 * ArgumentException, which HttpApiHandler.cs:440-443 answers with 400.
 */
export const MAX_INSTANCE_ID_LENGTH = 256;
export const instanceIdTooLong = (): string =>
  `Instance ID lengths must not exceed ${MAX_INSTANCE_ID_LENGTH} characters.`;

/**
 * DurableTaskOptions.cs:183 (`MaxOrchestrationActions = 100000`) and DurableOrchestrationContext.cs
 * :1209-1219: every scheduled activity, sub-orchestration, timer or sent event counts, and the one
 * past the limit throws; TaskOrchestrationShim.cs:195 turns that into the orchestration's failure.
 */
export const MAX_ORCHESTRATION_ACTIONS = 100_000;
export const tooManyActions = (): string =>
  `Maximum amount of orchestration actions (${MAX_ORCHESTRATION_ACTIONS}) has been reached. This value can be configured in host.json file as MaxOrchestrationActions.`;

/**
 * DurableOrchestrationContext.cs:221-230 caps custom status at 16 KB through
 * MessagePayloadDataConverter.cs:62-71: `(int)(Encoding.Unicode.GetByteCount(json) / 1024.0) > 16`
 * throws. UTF-16 counts 2 bytes per UTF-16 code unit, which is what a JS string's length counts,
 * and the division rounds down, so 17 KB (17,408 bytes, 8,704 code units) is the first size
 * refused. OutOfProcOrchestrationShim.cs:77-81 calls it on every episode before replaying actions.
 * Returns the message, or undefined when the JSON fits.
 */
export const MAX_CUSTOM_STATUS_KB = 16;
export function customStatusTooLarge(json: string): string | undefined {
  const kb = Math.floor((json.length * 2) / 1024);
  if (kb <= MAX_CUSTOM_STATUS_KB) return undefined;
  return `The UTF-16 size of the JSON-serialized payload must not exceed ${MAX_CUSTOM_STATUS_KB} KB. The current payload size is ${kb} KB.`;
}

/**
 * DurableOrchestrationContext.cs:594-600: a sub-orchestration may not reuse its parent's id nor its
 * grandparent's (compared ignoring case). The ArgumentException fails the calling orchestration.
 */
export function subOrchestrationReusesId(
  childId: string | undefined,
  instanceId: string,
  parentInstanceId: string | undefined,
): string | undefined {
  if (childId === undefined) return undefined;
  const same = (a: string, b: string | undefined) => b !== undefined && a.toLowerCase() === b.toLowerCase();
  if (!same(childId, instanceId) && !same(childId, parentInstanceId)) return undefined;
  return 'The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration.';
}

/** RetryOptions.cs:18 and :30-34: MaxRetryInterval defaults to 6 days, not unbounded. */
export const DEFAULT_MAX_RETRY_INTERVAL_MS = 6 * 24 * 3600_000;
