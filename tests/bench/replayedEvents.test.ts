// The bench's replay cost: history handed to the SDK per episode, summed, computed from a history.
import { replayCost } from '../../bench/fanOut/replayedEvents';
import type { HistoryEvent } from '../../tests/host/types';

const ev = (EventType: number): HistoryEvent => ({
  EventType,
  EventId: -1,
  IsPlayed: true,
  Timestamp: '2026-01-01T00:00:00Z',
});

test('each episode counts the earlier history plus the events it delivered, not what it produced', () => {
  // prettier-ignore
  const history = [
    // episode 1: started, ExecutionStarted delivered; schedules two activities; completes
    ev(12), ev(0), ev(4), ev(4), ev(13),
    // episode 2: both results delivered together; schedules the report; completes
    ev(12), ev(5), ev(5), ev(4), ev(13),
    // episode 3: the report result; the orchestration completes
    ev(12), ev(5), ev(1), ev(13),
  ];
  // episode 1 handed [12, 0] = 2; episode 2 handed 5 + [12, 5, 5] = 8; episode 3 handed 10 + [12, 5] = 12
  expect(replayCost(history)).toEqual({ episodes: 3, eventsReplayed: 2 + 8 + 12 });
});

test('an episode that produced nothing still counts what it was handed', () => {
  // A timer fired and the orchestrator only waits on: started + TimerFired, then the next episode.
  // prettier-ignore
  const history = [ev(12), ev(0), ev(10), ev(13), ev(12), ev(11), ev(12), ev(14), ev(1), ev(13)];
  // 2 + (4 + 2) + (6 + 2)
  expect(replayCost(history)).toEqual({ episodes: 3, eventsReplayed: 2 + 6 + 8 });
});

test('an empty history costs nothing', () => {
  expect(replayCost([])).toEqual({ episodes: 0, eventsReplayed: 0 });
});
