// Sitewatch infrastructure for `azd up`: one resource group with a Flex Consumption function
// app (Linux, Node 22), its user-assigned identity, identity-only storage, Log Analytics +
// Application Insights (local auth disabled), the role assignments the app needs, and, when
// durableBackend = 'DurableTaskScheduler', a Durable Task Scheduler with its task hub. With
// vnetEnabled (VNET_ENABLED), a virtual network too: the app integrated into it, private endpoints
// for blob, queue and table storage (and the scheduler), and their public endpoints closed.
// Azure Functions scales the app; nothing here is home-made scaling.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; resource names derive from it.')
param environmentName string

@minLength(1)
@description('Region of every resource. It must offer the Flex Consumption plan: az functionapp list-flexconsumption-locations')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name; empty means rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the deployer (azd fills AZURE_PRINCIPAL_ID). When set, it gets data roles to read reports, queue check requests and open the scheduler dashboard. Empty skips them.')
param principalId string = ''

@description('Kind of principal in principalId (azd fills AZURE_PRINCIPAL_TYPE).')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Durable Functions backend: Azure Storage (default) or Durable Task Scheduler.')
@allowed([
  'AzureStorage'
  'DurableTaskScheduler'
])
param durableBackend string = 'AzureStorage'

@description('Durable Task Scheduler SKU, used when durableBackend is DurableTaskScheduler.')
@allowed([
  'Consumption'
  'Dedicated'
])
param durableTaskSchedulerSku string = 'Consumption'

@description('Task hub name (TASKHUB_NAME). Letters and digits, 3-45 characters, valid for both backends.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'sitewatch'

@description('NCRONTAB schedule of the sweep timer (SWEEP_SCHEDULE).')
param sweepSchedule string = '0 */15 * * * *'

@description('NCRONTAB schedule of the timer that keeps the configured monitors running (MONITORS_SCHEDULE).')
param monitorsSchedule string = '0 */5 * * * *'

@description('JSON list of sweep targets (SITEWATCH_TARGETS); empty means the config blob targets.json.')
param sweepTargets string = ''

@description('JSON list of monitors to keep running (SITEWATCH_MONITORS); empty means the config blob monitors.json.')
param monitors string = ''

@description('Allow loopback, private and link-local targets (SITEWATCH_ALLOW_PRIVATE_NETWORKS). Keep false on the internet.')
param allowPrivateNetworks bool = false

@description('Private networks checks may reach although allowPrivateNetworks is false, as CIDRs: "10.1.0.0/16,fd12::/48" (SITEWATCH_ALLOWED_NETWORKS). Loopback only when listed itself; metadata endpoints never.')
param allowedNetworks string = ''

@description('Targets accepted in one check request (SITEWATCH_MAX_TARGETS).')
@minValue(1)
@maxValue(100000)
param maxTargets int = 1000

@description('Cap for ?wait= on the HTTP starters, in seconds (SITEWATCH_MAX_WAIT_SECONDS).')
@minValue(0)
@maxValue(230)
param maxWaitSeconds int = 60

@description('Blob container for reports (SITEWATCH_REPORTS_CONTAINER).')
@minLength(3)
@maxLength(63)
param reportsContainerName string = 'reports'

@description('Blob container for targets.json and monitors.json (SITEWATCH_CONFIG_CONTAINER).')
@minLength(3)
@maxLength(63)
param configContainerName string = 'config'

@description('Put the app in a virtual network (VNET_ENABLED): VNet integration, private endpoints for storage (and the scheduler), public data endpoints closed. docs/deploy.md, "Private networking".')
param vnetEnabled bool = false

@description('Address space of the virtual network when vnetEnabled (VNET_ADDRESS_PREFIX); its first two /24s become the app and private-endpoint subnets.')
param vnetAddressPrefix string = '10.0.0.0/16'

@description('Days of check history kept in Table storage (SITEWATCH_HISTORY_DAYS); 0 turns history off.')
@minValue(0)
@maxValue(3650)
param historyDays int = 90

@description('Days a finished check run or audit (instance, histories, report blobs) is kept (SITEWATCH_RUN_RETENTION_DAYS); 0 keeps them forever.')
@minValue(0)
@maxValue(3650)
param runRetentionDays int = 30

@description('Show (redacted) target URLs on the public status page (SITEWATCH_STATUS_SHOW_URLS).')
param statusShowUrls bool = false

@description('Title of the public status page (SITEWATCH_STATUS_TITLE).')
param statusTitle string = 'Sitewatch status'

@description('Memory per function app instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on instances Flex Consumption scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var useScheduler = durableBackend == 'DurableTaskScheduler'
var hasDeployer = !empty(principalId)

// Built-in role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// Queues the app uses; the host would create them on first use, but creating them here lets other
// systems send before the first deploy, and with VNET_ENABLED an operator can only see them here:
// - check-requests (+ -rejected): check requests from other systems (src/functions/checkRequestsQueue.ts),
// - alerts: one message per alert and channel, delivered by the deliverAlert queue trigger;
//   alerts-poison: where the host moves an alert after host.json's maxDequeueCount failed tries.
var queueNames = [
  'check-requests'
  'check-requests-rejected'
  'alerts'
  'alerts-poison'
]

// Check history (Table storage, @azure/data-tables through AzureWebJobsStorage__tableServiceUri):
// one row per check, daily rollups per target, incidents, and one summary per monitor (what the
// status page and badges read). The app identity's Storage Table Data Contributor covers reads,
// writes and the purge.
var tableNames = [
  'SitewatchChecks'
  'SitewatchDaily'
  'SitewatchIncidents'
  'SitewatchSummary'
]
var deploymentContainerName = 'app-package-${resourceToken}'
var storageServices = [
  'blob'
  'queue'
  'table'
]

// Principals that get Durable Task Data Contributor on the scheduler (the deployer for the dashboard).
var appPrincipal = [
  {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
  }
]
var deployerPrincipal = hasDeployer ? [
  {
    principalId: principalId
    principalType: principalType
  }
] : []

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-sitewatch-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-sitewatch-${resourceToken}'
    applicationInsightsName: 'appi-sitewatch-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'stsw${resourceToken}'
    location: location
    tags: tags
    containerNames: [
      deploymentContainerName
      reportsContainerName
      configContainerName
    ]
    queueNames: queueNames
    tableNames: tableNames
    privateNetworkOnly: vnetEnabled
  }
}

module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: rg
  params: {
    name: 'vnet-sitewatch-${resourceToken}'
    location: location
    tags: tags
    addressPrefix: vnetAddressPrefix
  }
}

// One private endpoint per storage service the app uses: blob (host, deployment package, reports),
// queue (triggers, Durable Functions) and table (Durable Functions, check history).
module storageEndpoints 'modules/privateEndpoint.bicep' = [for service in storageServices: if (vnetEnabled) {
  name: 'pe-storage-${service}'
  scope: rg
  params: {
    name: 'pe-stsw${resourceToken}-${service}'
    location: location
    tags: tags
    subnetId: network.?outputs.privateEndpointSubnetId ?? ''
    virtualNetworkId: network.?outputs.id ?? ''
    privateLinkServiceId: storage.outputs.id
    groupId: service
    privateDnsZoneName: 'privatelink.${service}.${environment().suffixes.storage}'
  }
}]

module schedulerEndpoint 'modules/privateEndpoint.bicep' = if (vnetEnabled && useScheduler) {
  name: 'pe-scheduler'
  scope: rg
  params: {
    name: 'pe-dts-sitewatch-${resourceToken}'
    location: location
    tags: tags
    subnetId: network.?outputs.privateEndpointSubnetId ?? ''
    virtualNetworkId: network.?outputs.id ?? ''
    privateLinkServiceId: scheduler.?outputs.id ?? ''
    groupId: 'scheduler'
    privateDnsZoneName: 'privatelink.durabletask.io'
  }
}

// The app's identity: Blob Data Owner (host storage and deployment package; Owner as the
// Functions docs require for AzureWebJobsStorage), Queue Data Contributor (queue triggers and the
// alerts queue output, Durable Functions' Azure Storage backend), Table Data Contributor (Durable
// Functions' Azure Storage backend, check history), Monitoring Metrics Publisher (telemetry).
// https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
module appRoles 'modules/roleAssignments.bicep' = {
  name: 'app-roles'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    storageAccountName: storage.outputs.name
    storageRoleIds: [
      roles.storageBlobDataOwner
      roles.storageQueueDataContributor
      roles.storageTableDataContributor
    ]
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    monitoringRoleIds: [
      roles.monitoringMetricsPublisher
    ]
  }
}

// Optional roles for the deployer: read reports, upload config blobs, send check requests.
module deployerRoles 'modules/roleAssignments.bicep' = if (hasDeployer) {
  name: 'deployer-roles'
  scope: rg
  params: {
    principalId: principalId
    principalType: principalType
    storageAccountName: storage.outputs.name
    storageRoleIds: [
      roles.storageBlobDataContributor
      roles.storageQueueDataContributor
      roles.storageTableDataContributor
    ]
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module scheduler 'modules/durableTaskScheduler.bicep' = if (useScheduler) {
  name: 'durable-task-scheduler'
  scope: rg
  params: {
    schedulerName: 'dts-sitewatch-${resourceToken}'
    taskHubName: taskHubName
    location: location
    tags: tags
    skuName: durableTaskSchedulerSku
    dataContributors: concat(appPrincipal, deployerPrincipal)
    privateNetworkOnly: vnetEnabled
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'function-app'
  scope: rg
  // Roles and private endpoints first, so the host's first start can already reach storage and
  // the scheduler.
  dependsOn: [
    appRoles
    scheduler
    storageEndpoints
    schedulerEndpoint
  ]
  params: {
    name: 'func-sitewatch-${resourceToken}'
    planName: 'plan-sitewatch-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    durableBackend: durableBackend
    // `.?`: the module is conditional, so its outputs may be null (Bicep BCP318).
    durableTaskSchedulerEndpoint: scheduler.?outputs.endpoint ?? ''
    taskHubName: taskHubName
    sweepSchedule: sweepSchedule
    monitorsSchedule: monitorsSchedule
    sweepTargets: sweepTargets
    monitors: monitors
    allowPrivateNetworks: allowPrivateNetworks
    allowedNetworks: allowedNetworks
    maxTargets: maxTargets
    maxWaitSeconds: maxWaitSeconds
    reportsContainerName: reportsContainerName
    configContainerName: configContainerName
    historyDays: historyDays
    runRetentionDays: runRetentionDays
    statusShowUrls: statusShowUrls
    statusTitle: statusTitle
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    virtualNetworkSubnetId: network.?outputs.appSubnetId ?? ''
  }
}

// azd reads these into .azure/<env>/.env; docs/deploy.md and the README use them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SITEWATCH_API_URL string = 'https://${functionApp.outputs.defaultHostName}/api'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output DURABLE_BACKEND string = durableBackend
output TASKHUB_NAME string = taskHubName
output DURABLE_TASK_SCHEDULER_NAME string = scheduler.?outputs.name ?? ''
output DURABLE_TASK_SCHEDULER_ENDPOINT string = scheduler.?outputs.endpoint ?? ''
output VNET_ENABLED bool = vnetEnabled
output AZURE_VNET_NAME string = network.?outputs.name ?? ''
output AZURE_VNET_APP_SUBNET_PREFIX string = network.?outputs.appSubnetPrefix ?? ''
output AZURE_VNET_PRIVATE_ENDPOINT_SUBNET_PREFIX string = network.?outputs.privateEndpointSubnetPrefix ?? ''
