// External events raised by clients (raiseEvent): delivered to the instance's current execution.
import { current, isFinal } from '../store';
import type { OperationOutcome } from '../types';
import type { EngineCore } from './core';

export function raiseEvent(
  core: EngineCore,
  instanceId: string,
  eventName: string,
  data: unknown,
): OperationOutcome {
  const record = core.store.get(instanceId);
  if (!record) return 'notFound';
  if (isFinal(record.runtimeStatus)) return 'gone';
  core.deliver(record, current(record), {
    EventType: 15,
    Name: eventName,
    Input: data === undefined ? null : JSON.stringify(data),
  });
  return 'accepted';
}
