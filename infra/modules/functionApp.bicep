// Sitewatch on a Flex Consumption (FC1) plan: Linux, Node 22, user-assigned identity, the
// deployment package in a blob container reached with that identity, and every app setting.
//
// Flex Consumption sets the runtime in functionAppConfig, not in app settings:
// FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_NODE_DEFAULT_VERSION,
// WEBSITE_RUN_FROM_PACKAGE and WEBSITE_CONTENT* are deprecated there and must not be set.
// - functionAppConfig (deployment.storage, scaleAndConcurrency, runtime):
//   https://learn.microsoft.com/azure/azure-functions/flex-consumption-how-to
//   https://learn.microsoft.com/javascript/api/@azure/arm-appservice/functionappconfig
// - deprecated settings: https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
//
// The app-settings objects below are the single list of settings the app gets; the test
// tests/deploy/appSettings.test.ts compares their keys with SETTING_NAMES in src/settings.ts.

@description('Function app name (also the default host name prefix).')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Region of the plan and the app.')
param location string

@description('Tags for the plan and the app.')
param tags object = {}

@description('azd service name in azure.yaml; azd finds the app by this tag.')
param serviceName string = 'api'

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Storage account for AzureWebJobsStorage and the deployment package.')
param storageAccountName string

@description('Blob container that holds the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string (no secret: local auth is disabled).')
param applicationInsightsConnectionString string

@description('Durable Functions backend.')
@allowed([
  'AzureStorage'
  'DurableTaskScheduler'
])
param durableBackend string

@description('Durable Task Scheduler endpoint (https://...); required when durableBackend is DurableTaskScheduler.')
param durableTaskSchedulerEndpoint string = ''

@description('Durable task hub name (TASKHUB_NAME, used by host.json as %TASKHUB_NAME%).')
param taskHubName string

@description('NCRONTAB schedule of the sweep timer (SWEEP_SCHEDULE).')
param sweepSchedule string

@description('NCRONTAB schedule of the timer that keeps the configured monitors running (MONITORS_SCHEDULE).')
param monitorsSchedule string

@description('JSON list of sweep targets (SITEWATCH_TARGETS); empty means the config blob.')
param sweepTargets string

@description('JSON list of monitors to keep running (SITEWATCH_MONITORS); empty means the config blob.')
param monitors string

@description('Allow loopback, private and link-local targets (SITEWATCH_ALLOW_PRIVATE_NETWORKS).')
param allowPrivateNetworks bool

@description('CIDR allow-list of private networks checks may reach (SITEWATCH_ALLOWED_NETWORKS); empty: none.')
param allowedNetworks string

@description('Targets accepted in one check request (SITEWATCH_MAX_TARGETS).')
@minValue(1)
@maxValue(100000)
param maxTargets int

@description('Cap for ?wait= on the HTTP starters, in seconds (SITEWATCH_MAX_WAIT_SECONDS).')
@minValue(0)
@maxValue(230)
param maxWaitSeconds int

@description('Blob container for reports (SITEWATCH_REPORTS_CONTAINER).')
param reportsContainerName string

@description('Blob container for targets.json / monitors.json (SITEWATCH_CONFIG_CONTAINER).')
param configContainerName string

@description('Days of check history kept in Table storage (SITEWATCH_HISTORY_DAYS); 0 turns history off.')
@minValue(0)
@maxValue(3650)
param historyDays int

@description('Days a finished check run or audit (instance, histories, report blobs) is kept (SITEWATCH_RUN_RETENTION_DAYS); 0 keeps them forever.')
@minValue(0)
@maxValue(3650)
param runRetentionDays int

@description('Show (redacted) target URLs on the public status page (SITEWATCH_STATUS_SHOW_URLS).')
param statusShowUrls bool

@description('Title of the public status page (SITEWATCH_STATUS_TITLE).')
param statusTitle string

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on instances the platform scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Subnet for VNet integration (outbound traffic into the virtual network); empty for none.')
param virtualNetworkSubnetId string = ''

@description('Node.js major version of the Flex Consumption runtime.')
param nodeVersion string = '22'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': serviceName
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Flex Consumption VNet integration: the app reaches storage (and the scheduler) through their
    // private endpoints, and every outbound call, checks included, leaves through the subnet.
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// AzureWebJobsStorage as an identity-based connection: no key exists (shared-key access is off).
// https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
var storageSettings = {
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
}

// Entra ID ingestion, because the component has local auth disabled.
// https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication
var monitoringSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// What src/settings.ts reads, with the same defaults the code falls back to.
var sitewatchSettings = {
  TASKHUB_NAME: taskHubName
  SWEEP_SCHEDULE: sweepSchedule
  MONITORS_SCHEDULE: monitorsSchedule
  SITEWATCH_TARGETS: sweepTargets
  SITEWATCH_MONITORS: monitors
  SITEWATCH_ALLOW_PRIVATE_NETWORKS: allowPrivateNetworks ? 'true' : 'false'
  SITEWATCH_ALLOWED_NETWORKS: allowedNetworks
  SITEWATCH_MAX_TARGETS: string(maxTargets)
  SITEWATCH_MAX_WAIT_SECONDS: string(maxWaitSeconds)
  SITEWATCH_REPORTS_CONTAINER: reportsContainerName
  SITEWATCH_CONFIG_CONTAINER: configContainerName
  SITEWATCH_HISTORY_DAYS: string(historyDays)
  SITEWATCH_RUN_RETENTION_DAYS: string(runRetentionDays)
  SITEWATCH_STATUS_SHOW_URLS: statusShowUrls ? 'true' : 'false'
  SITEWATCH_STATUS_TITLE: statusTitle
}

// Durable Task Scheduler: only the connection string. The provider itself (type azureManaged,
// connectionStringName DURABLE_TASK_SCHEDULER_CONNECTION_STRING) is chosen in the host.json the
// prepackage hook stages for this backend (infra/scripts/durableHostJson.ts): the scale controller
// reads the host.json file, never AzureFunctionsJobHost__* overrides
// (Azure/azure-functions-durable-extension#2622). Connection string format, with the user-assigned
// identity's client id:
// https://learn.microsoft.com/azure/azure-functions/durable/durable-task-scheduler/durable-task-scheduler-identity
var durableTaskSchedulerSettings = durableBackend == 'DurableTaskScheduler' ? {
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
} : {}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(storageSettings, monitoringSettings, sitewatchSettings, durableTaskSchedulerSettings)
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
