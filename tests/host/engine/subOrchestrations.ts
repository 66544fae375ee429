// Sub-orchestrations: starting a child for a parent's task, and reporting the child's end back
// to the parent execution that is still waiting for it.
import { current, isFinal, type Execution, type InstanceRecord } from '../store';
import { toJson, type EngineCore } from './core';
import type { Instances } from './instances';

export function startChild(
  core: EngineCore,
  instances: Instances,
  parentRecord: InstanceRecord,
  parentExec: Execution,
  taskId: number,
  name: string,
  childId: string,
  input: unknown,
): void {
  if (core.store.get(parentRecord.instanceId) !== parentRecord || current(parentRecord) !== parentExec)
    return;
  parentExec.subOrchestrations.set(taskId, { instanceId: childId, name });
  const existing = core.store.get(childId);
  if (childId === parentRecord.instanceId || (existing && !isFinal(existing.runtimeStatus))) {
    parentExec.subOrchestrations.delete(taskId);
    core.deliver(parentRecord, parentExec, {
      EventType: 9,
      TaskScheduledId: taskId,
      Reason: `An orchestration with instance ID '${childId}' already exists.`,
      Details: '',
    });
    return;
  }
  instances.create(name, childId, toJson(input), {
    instanceId: parentRecord.instanceId,
    executionId: parentExec.executionId,
    taskId,
    name: parentRecord.name,
  });
}

/** Delivers a finished child's result or failure to its parent, if the parent still waits for it. */
export function reportToParent(
  core: EngineCore,
  record: InstanceRecord,
  status: 'Completed' | 'Failed' | 'Terminated',
  output: string | undefined,
  failure?: { Reason: string; Details: string },
): void {
  const parent = record.parent;
  if (!parent) return;
  const parentRecord = core.store.get(parent.instanceId);
  if (!parentRecord || isFinal(parentRecord.runtimeStatus)) return;
  const parentExec = current(parentRecord);
  if (parentExec.executionId !== parent.executionId || !parentExec.subOrchestrations.has(parent.taskId))
    return;
  parentExec.subOrchestrations.delete(parent.taskId);
  if (status === 'Completed') {
    core.deliver(parentRecord, parentExec, {
      EventType: 8,
      TaskScheduledId: parent.taskId,
      Result: output ?? 'null',
    });
  } else {
    core.deliver(parentRecord, parentExec, { EventType: 9, TaskScheduledId: parent.taskId, ...failure! });
  }
}
