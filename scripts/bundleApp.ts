// Turns a staged deployment package into one that loads the app from a single esbuild bundle, which
// roughly halves the time a fresh worker takes to load Sitewatch (BENCHMARKS.md, "Cold start").
// The package keeps its package.json, so the `main` glob (dist/src/{index.js,functions/*.js}) now
// matches only dist/src/index.js: an entry that turns on Node's compile cache where Node has one and
// loads the bundle (dist/src/sitewatch.js), which registers every function.
//
//   npm run build && npx tsx infra/scripts/stagePackage.ts --out dist/azure-package
//   npx tsx scripts/bundleApp.ts --package dist/azure-package
//
// Local development, `func start` on the repo and the tests keep the unbundled tsc build.
import fs from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import fg from 'fast-glob';

/**
 * Left out of the bundle. The worker provides @azure/functions-core. The storage and identity SDKs
 * are loaded on first use (src/activities/storage/blobs.ts, tables.ts), so they stay in node_modules
 * and cost nothing at start-up; bundled, the worker would read and parse them at every start (the
 * Table SDK and the core-* packages under it were a sixth of the bundle).
 */
export const EXTERNAL_MODULES = [
  '@azure/functions-core',
  '@azure/storage-blob',
  '@azure/data-tables',
  '@azure/identity',
  // Loaded on first use too (src/activities/extractLinks.ts, src/functions/scheduledSweep.ts): even
  // unevaluated, bundled code is read and pre-parsed at every start (these two and the DOM, entity
  // and date libraries under them were about 700 KiB of the bundle).
  'htmlparser2',
  'cron-parser',
];

/**
 * zod's locale index loads every language it has (a fifth of the bundle). The app only ever uses
 * English, which zod configures itself from locales/en.cjs; in the bundle the index holds just that.
 */
const englishOnlyZodLocales: Plugin = {
  name: 'zod-english-only',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.cjs$/ }, (args) => ({
      contents: `'use strict';\nObject.defineProperty(exports, '__esModule', { value: true });\nexports.en = require('./en.cjs').default;\n`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

/**
 * durable-functions requires all of `validator` (every one of its validators, an eighth of the
 * bundle) for the one function it calls, `isURL` (durableClient/DurableClient.js, getClient.js). In
 * the bundle `validator` is just that function; a test runs the client's URL checks through it.
 */
const isUrlOnlyValidator: Plugin = {
  name: 'validator-is-url-only',
  setup(plugin) {
    plugin.onResolve({ filter: /^validator$/ }, (args) => ({
      path: 'validator',
      namespace: 'validator-is-url-only',
      pluginData: { resolveDir: args.resolveDir },
    }));
    plugin.onLoad({ filter: /.*/, namespace: 'validator-is-url-only' }, (args) => ({
      contents: `'use strict';\nmodule.exports = { isURL: require('validator/lib/isURL').default };\n`,
      loader: 'js',
      resolveDir: (args.pluginData as { resolveDir: string }).resolveDir,
    }));
  },
};

/** The bundle's name, next to the entry (outside the main glob, so the worker loads it once). */
export const BUNDLE_FILE = 'sitewatch.js';

/**
 * The entry the main glob matches. Node 22.1+ (Azure) keeps V8's compiled code for the bundle and
 * for the storage SDKs it loads later in a cache under os.tmpdir(), so a later start of the same
 * instance skips most of the compiling; the call must come before the bundle is required, which is
 * why the bundle is not the entry itself. Node 20 has no module.enableCompileCache: nothing happens.
 */
const ENTRY_CODE = `'use strict';
require('node:module').enableCompileCache?.();
require('./${BUNDLE_FILE}');
`;

export class BundleError extends Error {
  override readonly name = 'BundleError';
}

export interface BundleAppOptions {
  /** A package directory: package.json with a `main` glob, the built files it matches, node_modules. */
  packageDir: string;
}

export interface BundleAppResult {
  /** The bundle, absolute. */
  outfile: string;
  /** What the main glob matches now, absolute: a two-line entry that loads the bundle. */
  entry: string;
  bytes: number;
  /** The files the bundle replaced, relative to packageDir, in load order. */
  replaced: string[];
}

/** The files package.json `main` matches, absolute, in the worker's (sorted) order. */
export function mainFiles(packageDir: string): { main: string; files: string[] } {
  const pkgPath = path.join(packageDir, 'package.json');
  const main = (JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as { main?: unknown }).main;
  if (typeof main !== 'string' || main === '') throw new BundleError(`${pkgPath} has no "main"`);
  return { main, files: fg.sync(main, { cwd: packageDir, absolute: true, onlyFiles: true }).sort() };
}

export async function bundleApp(options: BundleAppOptions): Promise<BundleAppResult> {
  const dir = path.resolve(options.packageDir);
  // A source tree is not a package: bundling in place would delete the build the tests use.
  if (fs.existsSync(path.join(dir, 'tsconfig.json'))) {
    throw new BundleError(`${dir} looks like the project itself; bundle a staged package instead`);
  }
  const { main, files } = mainFiles(dir);
  if (files.length === 0) throw new BundleError(`"main" (${main}) matches no files in ${dir}`);
  // The static part of the glob (dist/src/ for dist/src/{index.js,functions/*.js}) holds the build.
  const buildDir = path.join(dir, main.split(/[*?{[]/)[0]);
  const entry = path.join(buildDir, 'index.js');
  const outfile = path.join(buildDir, BUNDLE_FILE);

  const built = await build({
    stdin: {
      contents: files.map((f) => `require(${JSON.stringify(f)});`).join('\n'),
      resolveDir: dir,
      sourcefile: 'sitewatch-entry.js',
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: EXTERNAL_MODULES,
    // Whitespace only: renaming identifiers made the bundle load slower here, not faster.
    minifyWhitespace: true,
    plugins: [englishOnlyZodLocales, isUrlOnlyValidator],
    write: false,
    outfile,
    logLevel: 'error',
  });
  const code = built.outputFiles[0].contents;

  fs.rmSync(buildDir, { recursive: true, force: true });
  fs.mkdirSync(buildDir, { recursive: true });
  fs.writeFileSync(outfile, code);
  fs.writeFileSync(entry, ENTRY_CODE);

  const after = mainFiles(dir).files;
  if (after.length !== 1 || after[0] !== entry) {
    throw new BundleError(
      `After bundling, "main" (${main}) matches ${after.join(', ') || 'nothing'}, not ${entry}`,
    );
  }
  return { outfile, entry, bytes: code.length, replaced: files.map((f) => path.relative(dir, f)) };
}

function parseArgs(argv: readonly string[]): BundleAppOptions {
  const i = argv.indexOf('--package');
  if (i < 0 || argv[i + 1] === undefined || argv.length !== 2) {
    throw new BundleError('usage: bundleApp.ts --package <staged package dir>');
  }
  return { packageDir: argv[i + 1] };
}

if (require.main === module) {
  Promise.resolve()
    .then(() => bundleApp(parseArgs(process.argv.slice(2))))
    .then(
      (result) =>
        console.log(
          `Bundled ${result.replaced.length} entry files into ${result.outfile} (${Math.round(result.bytes / 1024)} KiB)`,
        ),
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
      },
    );
}
