import { checkGoals } from '../../bench/goals';
import type { FanOutCaseResult, FanOutResult } from '../../bench/fanOut/run';

const fanOutCase = (
  n: number,
  design: FanOutCaseResult['design'],
  overheadMs: number,
  orchestratorMs: number,
): FanOutCaseResult =>
  ({
    n,
    design,
    overheadMs,
    orchestratorMs,
    orchestratorMicrosPerTarget: (orchestratorMs * 1000) / n,
  }) as FanOutCaseResult;

const run = (cases: FanOutCaseResult[]) => ({ fanOut: { cases, sweep: [] } as unknown as FanOutResult });
const byName = (checks: ReturnType<typeof checkGoals>, part: string) =>
  checks.filter((c) => c.name.includes(part));

test('the 10x growth goal is held on the by-reference design; inline partitions are shown for reference', () => {
  const checks = checkGoals(
    run([
      fanOutCase(1000, 'by reference', 10, 10),
      fanOutCase(10_000, 'by reference', 130, 110),
      fanOutCase(1000, 'partitioned', 10, 10),
      fanOutCase(10_000, 'partitioned', 50, 500),
    ]),
  );
  const [wall, orchestrator] = byName(checks, '(by reference)');
  expect([wall.value, wall.met]).toEqual([13, false]);
  expect([orchestrator.value, orchestrator.met]).toEqual([11, true]);
  const inline = byName(checks, '(inline partitions)');
  expect(inline.map((c) => [c.value, c.limit, c.met])).toEqual([
    [5, 'reference', undefined],
    [50, 'reference', undefined],
  ]);
});

test('a wall-time overhead at or below zero is noise: its ratio is shown but not judged', () => {
  const checks = checkGoals(
    run([fanOutCase(1000, 'by reference', -5, 10), fanOutCase(10_000, 'by reference', -100, 200)]),
  );
  const [wall, orchestrator] = byName(checks, '(by reference)');
  expect([wall.value, wall.limit, wall.met]).toEqual([20, 'not judged: within noise', undefined]);
  expect(orchestrator.met).toBe(false);
});

test('orchestrator µs/target at 100,000 is held to 1.2x the figure at 1,000', () => {
  const checks = checkGoals(
    run([fanOutCase(1000, 'by reference', 1, 10), fanOutCase(100_000, 'by reference', 1, 1300)]),
  );
  const [growth] = byName(checks, 'µs/target at 100,000');
  expect(growth.value).toBeCloseTo(1.3, 10);
  expect(growth.met).toBe(false);
});
