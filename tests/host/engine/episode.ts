// One orchestrator invocation, as the extension makes it: the trigger payload per the wire
// protocol (§2), a fresh InvocationContext, and the reply parsed as OrchestratorState or as the
// `$OutOfProcData$` the SDK appends to a thrown error.
import type { FunctionRegistration, HistoryEvent } from '../types';
import { reserialiseDateValues } from './dates';

/**
 * The extension's timer settings for replay schema V3, as .NET TimeSpan text: Azure Storage's
 * MaximumDelayTime and LongRunningTimerIntervalLength (AzureStorageDurabilityProvider.cs:68-70),
 * sent by OrchestrationTriggerAttributeBindingProvider.cs:236-239 (a7c6d694). engine/longTimers.ts.
 */
export const LONG_RUNNING_TIMER_INTERVAL = '3.00:00:00';
export const MAXIMUM_SHORT_TIMER_DURATION = '6.00:00:00';
export const MAXIMUM_SHORT_TIMER_MS = 6 * 24 * 3600_000;
export const LONG_RUNNING_TIMER_INTERVAL_MS = 3 * 24 * 3600_000;
export const DEFAULT_HTTP_ASYNC_SLEEP_MS = 30_000;

export interface OrchestratorState {
  isDone: boolean;
  actions: unknown;
  output?: unknown;
  customStatus?: unknown;
  error?: string;
  schemaVersion?: number;
}

export type EpisodeOutcome =
  /** `sdkSequence`: how many task numbers the SDK handed out (its sequenceNumber), when readable. */
  | { kind: 'state'; state: OrchestratorState; sdkSequence?: number }
  /** The orchestrator threw: `state` is what it had done so far, `error` its message. */
  | { kind: 'failed'; error: string; state?: OrchestratorState };

export interface EpisodeRequest {
  registration: FunctionRegistration;
  instanceId: string;
  parentInstanceId: string | null;
  /** The history to send, as JSON array text (see historyText); the SDK gets its own parsed copy. */
  historyJson: string;
  /** The orchestration input, already parsed. */
  input: unknown;
  isReplaying: boolean;
  /** Calls the handler with a fresh InvocationContext (invoke.ts); `inspect` sees that context afterwards. */
  call: (
    registration: FunctionRegistration,
    triggerInput: unknown,
    inspect: (context: unknown) => void,
  ) => Promise<unknown>;
}

const OUT_OF_PROC_LABEL = '$OutOfProcData$:';

export function orchestrationTriggerPayload(req: Omit<EpisodeRequest, 'registration' | 'call'>): string {
  const rest = JSON.stringify({
    input: req.input,
    instanceId: req.instanceId,
    isReplaying: req.isReplaying,
    parentInstanceId: req.parentInstanceId,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: LONG_RUNNING_TIMER_INTERVAL,
    maximumShortTimerDuration: MAXIMUM_SHORT_TIMER_DURATION,
    defaultHttpAsyncRequestSleepTimeMillseconds: DEFAULT_HTTP_ASYNC_SLEEP_MS,
  });
  return `{"history":${req.historyJson},${rest.slice(1)}`;
}

/** JSON array text of `committed` (serialised once, incrementally, via `cache`) followed by `fresh`. */
export function historyText(
  committed: readonly HistoryEvent[],
  fresh: readonly HistoryEvent[],
  cache: { text: string; count: number },
): string {
  // Committed history is append-only, so each event is serialised once per execution.
  for (; cache.count < committed.length; cache.count++) {
    cache.text += (cache.text ? ',' : '') + JSON.stringify(committed[cache.count]);
  }
  const tail = fresh.map((e) => JSON.stringify(e)).join(',');
  return `[${cache.text}${cache.text && tail ? ',' : ''}${tail}]`;
}

export async function runEpisode(req: EpisodeRequest): Promise<EpisodeOutcome> {
  // The host sends the payload as text and the worker parses it: the SDK mutates what it gets
  // (Timestamps become Dates), so every episode needs its own copy anyway.
  const payload: unknown = JSON.parse(orchestrationTriggerPayload(req));
  let reply: unknown;
  let sdkSequence: number | undefined;
  try {
    reply = await req.call(
      req.registration,
      payload,
      (context) => (sdkSequence = readSequenceNumber(context)),
    );
  } catch (error) {
    return parseThrown(error);
  }
  // The worker serialises the reply (Dates in actions become ISO strings).
  const state = JSON.parse(JSON.stringify(reply ?? null)) as OrchestratorState | null;
  if (!state || typeof state !== 'object' || !('actions' in state)) {
    return {
      kind: 'failed',
      error: `Orchestrator returned no OrchestratorState (got ${JSON.stringify(reply)})`,
    };
  }
  if (typeof state.error === 'string' && state.error !== '')
    return { kind: 'failed', error: state.error, state };
  return { kind: 'state', state, sdkSequence };
}

/**
 * The SDK's own task counter (durable-functions 3.x keeps it on context.df's executor). Not part of
 * the wire protocol: the host only uses it to notice when its numbering and the SDK's part ways.
 */
function readSequenceNumber(context: unknown): number | undefined {
  const df = (context as { df?: { taskOrchestratorExecutor?: { sequenceNumber?: unknown } } }).df;
  const n = df?.taskOrchestratorExecutor?.sequenceNumber;
  return typeof n === 'number' ? n : undefined;
}

export function parseThrown(error: unknown): EpisodeOutcome {
  const message = error instanceof Error ? error.message : String(error);
  const at = message.indexOf(OUT_OF_PROC_LABEL);
  if (at >= 0) {
    try {
      const parsed = JSON.parse(message.slice(at + OUT_OF_PROC_LABEL.length)) as OrchestratorState;
      const state = withDatesAsParsedFromText(parsed);
      return { kind: 'failed', error: state.error ?? message.slice(0, at).trim(), state };
    } catch {
      // fall through: report the raw message
    }
  }
  return { kind: 'failed', error: message };
}

/**
 * Only this text-borne state goes through the extension's JObject.Parse with date parsing on
 * (TaskOrchestrationShim.cs:178-183 -> 280; see dates.ts): its object-typed fields (customStatus,
 * output, each action's input, OutOfProcOrchestrationShim.cs:281-340) come back re-serialised.
 */
function withDatesAsParsedFromText(state: OrchestratorState): OrchestratorState {
  const action = (a: unknown): unknown => {
    if (a === null || typeof a !== 'object') return a;
    const { input, compoundActions, ...rest } = a as { input?: unknown; compoundActions?: unknown };
    return {
      ...rest,
      ...(input !== undefined && { input: reserialiseDateValues(input) }),
      ...(Array.isArray(compoundActions) && { compoundActions: compoundActions.map(action) }),
    };
  };
  return {
    ...state,
    ...(state.customStatus !== undefined && { customStatus: reserialiseDateValues(state.customStatus) }),
    ...(state.output !== undefined && { output: reserialiseDateValues(state.output) }),
    actions: Array.isArray(state.actions)
      ? state.actions.map((set: unknown) => (Array.isArray(set) ? set.map(action) : set))
      : state.actions,
  };
}
