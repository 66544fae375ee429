// Activity work items: a FIFO queue run at most maxConcurrentActivityFunctions at a time, each
// result delivered to the execution that scheduled it (at least once: a restart re-enqueues what
// has not reported back, and a result from before the restart is ignored).
import { current, isFinal, type Execution, type InstanceRecord } from '../store';
import { toJson, type EngineCore, type IncomingEvent } from './core';

interface ActivityJob {
  generation: number;
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  input: unknown;
}

export class ActivityQueue {
  private queue: ActivityJob[] = [];
  private head = 0;
  private running = 0;
  /** Activities queued or running per instance (the scheduler batches episodes while > 0). */
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly core: EngineCore,
    private readonly maxConcurrent: number,
  ) {}

  enqueue(record: InstanceRecord, exec: Execution, taskId: number, name: string, input: unknown): void {
    this.queue.push({
      generation: this.core.generation,
      instanceId: record.instanceId,
      executionId: exec.executionId,
      taskId,
      name,
      input,
    });
    this.inFlight.set(record.instanceId, (this.inFlight.get(record.instanceId) ?? 0) + 1);
    this.core.requestPump();
  }

  /** Starts queued activities up to the concurrency limit. */
  startQueued(): void {
    while (this.running < this.maxConcurrent && this.head < this.queue.length) {
      const job = this.queue[this.head++];
      this.running++;
      void this.run(job);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  inFlightFor(instanceId: string): number {
    return this.inFlight.get(instanceId) ?? 0;
  }

  isIdle(): boolean {
    return this.running === 0 && this.head >= this.queue.length;
  }

  /** Forgets queued and running work (restart); late results are dropped by their generation. */
  reset(): void {
    this.queue = [];
    this.head = 0;
    this.running = 0;
    this.inFlight.clear();
  }

  /** Stops starting queued work (stop); running calls finish and are ignored. */
  clearQueue(): void {
    this.queue = [];
    this.head = 0;
  }

  private async run(job: ActivityJob): Promise<void> {
    const core = this.core;
    core.store.activityLog.push({ name: job.name, input: job.input, instanceId: job.instanceId });
    let completion: IncomingEvent;
    try {
      const registration = core.registry.get(job.name);
      if (!registration) throw new Error(`The function '${job.name}' doesn't exist.`);
      // Activity input crosses the wire as JSON.
      const input = job.input === undefined ? undefined : JSON.parse(JSON.stringify(job.input));
      const result = await core.invoker.call(registration, input);
      completion = { EventType: 5, TaskScheduledId: job.taskId, Result: toJson(result) ?? 'null' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      completion = {
        EventType: 6,
        TaskScheduledId: job.taskId,
        Reason: `Activity function '${job.name}' failed: ${message}`,
        Details: JSON.stringify({
          Message: message,
          StackTrace: error instanceof Error ? error.stack : undefined,
        }),
      };
    }
    if (job.generation !== core.generation) return; // restarted meanwhile: this result is lost
    this.running--;
    const left = (this.inFlight.get(job.instanceId) ?? 1) - 1;
    if (left > 0) this.inFlight.set(job.instanceId, left);
    else this.inFlight.delete(job.instanceId);
    const record = core.store.get(job.instanceId);
    const exec = record && current(record);
    if (
      record &&
      exec &&
      !isFinal(record.runtimeStatus) &&
      exec.executionId === job.executionId &&
      exec.activities.delete(job.taskId)
    ) {
      core.deliver(record, exec, completion);
    }
    core.requestPump();
  }
}
