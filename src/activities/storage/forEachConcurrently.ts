/**
 * Runs `task(i)` for every i in [0, count), at most `concurrency` at once, started in index order:
 * enough requests in flight to hide round trips, few enough not to flood one storage account. It
 * resolves when every task has finished. The first rejection rejects it while the tasks already
 * started run to their end, so a caller that must try every item catches inside `task`.
 */
export async function forEachConcurrently(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
