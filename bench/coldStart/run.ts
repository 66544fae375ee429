// Cold start: how long a fresh Node process takes to load the built app with every function
// registered, against loading only the SDKs it stands on (@azure/functions + durable-functions),
// optionally also as an esbuild bundle. Variants run in alternating order, one fresh process each;
// the reported ratio is the median of the per-round ratios.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { bundleApp, mainFiles } from '../../scripts/bundleApp';
import { appFiles } from '../../tests/host/loader';
import { lastJsonLine, runToCompletion } from '../childProcess';
import { copyBuiltApp, type PackageCopy } from '../packageCopy';
import { BENCH_DIR, REPO_ROOT } from '../paths';
import { median } from '../stats';

export interface ColdStartOptions {
  rounds: number;
  /** Also measure the app as the deployment package ships it: one esbuild bundle (scripts/bundleApp.ts). */
  bundle: boolean;
}

interface ChildFigures {
  requireMs: number;
  cpuMs: number;
  registrations: number;
  modules: number;
}

export interface VariantFigures {
  /** Medians over the rounds. */
  requireMs: number;
  cpuMs: number;
  /** Spawn to exit, as the parent saw it (includes Node's own start-up, the same for every variant). */
  processMs: number;
  registrations: number;
  /** Modules required (the bundle is one file). */
  modules: number;
  /** Median over rounds of this variant's requireMs / the SDK-only requireMs of the same round. */
  ratioToSdk: number;
  /** The same on process wall time. */
  processRatioToSdk: number;
}

export type Variant = 'sdk' | 'app' | 'bundle';

export interface ColdStartResult {
  options: ColdStartOptions;
  variants: Partial<Record<Variant, VariantFigures>>;
  bundleBytes?: number;
}

export async function runColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-bench-cold-'));
  let bundled: PackageCopy | undefined;
  try {
    const child = path.join(work, 'loadChild.js');
    buildSync({
      entryPoints: [path.join(BENCH_DIR, 'coldStart', 'loadChild.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: child,
      logLevel: 'error',
    });
    const files: Record<Variant, string[]> = {
      sdk: [require.resolve('@azure/functions'), require.resolve('durable-functions')],
      app: appFiles(REPO_ROOT),
      bundle: [],
    };
    const variants: Variant[] = ['app', 'sdk'];
    let bundleBytes: number | undefined;
    if (options.bundle) {
      bundled = copyBuiltApp('sitewatch-bench-bundle-');
      bundleBytes = (await bundleApp({ packageDir: bundled.dir })).bytes;
      files.bundle = mainFiles(bundled.dir).files;
      variants.push('bundle');
    }

    const samples = new Map<Variant, Array<ChildFigures & { processMs: number }>>(
      variants.map((v) => [v, []]),
    );
    for (let round = 0; round < options.rounds; round++) {
      for (const variant of rotate(variants, round)) {
        const { stdout, wallMs } = await runToCompletion(process.execPath, [child, ...files[variant]], {
          timeoutMs: 60_000,
          cwd: REPO_ROOT,
        });
        samples.get(variant)!.push({ ...lastJsonLine<ChildFigures>(stdout), processMs: wallMs });
      }
    }

    const sdk = samples.get('sdk')!;
    const result: ColdStartResult = { options, variants: {}, bundleBytes };
    for (const variant of variants) {
      const runs = samples.get(variant)!;
      result.variants[variant] = {
        requireMs: median(runs.map((r) => r.requireMs)),
        cpuMs: median(runs.map((r) => r.cpuMs)),
        processMs: median(runs.map((r) => r.processMs)),
        registrations: runs[0].registrations,
        modules: runs[0].modules,
        ratioToSdk: median(runs.map((r, i) => r.requireMs / sdk[i].requireMs)),
        processRatioToSdk: median(runs.map((r, i) => r.processMs / sdk[i].processMs)),
      };
    }
    const app = result.variants.app!;
    if (app.registrations === 0) throw new Error('The app registered no functions: is dist/ built?');
    if (result.variants.bundle && result.variants.bundle.registrations !== app.registrations) {
      throw new Error(
        `The bundle registered ${result.variants.bundle.registrations} functions, the app ${app.registrations}`,
      );
    }
    return result;
  } finally {
    bundled?.remove();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = by % items.length;
  return [...items.slice(n), ...items.slice(0, n)];
}
