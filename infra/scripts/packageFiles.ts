// What goes into Sitewatch's deployment package, computed the way azd does it for a function
// app: every file under the project root minus the .funcignore rules, minus what azd always
// drops (.azure/, local.settings.json, the ignore file itself). node_modules is not listed here:
// the package gets production dependencies only, picked from package-lock.json
// (productionPackages) instead of the development tree on disk.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { isIgnored, parseIgnoreRules } from './ignoreRules';

export const IGNORE_FILE = '.funcignore';

export interface ListPackageFilesOptions {
  /** Ignore file name under the root; `.funcignore` by default. */
  ignoreFile?: string;
  /** Absolute directories never to descend into (e.g. the staging directory itself). */
  skip?: readonly string[];
}

/** Names azd leaves out of a function app zip wherever they are (project_utils.go). */
const ALWAYS_EXCLUDED_FILES = new Set(['local.settings.json']);
const ALWAYS_EXCLUDED_DIRECTORIES = new Set(['.azure']);

/** Files of the deployment package, as sorted posix paths relative to `root`, without node_modules. */
export function listPackageFiles(root: string, options: ListPackageFilesOptions = {}): string[] {
  const ignoreFile = options.ignoreFile ?? IGNORE_FILE;
  const rules = parseIgnoreRules(readFileSync(join(root, ignoreFile), 'utf8'));
  const skip = new Set((options.skip ?? []).map((dir) => resolve(dir)));
  const files: string[] = [];

  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const absolute = join(dir, entry.name);
      const path = relative(root, absolute).split(sep).join('/');
      // Symlinks count as what they point to, as azd resolves them.
      const isDirectory = entry.isSymbolicLink() ? statSync(absolute).isDirectory() : entry.isDirectory();
      if (isDirectory) {
        if (ALWAYS_EXCLUDED_DIRECTORIES.has(entry.name) || skip.has(resolve(absolute))) continue;
        if (path === 'node_modules') continue;
        if (isIgnored(rules, path, true)) continue;
        walk(absolute);
      } else {
        if (entry.name === ignoreFile || ALWAYS_EXCLUDED_FILES.has(entry.name)) continue;
        if (isIgnored(rules, path, false)) continue;
        files.push(path);
      }
    }
  };
  walk(root);
  return files.sort();
}

interface LockPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  link?: boolean;
}

export interface PackageLock {
  lockfileVersion?: number;
  packages?: Record<string, LockPackage>;
}

export interface ProductionPackage {
  /** Install path, e.g. `node_modules/axios/node_modules/debug`. */
  path: string;
  version: string;
}

/**
 * The packages `npm ci --omit=dev --omit=optional` installs, from a lockfile v2/v3. Optional ones
 * are left out too: the only optional dependency is azure-functions-core-tools, a local dev tool
 * that downloads the Functions host.
 */
export function productionPackages(lock: PackageLock): ProductionPackage[] {
  if (!lock.packages || (lock.lockfileVersion ?? 0) < 2) {
    throw new Error('package-lock.json must be lockfileVersion 2 or 3 (npm 7+)');
  }
  return Object.entries(lock.packages)
    .filter(
      ([path, meta]) => path.startsWith('node_modules/') && !meta.dev && !meta.optional && !meta.devOptional,
    )
    .map(([path, meta]) => {
      if (meta.link) throw new Error(`${path} is a link (workspace); staging does not support links`);
      return { path, version: meta.version ?? '' };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}
