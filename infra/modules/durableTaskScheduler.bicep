// Durable Task Scheduler backend (used when durableBackend = 'DurableTaskScheduler'): the
// scheduler, its task hub, and Durable Task Data Contributor for the given principals. The app
// reaches it with its user-assigned identity through DURABLE_TASK_SCHEDULER_CONNECTION_STRING
// (set in functionApp.bicep). Identity and roles:
// https://learn.microsoft.com/azure/azure-functions/durable/durable-task-scheduler/durable-task-scheduler-identity

@description('Scheduler name.')
param schedulerName string

@description('Task hub name; the app reads the same value from TASKHUB_NAME (host.json hubName).')
param taskHubName string

@description('Region of the scheduler; keep it in the app\'s region.')
param location string

@description('Tags for the scheduler.')
param tags object = {}

@description('Billing SKU: Consumption (pay per action) or Dedicated (reserved capacity units).')
@allowed([
  'Consumption'
  'Dedicated'
])
param skuName string = 'Consumption'

@description('Principals granted Durable Task Data Contributor on the scheduler: [{ principalId, principalType }].')
param dataContributors array

@description('Reachable only through a private endpoint (VNET_ENABLED); otherwise open and guarded by Entra ID.')
param privateNetworkOnly bool = false

// Built-in role "Durable Task Data Contributor": all data operations on the scheduler's task hubs.
var durableTaskDataContributorRoleId = '0ad04412-c4d5-4796-b79c-f76d14c8d402'

// 2026-02-01: an API version with publicNetworkAccess and private endpoint connections (the
// default of the Azure.ResourceManager.DurableTask SDK).
resource scheduler 'Microsoft.DurableTask/schedulers@2026-02-01' = {
  name: schedulerName
  location: location
  tags: tags
  properties: {
    // Without the VNet, network access is open and guarded by Entra ID (the data role below),
    // like the Microsoft quickstart templates. With it, only the private endpoint main.bicep
    // adds reaches the scheduler.
    publicNetworkAccess: privateNetworkOnly ? 'Disabled' : 'Enabled'
    ipAllowlist: privateNetworkOnly ? [] : [
      '0.0.0.0/0'
    ]
    sku: skuName == 'Dedicated' ? {
      name: skuName
      capacity: 1
    } : {
      name: skuName
    }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2026-02-01' = {
  parent: scheduler
  name: taskHubName
}

resource dataRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for contributor in dataContributors: {
  name: guid(scheduler.id, contributor.principalId, durableTaskDataContributorRoleId)
  scope: scheduler
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributorRoleId)
    principalId: contributor.principalId
    principalType: contributor.principalType
  }
}]

output id string = scheduler.id
output name string = scheduler.name
output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
