// A throw-away copy of the built app laid out like a deployment package (package.json, host.json,
// local.settings.json, dist/src/**/*.js, node_modules linked to this repo's), for measuring or
// testing scripts/bundleApp.ts without touching the build in dist/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fg from 'fast-glob';
import { REPO_ROOT } from './paths';

export interface PackageCopy {
  dir: string;
  remove(): void;
}

export function copyBuiltApp(prefix = 'sitewatch-package-'): PackageCopy {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const files = [
    'package.json',
    'host.json',
    'local.settings.json',
    ...fg.sync('dist/src/**/*.js', { cwd: REPO_ROOT }),
  ];
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, file), path.join(dir, file));
  }
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
