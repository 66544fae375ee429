// Stand-in for `@azure/functions-core`, the module the real Node.js worker provides at run time.
// `@azure/functions` and `durable-functions` register every function through it. Jest maps the
// module name here (jest.config.js); in plain node the loader installs a resolve hook.

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
export type HookCallback = (context: Record<string, unknown>) => unknown;

export interface CoreRegistration {
  metadata: {
    name: string;
    bindings: Record<string, { type: string; direction: string; [k: string]: unknown }>;
  };
  callback: (...args: unknown[]) => unknown;
  retryOptions?: unknown;
}

/** Where registrations go while the loader requires an app; `undefined` means the default list. */
let sink: CoreRegistration[] | undefined;
const defaultRegistrations: CoreRegistration[] = [];
const hooks = new Map<HookName, Set<HookCallback>>();
let programmingModel: unknown;

export function registerFunction(
  metadata: CoreRegistration['metadata'] & { retryOptions?: unknown },
  callback: (...args: unknown[]) => unknown,
): { dispose(): void } {
  const list = sink ?? defaultRegistrations;
  const entry: CoreRegistration = { metadata, callback, retryOptions: metadata.retryOptions };
  list.push(entry);
  return {
    dispose: () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
    },
  };
}

export function setProgrammingModel(model: unknown): void {
  programmingModel = model;
}

export function getProgrammingModel(): unknown {
  return programmingModel;
}

export function registerHook(name: HookName, callback: HookCallback): { dispose(): void } {
  let set = hooks.get(name);
  if (!set) hooks.set(name, (set = new Set()));
  set.add(callback);
  return { dispose: () => set.delete(callback) };
}

/** The worker's system log; quiet unless TESTHOST_LOG is set. */
export function log(level: string, category: string, message: string): void {
  if (process.env.TESTHOST_LOG) console.log(`[${level}] ${category}: ${message}`);
}

// ---- test-host side (not part of the real module's surface) ----

/** Runs `load` with registrations captured into a fresh list, which is returned. */
export function captureRegistrations(load: () => void): CoreRegistration[] {
  const previous = sink;
  const captured: CoreRegistration[] = [];
  sink = captured;
  try {
    load();
  } finally {
    sink = previous;
  }
  return captured;
}

/** Registrations made with no loader active (unit tests importing app modules directly). */
export function registeredFunctions(): readonly CoreRegistration[] {
  return defaultRegistrations;
}

export function hookCallbacks(name: HookName): HookCallback[] {
  return [...(hooks.get(name) ?? [])];
}
