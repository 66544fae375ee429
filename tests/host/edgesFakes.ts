// Small stand-ins for the engine side, so the edge tests exercise the HTTP layer on its own: an
// in-memory DurableBackend that never runs anything (tests move instances between states) and an
// Invoker that calls handlers the way the worker does. Both record what they were asked to do.
import { InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { durableClientBinding } from './api/clientBinding';
import {
  HostError,
  type DurableBackend,
  type InstanceFilter,
  type Invoker,
  type OperationOutcome,
  type Registry,
  type RuntimeStatus,
  type StatusQuery,
  type WireStatus,
} from './types';

const FINAL: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated']);

interface FakeInstance extends WireStatus {
  events: { name: string; data: unknown }[];
  reasons: string[];
}

export class FakeDurable implements DurableBackend {
  readonly instances = new Map<string, FakeInstance>();
  private now = Date.parse('2026-01-01T00:00:00Z');

  constructor(private readonly orchestrators: ReadonlySet<string>) {}

  startNew(name: string, options: { instanceId?: string; input?: unknown } = {}): string {
    if (!this.orchestrators.has(name)) {
      throw new HostError(
        400,
        `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      );
    }
    const instanceId = options.instanceId ?? randomUUID().replace(/-/g, '');
    const existing = this.instances.get(instanceId);
    if (existing && !FINAL.has(existing.runtimeStatus)) {
      throw new HostError(
        500,
        `An Orchestration instance with the status ${existing.runtimeStatus} already exists.`,
      );
    }
    const created = new Date((this.now += 1000)).toISOString();
    this.instances.set(instanceId, {
      name,
      instanceId,
      runtimeStatus: 'Pending',
      input: options.input ?? null,
      customStatus: null,
      output: null,
      createdTime: created,
      lastUpdatedTime: created,
      events: [],
      reasons: [],
    });
    return instanceId;
  }

  /** Test control: move an instance to a state. */
  set(instanceId: string, runtimeStatus: RuntimeStatus, output: unknown = null): void {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`no instance ${instanceId}`);
    Object.assign(instance, {
      runtimeStatus,
      output,
      lastUpdatedTime: new Date((this.now += 1000)).toISOString(),
    });
  }

  getStatus(instanceId: string, query: StatusQuery = {}): WireStatus | undefined {
    const instance = this.instances.get(instanceId);
    if (!instance) return undefined;
    const status: WireStatus = this.wire(instance);
    if (query.showInput === false) status.input = null;
    if (query.showHistory) {
      status.historyEvents = [
        { EventType: 'ExecutionStarted', Input: query.showHistoryOutput ? instance.input : undefined },
      ];
    }
    return status;
  }

  listStatus(filter: InstanceFilter, page: { top?: number; continuationToken?: string } = {}) {
    const matching = [...this.instances.values()].filter(
      (i) =>
        (!filter.createdTimeFrom || Date.parse(i.createdTime) >= filter.createdTimeFrom.getTime()) &&
        (!filter.createdTimeTo || Date.parse(i.createdTime) <= filter.createdTimeTo.getTime()) &&
        (!filter.runtimeStatus || filter.runtimeStatus.includes(i.runtimeStatus)) &&
        (!filter.instanceIdPrefix || i.instanceId.startsWith(filter.instanceIdPrefix)),
    );
    const start = page.continuationToken ? Number(page.continuationToken) : 0;
    const end = page.top ? start + page.top : matching.length;
    this.listCalls.push({ filter, page });
    return {
      items: matching.slice(start, end).map((i) => this.wire(i)),
      continuationToken: end < matching.length ? String(end) : undefined,
    };
  }

  readonly listCalls: { filter: InstanceFilter; page: { top?: number; continuationToken?: string } }[] = [];

  raiseEvent(instanceId: string, name: string, data: unknown): OperationOutcome {
    return this.operate(instanceId, (i) => i.events.push({ name, data }));
  }

  terminate(instanceId: string, reason?: string): OperationOutcome {
    return this.operate(instanceId, (i) => {
      i.reasons.push(`terminate:${reason}`);
      i.runtimeStatus = 'Terminated';
      i.output = reason ?? null;
    });
  }

  suspend(instanceId: string, reason?: string): OperationOutcome {
    return this.operate(instanceId, (i) => {
      i.reasons.push(`suspend:${reason}`);
      i.runtimeStatus = 'Suspended';
    });
  }

  resume(instanceId: string, reason?: string): OperationOutcome {
    return this.operate(instanceId, (i) => {
      i.reasons.push(`resume:${reason}`);
      i.runtimeStatus = 'Running';
    });
  }

  purge(instanceId: string): number {
    return this.instances.delete(instanceId) ? 1 : 0;
  }

  purgeBy(filter: InstanceFilter): number {
    const { items } = this.listStatus(filter);
    for (const item of items) this.instances.delete(item.instanceId);
    return items.length;
  }

  events(instanceId: string): { name: string; data: unknown }[] {
    return this.instances.get(instanceId)?.events ?? [];
  }

  reasons(instanceId: string): string[] {
    return this.instances.get(instanceId)?.reasons ?? [];
  }

  private operate(instanceId: string, apply: (instance: FakeInstance) => void): OperationOutcome {
    const instance = this.instances.get(instanceId);
    if (!instance) return 'notFound';
    if (FINAL.has(instance.runtimeStatus)) return 'gone';
    apply(instance);
    return 'accepted';
  }

  private wire(instance: FakeInstance): WireStatus {
    const { events: _events, reasons: _reasons, ...status } = instance;
    return { ...status };
  }
}

export interface RecordedInvocation {
  name: string;
  input: unknown;
  triggerMetadata?: Record<string, unknown>;
}

/**
 * Calls a registered handler like the worker: a fresh InvocationContext whose options mirror the
 * bindings, and every durableClient extra input filled with the binding JSON for `baseUrl()`.
 */
export function fakeInvoker(
  registry: Registry,
  client: { baseUrl: () => string; taskHubName: string },
): Invoker & { calls: RecordedInvocation[] } {
  const calls: RecordedInvocation[] = [];
  return {
    calls,
    async invoke(name, triggerInput, extra) {
      const fn = registry.get(name);
      if (!fn) throw new Error(`no function ${name}`);
      calls.push({ name, input: triggerInput, triggerMetadata: extra?.triggerMetadata });
      const entries = Object.entries(fn.bindings).map(([bindingName, binding]) => ({
        ...binding,
        name: bindingName,
      }));
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName: name,
        triggerMetadata: extra?.triggerMetadata,
        options: {
          trigger: entries.find((b) => b.name === fn.triggerBindingName)!,
          extraInputs: entries.filter((b) => b.direction === 'in' && b.name !== fn.triggerBindingName),
          extraOutputs: entries.filter((b) => b.direction === 'out' && b.name !== '$return'),
        },
      });
      for (const binding of entries) {
        if (binding.type === 'durableClient') {
          context.extraInputs.set(
            binding.name,
            durableClientBinding({ baseUrl: client.baseUrl(), taskHubName: client.taskHubName }),
          );
        }
      }
      return fn.callback(triggerInput, context);
    },
  };
}
