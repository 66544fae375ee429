// The host.json the deployment package carries for the chosen durable backend.
//
// The backend must be chosen in the host.json *file*, not by app settings that override it
// (AzureFunctionsJobHost__extensions__durableTask__storageProvider__type): the scale controller
// does not run the app. The host tells it about the triggers (Azure/azure-functions-host,
// src/WebJobs.Script.WebHost/Management/FunctionsSyncManager.cs: ReadDurableTaskConfig parses the
// host.json file in the script root, and GetFunctionTriggers copies its storageProvider onto every
// durable trigger of the sync payload), so overrides never reach it, and a scheduler-backed app
// would be scaled, and woken from zero, by watching Azure Storage queues that stay empty.
// Azure/azure-functions-durable-extension#2622 (storage provider overridden by app settings) and
// #2803 (hub name set by an app setting) are this behaviour as users met it.
//
// So the prepackage hook (infra/scripts/stagePackage.ts) writes this into the package when
// DURABLE_BACKEND is DurableTaskScheduler, the way the Durable Task Scheduler samples' host.json
// looks: storageProvider { type: "azureManaged", connectionStringName: "<setting name>" }. The
// repo's host.json stays the Azure Storage one, used locally and by the default deployment.

export const DURABLE_BACKENDS = ['AzureStorage', 'DurableTaskScheduler'] as const;
export type DurableBackend = (typeof DURABLE_BACKENDS)[number];

/** The app setting infra/modules/functionApp.bicep fills with the scheduler's connection string. */
export const SCHEDULER_CONNECTION_SETTING = 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING';

/** Empty or absent means the default, AzureStorage (as main.parameters.json's ${DURABLE_BACKEND=AzureStorage}). */
export function parseDurableBackend(value: string | undefined): DurableBackend {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return 'AzureStorage';
  const backend = DURABLE_BACKENDS.find((name) => name === trimmed);
  if (!backend) {
    throw new Error(`DURABLE_BACKEND must be one of ${DURABLE_BACKENDS.join(', ')}; got "${trimmed}"`);
  }
  return backend;
}

interface HostJson {
  extensions?: { durableTask?: { storageProvider?: Record<string, unknown> } & Record<string, unknown> };
  [key: string]: unknown;
}

/**
 * host.json for `backend`, from the repo's (Azure Storage) host.json text. Azure Storage: the text
 * unchanged. Durable Task Scheduler: the same file with only the storage provider replaced, so the
 * hub name (%TASKHUB_NAME%), concurrency limits and everything else stay as they are.
 */
export function hostJsonFor(backend: DurableBackend, hostJsonText: string): string {
  if (backend === 'AzureStorage') return hostJsonText;
  const host = JSON.parse(hostJsonText) as HostJson;
  const durableTask = host.extensions?.durableTask;
  if (!durableTask) throw new Error('host.json has no extensions.durableTask section');
  // Nothing of the Azure Storage provider carries over: connectionName would even win over
  // connectionStringName in the azureManaged provider (AzureManagedScalabilityProviderFactory).
  durableTask.storageProvider = { type: 'azureManaged', connectionStringName: SCHEDULER_CONNECTION_SETTING };
  return `${JSON.stringify(host, null, 2)}\n`;
}
