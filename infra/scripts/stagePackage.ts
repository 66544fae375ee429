// azd `prepackage` hook (azure.yaml): lays out the deployment package in a staging directory,
// which azure.yaml names as the service's `dist`, so azd zips exactly this:
//   - the files listPackageFiles keeps (host.json, package.json, package-lock.json, dist/src/**/*.js),
//   - node_modules with production dependencies only, copied from the installed tree per
//     package-lock.json (what `npm ci --omit=dev --omit=optional` would install), so no
//     test/build tooling and no Core Tools download ship to Azure,
//   - host.json for the durable backend: with DURABLE_BACKEND=DurableTaskScheduler, the one that
//     selects the scheduler (durableHostJson.ts says why it must be the file).
// azd runs hooks with the azd environment's values as environment variables
// (Azure/azure-dev cli/azd/pkg/ext/hooks_runner.go, execHook: hookEnv.Environ()), so
// DURABLE_BACKEND arrives as `azd env set` or the provision output left it.
// Run after `npm run build`:
//   npx tsx infra/scripts/stagePackage.ts [--out dist/azure-package] [--durable-backend <name>]
import { cpSync, existsSync, mkdirSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { hostJsonFor, parseDurableBackend, type DurableBackend } from './durableHostJson';
import {
  listPackageFiles,
  productionPackages,
  type PackageLock,
  type ProductionPackage,
} from './packageFiles';

export const DEFAULT_STAGING_DIR = 'dist/azure-package';

export interface StageOptions {
  /** Project root (where host.json and .funcignore are). */
  root: string;
  /** Staging directory, absolute or relative to `root`; emptied first. */
  outDir?: string;
  /** Durable backend the package is for; AzureStorage (the repo's host.json) by default. */
  durableBackend?: DurableBackend;
}

export interface StageResult {
  outDir: string;
  files: string[];
  packages: ProductionPackage[];
  durableBackend: DurableBackend;
}

export class StagingError extends Error {
  override readonly name = 'StagingError';
}

export function stagePackage(options: StageOptions): StageResult {
  const root = resolve(options.root);
  const outDir = resolve(root, options.outDir ?? DEFAULT_STAGING_DIR);
  const rootFromOut = relative(outDir, root);
  if (!rootFromOut.startsWith('..') && !isAbsolute(rootFromOut)) {
    throw new StagingError(`Staging directory ${outDir} must not be the project root or contain it`);
  }

  const files = listPackageFiles(root, { skip: [outDir] });
  checkEntryPoints(root, files);
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as PackageLock;
  const packages = productionPackages(lock);
  for (const pkg of packages) checkInstalled(root, pkg);

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const file of files) {
    const target = join(outDir, file);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(root, file), target);
  }
  const durableBackend = options.durableBackend ?? 'AzureStorage';
  writeFileSync(
    join(outDir, 'host.json'),
    hostJsonFor(durableBackend, readFileSync(join(root, 'host.json'), 'utf8')),
  );
  for (const pkg of packages) {
    const source = join(root, pkg.path);
    const nested = join(source, 'node_modules');
    // Nested node_modules are separate lockfile entries, copied only if they are production too.
    cpSync(source, join(outDir, pkg.path), {
      recursive: true,
      dereference: true,
      filter: (path) => path !== nested && !path.startsWith(nested + sep),
    });
  }
  return { outDir, files, packages, durableBackend };
}

function checkEntryPoints(root: string, files: readonly string[]): void {
  for (const required of ['host.json', 'package.json']) {
    if (!files.includes(required))
      throw new StagingError(`${required} is missing from the package (.funcignore?)`);
  }
  const main = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main?: string }).main;
  if (!main) throw new StagingError('package.json has no "main": the worker would load no functions');
  // The static part of the main glob, e.g. dist/src/ for dist/src/{index.js,functions/*.js}.
  const prefix = main.split(/[*?{[]/)[0];
  if (!files.some((file) => file.startsWith(prefix) && file.endsWith('.js'))) {
    throw new StagingError(`No built .js file under ${prefix} (package.json main). Run npm run build first.`);
  }
}

function checkInstalled(root: string, pkg: ProductionPackage): void {
  const manifest = join(root, pkg.path, 'package.json');
  if (!existsSync(manifest)) {
    throw new StagingError(`${pkg.path} is not installed. Run npm ci first.`);
  }
  const installed = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
  if (pkg.version && installed !== pkg.version) {
    throw new StagingError(
      `${pkg.path} is ${installed} but package-lock.json says ${pkg.version}. Run npm ci first.`,
    );
  }
}

/** Command-line options; the backend defaults to DURABLE_BACKEND from the (azd hook) environment. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): StageOptions {
  const options: StageOptions = { root: process.cwd() };
  let backend = env.DURABLE_BACKEND;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') options.outDir = argv[++i];
    else if (argv[i] === '--root') options.root = argv[++i];
    else if (argv[i] === '--durable-backend') backend = argv[++i];
    else
      throw new StagingError(
        `Unknown argument ${argv[i]}; usage: stagePackage.ts [--root <dir>] [--out <dir>] [--durable-backend <name>]`,
      );
  }
  try {
    options.durableBackend = parseDurableBackend(backend);
  } catch (error) {
    throw new StagingError((error as Error).message);
  }
  return options;
}

if (require.main === module) {
  try {
    const result = stagePackage(parseArgs(process.argv.slice(2)));
    console.log(
      `Staged ${result.files.length} files and ${result.packages.length} production packages in ${result.outDir} (durable backend: ${result.durableBackend})`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
