// The settings contract between the code and the infra, both ways:
// (a) every setting the code reads (SETTING_NAMES) is set by the Bicep, with the code's default;
// (b) every setting the Bicep sets is read by the code or is a documented platform setting;
// (c) nothing in src/ reads process.env except src/settings.ts (WEBSITE_* platform reads aside).
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fg from 'fast-glob';
import { SETTING_NAMES, settings } from '../../src/settings';
import { REPO_ROOT, bicepAppSettings } from './support/appSettings';
import { readBicep } from './support/bicep';
import { findEnvReads } from './support/envReads';
import { FLEX_DEPRECATED, PLATFORM_SETTINGS, isPlatformSetting } from './support/platformSettings';

const appSettings = bicepAppSettings();
const bicepNames = new Set(appSettings.map((setting) => setting.name));
const main = readBicep(join(REPO_ROOT, 'infra', 'main.bicep'));
const parametersFile = JSON.parse(readFileSync(join(REPO_ROOT, 'infra', 'main.parameters.json'), 'utf8')) as {
  parameters: Record<string, { value: unknown }>;
};

// AzureWebJobsStorage is an identity-based connection in Azure: the parts replace the string.
const IDENTITY_CONNECTION_PARTS = [
  'blobServiceUri',
  'queueServiceUri',
  'tableServiceUri',
  'credential',
  'clientId',
];

describe('the Bicep reads as expected', () => {
  it('finds the app settings groups and a plausible number of settings', () => {
    expect(new Set(appSettings.map((setting) => setting.group))).toEqual(
      new Set(['storageSettings', 'monitoringSettings', 'sitewatchSettings', 'durableTaskSchedulerSettings']),
    );
    expect(appSettings.length).toBeGreaterThanOrEqual(SETTING_NAMES.length);
    expect(new Set(appSettings.map((setting) => setting.name)).size).toBe(appSettings.length);
  });
});

describe('(a) every setting the code reads is set by the infra', () => {
  it.each(SETTING_NAMES.filter((name) => name !== 'AzureWebJobsStorage'))('%s', (name) => {
    expect(bicepNames).toContain(name);
  });

  it('AzureWebJobsStorage is set as an identity-based connection, never as a connection string', () => {
    expect(SETTING_NAMES).toContain('AzureWebJobsStorage');
    expect(bicepNames).not.toContain('AzureWebJobsStorage');
    for (const part of IDENTITY_CONNECTION_PARTS)
      expect(bicepNames).toContain(`AzureWebJobsStorage__${part}`);
    const value = (name: string) => appSettings.find((setting) => setting.name === name)?.value;
    expect(value('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(value('AzureWebJobsStorage__clientId')).toBe('identityClientId');
  });

  it('%NAME% references in bindings and host.json resolve to app settings', () => {
    const sources = fg
      .sync('src/**/*.ts', { cwd: REPO_ROOT })
      .map((file) => readFileSync(join(REPO_ROOT, file), 'utf8'));
    sources.push(readFileSync(join(REPO_ROOT, 'host.json'), 'utf8'));
    const references = new Set(
      sources.flatMap((text) => [...text.matchAll(/%([A-Za-z_]\w*)%/g)].map((m) => m[1])),
    );
    expect(references).toContain('TASKHUB_NAME'); // host.json hubName
    for (const name of references) expect(bicepNames).toContain(name);
  });
});

describe('(b) every setting the infra sets is read by the code or is a platform setting', () => {
  it.each(appSettings.map((setting) => setting.name))('%s', (name) => {
    const readByCode = (SETTING_NAMES as readonly string[]).includes(name);
    expect(readByCode || isPlatformSetting(name)).toBe(true);
  });

  it('the allow-list rejects names it does not list', () => {
    expect(isPlatformSetting('SITEWATCH_TYPO')).toBe(false);
    expect(isPlatformSetting('AzureWebJobsStorage__accountName')).toBe(false);
    expect(isPlatformSetting('AzureFunctionsJobHost__logging__logLevel__default')).toBe(true);
    expect(PLATFORM_SETTINGS.every((setting) => setting.readBy.length > 0)).toBe(true);
  });

  it('sets none of the settings Flex Consumption deprecates', () => {
    for (const name of FLEX_DEPRECATED) expect(bicepNames).not.toContain(name);
  });

  it('host.json overrides, if any, point at sections host.json has', () => {
    const host = JSON.parse(readFileSync(join(REPO_ROOT, 'host.json'), 'utf8')) as Record<string, unknown>;
    const overrides = [...bicepNames].filter((name) => name.startsWith('AzureFunctionsJobHost__'));
    for (const name of overrides) {
      const path = name.split('__').slice(1);
      // The parent section must exist (keys are case-insensitive, as in .NET configuration).
      let node: unknown = host;
      for (const key of path.slice(0, -1)) {
        const entry = Object.entries(node as Record<string, unknown>).find(
          ([k]) => k.toLowerCase() === key.toLowerCase(),
        );
        expect(entry).toBeDefined();
        node = entry?.[1];
      }
    }
  });
});

describe('the Durable Task Scheduler settings', () => {
  const dts = appSettings.filter((setting) => setting.group === 'durableTaskSchedulerSettings');

  it('are conditional on durableBackend', () => {
    const code = readFileSync(join(REPO_ROOT, 'infra', 'modules', 'functionApp.bicep'), 'utf8');
    expect(code).toMatch(/var durableTaskSchedulerSettings = durableBackend == 'DurableTaskScheduler' \? \{/);
  });

  it('are only the connection string, with the user-assigned identity (host.json selects the provider)', () => {
    expect(dts.map((setting) => [setting.name, setting.value])).toEqual([
      [
        'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
        "'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'",
      ],
    ]);
  });
});

describe('infra defaults are the code defaults', () => {
  // Setting -> what the code falls back to when the setting is absent.
  const codeDefaults: Record<string, () => unknown> = {
    SWEEP_SCHEDULE: () => settings.sweepSchedule(),
    SITEWATCH_TARGETS: () => settings.sweepTargetsJson(),
    SITEWATCH_MONITORS: () => settings.monitorsJson(),
    SITEWATCH_ALLOW_PRIVATE_NETWORKS: () => settings.allowPrivateNetworks(),
    SITEWATCH_ALLOWED_NETWORKS: () =>
      settings.allowedNetworks().length === 0
        ? undefined
        : settings
            .allowedNetworks()
            .map((n) => n.cidr)
            .join(','),
    SITEWATCH_MAX_TARGETS: () => settings.maxTargets(),
    SITEWATCH_MAX_WAIT_SECONDS: () => settings.maxWaitSeconds(),
    SITEWATCH_REPORTS_CONTAINER: () => settings.reportsContainer(),
    SITEWATCH_CONFIG_CONTAINER: () => settings.configContainer(),
    SITEWATCH_HISTORY_DAYS: () => settings.historyDays(),
    SITEWATCH_RUN_RETENTION_DAYS: () => settings.runRetentionDays(),
    SITEWATCH_STATUS_SHOW_URLS: () => settings.statusShowUrls(),
    SITEWATCH_STATUS_TITLE: () => settings.statusTitle(),
  };
  const saved = { ...process.env };
  beforeAll(() => {
    for (const name of Object.keys(codeDefaults)) delete process.env[name];
  });
  afterAll(() => {
    for (const name of Object.keys(codeDefaults)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  /** The main.bicep default that reaches a setting: setting -> functionApp param -> main param. */
  function infraDefault(setting: string): { bicep?: string; parametersFile?: string } {
    const expression = appSettings.find((entry) => entry.name === setting)?.value ?? '';
    const param = /\b(\w+)\b/.exec(expression.replace(/^string\(/, ''))?.[1] ?? '';
    const functionApp = main.modules.find((module) => module.symbol === 'functionApp');
    const passed = new RegExp(`^\\s*${param}:\\s*(\\w+)\\s*$`, 'm').exec(functionApp?.body ?? '')?.[1] ?? '';
    const declared = main.params.find((p) => p.name === passed);
    const mapped = parametersFile.parameters[passed]?.value;
    const fallback = typeof mapped === 'string' ? /^\$\{\w+(?:=(.*))?\}$/.exec(mapped)?.[1] : undefined;
    return { bicep: declared?.defaultValue, parametersFile: fallback };
  }

  const asBicepLiteral = (value: unknown): string =>
    value === undefined ? "''" : typeof value === 'string' ? `'${value}'` : String(value);

  it.each(Object.keys(codeDefaults))('%s', (setting) => {
    const code = codeDefaults[setting]();
    const { bicep, parametersFile: mapped } = infraDefault(setting);
    expect(bicep).toBe(asBicepLiteral(code));
    // The azd parameters file default (${VAR=default}) must agree too, where one is given.
    if (mapped !== undefined) expect(mapped).toBe(code === undefined ? '' : String(code));
  });

  // Settings only the host reads (binding expressions) have no code default; local.settings.json
  // carries the value the app is developed with, so Azure starts with the same.
  const localValues = (
    JSON.parse(readFileSync(join(REPO_ROOT, 'local.settings.json'), 'utf8')) as {
      Values: Record<string, string>;
    }
  ).Values;

  it.each(['SWEEP_SCHEDULE', 'MONITORS_SCHEDULE'])('%s matches local.settings.json', (setting) => {
    expect(localValues[setting]).toBeDefined();
    expect(infraDefault(setting).bicep).toBe(`'${localValues[setting]}'`);
  });

  it('TASKHUB_NAME differs from the local one, so a local run never shares the Azure task hub', () => {
    const { bicep } = infraDefault('TASKHUB_NAME');
    expect(bicep).toMatch(/^'[A-Za-z][A-Za-z0-9]{2,44}'$/); // valid for Azure Storage and the scheduler
    expect(bicep).not.toBe(`'${localValues.TASKHUB_NAME}'`);
  });
});

describe('(c) only src/settings.ts reads process.env', () => {
  it('the scanner finds every form of read', () => {
    const sample = [
      'const a = process.env.FOO;',
      "const b = process.env['BAR'];",
      'const c = process.env[name];',
      'const d = { ...process.env };',
      "const e = process['env'].BAZ;",
      'const { env } = process;',
      '// process.env.IN_A_COMMENT',
      "const f = 'process.env.IN_A_STRING';",
      'const g = process.env.WEBSITE_HOSTNAME;',
    ].join('\n');
    expect(findEnvReads('sample.ts', sample).map((read) => [read.line, read.name])).toEqual([
      [1, 'FOO'],
      [2, 'BAR'],
      [3, undefined],
      [4, undefined],
      [5, 'BAZ'],
      [6, undefined],
      [9, 'WEBSITE_HOSTNAME'],
    ]);
  });

  it('src/**/*.ts outside src/settings.ts has no process.env reads (WEBSITE_* aside)', () => {
    const files = fg.sync('src/**/*.ts', { cwd: REPO_ROOT, absolute: true });
    expect(files.length).toBeGreaterThan(1);
    const violations = files
      .filter((file) => relative(REPO_ROOT, file).split(sep).join('/') !== 'src/settings.ts')
      .flatMap((file) =>
        findEnvReads(file, readFileSync(file, 'utf8'))
          .filter((read) => !read.name?.startsWith('WEBSITE_'))
          .map((read) => `${relative(REPO_ROOT, file)}:${read.line}: ${read.text}`),
      );
    expect(violations).toEqual([]);
  });

  it('src/settings.ts reads only names in SETTING_NAMES', () => {
    const file = join(REPO_ROOT, 'src', 'settings.ts');
    const reads = findEnvReads(file, readFileSync(file, 'utf8'));
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      if (read.name !== undefined) expect(SETTING_NAMES as readonly string[]).toContain(read.name);
    }
  });
});
