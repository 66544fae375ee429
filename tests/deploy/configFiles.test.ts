// The deploy-side YAML and JSON files parse, and say what the rest of the setup relies on.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import { parseDocument } from 'yaml';
import { isIgnored, parseIgnoreRules } from '../../infra/scripts/ignoreRules';
import { DEFAULT_STAGING_DIR } from '../../infra/scripts/stagePackage';
import { REPO_ROOT } from './support/appSettings';

function yamlFile(path: string): unknown {
  const doc = parseDocument(readFileSync(join(REPO_ROOT, path), 'utf8'), { uniqueKeys: true });
  expect(doc.errors.map((error) => error.message)).toEqual([]);
  return doc.toJS();
}

const jsonFile = (path: string): unknown => JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8'));

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<
    string,
    {
      if?: string;
      env?: Record<string, string>;
      strategy?: { matrix: Record<string, unknown[]> };
      steps: Step[];
    }
  >;
}

const workflows = fg.sync('.github/workflows/*.{yml,yaml}', { cwd: REPO_ROOT });

describe('files parse', () => {
  it.each(['azure.yaml', ...workflows])('%s is valid YAML without duplicate keys', (path) => {
    expect(yamlFile(path)).toBeInstanceOf(Object);
  });

  it.each(['infra/main.parameters.json', 'host.json', 'local.settings.json'])('%s is valid JSON', (path) => {
    expect(jsonFile(path)).toBeInstanceOf(Object);
  });

  it('a broken file fails the check', () => {
    const doc = parseDocument('a: 1\na: 2\nb: [\n', { uniqueKeys: true });
    expect(doc.errors.length).toBeGreaterThan(0);
  });
});

describe('azure.yaml', () => {
  const azure = yamlFile('azure.yaml') as {
    name: string;
    infra: { provider: string; path: string; module: string };
    services: Record<
      string,
      {
        project: string;
        language: string;
        host: string;
        remoteBuild: boolean;
        dist: string;
        hooks: { prepackage: Record<'posix' | 'windows', { shell: string; run: string }> };
      }
    >;
  };
  const api = azure.services.api;

  it('points at infra/main.bicep', () => {
    expect(azure.infra).toEqual({ provider: 'bicep', path: 'infra', module: 'main' });
    expect(existsSync(join(REPO_ROOT, azure.infra.path, `${azure.infra.module}.bicep`))).toBe(true);
    expect(existsSync(join(REPO_ROOT, azure.infra.path, `${azure.infra.module}.parameters.json`))).toBe(true);
  });

  it('deploys the repo root as one TypeScript function app', () => {
    expect(Object.keys(azure.services)).toEqual(['api']);
    expect(api).toMatchObject({ project: '.', language: 'ts', host: 'function' });
    expect(existsSync(join(REPO_ROOT, api.project, 'host.json'))).toBe(true);
  });

  it('deploys the staged package, built locally', () => {
    expect(api.remoteBuild).toBe(false);
    expect(api.dist).toBe(DEFAULT_STAGING_DIR);
    // azd rejects remoteBuild: false when the project's .funcignore excludes node_modules.
    const rules = parseIgnoreRules(readFileSync(join(REPO_ROOT, '.funcignore'), 'utf8'));
    expect(isIgnored(rules, 'node_modules', true)).toBe(false);
  });

  it.each(['posix', 'windows'] as const)(
    'the %s prepackage hook builds, stages into dist, then bundles the staged app',
    (os) => {
      const hook = api.hooks.prepackage[os];
      expect(hook.shell).toBe(os === 'posix' ? 'sh' : 'pwsh');
      const [build, stage, bundle] = hook.run.split('&&').map((part) => part.trim());
      expect(build).toBe('npm run build');
      const script = /^npx tsx (\S+) --out (\S+)$/.exec(stage);
      expect(script).not.toBeNull();
      expect(existsSync(join(REPO_ROOT, script?.[1] ?? ''))).toBe(true);
      expect(script?.[2]).toBe(api.dist);
      const bundler = /^npx tsx (\S+) --package (\S+)$/.exec(bundle ?? '');
      expect(bundler).not.toBeNull();
      expect(existsSync(join(REPO_ROOT, bundler?.[1] ?? ''))).toBe(true);
      expect(bundler?.[2]).toBe(api.dist);
    },
  );
});

describe('host.json and local.settings.json', () => {
  const host = jsonFile('host.json') as {
    version: string;
    extensionBundle: { id: string; version: string };
    extensions: { durableTask: { hubName: string; storageProvider: { type: string } } };
  };

  it('keeps one host.json for both backends: Azure Storage by default, hub name from TASKHUB_NAME', () => {
    expect(host.version).toBe('2.0');
    expect(host.extensions.durableTask.hubName).toBe('%TASKHUB_NAME%');
    expect(host.extensions.durableTask.storageProvider.type).toBe('AzureStorage');
  });

  it('uses the v4 extension bundle, which carries the azureManaged (scheduler) provider', () => {
    expect(host.extensionBundle.id).toBe('Microsoft.Azure.Functions.ExtensionBundle');
    expect(host.extensionBundle.version).toMatch(/^\[4\.\*?/);
  });

  it('local.settings.json holds no secrets and is never deployed', () => {
    const local = jsonFile('local.settings.json') as { IsEncrypted: boolean; Values: Record<string, string> };
    expect(local.IsEncrypted).toBe(false);
    for (const value of Object.values(local.Values))
      expect(value).not.toMatch(/AccountKey=|SharedAccessSignature=|sig=/);
  });
});

describe('ci.yml', () => {
  const ci = yamlFile('.github/workflows/ci.yml') as Workflow;
  const job = Object.values(ci.jobs)[0];

  it('runs on pushes and pull requests with read-only permissions', () => {
    expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(ci.permissions).toEqual({ contents: 'read' });
  });

  it('tests on Node 22 and 24', () => {
    expect(job.strategy?.matrix.node).toEqual(['22', '24']);
    const setup = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setup?.with?.['node-version']).toBe('${{ matrix.node }}');
  });

  it('installs, lints, typechecks and tests, in that order', () => {
    const runs = job.steps.flatMap((step) => (step.run ? [step.run] : []));
    expect(runs).toEqual(['npm ci --no-audit --no-fund', 'npm run lint', 'npm run typecheck', 'npm test']);
  });
});

describe('deploy.yml', () => {
  const deploy = yamlFile('.github/workflows/deploy.yml') as Workflow;
  const job = Object.values(deploy.jobs)[0];
  const runs = job.steps.flatMap((step) => (step.run ? [step.run] : []));

  it('may request an OIDC token and nothing more than read access', () => {
    expect(deploy.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
  });

  it('takes the Azure coordinates from repository variables', () => {
    for (const name of [
      'AZURE_CLIENT_ID',
      'AZURE_TENANT_ID',
      'AZURE_SUBSCRIPTION_ID',
      'AZURE_ENV_NAME',
      'AZURE_LOCATION',
    ]) {
      expect(job.env?.[name]).toBe(`\${{ vars.${name} }}`);
    }
    expect(job.if).toContain('vars.AZURE_CLIENT_ID');
  });

  it('provides every azd variable main.parameters.json needs without a default', () => {
    const parameters = jsonFile('infra/main.parameters.json') as {
      parameters: Record<string, { value: string }>;
    };
    const required = Object.values(parameters.parameters)
      .map(({ value }) => /^\$\{([A-Z0-9_]+)\}$/.exec(value)?.[1])
      .filter((name): name is string => name !== undefined);
    // azd itself fills the principal; user settings without a fallback may stay empty.
    const optional = new Set(['AZURE_PRINCIPAL_ID', 'SITEWATCH_TARGETS', 'SITEWATCH_MONITORS']);
    for (const name of required.filter((name) => !optional.has(name)))
      expect(Object.keys(job.env ?? {})).toContain(name);
  });

  it('signs in with the federated credential, then provisions and deploys with azd', () => {
    expect(job.steps.some((step) => step.uses?.startsWith('Azure/setup-azd@'))).toBe(true);
    const login = runs.findIndex((run) => /^azd auth login\b/.test(run));
    expect(runs[login]).toContain('--federated-credential-provider github');
    expect(runs[login]).toContain('--client-id "$AZURE_CLIENT_ID"');
    expect(runs[login]).toContain('--tenant-id "$AZURE_TENANT_ID"');
    const provision = runs.indexOf('azd provision --no-prompt');
    const deploy = runs.indexOf('azd deploy --no-prompt');
    expect(login).toBeGreaterThanOrEqual(0);
    expect(provision).toBeGreaterThan(login);
    expect(deploy).toBeGreaterThan(provision);
    // The prepackage hook needs the dev toolchain (tsc, tsx).
    expect(runs.indexOf('npm ci --no-audit --no-fund')).toBeGreaterThanOrEqual(0);
    expect(runs.indexOf('npm ci --no-audit --no-fund')).toBeLessThan(deploy);
  });
});
