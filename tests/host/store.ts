// The one owner of durable state: instances, their executions' histories and inboxes, the open
// work each execution owns, and the activity-call log. The scheduler mutates records through
// this module and calls `changed` so waiters see every status transition.
import type { HistoryEvent, InstanceFilter, RuntimeStatus, StatusQuery, WireStatus } from './types';
import type { NewWork, ReplayState } from './engine/replay';
import type { RetryOptionsWire } from './engine/retry';
import { TrackedMap } from './persist/trackedMap';

export { FINAL_STATUSES, isFinal } from './types';

/** A retried activity or sub-orchestration: one action, several attempts and timers. */
export interface RetryState {
  kind: 'activity' | 'subOrchestration';
  name: string;
  input: unknown;
  subInstanceId?: string;
  options: RetryOptionsWire;
  /** The SDK's attemptNumber: 1-based, incremented when an attempt fails. */
  attempt: number;
  firstAttemptAt: number;
  /** The id whose completion (attempt) or TimerFired (timer) comes next. */
  waitingOn: { id: number; what: 'attempt' | 'timer' };
  /** Set once DurableTask.Core stops retrying without a timer (retry timeout passed): it waits forever. */
  gaveUp: boolean;
  lastFailure?: { Reason: string; Details: string };
}

/** A timer longer than the backend's maximum, split into pieces (engine/longTimers.ts). */
export interface LongTimer {
  /** The fireAt the orchestrator asked for (epoch ms). */
  until: number;
  /** Ids of the pieces created so far; the last one is the one still to fire. */
  pieces: number[];
  /** The orchestrator cancelled it: the extension creates no further piece. */
  canceled: boolean;
  /** Cancelled, and its last piece fired early: the SDK numbered one more piece that will never exist. */
  sdkAhead?: boolean;
  /** Its last piece fired at or after `until`: the timer is complete. */
  done?: boolean;
}

export interface Execution {
  executionId: string;
  /** Orchestration input as JSON text (undefined when none). */
  input: string | undefined;
  /** Committed episodes; every event IsPlayed. */
  history: HistoryEvent[];
  /** Events waiting for the next episode, in arrival order. */
  inbox: HistoryEvent[];
  replay: ReplayState;
  /** Scheduling events by EventId, for the determinism check. */
  scheduled: Map<number, HistoryEvent>;
  /** Scheduled activity attempts whose completion has not arrived yet. */
  activities: Map<number, { name: string; input: unknown }>;
  /** Created timers that have neither fired nor been cancelled. */
  timers: Map<number, { fireAt: number }>;
  /** Long timers, keyed by their first piece's id (the action's task id); `done` once due. */
  longTimers: Map<number, LongTimer>;
  /** Sub-orchestrations started and not yet reported back. */
  subOrchestrations: Map<number, { instanceId: string; name: string }>;
  /** Retry state keyed by the action's first task id; `retryIds` maps attempt/timer ids to it. */
  retries: Map<number, RetryState>;
  retryIds: Map<number, number>;
  /**
   * Actions the SDK has sent and numbered that the extension has not reached yet: it invokes a
   * top-level action only after the ones before it completed (engine/shimWalk.ts). `index` is the
   * action's place in the flat action list.
   */
  deferred: Array<{ index: number; work: NewWork }>;
  lastStartedAt: number;
  /** `history` serialised so far (engine/episode.ts historyText). */
  historyCache: { text: string; count: number };
}

export interface ParentRef {
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  runtimeStatus: RuntimeStatus;
  /** Status to return to on resume. */
  statusBeforeSuspend?: RuntimeStatus;
  createdAt: number;
  updatedAt: number;
  /** Output as JSON text (final instances; the reason text for failed/terminated ones, JSON-encoded). */
  output: string | undefined;
  customStatus: unknown;
  parent?: ParentRef;
  executions: Execution[];
  episodes: number;
}

export interface ActivityCall {
  name: string;
  input: unknown;
  instanceId: string;
}

// The maps are TrackedMaps so that, with `--data`, the journal writes only the entries that changed
// (persist/recordCodec.ts); without it they behave as plain Maps.
export function newExecution(executionId: string, input: string | undefined): Execution {
  return {
    executionId,
    input,
    history: [],
    inbox: [],
    replay: { slots: [], nextId: 0 },
    scheduled: new TrackedMap({ immutableValues: true }),
    activities: new TrackedMap({ immutableValues: true }),
    timers: new TrackedMap({ immutableValues: true }),
    longTimers: new TrackedMap({ immutableValues: true }),
    subOrchestrations: new TrackedMap({ immutableValues: true }),
    retries: new TrackedMap(),
    retryIds: new TrackedMap({ immutableValues: true }),
    deferred: [],
    lastStartedAt: 0,
    historyCache: { text: '', count: 0 },
  };
}

export function current(record: InstanceRecord): Execution {
  return record.executions[record.executions.length - 1];
}

type Listener = (record: InstanceRecord) => void;

/**
 * Told about every record that may have changed (persist/journal.ts). The engine mutates records it
 * got from get() in the same turn, so get() counts as a possible change.
 */
export type StoreObserver = (instanceId: string) => void;

export class Store {
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly listeners = new Set<Listener>();
  private observer: StoreObserver | undefined;
  readonly activityLog: ActivityCall[] = [];

  /** `records` as a journal rebuilt them, then `observer` sees every change from here on. */
  constructor(records: Iterable<InstanceRecord> = [], observer?: StoreObserver) {
    for (const r of records) this.instances.set(r.instanceId, r);
    this.observer = observer;
  }

  get(instanceId: string): InstanceRecord | undefined {
    const record = this.instances.get(instanceId);
    if (record) this.observer?.(instanceId);
    return record;
  }

  put(record: InstanceRecord): void {
    this.instances.set(record.instanceId, record);
    this.changed(record);
  }

  delete(instanceId: string): boolean {
    const deleted = this.instances.delete(instanceId);
    if (deleted) this.observer?.(instanceId);
    return deleted;
  }

  all(): IterableIterator<InstanceRecord> {
    return this.instances.values();
  }

  /** Call after mutating a record (status, output, custom status). */
  changed(record: InstanceRecord): void {
    this.observer?.(record.instanceId);
    for (const l of [...this.listeners]) l(record);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  filter(filter: InstanceFilter): InstanceRecord[] {
    const out: InstanceRecord[] = [];
    for (const r of this.instances.values()) if (matches(r, filter)) out.push(r);
    return out.sort((a, b) => a.createdAt - b.createdAt || a.instanceId.localeCompare(b.instanceId));
  }
}

export function matches(r: InstanceRecord, f: InstanceFilter): boolean {
  if (f.createdTimeFrom && r.createdAt < f.createdTimeFrom.getTime()) return false;
  if (f.createdTimeTo && r.createdAt > f.createdTimeTo.getTime()) return false;
  if (f.runtimeStatus && f.runtimeStatus.length > 0 && !f.runtimeStatus.includes(r.runtimeStatus))
    return false;
  if (f.instanceIdPrefix && !r.instanceId.startsWith(f.instanceIdPrefix)) return false;
  return true;
}

export function parseJson(text: string | undefined | null): unknown {
  if (text === undefined || text === null || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The status JSON the extension returns for an instance. */
export function toWireStatus(r: InstanceRecord, query: StatusQuery = {}): WireStatus {
  const exec = current(r);
  const status: WireStatus = {
    name: r.name,
    instanceId: r.instanceId,
    runtimeStatus: r.runtimeStatus,
    input: query.showInput === false ? null : parseJson(exec.input),
    customStatus: r.customStatus ?? null,
    output: parseJson(r.output),
    createdTime: iso(r.createdAt),
    lastUpdatedTime: iso(r.updatedAt),
  };
  if (query.showHistory) status.historyEvents = toWireHistory(exec.history, query.showHistoryOutput === true);
  return status;
}

const EVENT_NAMES: Record<number, string> = {
  0: 'ExecutionStarted',
  1: 'ExecutionCompleted',
  2: 'ExecutionFailed',
  3: 'ExecutionTerminated',
  4: 'TaskScheduled',
  5: 'TaskCompleted',
  6: 'TaskFailed',
  7: 'SubOrchestrationInstanceCreated',
  8: 'SubOrchestrationInstanceCompleted',
  9: 'SubOrchestrationInstanceFailed',
  10: 'TimerCreated',
  11: 'TimerFired',
  12: 'OrchestratorStarted',
  13: 'OrchestratorCompleted',
  14: 'EventSent',
  15: 'EventRaised',
  16: 'ContinueAsNew',
  19: 'ExecutionSuspended',
  20: 'ExecutionResumed',
};

/** DurableTask.Core OrchestrationStatus numbers, as history events carry them. */
export const ORCHESTRATION_STATUS = {
  Running: 0,
  Completed: 1,
  ContinuedAsNew: 2,
  Failed: 3,
  Terminated: 5,
} as const;
const ORCHESTRATION_STATUS_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ORCHESTRATION_STATUS).map(([k, v]) => [v, k]),
);

export const eventTypeName = (t: number): string => EVENT_NAMES[t] ?? String(t);

/**
 * The extension's showHistory shape: episode markers and scheduling events are folded away,
 * completions name their function and carry ScheduledTime; payloads only with showHistoryOutput.
 */
export function toWireHistory(history: readonly HistoryEvent[], showOutput: boolean): unknown[] {
  const out: unknown[] = [];
  const scheduledById = new Map<number, HistoryEvent>();
  for (const e of history) if (e.EventType === 4 || e.EventType === 7) scheduledById.set(e.EventId, e);
  for (const e of history) {
    if (e.EventType === 12 || e.EventType === 13 || e.EventType === 4 || e.EventType === 7) continue;
    const item: Record<string, unknown> = { EventType: eventTypeName(e.EventType), Timestamp: e.Timestamp };
    const scheduledId = typeof e.TaskScheduledId === 'number' ? e.TaskScheduledId : undefined;
    if (scheduledId !== undefined) {
      const scheduled = scheduledById.get(scheduledId);
      if (scheduled) {
        item.FunctionName = scheduled.Name;
        item.ScheduledTime = scheduled.Timestamp;
      }
    }
    if (e.EventType === 0) item.FunctionName = e.Name;
    if (e.EventType === 10 || e.EventType === 11) item.FireAt = e.FireAt;
    if (e.EventType === 15) item.Name = e.Name;
    if (e.EventType === 1)
      item.OrchestrationStatus = ORCHESTRATION_STATUS_NAMES[e.OrchestrationStatus as number];
    if (e.Reason !== undefined) item.Reason = e.Reason;
    if (showOutput) {
      if (e.Input !== undefined) item.Input = parseJson(e.Input as string);
      if (e.Result !== undefined) item.Result = parseJson(e.Result as string);
      if (e.Details !== undefined) item.Details = e.Details;
    }
    out.push(item);
  }
  return out;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
