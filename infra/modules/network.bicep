// The optional virtual network (VNET_ENABLED): one subnet for the function app's outbound traffic
// (Flex Consumption VNet integration, delegated to Microsoft.App/environments as Flex requires)
// and one for the private endpoints of storage and the scheduler. Same layout as the Flex
// Consumption azd quickstarts (Azure-Samples/functions-quickstart-typescript-azd, infra/app/vnet.bicep).
// https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#virtual-network-integration

@description('Virtual network name.')
param name string

@description('Region; it must be the function app\'s region.')
param location string

@description('Tags for the network.')
param tags object = {}

@description('Address space; the app and private-endpoint subnets are its first two /24s. Pick one that does not overlap networks you peer with.')
param addressPrefix string

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 0)
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 1)
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

output id string = vnet.id
output name string = vnet.name
output appSubnetId string = '${vnet.id}/subnets/app'
output privateEndpointSubnetId string = '${vnet.id}/subnets/private-endpoints'
output appSubnetPrefix string = cidrSubnet(addressPrefix, 24, 0)
output privateEndpointSubnetPrefix string = cidrSubnet(addressPrefix, 24, 1)
