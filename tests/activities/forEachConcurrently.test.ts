import { forEachConcurrently } from '../../src/activities/storage/forEachConcurrently';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('every index runs once, never more than `concurrency` at a time, started in order', async () => {
  const started: number[] = [];
  let inFlight = 0;
  let most = 0;
  await forEachConcurrently(23, 4, async (i) => {
    started.push(i);
    most = Math.max(most, ++inFlight);
    for (let k = 0; k < (i % 3) + 1; k++) await tick();
    inFlight--;
  });
  expect(started).toEqual(Array.from({ length: 23 }, (_, i) => i));
  expect(most).toBe(4);
});

test('no items: resolves without calling the task', async () => {
  const task = jest.fn(async () => undefined);
  await forEachConcurrently(0, 8, task);
  expect(task).not.toHaveBeenCalled();
});

test('a rejection rejects the whole; the tasks already started still run to their end', async () => {
  const ended: number[] = [];
  const run = forEachConcurrently(6, 2, async (i) => {
    await tick();
    if (i === 1) throw new Error('slice 1 failed');
    await tick();
    ended.push(i);
  });
  await expect(run).rejects.toThrow('slice 1 failed');
  await tick();
  await tick();
  expect(ended).toContain(0);
});
