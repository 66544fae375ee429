// Durable timers on the host clock: one handle per open CreateTimer, keyed by instance, execution
// and task id, so a timer of a finished or continued execution never delivers.
import type { TimerHandle } from '../clock';
import { current, isFinal, iso, type Execution, type InstanceRecord } from '../store';
import type { EngineCore } from './core';

export class TimerTable {
  private readonly handles = new Map<string, TimerHandle>();

  constructor(private readonly core: EngineCore) {}

  arm(record: InstanceRecord, exec: Execution, id: number, fireAt: number): void {
    const core = this.core;
    const generation = core.generation;
    const key = timerKey(record, exec, id);
    this.handles.get(key)?.cancel();
    this.handles.set(
      key,
      core.clock.schedule(fireAt, () => {
        if (generation !== core.generation) return;
        this.handles.delete(key);
        if (
          core.store.get(record.instanceId) !== record ||
          current(record) !== exec ||
          isFinal(record.runtimeStatus)
        )
          return;
        if (!exec.timers.delete(id)) return;
        core.deliver(record, exec, { EventType: 11, TimerId: id, FireAt: iso(fireAt) });
      }),
    );
  }

  /** Cancels every open timer of the execution (it finished or continued as new). */
  dropAll(record: InstanceRecord, exec: Execution): void {
    for (const id of exec.timers.keys()) this.handles.get(timerKey(record, exec, id))?.cancel();
    for (const id of exec.timers.keys()) this.handles.delete(timerKey(record, exec, id));
    exec.timers.clear();
  }

  /** Forgets every handle (restart and stop); the store still lists the timers it owes. */
  cancelEverything(): void {
    for (const h of this.handles.values()) h.cancel();
    this.handles.clear();
  }
}

function timerKey(record: InstanceRecord, exec: Execution, id: number): string {
  return `${record.instanceId}\u0000${exec.executionId}\u0000${id}`;
}
