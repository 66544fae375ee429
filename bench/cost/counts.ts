// What a workload leaves behind on the test host, counted from the real histories the SDK produced:
// events and their bytes, episodes, the messages the backend had to deliver, and sub-orchestrations.
// Pure functions of the committed histories, so tests/bench/costCounts.test.ts can check them.
import { replayCost } from '../fanOut/replayedEvents';

export interface HistoryEventLike {
  EventType: number;
  [key: string]: unknown;
}

// Wire event types (durable-wire-protocol.md): the ones that mean a message was delivered.
const EXECUTION_STARTED = 0;
const TASK_SCHEDULED = 4;
const TASK_COMPLETED = 5;
const TASK_FAILED = 6;
const SUB_COMPLETED = 8;
const SUB_FAILED = 9;
const TIMER_FIRED = 11;
const EVENT_RAISED = 14;

export interface HistoryCounts {
  /** Executions (a continueAsNew starts a new one). */
  executions: number;
  events: number;
  /** JSON bytes of the events, the size the backend stores and every replay loads. */
  eventBytes: number;
  /** Orchestrator invocations (OrchestratorStarted events). */
  episodes: number;
  /** Sum over episodes of the history length handed to the SDK (what each replay loads). */
  eventsLoaded: number;
  /** Activity executions (TaskScheduled). */
  activities: number;
  /**
   * Messages the backend delivered: one per execution start, activity work item, activity result,
   * sub-orchestration result, timer and external event. A sub-orchestration's start is counted by
   * its own ExecutionStarted.
   */
  messages: number;
  /** Events whose JSON exceeds 45 KiB: the Azure Storage provider moves those payloads to blobs. */
  largePayloads: number;
}

export const LARGE_PAYLOAD_BYTES = 45 * 1024;

export function countHistory(executions: readonly (readonly HistoryEventLike[])[]): HistoryCounts {
  const counts: HistoryCounts = {
    executions: executions.length,
    events: 0,
    eventBytes: 0,
    episodes: 0,
    eventsLoaded: 0,
    activities: 0,
    messages: 0,
    largePayloads: 0,
  };
  for (const history of executions) {
    const replay = replayCost(history as Parameters<typeof replayCost>[0]);
    counts.episodes += replay.episodes;
    counts.eventsLoaded += replay.eventsReplayed;
    history.forEach((event) => {
      const bytes = Buffer.byteLength(JSON.stringify(event));
      counts.events++;
      counts.eventBytes += bytes;
      if (bytes > LARGE_PAYLOAD_BYTES) counts.largePayloads++;
      switch (event.EventType) {
        case TASK_SCHEDULED:
          counts.activities++;
          counts.messages++;
          break;
        case EXECUTION_STARTED:
        case TASK_COMPLETED:
        case TASK_FAILED:
        case SUB_COMPLETED:
        case SUB_FAILED:
        case TIMER_FIRED:
        case EVENT_RAISED:
          counts.messages++;
          break;
      }
    });
  }
  return counts;
}

export function addCounts(a: HistoryCounts, b: HistoryCounts): HistoryCounts {
  const out = { ...a };
  for (const key of Object.keys(b) as (keyof HistoryCounts)[]) out[key] += b[key];
  return out;
}

export const ZERO: HistoryCounts = countHistory([]);
