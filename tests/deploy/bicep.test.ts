// Structural checks of infra/ by text, since the Bicep compiler cannot run here (no bicep
// build, no what-if): modules resolve, parameters line up across files, decorators are real,
// nothing is declared and unused, and the Flex Consumption / identity-only choices hold.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ALERTS_POISON_QUEUE, ALERTS_QUEUE } from '../../src/core/alertQueue';
import { HISTORY_TABLES } from '../../src/core/history';
import { REPO_ROOT } from './support/appSettings';
import {
  type BicepFile,
  braceBody,
  readBicep,
  stripComments,
  varObjectBodies,
  varObjectEntries,
} from './support/bicep';

const INFRA = join(REPO_ROOT, 'infra');
const mainPath = join(INFRA, 'main.bicep');
const main = readBicep(mainPath);
const modulePaths = readdirSync(join(INFRA, 'modules'))
  .filter((name) => name.endsWith('.bicep'))
  .map((name) => join(INFRA, 'modules', name));
const files: BicepFile[] = [main, ...modulePaths.map(readBicep)];
const byPath = new Map(files.map((file) => [file.path, file]));
const moduleFile = (from: BicepFile, path: string) => byPath.get(join(dirname(from.path), path));
const parametersFile = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')) as {
  parameters: Record<string, { value: unknown }>;
};
const rel = (file: BicepFile) => file.path.slice(REPO_ROOT.length + 1);

/** Values of the @allowed([...]) decorator on a param, as written ('x' or 42). */
function allowedValues(file: BicepFile, param: string): string[] | undefined {
  const code = stripComments(file.text);
  const decl = new RegExp(`^param\\s+${param}\\b`, 'm').exec(code);
  if (!decl) return undefined;
  // The decorators are the lines between the previous blank line and the declaration.
  const before = code.slice(0, decl.index);
  const block = before.slice(before.lastIndexOf('\n\n') + 2);
  const allowed = /@allowed\(\[([\s\S]*?)\]\)/.exec(block);
  return allowed?.[1]
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

describe('every Bicep file', () => {
  it.each(files.map((file) => [rel(file), file] as const))(
    '%s parses (balanced braces, known decorators)',
    (_, file) => {
      const known = new Set([
        'description',
        'minLength',
        'maxLength',
        'minValue',
        'maxValue',
        'allowed',
        'metadata',
        'secure',
      ]);
      expect(file.decorators.filter((name) => !known.has(name))).toEqual([]);
      for (const module of file.modules) expect(module.body.length).toBeGreaterThan(0);
    },
  );

  it.each(files.map((file) => [rel(file), file] as const))(
    '%s declares nothing it does not use',
    (_, file) => {
      const code = stripComments(file.text);
      const unused = [...file.params.map((p) => p.name), ...file.vars].filter(
        (name) => (code.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length < 2,
      );
      expect(unused).toEqual([]);
    },
  );

  it.each(files.map((file) => [rel(file), file] as const))(
    '%s uses dated, non-preview API versions',
    (_, file) => {
      for (const resource of file.resources)
        expect([resource.type, resource.apiVersion]).toEqual([
          resource.type,
          expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        ]);
    },
  );

  it.each(files.map((file) => [rel(file), file] as const))('%s exposes no keys or secrets', (_, file) => {
    expect(file.text).not.toMatch(/listKeys\(|listSecrets\(|AccountKey=/);
    for (const output of file.outputs) expect(output.name).not.toMatch(/key|secret|password/i);
  });
});

describe('modules', () => {
  const references = files.flatMap((file) =>
    file.modules.map((module) => [rel(file), module.symbol, file, module] as const),
  );

  it('main.bicep is the azd entry point at subscription scope', () => {
    expect(main.text).toMatch(/^targetScope = 'subscription'$/m);
    expect(references.length).toBeGreaterThanOrEqual(6);
  });

  it.each(references)('%s: module %s resolves to a file in infra/', (_, __, file, module) => {
    expect(existsSync(join(dirname(file.path), module.path))).toBe(true);
    expect(moduleFile(file, module.path)).toBeDefined();
  });

  it.each(references)(
    '%s: module %s passes only declared params and every required one',
    (_, __, file, module) => {
      const target = moduleFile(file, module.path) as BicepFile;
      const declared = target.params.map((p) => p.name);
      expect(module.params.filter((name) => !declared.includes(name))).toEqual([]);
      const required = target.params.filter((p) => !p.hasDefault).map((p) => p.name);
      expect(required.filter((name) => !module.params.includes(name))).toEqual([]);
    },
  );

  it('every module file is used', () => {
    const used = new Set(references.map(([, , file, module]) => join(dirname(file.path), module.path)));
    expect(modulePaths.filter((path) => !used.has(path))).toEqual([]);
  });
});

describe('main.parameters.json', () => {
  const entries = Object.entries(parametersFile.parameters);

  it('names only params main.bicep declares', () => {
    const declared = main.params.map((p) => p.name);
    expect(entries.map(([name]) => name).filter((name) => !declared.includes(name))).toEqual([]);
  });

  it('gives every param without a default a value', () => {
    const mapped = entries.map(([name]) => name);
    expect(main.params.filter((p) => !p.hasDefault && !mapped.includes(p.name)).map((p) => p.name)).toEqual(
      [],
    );
  });

  it.each(entries)('%s maps an azd environment variable', (name, { value }) => {
    expect(value).toMatch(/^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$/);
    // A fallback (${VAR=default}) must be a value the param accepts.
    const fallback = /=([^}]*)\}$/.exec(String(value))?.[1];
    const allowed = allowedValues(main, name);
    if (fallback !== undefined && allowed)
      expect(allowed).toContain(/^\d+$/.test(fallback) ? fallback : `'${fallback}'`);
  });

  it('the durable backend choice and its default', () => {
    expect(allowedValues(main, 'durableBackend')).toEqual(["'AzureStorage'", "'DurableTaskScheduler'"]);
    expect(main.params.find((p) => p.name === 'durableBackend')?.defaultValue).toBe("'AzureStorage'");
    expect(parametersFile.parameters.durableBackend.value).toBe('${DURABLE_BACKEND=AzureStorage}');
  });

  it('lets azd fill location and the deployer principal', () => {
    expect(parametersFile.parameters.location.value).toBe('${AZURE_LOCATION}');
    expect(parametersFile.parameters.principalId.value).toBe('${AZURE_PRINCIPAL_ID}');
    expect(main.text).toMatch(
      /@metadata\(\{\s*azd: \{\s*type: 'location'\s*\}\s*\}\)\s*param location string/,
    );
  });
});

describe('what the resources are', () => {
  const text = (name: string) => stripComments(readFileSync(join(INFRA, 'modules', name), 'utf8'));

  it('a Flex Consumption (FC1) Linux plan running Node 22', () => {
    const app = text('functionApp.bicep');
    expect(app).toMatch(/sku: \{\s*tier: 'FlexConsumption'\s*name: 'FC1'\s*\}/);
    expect(app).toMatch(/reserved: true/);
    expect(app).toMatch(/kind: 'functionapp,linux'/);
    expect(app).toMatch(/runtime: \{\s*name: 'node'\s*version: nodeVersion\s*\}/);
    expect(
      readBicep(join(INFRA, 'modules', 'functionApp.bicep')).params.find((p) => p.name === 'nodeVersion')
        ?.defaultValue,
    ).toBe("'22'");
  });

  it('the deployment package in a blob container, reached with the user-assigned identity', () => {
    const app = text('functionApp.bicep');
    expect(app).toMatch(
      /type: 'blobContainer'\s*value: '\$\{storage\.properties\.primaryEndpoints\.blob\}\$\{deploymentContainerName\}'/,
    );
    expect(app).toMatch(
      /authentication: \{\s*type: 'UserAssignedIdentity'\s*userAssignedIdentityResourceId: identityId\s*\}/,
    );
    expect(app).toMatch(/identity: \{\s*type: 'UserAssigned'/);
    const storage = main.modules.find((module) => module.symbol === 'storage');
    expect(storage?.body).toMatch(/containerNames: \[\s*deploymentContainerName\s/);
  });

  it('storage with shared-key access disabled', () => {
    const storage = text('storage.bicep');
    expect(storage).toMatch(/allowSharedKeyAccess: false/);
    expect(storage).toMatch(/allowBlobPublicAccess: false/);
    expect(storage).toMatch(/minimumTlsVersion: 'TLS1_2'/);
  });

  it('Log Analytics and Application Insights with local auth disabled', () => {
    const monitoring = text('monitoring.bicep');
    expect(monitoring).toMatch(/features: \{\s*disableLocalAuth: true\s*\}/);
    expect(monitoring).toMatch(/DisableLocalAuth: true/);
    expect(monitoring).toMatch(/WorkspaceResourceId: logAnalytics\.id/);
  });

  it('the Durable Task Scheduler only when chosen, with a task hub and the data role', () => {
    const scheduler = main.modules.find((module) => module.path === 'modules/durableTaskScheduler.bicep');
    expect(scheduler?.conditional).toBe(true);
    expect(main.text).toMatch(
      /module scheduler 'modules\/durableTaskScheduler\.bicep' = if \(useScheduler\)/,
    );
    const dts = text('durableTaskScheduler.bicep');
    expect(dts).toMatch(/'Microsoft\.DurableTask\/schedulers\/taskHubs@/);
    expect(dts).toMatch(/durableTaskDataContributorRoleId = '0ad04412-c4d5-4796-b79c-f76d14c8d402'/);
    expect(scheduler?.body).toMatch(/taskHubName: taskHubName/);
  });
});

describe('role assignments', () => {
  // Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
  const builtIn: Record<string, string> = {
    storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
    storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
    storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  };
  const roles = Object.fromEntries(
    varObjectEntries(main.text, 'roles').map(({ key, value }) => [key, value.replace(/'/g, '')]),
  );
  const moduleBody = (symbol: string) => main.modules.find((module) => module.symbol === symbol)?.body ?? '';

  it('names the built-in roles by their real ids', () => {
    expect(roles).toEqual(builtIn);
  });

  it('gives the app identity what the host, the triggers, Durable Functions and telemetry need', () => {
    const body = moduleBody('appRoles');
    for (const role of [
      'storageBlobDataOwner',
      'storageQueueDataContributor',
      'storageTableDataContributor',
      'monitoringMetricsPublisher',
    ]) {
      expect(body).toContain(`roles.${role}`);
    }
    expect(body).toMatch(/principalId: identity\.outputs\.principalId/);
    expect(body).toMatch(/principalType: 'ServicePrincipal'/);
  });

  it('gives the deployer data roles only when principalId is set', () => {
    expect(main.text).toMatch(/module deployerRoles 'modules\/roleAssignments\.bicep' = if \(hasDeployer\)/);
    expect(main.text).toMatch(/var hasDeployer = !empty\(principalId\)/);
    expect(main.text).toMatch(/var deployerPrincipal = hasDeployer \? \[/);
  });

  it('uses deterministic assignment names and subscription-level role definitions', () => {
    for (const name of ['roleAssignments.bicep', 'durableTaskScheduler.bicep']) {
      const code = stripComments(readFileSync(join(INFRA, 'modules', name), 'utf8'));
      const assignments = [
        ...code.matchAll(/'Microsoft\.Authorization\/roleAssignments@[^']+' = \[for [^\n]+\{/g),
      ];
      expect(assignments.length).toBeGreaterThan(0);
      for (const match of assignments) {
        const body = braceBody(code, (match.index ?? 0) + match[0].length - 1);
        expect(body).toMatch(/name: guid\(/);
        expect(body).toMatch(
          /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', /,
        );
        expect(body).toMatch(/principalType: /);
      }
    }
  });
});

describe('azd integration', () => {
  const azure = parseYaml(readFileSync(join(REPO_ROOT, 'azure.yaml'), 'utf8')) as {
    services: Record<string, unknown>;
  };
  const outputs = main.outputs.map((output) => output.name);

  it('the function app carries the azd-service-name tag of the azure.yaml service', () => {
    const app = readBicep(join(INFRA, 'modules', 'functionApp.bicep'));
    expect(app.text).toMatch(/'azd-service-name': serviceName/);
    const serviceName = app.params.find((p) => p.name === 'serviceName')?.defaultValue;
    expect(Object.keys(azure.services).map((name) => `'${name}'`)).toEqual([serviceName]);
  });

  it('outputs what azd and docs/deploy.md use', () => {
    for (const name of [
      'AZURE_LOCATION',
      'AZURE_TENANT_ID',
      'AZURE_RESOURCE_GROUP',
      'AZURE_FUNCTION_APP_NAME',
      'SITEWATCH_API_URL',
    ]) {
      expect(outputs).toContain(name);
    }
    const docs = readFileSync(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
    const used = [...docs.matchAll(/azd env get-value ([A-Z_]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(outputs).toContain(name);
  });

  it('resource names fit their limits for any environment', () => {
    // uniqueString() is 13 characters; a storage account allows 3-24 lowercase letters and digits.
    const storageName = /name: '(st\w*)\$\{resourceToken\}'/.exec(main.text)?.[1] ?? '';
    expect(storageName).toMatch(/^[a-z0-9]+$/);
    expect(storageName.length + 13).toBeLessThanOrEqual(24);
    const functionAppName = /name: '(func-[\w-]*)\$\{resourceToken\}'/.exec(main.text)?.[1] ?? '';
    expect(functionAppName.length + 13).toBeLessThanOrEqual(60);
  });
});

describe('conditional modules', () => {
  const conditional = files.flatMap((file) =>
    file.modules
      .filter((module) => module.conditional)
      .map((module) => [rel(file), module.symbol, file] as const),
  );

  it('there are some (the scheduler, the network, the private endpoints)', () => {
    expect(conditional.map(([, symbol]) => symbol)).toEqual(
      expect.arrayContaining(['scheduler', 'network', 'storageEndpoints', 'schedulerEndpoint']),
    );
  });

  // A conditional module is null when its condition is false; `.outputs` on it is BCP318 and
  // fails the deployment if evaluated, `.?outputs` yields null instead.
  it.each(conditional)('%s: outputs of %s are read with .? only', (_, symbol, file) => {
    const code = stripComments(file.text);
    expect(code.match(new RegExp(`\\b${symbol}\\.outputs\\b`, 'g')) ?? []).toEqual([]);
  });

  it('the scheduler and network outputs main.bicep passes on are read that way, with a fallback', () => {
    const code = stripComments(main.text);
    for (const symbol of ['scheduler', 'network'])
      expect(code).toMatch(new RegExp(`\\b${symbol}\\.\\?outputs\\.\\w+ \\?\\? ''`));
    // The check sees a plain access (it is what BCP318 flags).
    expect('x = scheduler.outputs.endpoint').toMatch(/\bscheduler\.outputs\b/);
  });
});

describe('private networking (VNET_ENABLED)', () => {
  const code = stripComments(main.text);
  const moduleNamed = (symbol: string) => main.modules.find((module) => module.symbol === symbol);
  const text = (name: string) => stripComments(readFileSync(join(INFRA, 'modules', name), 'utf8'));

  it('is off unless VNET_ENABLED says otherwise', () => {
    expect(main.params.find((p) => p.name === 'vnetEnabled')).toMatchObject({
      type: 'bool',
      defaultValue: 'false',
    });
    expect(parametersFile.parameters.vnetEnabled.value).toBe('${VNET_ENABLED=false}');
    expect(parametersFile.parameters.vnetAddressPrefix.value).toBe('${VNET_ADDRESS_PREFIX=10.0.0.0/16}');
  });

  it('creates the virtual network with a subnet delegated for Flex Consumption and one for private endpoints', () => {
    expect(moduleNamed('network')?.path).toBe('modules/network.bicep');
    expect(code).toMatch(/module network 'modules\/network\.bicep' = if \(vnetEnabled\)/);
    const network = text('network.bicep');
    expect(network).toMatch(/serviceName: 'Microsoft\.App\/environments'/);
    expect(network).toMatch(/name: 'app'[\s\S]*addressPrefix: cidrSubnet\(addressPrefix, 24, 0\)/);
    expect(network).toMatch(
      /name: 'private-endpoints'[\s\S]*addressPrefix: cidrSubnet\(addressPrefix, 24, 1\)/,
    );
  });

  it('integrates the function app into the app subnet', () => {
    expect(moduleNamed('functionApp')?.body).toMatch(
      /virtualNetworkSubnetId: network\.\?outputs\.appSubnetId \?\? ''/,
    );
    expect(text('functionApp.bicep')).toMatch(
      /virtualNetworkSubnetId: empty\(virtualNetworkSubnetId\) \? null : virtualNetworkSubnetId/,
    );
  });

  it('adds private endpoints for blob, queue and table, each with its privatelink DNS zone', () => {
    const endpoints = moduleNamed('storageEndpoints');
    expect(endpoints).toMatchObject({ path: 'modules/privateEndpoint.bicep', loop: true, conditional: true });
    expect(code).toMatch(/= \[for service in storageServices: if \(vnetEnabled\) \{/);
    expect(varObjectBodies(main.text, 'storageServices')).toEqual([]); // an array, not an object
    expect(code).toMatch(/var storageServices = \[\s*'blob'\s*'queue'\s*'table'\s*\]/);
    expect(endpoints?.body).toMatch(/groupId: service\n/);
    expect(endpoints?.body).toMatch(/privateLinkServiceId: storage\.outputs\.id/);
    expect(endpoints?.body).toMatch(
      /privateDnsZoneName: 'privatelink\.\$\{service\}\.\$\{environment\(\)\.suffixes\.storage\}'/,
    );
    const endpoint = text('privateEndpoint.bicep');
    expect(endpoint).toMatch(/'Microsoft\.Network\/privateDnsZones\/virtualNetworkLinks@/);
    expect(endpoint).toMatch(/'Microsoft\.Network\/privateEndpoints\/privateDnsZoneGroups@/);
    expect(endpoint).toMatch(/groupIds: \[\s*groupId\s*\]/);
  });

  it('adds a private endpoint for the scheduler where there is one', () => {
    expect(code).toMatch(
      /module schedulerEndpoint 'modules\/privateEndpoint\.bicep' = if \(vnetEnabled && useScheduler\)/,
    );
    const body = moduleNamed('schedulerEndpoint')?.body ?? '';
    expect(body).toMatch(/groupId: 'scheduler'/);
    expect(body).toMatch(/privateDnsZoneName: 'privatelink\.durabletask\.io'/);
    expect(moduleNamed('scheduler')?.body).toMatch(/privateNetworkOnly: vnetEnabled/);
    expect(text('durableTaskScheduler.bicep')).toMatch(
      /publicNetworkAccess: privateNetworkOnly \? 'Disabled' : 'Enabled'/,
    );
  });

  it('closes the storage firewall with the VNet, and only then', () => {
    expect(moduleNamed('storage')?.body).toMatch(/privateNetworkOnly: vnetEnabled/);
    const storage = text('storage.bicep');
    expect(storage).toMatch(/publicNetworkAccess: privateNetworkOnly \? 'Disabled' : 'Enabled'/);
    expect(storage).toMatch(
      /networkAcls: privateNetworkOnly \? \{\s*defaultAction: 'Deny'\s*bypass: 'None'\s*\} : \{\s*defaultAction: 'Allow'/,
    );
  });

  it('starts the app only after the private endpoints exist', () => {
    const dependsOn = /dependsOn: \[([^\]]*)\]/.exec(moduleNamed('functionApp')?.body ?? '')?.[1] ?? '';
    expect(dependsOn.split(/\s+/).filter(Boolean)).toEqual(
      expect.arrayContaining(['storageEndpoints', 'schedulerEndpoint', 'appRoles']),
    );
  });
});

describe("storage the app and this turn's pieces use", () => {
  const arrayVar = (name: string) =>
    (new RegExp(`^var ${name} = \\[([^\\]]*)\\]`, 'm').exec(stripComments(main.text))?.[1] ?? '')
      .split('\n')
      .map((line) => line.trim().replace(/^'|'$/g, ''))
      .filter(Boolean);
  const storageModule = main.modules.find((module) => module.symbol === 'storage');

  it('creates the check-request queues and the alerts queue with its poison queue', () => {
    expect(arrayVar('queueNames')).toEqual([
      'check-requests',
      'check-requests-rejected',
      'alerts',
      'alerts-poison',
    ]);
    expect(storageModule?.body).toMatch(/queueNames: queueNames/);
  });

  it('the alert queues are the ones the app writes to and the host poisons into', () => {
    expect(arrayVar('queueNames')).toEqual(expect.arrayContaining([ALERTS_QUEUE, ALERTS_POISON_QUEUE]));
  });

  it('creates the check history tables', () => {
    expect(arrayVar('tableNames')).toEqual(Object.values(HISTORY_TABLES));
    expect(storageModule?.body).toMatch(/tableNames: tableNames/);
    expect(stripComments(readFileSync(join(INFRA, 'modules', 'storage.bicep'), 'utf8'))).toMatch(
      /'Microsoft\.Storage\/storageAccounts\/tableServices\/tables@[^']+' = \[for tableName in tableNames:/,
    );
  });

  it('the names are valid: queues 3-63 lowercase letters, digits and dashes; tables 3-63 alphanumerics', () => {
    for (const queue of arrayVar('queueNames'))
      expect(queue).toMatch(/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/);
    for (const table of arrayVar('tableNames')) expect(table).toMatch(/^[A-Za-z][A-Za-z0-9]{2,62}$/);
  });
});
