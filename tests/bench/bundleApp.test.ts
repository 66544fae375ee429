// scripts/bundleApp.ts on a copy of the built app laid out as a deployment package: the package.json
// main glob then finds only the bundle, and tests/host (playing the worker) loads every function from
// it and runs a check end to end. Needs `npm run build` first.
import fs from 'node:fs';
import path from 'node:path';
import { BUNDLE_FILE, bundleApp, BundleError, mainFiles } from '../../scripts/bundleApp';
import { copyBuiltApp, type PackageCopy } from '../../bench/packageCopy';
import { startHost, type Host } from '../host';
import { loadApp, REPO_ROOT } from '../host/loader';
import { respond, startServer, type TargetServer } from '../support/servers';

jest.setTimeout(120_000);

let copy: PackageCopy;
let host: Host | undefined;
let target: TargetServer | undefined;

beforeAll(() => {
  copy = copyBuiltApp('sitewatch-bundle-test-');
});

afterAll(async () => {
  await host?.stop();
  await target?.close();
  copy?.remove();
});

test('replaces the build with one file that the main glob alone matches', async () => {
  const before = mainFiles(copy.dir).files;
  expect(before.length).toBeGreaterThan(1);

  const result = await bundleApp({ packageDir: copy.dir });

  expect(result.entry).toBe(path.join(copy.dir, 'dist', 'src', 'index.js'));
  expect(result.outfile).toBe(path.join(copy.dir, 'dist', 'src', BUNDLE_FILE));
  expect(result.replaced).toEqual(before.map((f) => path.relative(copy.dir, f)));
  expect(mainFiles(copy.dir).files).toEqual([result.entry]);
  expect(fs.readdirSync(path.join(copy.dir, 'dist', 'src')).sort()).toEqual(['index.js', BUNDLE_FILE].sort());
  // The entry turns the compile cache on (where Node has it) before it loads the bundle.
  const entry = fs.readFileSync(result.entry, 'utf8');
  expect(entry.indexOf('enableCompileCache?.()')).toBeGreaterThan(-1);
  expect(entry.indexOf('enableCompileCache')).toBeLessThan(entry.indexOf(`require('./${BUNDLE_FILE}')`));
  // The worker-provided module and the lazily loaded storage SDKs stay outside the bundle.
  const code = fs.readFileSync(result.outfile, 'utf8');
  expect(code).toContain('require("@azure/functions-core")');
  expect(code).toContain('@azure/storage-blob');
  expect(code).toContain('require("@azure/data-tables")');
  // So do the HTML parser and the cron parser, which load on first use as well; of `validator` only
  // isURL is in (isIBAN is one of the many it would otherwise carry).
  expect(code).toContain('isURL');
  expect(code).not.toContain('isIBAN');
  expect(code).toContain('require("htmlparser2")');
  expect(code).toContain('require("cron-parser")');
  expect(code).not.toContain('class Tokenizer');
  // zod's locales: English only (the German one's words are not in it, the English ones are).
  expect(code).not.toContain('Ungültige Eingabe');
  expect(code).toContain('Invalid input');
});

test('the test host loads every function from the bundle and runs a check and an audit through it', async () => {
  const unbundled = [...loadApp(REPO_ROOT).functions.keys()].sort();
  target = await startServer({
    '/ok': respond.text('fine'),
    '/page': respond.text('<a href="/ok">ok</a> <a href="/gone">gone</a>', 200, {
      'content-type': 'text/html',
    }),
  });
  host = await startHost({
    appDir: copy.dir,
    storage: 'azurite',
    settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' },
  });

  expect([...host.registry.functions.keys()].sort()).toEqual(unbundled);
  const id = host.startNew('checkSites', {
    targets: [{ url: target.url('/ok') }, { url: target.url('/nope') }],
  });
  const status = await host.waitForStatus(id, undefined, { timeoutMs: 60_000 });
  expect(status.runtimeStatus).toBe('Completed');
  // The report was saved, so the storage SDK loaded on first use from outside the bundle.
  expect(status.output).toMatchObject({
    summary: { total: 2, up: 1, down: 1 },
    report: { blob: `checks/${id}.json` },
  });

  // An HTTP starter: the durable client checks its management URLs with validator's isURL, which is
  // all of `validator` the bundle keeps.
  const started = await fetch(`${host.apiUrl}/checks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ targets: [target.url('/ok')] }),
  });
  expect(started.status).toBe(202);
  const { id: startedId, statusQueryGetUri } = (await started.json()) as {
    id: string;
    statusQueryGetUri: string;
  };
  expect(new URL(statusQueryGetUri).origin).toBe(new URL(host.apiUrl).origin);
  await host.waitForStatus(startedId, undefined, { timeoutMs: 60_000 });
  expect((await (await fetch(statusQueryGetUri)).json()) as object).toMatchObject({
    runtimeStatus: 'Completed',
  });

  // The audit parses the page, so htmlparser2 loaded on first use from outside the bundle.
  const audit = host.startNew('auditSite', { url: target.url('/page') });
  const audited = await host.waitForStatus(audit, undefined, { timeoutMs: 60_000 });
  expect(audited.runtimeStatus).toBe('Completed');
  expect(audited.output).toMatchObject({ ok: true, counts: { links: 2, broken: 1 } });
});

test('refuses to bundle the project itself, which would delete the build the tests use', async () => {
  await expect(bundleApp({ packageDir: REPO_ROOT })).rejects.toThrow(BundleError);
  expect(fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'functions'))).toBe(true);
});
