/** Runs `task(0..count-1)` with at most `concurrency` in flight; rejects on the first failure. */
export async function closedLoopCount(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
