// Every .bicep file in the repo through a real Bicep grammar (tree-sitter-bicep, wasm). The Bicep
// compiler cannot be installed here (docs/deploy.md, "What is validated here"), so this is the
// most that runs: syntax, not types.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import { REPO_ROOT } from './support/appSettings';
import { bicepSyntaxProblems } from './support/bicepSyntax';

const bicepFiles = fg.sync('**/*.bicep', { cwd: REPO_ROOT, ignore: ['node_modules/**', 'dist/**'] }).sort();
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

describe('Bicep syntax (tree-sitter-bicep)', () => {
  it('finds every infra file', () => {
    expect(bicepFiles).toContain('infra/main.bicep');
    expect(bicepFiles.filter((path) => path.startsWith('infra/modules/')).length).toBeGreaterThanOrEqual(6);
  });

  it.each(bicepFiles)('%s parses without errors', async (path) => {
    expect(await bicepSyntaxProblems(read(path))).toEqual([]);
  });

  it('parses the constructs the templates rely on: safe dereference, coalesce, conditions', async () => {
    const text = [
      "module scheduler 'scheduler.bicep' = if (useScheduler) {",
      "  name: 'scheduler'",
      '}',
      "output endpoint string = scheduler.?outputs.endpoint ?? ''",
      'var subnet = vnetEnabled ? network.?outputs.appSubnetId : null',
    ].join('\n');
    expect(await bicepSyntaxProblems(text)).toEqual([]);
  });

  describe('catches a deliberately broken copy', () => {
    const main = read('infra/main.bicep');

    it('a module body that is never closed', async () => {
      const broken = main.replace(/^(module identity [^\n]*\{\n(?:.*\n)*?)\}\n/m, '$1');
      expect(broken).not.toBe(main);
      expect((await bicepSyntaxProblems(broken)).length).toBeGreaterThan(0);
    });

    it('a declaration without its value', async () => {
      const broken = main.replace(/^var useScheduler = .*$/m, 'var useScheduler =');
      expect(broken).not.toBe(main);
      const problems = await bicepSyntaxProblems(broken);
      expect(problems.length).toBeGreaterThan(0);
    });

    it('a stray token inside an object', async () => {
      const broken = main.replace(/^(\s+)location: location$/m, '$1location: location location');
      expect(broken).not.toBe(main);
      const problems = await bicepSyntaxProblems(broken);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems[0].line).toBeGreaterThan(1);
    });
  });
});
