// One private endpoint for one sub-resource (blob, queue, table of the storage account, or the
// Durable Task Scheduler), with the private DNS zone that makes the resource's usual host name
// resolve to the endpoint's private address inside the virtual network. Clients keep their
// endpoints and identities; only name resolution and the path change.
// - storage: https://learn.microsoft.com/azure/storage/common/storage-private-endpoints
//   (zones privatelink.<blob|queue|table>.core.windows.net, as in the Flex quickstarts'
//   infra/app/storage-PrivateEndpoint.bicep)
// - scheduler: sub-resource `scheduler`, zone privatelink.durabletask.io:
//   https://learn.microsoft.com/azure/durable-task/scheduler/durable-task-scheduler-private-endpoints

@description('Private endpoint name.')
param name string

@description('Region of the endpoint; the virtual network\'s region.')
param location string

@description('Tags for the endpoint and the zone.')
param tags object = {}

@description('Subnet that holds the endpoint.')
param subnetId string

@description('Virtual network the DNS zone is linked to.')
param virtualNetworkId string

@description('Resource the endpoint connects to.')
param privateLinkServiceId string

@description('Sub-resource (group id): blob, queue, table or scheduler.')
@allowed([
  'blob'
  'queue'
  'table'
  'scheduler'
])
param groupId string

@description('Private DNS zone for that sub-resource.')
param privateDnsZoneName string

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: privateDnsZoneName
  location: 'global'
  tags: tags
}

resource zoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: zone
  name: '${name}-link'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: virtualNetworkId
    }
  }
}

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: privateLinkServiceId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }
}

// Registers the endpoint's address in the zone (the A record the clients resolve).
resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: replace(privateDnsZoneName, '.', '-')
        properties: {
          privateDnsZoneId: zone.id
        }
      }
    ]
  }
}

output id string = endpoint.id
