// Limits Azure enforces that a lenient host would not (engine/limits.ts cites the sources):
// custom status size, instance id length, starting over a live instance, action count,
// sub-orchestration ids, and the default maximum retry interval.
import { customStatusTooLarge } from './engine/limits';
import { retryDelay } from './engine/retry';
import { useEngineHost } from './engineHost';
import { HostError } from './types';

const DAY = 24 * 3600_000;

const engine = useEngineHost();

describe('custom status over 16 KB (UTF-16, rounded down)', () => {
  it('measures UTF-16 code units and rounds the KB down, as MessagePayloadDataConverter does', () => {
    expect(customStatusTooLarge('x'.repeat(8703))).toBeUndefined(); // 17,406 bytes = 16.99 KB
    expect(customStatusTooLarge('x'.repeat(8704))).toBe(
      'The UTF-16 size of the JSON-serialized payload must not exceed 16 KB. The current payload size is 17 KB.',
    );
    // Astral characters are two UTF-16 code units each.
    expect(customStatusTooLarge('😀'.repeat(4352))).toMatch(/current payload size is 17 KB/);
  });

  it('accepts a status just under the limit', async () => {
    const id = engine.host.startNew('bigStatus', { chars: 8703 });
    const status = await engine.host.waitForStatus(id);
    expect(status.runtimeStatus).toBe('Completed');
    expect(JSON.stringify(status.customStatus)).toHaveLength(8703);
  });

  it('fails the orchestration with Azure message when the status reaches 17 KB', async () => {
    const id = engine.host.startNew('bigStatus', { chars: 8704 });
    const status = await engine.host.waitForStatus(id);
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toBe(
      "Orchestrator function 'bigStatus' failed: The UTF-16 size of the JSON-serialized payload must not exceed 16 KB. The current payload size is 17 KB.",
    );
    expect(engine.host.activityCalls('echo').filter((c) => c.instanceId === id)).toHaveLength(0);
  });
});

describe('starting instances', () => {
  it('refuses an instance id over 256 characters with 400', () => {
    expect(engine.host.startNew('waitForever', undefined, 'a'.repeat(256))).toBe('a'.repeat(256));
    let error: unknown;
    try {
      engine.host.startNew('waitForever', undefined, 'b'.repeat(257));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HostError);
    expect(error).toMatchObject({
      status: 400,
      message: 'Instance ID lengths must not exceed 256 characters.',
    });
  });

  it('answers 500, not 409, when the id is Pending or Running (Azure Storage)', async () => {
    engine.host.startNew('waitForever', undefined, 'live-dup');
    // Pending: not yet through its first episode.
    expect(() => engine.host.startNew('waitForever', undefined, 'live-dup')).toThrow(
      expect.objectContaining({ status: 500 }) as Error,
    );
    await engine.host.waitForStatus('live-dup', ['Running']);
    let error: HostError | undefined;
    try {
      engine.host.startNew('waitForever', undefined, 'live-dup');
    } catch (e) {
      error = e as HostError;
    }
    expect(error?.status).toBe(500);
    expect(error?.message).toMatch(/An Orchestration instance with the status Running already exists/);
  });
});

describe('orchestration limits', () => {
  it('fails an orchestration past 100,000 actions, and allows exactly 100,000', async () => {
    const over = engine.host.startNew('manyTimers', 100_001);
    const status = await engine.host.waitForStatus(over, undefined, { timeoutMs: 120_000 });
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toBe(
      "Orchestrator function 'manyTimers' failed: Maximum amount of orchestration actions (100000) has been reached. This value can be configured in host.json file as MaxOrchestrationActions.",
    );
    const ok = engine.host.startNew('manyTimers', 100_000);
    // Its first episode commits all 100,000 timers; no need to wait for them to fire.
    const running = await engine.host.waitForStatus(ok, ['Running', 'Failed'], { timeoutMs: 120_000 });
    expect(running.runtimeStatus).toBe('Running');
    engine.host.durable.terminate(ok);
  }, 240_000);

  it.each([
    ['own id', (id: string) => id],
    ['own id in another case', (id: string) => id.toUpperCase()],
  ])(
    'fails the parent (not just the call) when a sub-orchestration reuses its %s',
    async (_label, childId) => {
      const id = `reuse-${Math.random().toString(36).slice(2)}`;
      engine.host.startNew('childWithId', childId(id), id);
      const status = await engine.host.waitForStatus(id);
      expect(status.runtimeStatus).toBe('Failed');
      expect(status.output).toBe(
        "Orchestrator function 'childWithId' failed: The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration.",
      );
    },
  );

  it('caps the retry interval at 6 days when maxRetryInterval is not set', () => {
    const options = { firstRetryIntervalInMilliseconds: DAY, maxNumberOfAttempts: 10, backoffCoefficient: 2 };
    expect(retryDelay(options, 3, 0, 0)).toEqual({ kind: 'backoff', delayMs: 4 * DAY });
    expect(retryDelay(options, 4, 0, 0)).toEqual({ kind: 'backoff', delayMs: 6 * DAY });
  });
});
