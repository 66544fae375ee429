// The extension's side of a replay, as a pure function: walk the orchestrator's whole flat action
// list against what earlier episodes recorded, give each action the EventId the SDK gave its task
// (its sequence number), fail on any difference (the SDK never checks determinism; the extension
// does), and return only the work that is new in this episode.
import type { HistoryEvent } from '../types';
import { SCHEMA_V3, timerTooLongForStorage } from './longTimers';
import { retryOptionsSchema, type RetryOptionsWire } from './retry';

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  ScheduledSignalEntity: 10,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

export interface WireAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: unknown;
  instanceId?: string;
  version?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: WireAction[];
  [k: string]: unknown;
}

export type SlotKind = 'activity' | 'subOrchestration' | 'timer' | 'event' | 'continueAsNew';

/** What an earlier episode recorded for one flat action. */
export interface Slot {
  kind: SlotKind;
  name?: string;
  /** The task's sequence number (EventId of its scheduling event); absent for event waits and continueAsNew. */
  id?: number;
  retry?: boolean;
  canceled?: boolean;
}

export interface ReplayState {
  slots: Slot[];
  /** Next sequence number; equals the SDK's sequenceNumber after the last committed episode. */
  nextId: number;
}

export type NewWork =
  | { kind: 'activity'; id: number; name: string; input: unknown; retry?: RetryOptionsWire }
  | {
      kind: 'subOrchestration';
      id: number;
      name: string;
      input: unknown;
      instanceId?: string;
      version?: string;
      retry?: RetryOptionsWire;
    }
  /** `fireAt` as the SDK asked; one over 6 days away is split when scheduled (engine/longTimers.ts). */
  | { kind: 'timer'; id: number; fireAt: number; canceled: boolean }
  | { kind: 'event'; name: string }
  | { kind: 'continueAsNew'; input: unknown };

export interface ReplayInput {
  /** `OrchestratorState.actions` as the SDK returned it (`[[...]]`). */
  actions: unknown;
  prior: ReplayState;
  /** Scheduling events (TaskScheduled, TimerCreated, SubOrchestrationInstanceCreated) by EventId. */
  scheduled: ReadonlyMap<number, HistoryEvent>;
  /** First sequence number for new actions (after ids the host took for retries this episode). */
  firstNewId: number;
  /** The episode's orchestration time (epoch ms), for the long-timer check. */
  now: number;
  /** OrchestratorState.schemaVersion of the reply (0 when absent); V3 and later get long timers split. */
  schemaVersion: number;
  maximumShortTimerMs: number;
}

export type ReplayResult =
  | { ok: true; state: ReplayState; newWork: NewWork[]; cancelledTimers: number[] }
  | { ok: false; error: 'nonDeterministic' | 'unsupported'; message: string };

const NON_DETERMINISTIC = 'Non-Deterministic workflow detected: ';
const CHANGED = 'Was a change made to the orchestrator code after this instance had already started running?';

/** Depth-first, the order in which the SDK tracks the children of Task.all / Task.any. */
export function flattenActions(actions: unknown): WireAction[] {
  const out: WireAction[] = [];
  const visit = (a: WireAction): void => {
    if (a.actionType === ActionType.WhenAll || a.actionType === ActionType.WhenAny) {
      for (const c of a.compoundActions ?? []) visit(c);
    } else out.push(a);
  };
  if (Array.isArray(actions)) {
    for (const group of actions) {
      if (Array.isArray(group)) for (const a of group) visit(a as WireAction);
    }
  }
  return out;
}

/** Input of actions 0, 1 and 4 arrives JSON-encoded once more when it was a string. */
export function decodeOnce(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

function kindOf(a: WireAction): SlotKind | { unsupported: string } {
  switch (a.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      return 'activity';
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      return 'subOrchestration';
    case ActionType.CreateTimer:
      return 'timer';
    case ActionType.WaitForExternalEvent:
      return 'event';
    case ActionType.ContinueAsNew:
      return 'continueAsNew';
    case ActionType.CallEntity:
    case ActionType.SignalEntity:
    case ActionType.ScheduledSignalEntity:
    case ActionType.LockEntities:
    case ActionType.ReleaseEntities:
      return { unsupported: 'Durable entities are not supported by tests/host' };
    case ActionType.CallHttp:
      return { unsupported: 'callHttp is not supported by tests/host' };
    default:
      return { unsupported: `Unknown action type ${a.actionType} is not supported by tests/host` };
  }
}

const EXPECTED_EVENT: Record<string, { type: number; label: string; dtfxAction: string }> = {
  activity: { type: 4, label: 'an activity task', dtfxAction: 'ScheduleTaskOrchestratorAction' },
  subOrchestration: { type: 7, label: 'a sub-orchestration', dtfxAction: 'CreateSubOrchestrationAction' },
  timer: { type: 10, label: 'a timer task', dtfxAction: 'CreateTimerOrchestratorAction' },
  event: { type: -1, label: 'an external event wait', dtfxAction: 'WaitForExternalEvent' },
  continueAsNew: { type: -1, label: 'a continue-as-new', dtfxAction: 'ContinueAsNew' },
};

function eventKind(e: HistoryEvent): SlotKind {
  return e.EventType === 4 ? 'activity' : e.EventType === 7 ? 'subOrchestration' : 'timer';
}

function describeEvent(e: HistoryEvent): { kind: SlotKind; label: string } {
  if (e.EventType === 4)
    return {
      kind: 'activity',
      label: `an activity task with sequence ID ${e.EventId} and name '${String(e.Name)}'`,
    };
  if (e.EventType === 7)
    return {
      kind: 'subOrchestration',
      label: `a sub-orchestration with sequence ID ${e.EventId} and name '${String(e.Name)}'`,
    };
  return { kind: 'timer', label: `a timer task with sequence ID ${e.EventId}` };
}

export function replay(input: ReplayInput): ReplayResult {
  const flat = flattenActions(input.actions);
  const { prior } = input;
  const cancelledTimers: number[] = [];
  const slots = prior.slots.slice();

  // 1. Everything earlier episodes scheduled must come back, in the same order, with the same kind and name.
  for (let i = 0; i < prior.slots.length; i++) {
    const slot = prior.slots[i];
    const recorded = slot.id !== undefined ? input.scheduled.get(slot.id) : undefined;
    const action = flat[i];
    if (action === undefined) {
      const what = recorded
        ? describeEvent(recorded).label
        : `${EXPECTED_EVENT[slot.kind].label}${slot.name ? ` named '${slot.name}'` : ''}`;
      return nonDeterministic(
        `A previous execution of this orchestration scheduled ${what}, but the current replay execution hasn't (yet?) scheduled this task. ${CHANGED}`,
      );
    }
    const kind = kindOf(action);
    if (typeof kind !== 'string') return { ok: false, error: 'unsupported', message: kind.unsupported };
    const name = actionName(action);
    if (recorded) {
      if (eventKind(recorded) !== kind) {
        return nonDeterministic(
          `A previous execution of this orchestration scheduled ${describeEvent(recorded).label} but the current orchestration replay instead produced a ${EXPECTED_EVENT[kind].dtfxAction} action with this sequence number. ${CHANGED}`,
        );
      }
      if (kind !== 'timer' && recorded.Name !== name) {
        return nonDeterministic(
          `A previous execution of this orchestration scheduled ${describeEvent(recorded).label} but the current orchestration replay instead scheduled '${name}' with this sequence number. ${CHANGED}`,
        );
      }
    } else if (slot.kind !== kind || (slot.name ?? '') !== (name ?? '')) {
      return nonDeterministic(
        `A previous execution of this orchestration produced ${EXPECTED_EVENT[slot.kind].label}${slot.name ? ` named '${slot.name}'` : ''} at action ${i} but the current orchestration replay instead produced a ${EXPECTED_EVENT[kind].dtfxAction} action there. ${CHANGED}`,
      );
    }
    if (kind === 'timer' && action.isCanceled === true && !slot.canceled && slot.id !== undefined) {
      slots[i] = { ...slot, canceled: true };
      cancelledTimers.push(slot.id);
    }
  }

  // 2. The rest is new: number it the way the SDK did and hand it back as work.
  let nextId = input.firstNewId;
  const newWork: NewWork[] = [];
  for (let i = prior.slots.length; i < flat.length; i++) {
    const action = flat[i];
    const kind = kindOf(action);
    if (typeof kind !== 'string') return { ok: false, error: 'unsupported', message: kind.unsupported };
    const name = actionName(action);
    switch (kind) {
      case 'activity': {
        const retry = action.actionType === ActionType.CallActivityWithRetry ? parseRetry(action) : undefined;
        if (retry && 'error' in retry) return retry.error;
        const id = nextId++;
        slots.push({ kind, name, id, retry: retry !== undefined });
        newWork.push({ kind, id, name: name!, input: decodeOnce(action.input), retry: retry?.options });
        break;
      }
      case 'subOrchestration': {
        const retry =
          action.actionType === ActionType.CallSubOrchestratorWithRetry ? parseRetry(action) : undefined;
        if (retry && 'error' in retry) return retry.error;
        const id = nextId++;
        slots.push({ kind, name, id, retry: retry !== undefined });
        newWork.push({
          kind,
          id,
          name: name!,
          input: action.input,
          instanceId: action.instanceId || undefined,
          version: action.version,
          retry: retry?.options,
        });
        break;
      }
      case 'timer': {
        const fireAt = Date.parse(String(action.fireAt));
        if (Number.isNaN(fireAt)) {
          return {
            ok: false,
            error: 'unsupported',
            message: `CreateTimer action has an invalid fireAt: ${String(action.fireAt)}`,
          };
        }
        // Refused below schema V3; from V3 on split when the extension reaches it (engine/longTimers.ts).
        if (fireAt - input.now > input.maximumShortTimerMs && input.schemaVersion < SCHEMA_V3) {
          return {
            ok: false,
            error: 'unsupported',
            message: timerTooLongForStorage(input.maximumShortTimerMs),
          };
        }
        const id = nextId++;
        const canceled = action.isCanceled === true;
        slots.push({ kind, id, canceled });
        newWork.push({ kind, id, fireAt, canceled });
        break;
      }
      case 'event':
        slots.push({ kind, name });
        newWork.push({ kind, name: name ?? '' });
        break;
      case 'continueAsNew':
        slots.push({ kind });
        newWork.push({ kind, input: decodeOnce(action.input) });
        break;
    }
  }
  return { ok: true, state: { slots, nextId }, newWork, cancelledTimers };
}

function actionName(a: WireAction): string | undefined {
  if (a.actionType === ActionType.WaitForExternalEvent) return a.externalEventName;
  return a.functionName;
}

function parseRetry(a: WireAction): { options: RetryOptionsWire } | { error: ReplayResult } {
  const parsed = retryOptionsSchema.safeParse(a.retryOptions);
  if (!parsed.success) {
    return {
      error: {
        ok: false,
        error: 'unsupported',
        message: `Invalid retryOptions on '${a.functionName}': ${parsed.error.message}`,
      },
    };
  }
  return { options: parsed.data };
}

function nonDeterministic(message: string): ReplayResult {
  return { ok: false, error: 'nonDeterministic', message: NON_DETERMINISTIC + message };
}
