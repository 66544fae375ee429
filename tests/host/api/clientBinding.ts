// The durable client binding JSON the extension hands to `df.app.client.*` functions (protocol §5),
// and the management URLs it puts in check-status responses. The shapes follow the extension's
// HttpApiHandler (GetInstanceCreationLinks / GetClientResponseLinks): creation URLs carry only the
// system key, management URLs add `taskHub` and `connection`, and the instance id is URL-encoded.

/** Where the extension's webhooks live on the Functions host. */
export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';
/** Where the extension's local RPC endpoint lives; DurableClient prefers it when present. */
export const RPC_PATH = '/durabletask/';
/** `func start` puts a system key in every webhook URL; the test host accepts any key. */
export const LOCAL_SYSTEM_KEY = 'testhost-local-key';
/** The extension's default connection name for the Azure Storage provider. */
export const DEFAULT_CONNECTION_NAME = 'Storage';
/** The placeholder the SDK swaps for a real instance id. */
export const INSTANCE_ID_PLACEHOLDER = 'INSTANCEID';

export interface ManagementUrlOptions {
  taskHubName: string;
  connectionName?: string | null;
  code?: string;
}

export interface ManagementPayload {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

/**
 * The management URLs for one instance. `origin` is `http://host:port` (no path). Pass
 * `encodeId: false` to keep a placeholder such as INSTANCEID literal.
 */
export function managementPayload(
  origin: string,
  instanceId: string,
  options: ManagementUrlOptions & { encodeId?: boolean },
): ManagementPayload {
  const id = options.encodeId === false ? instanceId : encodeURIComponent(instanceId);
  const instance = `${origin}${WEBHOOK_PATH}/instances/${id}`;
  const suffix = querySuffix(options);
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${suffix}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${suffix}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${suffix}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${suffix}`,
    purgeHistoryDeleteUri: `${instance}?${suffix}`,
    restartPostUri: `${instance}/restart?${suffix}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${suffix}`,
    resumePostUri: `${instance}/resume?reason={text}&${suffix}`,
  };
}

export interface DurableClientBindingOptions {
  /** Origin of the test host, e.g. `http://127.0.0.1:7071`. */
  baseUrl: string;
  taskHubName: string;
  connectionName?: string | null;
  code?: string;
}

/** The `durableClient` extra input, exactly as the extension sends it. */
export function durableClientBinding(options: DurableClientBindingOptions): object {
  const origin = new URL(options.baseUrl).origin;
  const code = options.code ?? LOCAL_SYSTEM_KEY;
  const creation = `${origin}${WEBHOOK_PATH}/orchestrators/{functionName}[/{instanceId}]`;
  return {
    taskHubName: options.taskHubName,
    connectionName: options.connectionName ?? null,
    creationUrls: {
      createNewInstancePostUri: `${creation}?code=${code}`,
      createAndWaitOnNewInstancePostUri: `${creation}?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${code}`,
    },
    managementUrls: managementPayload(origin, INSTANCE_ID_PLACEHOLDER, { ...options, code, encodeId: false }),
    baseUrl: `${origin}${WEBHOOK_PATH}`,
    requiredQueryStringParameters: `code=${code}`,
    rpcBaseUrl: `${origin}${RPC_PATH}`,
  };
}

function querySuffix(options: ManagementUrlOptions): string {
  const taskHub = encodeURIComponent(options.taskHubName);
  const connection = encodeURIComponent(options.connectionName ?? DEFAULT_CONNECTION_NAME);
  return `taskHub=${taskHub}&connection=${connection}&code=${options.code ?? LOCAL_SYSTEM_KEY}`;
}
