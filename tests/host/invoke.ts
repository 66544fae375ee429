// Runs registered functions the way the worker's InvocationModel does: `callback(...triggerInputs,
// context)` with a fresh InvocationContext per invocation (durable-functions only sets context.df
// when it is undefined, so a reused context would replay the wrong orchestration), extra inputs
// keyed by binding name, and the app's pre/post invocation hooks.
import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { hookCallbacks } from './functionsCore';
import type { OutputValue, OutputWriter } from './outputs';
import { HostError, type FunctionRegistration, type Invoker, type Registry } from './types';

export interface InvokerOptions {
  registry: Registry;
  /** The durableClient JSON (api/clientBinding.ts); a getter because the server's URL comes later. */
  durableClient: () => object;
  /** Where context.log and friends go; quiet unless TESTHOST_LOG is set. */
  log?: (functionName: string, level: string, args: unknown[]) => void;
  /** Writes the output bindings a successful invocation set (outputs.ts). */
  writeOutputs?: OutputWriter;
}

export interface HostInvoker extends Invoker {
  /** Invokes a known registration (orchestrations and activities go through here). */
  call(registration: FunctionRegistration, triggerInput: unknown, extra?: CallExtras): Promise<unknown>;
}

export interface CallExtras {
  triggerMetadata?: Record<string, unknown>;
  /** Sees the invocation's context once the handler has settled (the engine reads the SDK's state). */
  inspect?: (context: InvocationContext) => void;
}

const defaultLog = (functionName: string, level: string, args: unknown[]): void => {
  if (process.env.TESTHOST_LOG) console.log(`[${functionName}] ${level}:`, ...args);
};

export function createInvoker(options: InvokerOptions): HostInvoker {
  const log = options.log ?? defaultLog;
  const appHookData: Record<string, unknown> = {};

  const call: HostInvoker['call'] = async (registration, triggerInput, extra) => {
    const context = newContext(registration, extra?.triggerMetadata, log);
    for (const [bindingName, binding] of Object.entries(registration.bindings)) {
      if (binding.type === 'durableClient') context.extraInputs.set(bindingName, options.durableClient());
    }
    const hookData: Record<string, unknown> = {};
    const pre = {
      invocationContext: context,
      inputs: [triggerInput] as unknown[],
      functionCallback: registration.callback,
      hookData,
      appHookData,
    };
    for (const hook of hookCallbacks('preInvocation')) await hook(pre);
    let result: unknown;
    let error: unknown;
    try {
      result = await pre.functionCallback(...pre.inputs, context);
    } catch (e) {
      error = e;
    }
    const postHooks = hookCallbacks('postInvocation');
    if (postHooks.length > 0) {
      const post = { invocationContext: context, inputs: pre.inputs, result, error, hookData, appHookData };
      for (const hook of postHooks) await hook(post);
      result = post.result;
      error = post.error;
    }
    extra?.inspect?.(context);
    if (error !== undefined) throw error;
    const outputs = setOutputs(registration, context);
    if (outputs.length > 0) {
      if (!options.writeOutputs)
        throw new Error(`${registration.name} set output bindings that nothing writes`);
      await options.writeOutputs(registration.name, outputs);
    }
    return result;
  };

  return {
    call,
    invoke: (name, triggerInput, extra) => {
      const registration = options.registry.get(name);
      if (!registration) return Promise.reject(new HostError(404, `No function named '${name}'`));
      return call(registration, triggerInput, extra);
    },
  };
}

function setOutputs(registration: FunctionRegistration, context: InvocationContext): OutputValue[] {
  const outputs: OutputValue[] = [];
  for (const [bindingName, binding] of Object.entries(registration.bindings)) {
    if (binding.direction !== 'out' || bindingName === '$return') continue;
    const value = context.extraOutputs.get(bindingName);
    if (value !== undefined) outputs.push({ bindingName, binding, value });
  }
  return outputs;
}

function newContext(
  registration: FunctionRegistration,
  triggerMetadata: Record<string, unknown> | undefined,
  log: (functionName: string, level: string, args: unknown[]) => void,
): InvocationContext {
  type Options = NonNullable<ConstructorParameters<typeof InvocationContext>[0]>['options'];
  const bindings = Object.entries(registration.bindings).map(([name, b]) => ({ ...b, name }));
  const trigger = bindings.find((b) => b.name === registration.triggerBindingName)!;
  const options = {
    trigger,
    extraInputs: bindings.filter((b) => b.direction === 'in' && b.name !== trigger.name),
    extraOutputs: bindings.filter((b) => b.direction === 'out' && b.name !== '$return'),
    return: bindings.find((b) => b.name === '$return'),
  } as unknown as Options;
  return new InvocationContext({
    invocationId: randomUUID(),
    functionName: registration.name,
    triggerMetadata,
    options,
    logHandler: (level, ...args) => log(registration.name, level, args),
  });
}
