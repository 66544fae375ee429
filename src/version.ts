// The app version, for the User-Agent. Read from package.json at run time (not imported) so the build
// does not copy package.json into dist; found by walking up because this file runs from src/ under
// ts-jest/tsx and from dist/src/ when built.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function readVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sitewatch' && typeof pkg.version === 'string') return pkg.version;
    }
    if (dirname(dir) === dir) return '0.0.0';
  }
}

/** Sitewatch's version from package.json, read once at module load. */
export const version: string = readVersion();

export const userAgent = `Sitewatch/${version}`;
