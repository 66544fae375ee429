// The host's notion of time. Orchestration timestamps, timer firing and activity-call logs all
// read it. VirtualClock makes timer-heavy orchestrations run instantly and deterministically.
import type { Clock } from './types';

export interface TimerHandle {
  cancel(): void;
}

export interface HostClock extends Clock {
  /** Runs `fire` once the clock reaches `at` (epoch ms). */
  schedule(at: number, fire: () => void): TimerHandle;
  /** Virtual only: jump to the earliest timer whenever the host is idle. */
  autoSkip: boolean;
  /** Called by the scheduler; the clock asks it whether work is in flight. */
  attach(host: IdleSource): void;
  /** The scheduler calls this whenever it runs out of work (virtual: may jump to the next timer). */
  notifyIdle(): void;
  stop(): void;
}

export interface IdleSource {
  isIdle(): boolean;
  /** Resolves the next time the host is idle (immediately when it is). */
  whenIdle(): Promise<void>;
  /** The clock calls this after firing timers so the host can look at new work. */
  poke(): void;
}

export const DEFAULT_START = Date.UTC(2026, 0, 1, 0, 0, 0);

interface Pending {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

/** A binary min-heap on (at, seq): fan-outs schedule thousands of timers. */
class TimerHeap {
  private items: Pending[] = [];
  get size(): number {
    return this.items.length;
  }
  push(p: Pending): void {
    const a = this.items;
    a.push(p);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }
  peek(): Pending | undefined {
    this.dropCancelled();
    return this.items[0];
  }
  pop(): Pending | undefined {
    this.dropCancelled();
    return this.take();
  }
  clear(): void {
    this.items = [];
  }
  private dropCancelled(): void {
    while (this.items.length > 0 && this.items[0].cancelled) this.take();
  }
  private take(): Pending | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l], a[m])) m = l;
        if (r < a.length && less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

function less(x: Pending, y: Pending): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

export class VirtualClock implements HostClock {
  readonly virtual = true;
  private current: number;
  private readonly timers = new TimerHeap();
  private seq = 0;
  private host: IdleSource | undefined;
  private advancing = 0;
  private skipScheduled = false;
  private stopped = false;
  private autoSkipOn: boolean;

  constructor(options: { start?: Date | number; autoSkip?: boolean } = {}) {
    const start = options.start ?? DEFAULT_START;
    this.current = typeof start === 'number' ? start : start.getTime();
    this.autoSkipOn = options.autoSkip ?? true;
  }

  now(): number {
    return this.current;
  }

  get autoSkip(): boolean {
    return this.autoSkipOn;
  }
  set autoSkip(on: boolean) {
    this.autoSkipOn = on;
    if (on) this.notifyIdle();
  }

  attach(host: IdleSource): void {
    this.host = host;
  }

  schedule(at: number, fire: () => void): TimerHandle {
    const p: Pending = { at, seq: this.seq++, fire, cancelled: false };
    this.timers.push(p);
    this.notifyIdle();
    return { cancel: () => void (p.cancelled = true) };
  }

  /** Time of the earliest pending timer, if any. */
  nextTimerAt(): number | undefined {
    return this.timers.peek()?.at;
  }

  /** Fires due timers in order up to now+ms, letting the host settle after each; then settles at now+ms. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance(ms) needs a non-negative number, got ${ms}`);
    const target = this.current + ms;
    this.advancing++;
    try {
      for (;;) {
        await this.whenIdle();
        const next = this.timers.peek();
        if (!next || next.at > target) break;
        this.fireDue(next.at);
      }
      this.current = Math.max(this.current, target);
      await this.whenIdle();
    } finally {
      this.advancing--;
    }
    this.notifyIdle();
  }

  /** The scheduler calls this whenever it runs out of work. */
  notifyIdle(): void {
    if (!this.autoSkipOn || this.advancing > 0 || this.skipScheduled || this.stopped) return;
    if (this.timers.peek() === undefined) return;
    this.skipScheduled = true;
    // A macrotask later, so I/O callbacks (HTTP, sockets) get their turn between jumps.
    setImmediate(() => {
      this.skipScheduled = false;
      if (!this.autoSkipOn || this.advancing > 0 || this.stopped) return;
      if (this.host && !this.host.isIdle()) return; // the host calls notifyIdle again when idle
      const next = this.timers.peek();
      if (next) this.fireDue(next.at);
    });
  }

  stop(): void {
    this.stopped = true;
    this.timers.clear();
  }

  private fireDue(at: number): void {
    this.current = Math.max(this.current, at);
    for (let p = this.timers.peek(); p && p.at <= this.current; p = this.timers.peek()) {
      this.timers.pop();
      p.fire();
    }
    this.host?.poke();
    // If firing produced no work (e.g. every due timer belonged to a finished instance), keep going.
    if (!this.host || this.host.isIdle()) this.notifyIdle();
  }

  private whenIdle(): Promise<void> {
    return this.host ? this.host.whenIdle() : Promise.resolve();
  }
}

const MAX_TIMEOUT = 2 ** 31 - 1;

export class RealClock implements HostClock {
  readonly virtual = false;
  autoSkip = false;
  private last = 0;
  private stopped = false;
  private readonly handles = new Set<NodeJS.Timeout>();

  /** Never goes backwards, even if the wall clock does. */
  now(): number {
    this.last = Math.max(this.last, Date.now());
    return this.last;
  }

  attach(): void {}

  notifyIdle(): void {}

  schedule(at: number, fire: () => void): TimerHandle {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (): void => {
      if (cancelled || this.stopped) return;
      const wait = at - Date.now();
      if (wait <= 0) {
        handle = undefined;
        if (!cancelled) fire();
        return;
      }
      handle = setTimeout(
        () => {
          this.handles.delete(handle!);
          arm();
        },
        Math.min(wait, MAX_TIMEOUT),
      );
      this.handles.add(handle);
    };
    // Deferred so callers never see `fire` run inside `schedule`.
    setImmediate(arm);
    return {
      cancel: () => {
        cancelled = true;
        if (handle) {
          clearTimeout(handle);
          this.handles.delete(handle);
        }
      },
    };
  }

  advance(_ms?: number): Promise<void> {
    return Promise.reject(new Error('advance(ms) needs the virtual clock; this host runs on real time'));
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.handles) clearTimeout(h);
    this.handles.clear();
  }
}
