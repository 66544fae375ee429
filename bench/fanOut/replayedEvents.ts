// How much history the SDK was handed, summed over an instance's episodes, computed from the
// committed history: each episode starts with OrchestratorStarted, followed by the events it
// delivered (completions, timers, events), then what it produced (scheduling, completion). The SDK
// got everything before that episode plus what it delivered, so that is what a replay cost.
import type { HistoryEvent } from '../../tests/host/types';

const ORCHESTRATOR_STARTED = 12;
/** Events an episode writes as its result; everything else after OrchestratorStarted was delivered to it. */
const PRODUCED = new Set([
  1, // ExecutionCompleted
  4, // TaskScheduled
  7, // SubOrchestrationInstanceCreated
  10, // TimerCreated
  13, // OrchestratorCompleted
  15, // EventSent
  16, // ContinueAsNew
]);

export interface ReplayCost {
  episodes: number;
  /** Sum over episodes of the history length handed to the SDK. */
  eventsReplayed: number;
}

export function replayCost(history: readonly HistoryEvent[]): ReplayCost {
  let episodes = 0;
  let eventsReplayed = 0;
  for (let i = 0; i < history.length; i++) {
    if (history[i].EventType !== ORCHESTRATOR_STARTED) continue;
    episodes++;
    let end = i + 1;
    while (
      end < history.length &&
      !PRODUCED.has(history[end].EventType) &&
      history[end].EventType !== ORCHESTRATOR_STARTED
    ) {
      end++;
    }
    eventsReplayed += end;
  }
  return { episodes, eventsReplayed };
}
