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
      uses?: string;
      needs?: string | string[];
      permissions?: Record<string, string>;
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
    requiredVersions?: { azd?: string };
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

  it('requires azd 1.23.12 or later (remoteBuild honoured, node_modules zipped), as docs/deploy.md says', () => {
    expect(azure.requiredVersions).toEqual({ azd: '>= 1.23.12' });
    const docs = readFileSync(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
    expect(docs).toContain('requiredVersions: { azd: ">= 1.23.12" }');
  });

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

  it('runs on pull requests, and for main when azure-dev.yml calls it, with read-only permissions', () => {
    expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(['pull_request', 'workflow_call']));
    // Pushes to main run it through azure-dev.yml; a push trigger here would test main twice.
    expect(Object.keys(ci.on)).not.toContain('push');
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

describe('azure-dev.yml (provision and deploy)', () => {
  const workflow = yamlFile('.github/workflows/azure-dev.yml') as Workflow;
  const deployJob = workflow.jobs.deploy;
  const runs = deployJob.steps.flatMap((step) => (step.run ? [step.run] : []));
  const parameters = jsonFile('infra/main.parameters.json') as {
    parameters: Record<string, { value: string }>;
  };

  it('has the name `azd pipeline config` looks for, and no second deploy workflow exists', () => {
    expect(workflows).toContain('.github/workflows/azure-dev.yml');
    expect(workflows.filter((path) => /deploy/.test(path))).toEqual([]);
  });

  it('runs on pushes to main and on demand, reading the repo; only the deploy job may request an OIDC token', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(workflow.on.push).toEqual({ branches: ['main'] });
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(deployJob.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
  });

  it('deploys only after the tests pass: the deploy job needs the job that runs ci.yml', () => {
    const needs = [deployJob.needs ?? []].flat();
    expect(needs.length).toBeGreaterThan(0);
    for (const name of needs) expect(workflow.jobs[name].uses).toBe('./.github/workflows/ci.yml');
    // Every other job is a test job the deploy waits for.
    expect(Object.keys(workflow.jobs).sort()).toEqual([...needs, 'deploy'].sort());
  });

  it('takes the Azure coordinates from repository variables and skips without them', () => {
    for (const name of ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_SUBSCRIPTION_ID']) {
      expect(deployJob.env?.[name]).toBe(`\${{ vars.${name} }}`);
    }
    expect(deployJob.if).toContain('vars.AZURE_CLIENT_ID');
  });

  it('forwards every variable main.parameters.json maps, from vars.*, unchanged (azd applies the defaults)', () => {
    const mapped = Object.values(parameters.parameters).flatMap(({ value }) =>
      [...value.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]),
    );
    // azd fills these two with the signed-in principal, whatever the environment says.
    const filledByAzd = new Set(['AZURE_PRINCIPAL_ID', 'AZURE_PRINCIPAL_TYPE']);
    const expected = mapped.filter((name) => !filledByAzd.has(name));
    expect(expected.length).toBeGreaterThan(10);
    const missing = expected.filter((name) => deployJob.env?.[name] !== `\${{ vars.${name} }}`);
    // A new Bicep parameter needs its variable here too, or every push resets it.
    expect(missing).toEqual([]);
    for (const name of filledByAzd) expect(deployJob.env).not.toHaveProperty(name);
  });

  it('installs without the optional Core Tools, restores esbuild, signs in with OIDC, then provisions and deploys', () => {
    expect(deployJob.steps.some((step) => step.uses?.startsWith('Azure/setup-azd@'))).toBe(true);
    const install = runs.findIndex((run) => /^npm ci\b/.test(run));
    expect(runs[install].split(/\s+/)).toEqual(expect.arrayContaining(['--omit=optional']));
    // What that flag leaves out: Core Tools is the optional dependency, and esbuild's binary.
    const pkg = jsonFile('package.json') as { optionalDependencies?: Record<string, string> };
    expect(Object.keys(pkg.optionalDependencies ?? {})).toContain('azure-functions-core-tools');
    expect(runs[install]).not.toMatch(/--omit=dev|--production/); // the prepackage hook needs tsc, tsx, esbuild
    const esbuild = runs.indexOf('node node_modules/esbuild/install.js');
    const login = runs.findIndex((run) => /^azd auth login\b/.test(run));
    expect(runs[login]).toContain('--federated-credential-provider github');
    expect(runs[login]).toContain('--client-id "$AZURE_CLIENT_ID"');
    expect(runs[login]).toContain('--tenant-id "$AZURE_TENANT_ID"');
    const provision = runs.indexOf('azd provision --no-prompt');
    const deploy = runs.indexOf('azd deploy --no-prompt');
    expect([install, esbuild, login, provision, deploy].every((index) => index >= 0)).toBe(true);
    expect(esbuild).toBeGreaterThan(install);
    expect(deploy).toBeGreaterThan(provision);
    expect(provision).toBeGreaterThan(login);
    expect(deploy).toBeGreaterThan(esbuild);
  });
});
