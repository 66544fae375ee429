// What every part of the engine shares: the durable state, the host clock and invoker, the
// generation that restart() bumps (work from an older generation never lands), the set of
// instances that want an episode, and the one way an event reaches an execution (deliver).
import { randomUUID } from 'node:crypto';
import type { HostClock } from '../clock';
import type { HostInvoker } from '../invoke';
import { iso, type Execution, type InstanceRecord, type Store } from '../store';
import type { HistoryEvent, Registry } from '../types';

/** A change to apply only once an episode's history is committed. */
export type SideEffect = () => void;

/** An event as a completion or client call produces it; deliver() stamps the rest. */
export type IncomingEvent = Omit<HistoryEvent, 'EventId' | 'IsPlayed' | 'Timestamp'>;

export const newInstanceId = (): string => randomUUID().replace(/-/g, '');

export function toJson(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

export function hostEvent(type: number, ts: number, played: boolean, id = -1): HistoryEvent {
  return { EventType: type, EventId: id, IsPlayed: played, Timestamp: iso(ts) };
}

export interface EngineCoreOptions {
  store: Store;
  registry: Registry;
  clock: HostClock;
  invoker: HostInvoker;
  onError: (message: string, error: unknown) => void;
  /** A line that explains something the app will find surprising (default: console.warn). */
  warn?: (message: string) => void;
  /** Asks the scheduler to look at its queues soon. */
  requestPump: () => void;
}

export class EngineCore {
  readonly store: Store;
  readonly registry: Registry;
  readonly clock: HostClock;
  readonly invoker: HostInvoker;
  readonly onError: (message: string, error: unknown) => void;
  readonly warn: (message: string) => void;
  readonly requestPump: () => void;

  /** Bumped by restart() and stop(): callbacks from an older generation are ignored. */
  generation = 0;
  /** Instances with something in their inbox (or forced after a restart). */
  readonly ready = new Set<string>();
  /** Instances that get an episode even with an empty inbox (after a restart). */
  readonly forced = new Set<string>();
  /** Real ms the instance's last episode took; a costly replay waits longer for more completions. */
  readonly episodeCost = new Map<string, number>();

  constructor(options: EngineCoreOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.clock = options.clock;
    this.invoker = options.invoker;
    this.onError = options.onError;
    this.warn = options.warn ?? ((m) => console.warn(`[tests/host] ${m}`));
    this.requestPump = options.requestPump;
  }

  /** Appends an event to the execution's inbox and asks for an episode. */
  deliver(record: InstanceRecord, exec: Execution, fields: IncomingEvent): void {
    exec.inbox.push({
      EventId: -1,
      IsPlayed: false,
      Timestamp: iso(this.clock.now()),
      ...fields,
    } as HistoryEvent);
    this.enqueueEpisode(record.instanceId);
  }

  enqueueEpisode(instanceId: string): void {
    this.ready.add(instanceId);
    this.requestPump();
  }

  touch(record: InstanceRecord): void {
    record.updatedAt = Math.max(record.updatedAt, this.clock.now());
    this.store.changed(record);
  }
}
