// A full `npm run bench` rewrites BENCHMARKS.md; the status section is measured by its own
// command (`npm run bench -- status`), so the rewrite must carry it over rather than drop it.
import { renderMarkdown, statusSectionOf, STATUS_HEADING } from '../../bench/report';
import type { BenchRun } from '../../bench/report';

const notes = { fanOut: 'f', throughput: 't', coldStart: 'c', cost: 'x' };
const run = {
  machine: { cpu: 'cpu', cores: 2, memoryGiB: 1, node: 'v20', os: 'linux', loadAverage: 0 },
  startedAt: '2026-11-30T00:00:00.000Z',
  commit: 'abc',
  totalSeconds: 1,
} as unknown as BenchRun;

test('the status section of an old report is found and kept at the end of the new one', () => {
  const old = `# Benchmarks\n\n## Goals\n\nold\n\n${STATUS_HEADING}\n\n| p95 |\n|---|\n| 42 ms |\n`;
  const section = statusSectionOf(old);
  expect(section.startsWith(STATUS_HEADING)).toBe(true);
  expect(section).toContain('| 42 ms |');
  const rendered = renderMarkdown(run, notes, section);
  expect(rendered.trimEnd().endsWith('| 42 ms |')).toBe(true);
  expect(rendered.split(STATUS_HEADING)).toHaveLength(2);
});

test('a report without a status section renders none', () => {
  expect(statusSectionOf('# Benchmarks\n\n## Goals\n')).toBe('');
  expect(renderMarkdown(run, notes, '')).not.toContain(STATUS_HEADING);
});
