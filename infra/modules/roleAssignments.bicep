// Data-plane roles for one principal (the app's identity, or the optional deployer) on the
// storage account and on Application Insights. Names are deterministic guids, so a re-provision
// finds the same assignments instead of failing on duplicates.

@description('Object (principal) id that receives the roles.')
param principalId string

@description('Kind of principal; ARM needs it to skip the directory lookup for new identities.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param principalType string

@description('Storage account the storage roles apply to.')
param storageAccountName string

@description('Role definition ids granted on the storage account.')
param storageRoleIds array

@description('Application Insights component the monitoring roles apply to.')
param applicationInsightsName string

@description('Role definition ids granted on Application Insights.')
param monitoringRoleIds array = []

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in storageRoleIds: {
  name: guid(storage.id, principalId, roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: principalType
  }
}]

resource monitoringRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in monitoringRoleIds: {
  name: guid(applicationInsights.id, principalId, roleId)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: principalType
  }
}]
