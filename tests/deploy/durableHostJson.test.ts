// Defect 1 of the deploy review: in Durable Task Scheduler mode the backend was switched by app
// settings only, which the scale controller never sees. Now the prepackage step stages a host.json
// that selects the scheduler itself, and the infra no longer overrides the provider.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  SCHEDULER_CONNECTION_SETTING,
  hostJsonFor,
  parseDurableBackend,
} from '../../infra/scripts/durableHostJson';
import { StagingError, parseArgs, stagePackage } from '../../infra/scripts/stagePackage';
import { REPO_ROOT, bicepAppSettings } from './support/appSettings';

const REPO_HOST_JSON = readFileSync(join(REPO_ROOT, 'host.json'), 'utf8');

interface DurableSection {
  hubName: string;
  storageProvider: Record<string, unknown>;
  maxConcurrentActivityFunctions?: number;
}
const durableOf = (text: string) =>
  (JSON.parse(text) as { extensions: { durableTask: DurableSection } }).extensions.durableTask;

describe('host.json per durable backend', () => {
  it('Azure Storage: the repo host.json byte for byte', () => {
    expect(hostJsonFor('AzureStorage', REPO_HOST_JSON)).toBe(REPO_HOST_JSON);
    expect(durableOf(REPO_HOST_JSON).storageProvider.type).toBe('AzureStorage');
  });

  it('Durable Task Scheduler: azureManaged with the connection setting the infra fills, nothing of Azure Storage', () => {
    const dts = durableOf(hostJsonFor('DurableTaskScheduler', REPO_HOST_JSON));
    expect(dts.storageProvider).toEqual({
      type: 'azureManaged',
      connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
    });
    // The rest of the section (hub name from TASKHUB_NAME, concurrency) is kept.
    const repo = durableOf(REPO_HOST_JSON);
    expect(dts.hubName).toBe('%TASKHUB_NAME%');
    expect(dts.maxConcurrentActivityFunctions).toBe(repo.maxConcurrentActivityFunctions);
    expect({ ...JSON.parse(hostJsonFor('DurableTaskScheduler', REPO_HOST_JSON)), extensions: null }).toEqual({
      ...JSON.parse(REPO_HOST_JSON),
      extensions: null,
    });
  });

  it('the connection setting named in host.json is one the function app gets, only in scheduler mode', () => {
    const setting = bicepAppSettings().find((entry) => entry.name === SCHEDULER_CONNECTION_SETTING);
    expect(setting?.group).toBe('durableTaskSchedulerSettings');
  });

  it('refuses a host.json without a durableTask section', () => {
    expect(() => hostJsonFor('DurableTaskScheduler', '{"version":"2.0"}')).toThrow(/durableTask/);
  });

  it.each([
    [undefined, 'AzureStorage'],
    ['', 'AzureStorage'],
    ['AzureStorage', 'AzureStorage'],
    [' DurableTaskScheduler ', 'DurableTaskScheduler'],
  ])('DURABLE_BACKEND=%j means %s', (value, expected) => {
    expect(parseDurableBackend(value)).toBe(expected);
  });

  it('rejects a backend the Bicep does not allow', () => {
    expect(() => parseDurableBackend('Netherite')).toThrow(/DURABLE_BACKEND must be one of/);
    expect(() => parseDurableBackend('durabletaskscheduler')).toThrow();
  });
});

describe('the prepackage hook picks the backend from the azd environment', () => {
  it('reads DURABLE_BACKEND from the environment azd gives hooks', () => {
    expect(parseArgs(['--out', 'x'], { DURABLE_BACKEND: 'DurableTaskScheduler' }).durableBackend).toBe(
      'DurableTaskScheduler',
    );
    expect(parseArgs([], {}).durableBackend).toBe('AzureStorage');
  });

  it('--durable-backend wins over the environment; a wrong value fails the hook', () => {
    expect(
      parseArgs(['--durable-backend', 'AzureStorage'], { DURABLE_BACKEND: 'DurableTaskScheduler' })
        .durableBackend,
    ).toBe('AzureStorage');
    expect(() => parseArgs([], { DURABLE_BACKEND: 'Sql' })).toThrow(StagingError);
  });

  it('azure.yaml runs the staging script without pinning a backend, on both shells', () => {
    const azure = parseYaml(readFileSync(join(REPO_ROOT, 'azure.yaml'), 'utf8')) as {
      services: { api: { hooks: { prepackage: Record<string, { run: string }> } } };
    };
    for (const hook of Object.values(azure.services.api.hooks.prepackage)) {
      expect(hook.run).toContain('infra/scripts/stagePackage.ts');
      expect(hook.run).not.toContain('--durable-backend');
    }
  });
});

describe('stagePackage writes the backend host.json into the package', () => {
  let root: string;
  let out: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sitewatch-dts-'));
    out = mkdtempSync(join(tmpdir(), 'sitewatch-dts-out-'));
    const files: Record<string, string> = {
      '.funcignore': readFileSync(join(REPO_ROOT, '.funcignore'), 'utf8'),
      'host.json': REPO_HOST_JSON,
      'package.json': JSON.stringify({ name: 'app', main: 'dist/src/{index.js,functions/*.js}' }),
      'package-lock.json': JSON.stringify({ lockfileVersion: 3, packages: { '': {} } }),
      'dist/src/index.js': '',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('DurableTaskScheduler: the staged host.json selects the scheduler; the repo file is untouched', () => {
    const result = stagePackage({ root, outDir: out, durableBackend: 'DurableTaskScheduler' });
    expect(result.durableBackend).toBe('DurableTaskScheduler');
    expect(durableOf(readFileSync(join(out, 'host.json'), 'utf8')).storageProvider.type).toBe('azureManaged');
    expect(readFileSync(join(root, 'host.json'), 'utf8')).toBe(REPO_HOST_JSON);
  });

  it('AzureStorage (the default): the staged host.json is the repo one', () => {
    stagePackage({ root, outDir: out });
    expect(readFileSync(join(out, 'host.json'), 'utf8')).toBe(REPO_HOST_JSON);
  });
});

describe('the infra no longer switches the provider behind the scale controller', () => {
  it('sets no storageProvider override in any mode', () => {
    const overrides = bicepAppSettings().filter((entry) => /storageProvider/i.test(entry.name));
    expect(overrides).toEqual([]);
  });
});
