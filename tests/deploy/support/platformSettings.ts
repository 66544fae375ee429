// App settings the infra may set although no code in src/ reads them, because the Functions
// host or the platform does. This is the documented allow-list for the settings cross-check
// (docs/deploy.md, "App settings"); anything else the Bicep sets must be in SETTING_NAMES.
// A trailing `*` matches a prefix.

export interface PlatformSetting {
  name: string;
  readBy: string;
}

export const PLATFORM_SETTINGS: readonly PlatformSetting[] = [
  {
    name: 'FUNCTIONS_EXTENSION_VERSION',
    readBy: 'Functions host (not on Flex Consumption: see FLEX_DEPRECATED)',
  },
  {
    name: 'FUNCTIONS_WORKER_RUNTIME',
    readBy: 'Functions host (not on Flex Consumption: see FLEX_DEPRECATED)',
  },
  {
    name: 'APPLICATIONINSIGHTS_*',
    readBy: 'Functions host telemetry: connection string, Entra ID auth string',
  },
  { name: 'AzureFunctionsJobHost__*', readBy: 'Functions host: overrides of host.json values' },
  {
    name: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
    readBy: 'Durable extension, azureManaged provider (named by storageProvider.connectionStringName)',
  },
  // AzureWebJobsStorage as an identity-based connection: the host, the queue trigger and the
  // Durable Azure Storage provider read these; src/settings.ts reads the blob URI and client id too.
  { name: 'AzureWebJobsStorage__blobServiceUri', readBy: 'Functions host, queue trigger, Durable extension' },
  {
    name: 'AzureWebJobsStorage__queueServiceUri',
    readBy: 'Functions host, queue trigger, Durable extension',
  },
  { name: 'AzureWebJobsStorage__tableServiceUri', readBy: 'Functions host, Durable extension' },
  { name: 'AzureWebJobsStorage__credential', readBy: 'Functions host: managedidentity' },
  { name: 'AzureWebJobsStorage__clientId', readBy: 'Functions host: which user-assigned identity' },
  { name: 'WEBSITE_*', readBy: 'App Service platform' },
];

/**
 * Settings a Flex Consumption app must not set: the runtime lives in functionAppConfig and
 * content in the deployment container.
 * https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
 */
export const FLEX_DEPRECATED: readonly string[] = [
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTOVERVNET',
  'WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
  'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
  'WEBSITE_MOUNT_ENABLED',
  'WEBSITE_TIME_ZONE',
  'WEBSITES_CONTAINER_START_TIME_LIMIT',
  'TZ',
];

export function isPlatformSetting(name: string): boolean {
  return PLATFORM_SETTINGS.some((setting) =>
    setting.name.endsWith('*') ? name.startsWith(setting.name.slice(0, -1)) : name === setting.name,
  );
}
