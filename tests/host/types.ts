// The seams between the parts of tests/host. The engine side (loader, store, clock, engine/*)
// implements these; the edge side (server, triggers/*, api/*, azurite, cli) consumes them.

/** One captured `registerFunction(metadata, callback)` call. */
export interface BindingMetadata {
  type: string;
  direction: 'in' | 'out' | 'inout';
  [option: string]: unknown;
}

export interface FunctionRegistration {
  name: string;
  bindings: Record<string, BindingMetadata>;
  retryOptions?: unknown;
  /** The handler exactly as registered; invoke as `callback(...triggerInputs, context)`. */
  callback: (...args: unknown[]) => unknown;
  /** Name of the binding whose type ends in `Trigger`. */
  triggerBindingName: string;
  triggerType: string;
}

export interface Registry {
  functions: ReadonlyMap<string, FunctionRegistration>;
  get(name: string): FunctionRegistration | undefined;
  byTriggerType(type: string): FunctionRegistration[];
}

/** host.json plus app settings, with %NAME% references resolved against the settings. */
export interface HostSettings {
  routePrefix: string; // '' when host.json sets it empty, default 'api'
  taskHubName: string;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  queues: {
    batchSize: number;
    maxDequeueCount: number;
    visibilityTimeoutMs: number;
    maxPollingIntervalMs: number;
    messageEncoding: 'base64' | 'none';
  };
  /** App settings (local.settings.json Values + overrides); also copied into process.env by the host. */
  appSettings: Record<string, string>;
  /** Resolve `%NAME%` references; throws naming the missing setting. */
  resolve(value: string): string;
}

export type RuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated' | 'Suspended';

/** Statuses an instance never leaves (until it is purged or replaced by a new start). */
export const FINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];
export const isFinal = (status: RuntimeStatus): boolean => FINAL_STATUSES.includes(status);

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

/** The JSON the extension returns from GET .../instances/{id} (camelCase, as the real one). */
export interface WireStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: unknown[];
}

export interface StatusQuery {
  showHistory?: boolean;
  showHistoryOutput?: boolean;
  showInput?: boolean; // default true
}

export interface InstanceFilter {
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  runtimeStatus?: RuntimeStatus[];
  instanceIdPrefix?: string;
}

export type OperationOutcome = 'accepted' | 'notFound' | 'gone';

/** Everything the management and rpc APIs need from the durable side. */
export interface DurableBackend {
  /**
   * Starts an orchestration. Throws `HostError` with status 400 when the function is not a known
   * orchestrator or the id is over 256 characters, 500 when `instanceId` exists in a non-final state
   * (Azure Storage's answer; an instance that is Completed,
   * Failed or Terminated is replaced, as the extension's default does).
   */
  startNew(name: string, options?: { instanceId?: string; input?: unknown }): string;
  getStatus(instanceId: string, query?: StatusQuery): WireStatus | undefined;
  listStatus(
    filter: InstanceFilter,
    page?: { top?: number; continuationToken?: string },
  ): { items: WireStatus[]; continuationToken?: string };
  raiseEvent(instanceId: string, eventName: string, data: unknown): OperationOutcome;
  terminate(instanceId: string, reason?: string): OperationOutcome;
  suspend(instanceId: string, reason?: string): OperationOutcome;
  resume(instanceId: string, reason?: string): OperationOutcome;
  purge(instanceId: string): number;
  purgeBy(filter: InstanceFilter): number;
}

/** An error with an HTTP status, for the API layer to map. */
export class HostError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}

/** Runs a registered non-orchestration function with a fresh InvocationContext. */
export interface Invoker {
  /**
   * `triggerInput` is the first callback argument (HttpRequest, queue payload, timer info, activity input).
   * `extra` supplies trigger metadata (e.g. queue dequeueCount, id) for `context.triggerMetadata`.
   * Durable client extra inputs are filled in automatically from the function's bindings.
   */
  invoke(
    name: string,
    triggerInput: unknown,
    extra?: { triggerMetadata?: Record<string, unknown> },
  ): Promise<unknown>;
}

export interface Clock {
  now(): number;
  readonly virtual: boolean;
  /** Moves virtual time forward (no-op error on a real clock). */
  advance(ms: number): Promise<void>;
}
