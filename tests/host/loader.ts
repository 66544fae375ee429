// Loads a Functions app the way the Node.js worker does: glob package.json `main`, require each
// file, capture every registerFunction call. Registries are cached per app directory because
// require caches modules: loading the same app twice in one process must give the same functions.
import fs from 'node:fs';
import path from 'node:path';
import Module from 'node:module';
import fg from 'fast-glob';
import { captureRegistrations, type CoreRegistration } from './functionsCore';
import type { BindingMetadata, FunctionRegistration, Registry } from './types';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Binding types the test host knows how to serve; anything else fails the load loudly. */
export const KNOWN_BINDING_TYPES: ReadonlySet<string> = new Set([
  'httpTrigger',
  'http',
  'queueTrigger',
  'queue',
  'timerTrigger',
  'blob',
  'orchestrationTrigger',
  'activityTrigger',
  'entityTrigger',
  'durableClient',
]);

export class AppLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppLoadError';
  }
}

const cache = new Map<string, Registry>();

export function loadApp(appDir: string): Registry {
  const dir = path.resolve(appDir);
  const cached = cache.get(dir);
  if (cached) return cached;
  installResolveHook();
  const files = appFiles(dir);
  const captured = captureRegistrations(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the app is the point
    for (const file of files) require(file);
  });
  const registry = buildRegistry(captured);
  cache.set(dir, registry);
  return registry;
}

/** The files package.json `main` matches, in a stable order. */
export function appFiles(dir: string): string[] {
  const pkgPath = path.join(dir, 'package.json');
  if (!fs.existsSync(pkgPath)) throw new AppLoadError(`No package.json in ${dir}`);
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as { main?: unknown };
  if (typeof pkg.main !== 'string' || pkg.main.trim() === '') {
    throw new AppLoadError(`${pkgPath} has no "main" entry point (a file or glob)`);
  }
  const files = fg.sync(pkg.main, { cwd: dir, absolute: true, onlyFiles: true }).sort();
  if (files.length === 0) {
    throw new AppLoadError(`"main" (${pkg.main}) in ${pkgPath} matches no files; build the app first?`);
  }
  return files;
}

export function buildRegistry(registrations: readonly CoreRegistration[]): Registry {
  const functions = new Map<string, FunctionRegistration>();
  for (const { metadata, callback, retryOptions } of registrations) {
    const name = metadata.name;
    if (functions.has(name)) throw new AppLoadError(`Duplicate function name "${name}"`);
    const bindings = metadata.bindings as Record<string, BindingMetadata>;
    let triggerBindingName: string | undefined;
    for (const [bindingName, binding] of Object.entries(bindings)) {
      if (!KNOWN_BINDING_TYPES.has(binding.type)) {
        throw new AppLoadError(
          `Function "${name}" uses binding "${bindingName}" of type "${binding.type}", which tests/host does not support`,
        );
      }
      if (binding.type.endsWith('Trigger')) triggerBindingName = bindingName;
    }
    if (triggerBindingName === undefined) throw new AppLoadError(`Function "${name}" has no trigger binding`);
    functions.set(name, {
      name,
      bindings,
      retryOptions,
      callback,
      triggerBindingName,
      triggerType: bindings[triggerBindingName].type,
    });
  }
  return {
    functions,
    get: (name) => functions.get(name),
    byTriggerType: (type) => [...functions.values()].filter((f) => f.triggerType === type),
  };
}

let hookInstalled = false;

/**
 * Plain node only (jest maps the module in its config): `@azure/functions-core` resolves to the
 * stand-in, and a bare import from an app outside this repo that cannot be resolved there falls
 * back to this repo's node_modules (so a compiled fixture elsewhere can use our durable-functions).
 */
export function installResolveHook(): void {
  if (hookInstalled || process.env.JEST_WORKER_ID !== undefined) return;
  hookInstalled = true;
  const coreStandIn = require.resolve('./functionsCore');
  const mod = Module as unknown as {
    _resolveFilename: (request: string, parent: unknown, ...rest: unknown[]) => string;
    _nodeModulePaths: (dir: string) => string[];
  };
  const original = mod._resolveFilename;
  const repoParent = {
    id: path.join(REPO_ROOT, 'package.json'),
    filename: path.join(REPO_ROOT, 'package.json'),
    paths: mod._nodeModulePaths(REPO_ROOT),
  };
  mod._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]): string {
    if (request === '@azure/functions-core') return coreStandIn;
    try {
      return original.call(this, request, parent, ...rest);
    } catch (error) {
      const from = (parent as { filename?: string } | undefined)?.filename;
      const bare = !request.startsWith('.') && !path.isAbsolute(request) && !request.startsWith('node:');
      if (bare && from && !isInside(from, REPO_ROOT))
        return original.call(this, request, repoParent, ...rest);
      throw error;
    }
  };
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
