// The cost model's counts from a history (bench/cost/counts.ts) and its transaction formula.
import { countHistory, LARGE_PAYLOAD_BYTES } from '../../bench/cost/counts';
import { storageTransactions } from '../../bench/cost/model';

// One execution: start, schedule two activities, both complete in the next episode, then a timer fires.
const history = [
  { EventType: 12 },
  { EventType: 0, Input: '{}' },
  { EventType: 4, Name: 'checkUrl', Input: 'x'.repeat(LARGE_PAYLOAD_BYTES + 1) },
  { EventType: 4, Name: 'checkUrl' },
  { EventType: 13 },
  { EventType: 12 },
  { EventType: 5, TaskScheduledId: 0 },
  { EventType: 6, TaskScheduledId: 1 },
  { EventType: 10, FireAt: '2026-01-01T00:01:00Z' },
  { EventType: 13 },
  { EventType: 12 },
  { EventType: 11, TimerId: 4 },
  { EventType: 1, OrchestrationStatus: 1 },
  { EventType: 13 },
];

test('counts events, episodes, activities, delivered messages and large payloads', () => {
  const counts = countHistory([history]);
  expect(counts).toMatchObject({
    executions: 1,
    events: history.length,
    episodes: 3,
    activities: 2,
    // ExecutionStarted, 2 work items, 2 results, 1 timer.
    messages: 6,
    largePayloads: 1,
  });
  expect(counts.eventBytes).toBe(history.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0));
  // Episode 1 is handed 2 events, episode 2 the first 8, episode 3 the first 12.
  expect(counts.eventsLoaded).toBe(2 + 8 + 12);
});

test('storage transactions: 3 queue operations per message, a row per event, 2 per episode, blobs for large payloads', () => {
  const t = storageTransactions({
    units: 1,
    instances: 1,
    history: countHistory([history]),
    blobs: { writes: 1, reads: 2, deletes: 4, other: 0 },
  });
  expect(t).toEqual({
    queue: 18,
    tableRows: 14,
    tableEpisodes: 6,
    blobWrites: 2,
    blobReads: 3,
    blobDeletes: 4,
    total: 18 + 14 + 6 + 2 + 3 + 4,
  });
});
