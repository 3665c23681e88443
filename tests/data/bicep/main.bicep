// The source the two compiled templates beside it stand for (see README.md).
@description('Name of the Application Gateway')
param appGatewayName string = 'appgw-bicep'

param location string = resourceGroup().location

@secure()
param listenerCertData string

@secure()
param listenerCertPassword string

param backendRootData string

param keyVaultName string = 'kv-edge'

var gatewayId = resourceId('Microsoft.Network/applicationGateways', appGatewayName)

resource appGw 'Microsoft.Network/applicationGateways@2024-05-01' = {
  name: appGatewayName
  location: location
  properties: {
    sku: {
      name: 'Standard_v2'
      tier: 'Standard_v2'
      capacity: 2
    }
    gatewayIPConfigurations: [
      {
        name: 'gateway'
        properties: {
          subnet: {
            id: resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-edge', 'appgw')
          }
        }
      }
    ]
    sslCertificates: [
      {
        name: 'www-cert'
        properties: {
          data: listenerCertData
          password: listenerCertPassword
        }
      }
      {
        name: 'kv-cert'
        properties: {
          keyVaultSecretId: 'https://${keyVaultName}.vault.azure.net/secrets/www-contoso'
        }
      }
    ]
    trustedRootCertificates: [
      {
        name: 'backend-root'
        properties: {
          data: backendRootData
        }
      }
    ]
    frontendPorts: [
      {
        name: 'https'
        properties: {
          port: 443
        }
      }
    ]
    httpListeners: [
      {
        name: 'www-https'
        properties: {
          protocol: 'Https'
          hostName: 'www.contoso.com'
          frontendPort: {
            id: '${gatewayId}/frontendPorts/https'
          }
          sslCertificate: {
            id: resourceId('Microsoft.Network/applicationGateways/sslCertificates', appGatewayName, 'www-cert')
          }
        }
      }
      {
        name: 'shop-https'
        properties: {
          protocol: 'Https'
          hostName: 'shop.fabrikam.com'
          frontendPort: {
            id: '${gatewayId}/frontendPorts/https'
          }
          sslCertificate: {
            id: '${gatewayId}/sslCertificates/www-cert'
          }
        }
      }
      {
        name: 'kv-https'
        properties: {
          protocol: 'Https'
          hostName: 'kv.contoso.com'
          frontendPort: {
            id: '${gatewayId}/frontendPorts/https'
          }
          sslCertificate: {
            id: '${gatewayId}/sslCertificates/kv-cert'
          }
        }
      }
      {
        name: 'typo-https'
        properties: {
          protocol: 'Https'
          hostName: 'typo.contoso.com'
          frontendPort: {
            id: '${gatewayId}/frontendPorts/https'
          }
          sslCertificate: {
            id: '${gatewayId}/sslCertificates/www-crt'
          }
        }
      }
    ]
    backendHttpSettingsCollection: [
      {
        name: 'backend'
        properties: {
          port: 443
          protocol: 'Https'
          hostName: 'www.contoso.com'
          trustedRootCertificates: [
            {
              id: '${gatewayId}/trustedRootCertificates/backend-root'
            }
          ]
        }
      }
    ]
  }
}
