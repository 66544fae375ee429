// clock.ts: virtual time, ordering, advance and auto-skip.
import { DEFAULT_START, RealClock, VirtualClock, type IdleSource } from './clock';

function idleHost(): IdleSource & { pokes: number } {
  return {
    pokes: 0,
    isIdle: () => true,
    whenIdle: () => Promise.resolve(),
    poke() {
      this.pokes++;
    },
  };
}

test('starts at 2026-01-01T00:00:00Z unless told otherwise', () => {
  expect(new VirtualClock().now()).toBe(DEFAULT_START);
  expect(new VirtualClock({ start: new Date('2030-05-01T00:00:00Z') }).now()).toBe(Date.UTC(2030, 4, 1));
});

test('advance fires due timers in time order and ends at now + ms', async () => {
  const clock = new VirtualClock({ autoSkip: false });
  clock.attach(idleHost());
  const fired: Array<[string, number]> = [];
  const t0 = clock.now();
  clock.schedule(t0 + 300, () => fired.push(['c', clock.now() - t0]));
  clock.schedule(t0 + 100, () => fired.push(['a', clock.now() - t0]));
  clock.schedule(t0 + 200, () => fired.push(['b', clock.now() - t0]));
  clock.schedule(t0 + 900, () => fired.push(['late', clock.now() - t0]));
  const cancelled = clock.schedule(t0 + 150, () => fired.push(['cancelled', 0]));
  cancelled.cancel();
  await clock.advance(500);
  expect(fired).toEqual([
    ['a', 100],
    ['b', 200],
    ['c', 300],
  ]);
  expect(clock.now()).toBe(t0 + 500);
  expect(clock.nextTimerAt()).toBe(t0 + 900);
});

test('a timer scheduled in the past fires at the current time: the clock never goes backwards', async () => {
  const clock = new VirtualClock({ autoSkip: false });
  clock.attach(idleHost());
  const t0 = clock.now();
  let firedAt = 0;
  clock.schedule(t0 - 60_000, () => (firedAt = clock.now()));
  await clock.advance(0);
  expect(firedAt).toBe(t0);
});

test('auto-skip jumps straight to the next timer when the host is idle', async () => {
  const clock = new VirtualClock();
  clock.attach(idleHost());
  const t0 = clock.now();
  const firedAt = await new Promise<number>((resolve) =>
    clock.schedule(t0 + 86_400_000, () => resolve(clock.now())),
  );
  expect(firedAt).toBe(t0 + 86_400_000);
});

test('auto-skip waits while the host is busy', async () => {
  const clock = new VirtualClock();
  let busy = true;
  const host = { ...idleHost(), isIdle: () => !busy };
  clock.attach(host);
  let fired = false;
  clock.schedule(clock.now() + 1000, () => (fired = true));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  expect(fired).toBe(false);
  busy = false;
  clock.notifyIdle();
  await new Promise((r) => setImmediate(r));
  expect(fired).toBe(true);
});

test('the real clock fires on wall time and refuses advance', async () => {
  const clock = new RealClock();
  const start = clock.now();
  const firedAt = await new Promise<number>((resolve) =>
    clock.schedule(start + 20, () => resolve(Date.now())),
  );
  expect(firedAt).toBeGreaterThanOrEqual(start + 20);
  await expect(clock.advance(10)).rejects.toThrow(/virtual clock/);
  clock.stop();
});
