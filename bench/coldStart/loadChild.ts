// Child process (bundled to plain JS by the bench, so no TypeScript loader is on the clock):
// requires the given files in a fresh Node process the way the Functions worker loads an app, with
// `@azure/functions-core` served by the test host's stand-in so every registration happens and is
// counted. Prints one JSON line: { requireMs, cpuMs, registrations, modules }.
import Module from 'node:module';
import path from 'node:path';
import {
  captureRegistrations,
  registerFunction,
  registerHook,
  setProgrammingModel,
  getProgrammingModel,
  log,
} from '../../tests/host/functionsCore';

interface ModuleInternals {
  _resolveFilename(request: string, parent: unknown, ...rest: unknown[]): string;
}
type CacheEntry = NodeJS.Module & { loaded: boolean };

// The worker provides @azure/functions-core before the app loads; so does this, outside the clock.
const CORE_ID = path.join(__dirname, '@azure-functions-core.stand-in.js');
const entry = new (Module as unknown as new (id: string) => CacheEntry)(CORE_ID);
entry.filename = CORE_ID;
entry.loaded = true;
entry.exports = { registerFunction, registerHook, setProgrammingModel, getProgrammingModel, log };
require.cache[CORE_ID] = entry;
const internals = Module as unknown as ModuleInternals;
const resolve = internals._resolveFilename;
internals._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]): string {
  return request === '@azure/functions-core' ? CORE_ID : resolve.call(this, request, parent, ...rest);
};

const files = process.argv.slice(2);
const load = Module.createRequire(__filename);
const before = Object.keys(require.cache).length;
const cpu = process.cpuUsage();
const started = performance.now();
const registrations = captureRegistrations(() => {
  for (const file of files) load(file);
});
const requireMs = performance.now() - started;
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({
    requireMs,
    cpuMs: (used.user + used.system) / 1000,
    registrations: registrations.length,
    modules: Object.keys(require.cache).length - before,
  })}\n`,
);
