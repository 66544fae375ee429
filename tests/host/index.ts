// The test host's public face: startHost() loads an app like the Functions worker, serves it on
// loopback, and runs its orchestrations through the real durable-functions SDK.
import path from 'node:path';
import { startAzurite, type Azurite } from './azurite';
import { RealClock, VirtualClock, type HostClock } from './clock';
import { durableClientBinding } from './api/clientBinding';
import { hookCallbacks } from './functionsCore';
import { createInvoker } from './invoke';
import { createOutputWriter } from './outputs';
import { loadApp, REPO_ROOT } from './loader';
import { startServer } from './server';
import { loadSettings } from './settings';
import { FINAL_STATUSES, Store, current, toWireStatus } from './store';
import { createDurableBackend } from './engine/backend';
import { Scheduler } from './engine/scheduler';
import { claimDataDir } from './persist/dataDir';
import { Journal, type Recovery } from './persist/journal';
import { startQueueTriggers } from './triggers/queue';
import { scheduleTimers, timerInput, timerSchedule, validateTimers } from './triggers/timer';
import {
  HostError,
  type DurableBackend,
  type HistoryEvent,
  type HostSettings,
  type Registry,
  type RuntimeStatus,
  type WireStatus,
} from './types';

export interface StartHostOptions {
  /** The app to load (a folder with package.json `main`); default: this repo, built (run `npm run build`). */
  appDir?: string;
  /** App settings on top of local.settings.json Values. */
  settings?: Record<string, string>;
  /** Default 'virtual'. */
  clock?: 'virtual' | 'real';
  /** Virtual clock start (default 2026-01-01T00:00:00Z). */
  startTime?: Date;
  /** 0 or omitted: a free port. */
  port?: number;
  /** Default: 'azurite' when the app has a queue trigger or a setting says UseDevelopmentStorage=true. */
  storage?: 'azurite' | 'none';
  /** Fire timer triggers on their schedules (real clock; the CLI). Default false. */
  fireTimers?: boolean;
  /** See SchedulerOptions.batchWindowMs. */
  batchWindowMs?: number;
  /**
   * Keep the durable store (a journal, fsynced before work is acknowledged) and Azurite's data in
   * this folder, created if missing; a host started again on it carries on where the last one
   * stopped or crashed. Omitted: everything is in memory and temporary, as before.
   */
  dataDir?: string;
  /** Where the host's own notices go, e.g. Core Tools' "Skipping ..." setting lines (default stdout). */
  log?: (line: string) => void;
}

export interface WaitOptions {
  /** Real milliseconds before giving up (default 30 000). */
  timeoutMs?: number;
}

export interface Host {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `url` + `/` + routePrefix (no trailing slash). */
  apiUrl: string;
  registry: Registry;
  settings: HostSettings;
  clock: HostClock;
  durable: DurableBackend;
  storageConnectionString?: string;
  /** Runs a non-orchestrator function with `input` as its trigger input (and trigger metadata, e.g. a queue message id). */
  invoke(
    name: string,
    input?: unknown,
    extra?: { triggerMetadata?: Record<string, unknown> },
  ): Promise<unknown>;
  /** Runs a timer-triggered function now (clock time). */
  runTimer(name: string): Promise<void>;
  startNew(name: string, input?: unknown, instanceId?: string): string;
  status(instanceId: string): WireStatus | undefined;
  /** Resolves with the status once the instance reaches one of `statuses` (default: a final one). */
  waitForStatus(instanceId: string, statuses?: RuntimeStatus[], options?: WaitOptions): Promise<WireStatus>;
  /** Resolves when nothing is running or queued (and, with auto-skip, no timer is pending). */
  waitForIdle(options?: WaitOptions): Promise<void>;
  history(instanceId: string, options?: { allExecutions?: boolean }): HistoryEvent[];
  /** The longest history any execution of the instance reached (continueAsNew keeps each one bounded). */
  maxHistoryLength(instanceId: string): number;
  activityCalls(name?: string): Array<{ name: string; input: unknown; instanceId: string }>;
  episodes(instanceId: string): number;
  /** With `dataDir`: what the journal held when this host started (work it owes again). */
  recovery?: Recovery;
  /** Like a host process restart: drop in-flight work, keep the store, re-run what is owed. */
  restart(): void;
  stop(): Promise<void>;
}

export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

export async function startHost(options: StartHostOptions = {}): Promise<Host> {
  const appDir = path.resolve(options.appDir ?? REPO_ROOT);
  const settings = loadSettings(appDir, options.settings, { log: options.log, env: userEnvironment() });
  const restoreEnv = applyEnv(settings.appSettings);
  const cleanups: Array<() => Promise<void> | void> = [restoreEnv];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c();
  };
  try {
    const registry = loadApp(appDir);
    validateTimers(registry, settings);

    const clock: HostClock =
      options.clock === 'real' ? new RealClock() : new VirtualClock({ start: options.startTime });
    cleanups.push(() => clock.stop());

    const dataDir =
      options.dataDir === undefined ? undefined : await claimDataDir(path.resolve(options.dataDir));
    if (dataDir) cleanups.push(() => dataDir.release());

    let azurite: Azurite | undefined;
    if (options.storage ? options.storage === 'azurite' : needsStorage(registry, settings)) {
      azurite = await startAzurite(
        dataDir && { location: dataDir.azuriteLocation, pidFile: dataDir.azuritePidFile },
      );
      cleanups.push(() => azurite!.stop());
      useConnectionString(settings, azurite.connectionString);
    }

    let baseUrl = 'http://127.0.0.1:7071';
    let durableReplies: (() => Promise<void>) | undefined;
    const invoker = createInvoker({
      registry,
      durableClient: () => durableClientBinding({ baseUrl, taskHubName: settings.taskHubName }),
      writeOutputs: createOutputWriter(settings, azurite?.connectionString),
    });
    let store = new Store();
    let recovery: Recovery | undefined;
    if (dataDir) {
      const opened = await Journal.open(dataDir.journalDir);
      ({ store } = opened.journal);
      recovery = opened.recovery;
      // After the scheduler has stopped (registered below, so it runs first): the last changes land.
      cleanups.push(() => opened.journal.close());
      durableReplies = () => opened.journal.settled();
    }
    const scheduler = new Scheduler({
      store,
      registry,
      settings,
      clock,
      invoker,
      batchWindowMs: options.batchWindowMs,
    });
    cleanups.push(() => scheduler.stop());
    const durable = createDurableBackend(store, scheduler);

    const runTimer = async (name: string, at = new Date(clock.now())): Promise<void> => {
      const fn = registry.get(name);
      if (!fn || fn.triggerType !== 'timerTrigger')
        throw new HostError(404, `No timer function named '${name}'`);
      await invoker.invoke(name, timerInput(at, false, timerSchedule(fn, settings)));
    };

    const server = await startServer(
      { registry, settings, durable, invoker, runTimer, durableReplies },
      { port: options.port },
    );
    cleanups.push(() => server.close());
    baseUrl = server.url;
    process.env.WEBSITE_HOSTNAME = `127.0.0.1:${server.port}`;

    if (azurite && registry.byTriggerType('queueTrigger').length > 0) {
      const queues = startQueueTriggers({
        registry,
        settings,
        invoker,
        connectionString: azurite.connectionString,
      });
      cleanups.push(() => queues.stop());
    }
    if (options.fireTimers) {
      const timers = scheduleTimers({ registry, settings, clock, fire: (name, at) => runTimer(name, at) });
      cleanups.push(() => timers.stop());
    }
    for (const hook of hookCallbacks('appStart')) await hook({ hookData: {}, appHookData: {} });
    cleanups.push(async () => {
      for (const hook of hookCallbacks('appTerminate')) await hook({ hookData: {}, appHookData: {} });
    });
    // Work the journal says is owed: every open instance gets an episode, its activities run again
    // (at least once), its timers are armed again.
    if (recovery) scheduler.restart();

    const waitForIdle = async (waitOptions: WaitOptions = {}): Promise<void> => {
      const deadline = Date.now() + (waitOptions.timeoutMs ?? 30_000);
      for (;;) {
        await withDeadline(scheduler.whenIdle(), deadline, () => 'the host to become idle');
        await new Promise((r) => setImmediate(r));
        const timersPending =
          clock instanceof VirtualClock && clock.autoSkip && clock.nextTimerAt() !== undefined;
        if (scheduler.isIdle() && !timersPending) return;
        if (Date.now() > deadline)
          throw new WaitTimeoutError('Timed out waiting for the host to become idle');
      }
    };

    const host: Host = {
      url: server.url,
      apiUrl: settings.routePrefix ? `${server.url}/${settings.routePrefix}` : server.url,
      registry,
      settings,
      clock,
      durable,
      storageConnectionString: azurite?.connectionString,
      invoke: (name, input, extra) => invoker.invoke(name, input, extra),
      runTimer: (name) => runTimer(name),
      startNew: (name, input, instanceId) => scheduler.startNew(name, { input, instanceId }),
      status: (instanceId) => durable.getStatus(instanceId),
      waitForStatus: (instanceId, statuses = [...FINAL_STATUSES], waitOptions = {}) =>
        new Promise<WireStatus>((resolve, reject) => {
          const check = (): boolean => {
            const record = store.get(instanceId);
            if (record && statuses.includes(record.runtimeStatus)) {
              unsubscribe();
              clearTimeout(timer);
              resolve(toWireStatus(record));
              return true;
            }
            return false;
          };
          const unsubscribe = store.subscribe((r) => {
            if (r.instanceId === instanceId) check();
          });
          const timer = setTimeout(() => {
            unsubscribe();
            const record = store.get(instanceId);
            const now = record ? `${record.runtimeStatus} (output ${record.output ?? 'none'})` : 'unknown';
            reject(
              new WaitTimeoutError(
                `Timed out waiting for ${instanceId} to be ${statuses.join('/')}; it is ${now}`,
              ),
            );
          }, waitOptions.timeoutMs ?? 30_000);
          check();
        }),
      waitForIdle,
      history: (instanceId, historyOptions = {}) => {
        const record = store.get(instanceId);
        if (!record) return [];
        return historyOptions.allExecutions
          ? record.executions.flatMap((e) => e.history)
          : current(record).history.slice();
      },
      maxHistoryLength: (instanceId) =>
        Math.max(0, ...(store.get(instanceId)?.executions.map((e) => e.history.length) ?? [])),
      activityCalls: (name) => store.activityLog.filter((c) => name === undefined || c.name === name),
      episodes: (instanceId) => store.get(instanceId)?.episodes ?? 0,
      recovery,
      restart: () => scheduler.restart(),
      stop: cleanup,
    };
    return host;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Storage is needed for queue triggers, or when a setting points at development storage. */
function needsStorage(registry: Registry, settings: HostSettings): boolean {
  if (registry.byTriggerType('queueTrigger').length > 0) return true;
  return Object.values(settings.appSettings).some((v) => /UseDevelopmentStorage=true/i.test(v));
}

function useConnectionString(settings: HostSettings, connectionString: string): void {
  for (const [k, v] of Object.entries(settings.appSettings)) {
    if (/UseDevelopmentStorage=true/i.test(v)) settings.appSettings[k] = connectionString;
  }
  settings.appSettings.AzureWebJobsStorage = connectionString;
  for (const [k, v] of Object.entries(settings.appSettings)) setEnv(k, v);
}

/**
 * Values hosts in this process put into process.env. Core Tools lets the user's environment win
 * over local.settings.json (settings.ts); a second host started in the same process (tests do)
 * must not take the first host's settings for the user's environment.
 */
const setByHosts = new Map<string, string[]>();

function setEnv(key: string, value: string): void {
  process.env[key] = value;
  setByHosts.set(key, [...(setByHosts.get(key) ?? []), value]);
}

function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !(setByHosts.get(k) ?? []).includes(v)) env[k] = v;
  }
  return env;
}

/** Copies app settings into process.env (as the Functions host does); returns the undo. */
function applyEnv(appSettings: Record<string, string>): () => void {
  const keys = [...Object.keys(appSettings), 'WEBSITE_HOSTNAME', 'AzureWebJobsStorage'];
  const saved = new Map(keys.map((k) => [k, process.env[k]]));
  const mine = new Map(keys.map((k) => [k, setByHosts.get(k)?.length ?? 0]));
  for (const [k, v] of Object.entries(appSettings)) setEnv(k, v);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
      const values = setByHosts.get(k);
      if (values) values.length = Math.min(values.length, mine.get(k) ?? 0);
      if (values?.length === 0) setByHosts.delete(k);
    }
  };
}

async function withDeadline<T>(promise: Promise<T>, deadline: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new WaitTimeoutError(`Timed out waiting for ${what()}`)),
          Math.max(0, deadline - Date.now()),
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
