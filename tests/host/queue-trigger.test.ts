// Queue triggers against real Azurite: processed once when the function succeeds, retried after the
// visibility timeout when it fails, moved to <queue>-poison after maxDequeueCount dequeues.
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import path from 'node:path';
import { startAzurite, type Azurite } from './azurite';
import { FakeDurable, fakeInvoker } from './edgesFakes';
import { loadApp } from './loader';
import { startServer, type RunningServer } from './server';
import { loadSettings } from './settings';
import { decodeBase64Message, queueMessagePayload, startQueueTriggers } from './triggers/queue';
import type { HostSettings } from './types';

const appDir = path.join(__dirname, '..', 'fixtures', 'edges-app');
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Polls until `check` returns a value; the deadline only guards against hanging forever. */
async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  deadlineMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('queue message helpers', () => {
  it('hands over parsed JSON, else the text', () => {
    expect(queueMessagePayload('{"a":1}')).toEqual({ a: 1 });
    expect(queueMessagePayload('42')).toBe(42);
    expect(queueMessagePayload('hello')).toBe('hello');
  });

  it('decodes strict base64 only', () => {
    expect(decodeBase64Message(base64('{"x":"ü"}'))).toBe('{"x":"ü"}');
    expect(decodeBase64Message('not base64!')).toBeUndefined();
    expect(decodeBase64Message('abc')).toBeUndefined();
  });
});

describe('queue triggers on Azurite', () => {
  let azurite: Azurite;
  let server: RunningServer;
  let durable: FakeDurable;
  let queue: QueueClient;
  let poison: QueueClient;
  let invoker: ReturnType<typeof fakeInvoker>;
  let triggers: { stop(): Promise<void> };
  const errors: string[] = [];

  beforeAll(async () => {
    azurite = await startAzurite();
    const registry = loadApp(appDir);
    const settings = loadSettings(appDir);
    durable = new FakeDurable(new Set(['helloOrchestrator']));
    invoker = fakeInvoker(registry, { baseUrl: () => server.url, taskHubName: settings.taskHubName });
    server = await startServer({ registry, settings, durable, invoker, runTimer: async () => undefined });
    triggers = startQueueTriggers({
      registry,
      settings,
      invoker,
      connectionString: azurite.connectionString,
      logError: (message) => errors.push(message),
    });
    const service = QueueServiceClient.fromConnectionString(azurite.connectionString);
    queue = service.getQueueClient('edges-work');
    poison = service.getQueueClient('edges-work-poison');
    await queue.createIfNotExists();
    await poison.createIfNotExists();
  }, 90_000);

  afterAll(async () => {
    await triggers?.stop();
    await server?.close();
    await azurite?.stop();
  });

  const callsFor = (messageId: string) =>
    invoker.calls.filter((call) => call.triggerMetadata?.id === messageId);

  it('processes a good base64 JSON message exactly once and deletes it', async () => {
    const { messageId } = await queue.sendMessage(base64(JSON.stringify({ name: 'Ann', id: 'queued-1' })));
    await eventually(async () => durable.getStatus('queued-1'), 'the orchestration the message starts');
    await eventually(
      async () => ((await queue.peekMessages()).peekedMessageItems.length === 0 ? true : undefined),
      'an empty queue',
    );
    const calls = callsFor(messageId);
    expect(calls).toHaveLength(1);
    expect(calls[0].input).toEqual({ name: 'Ann', id: 'queued-1' });
    expect(calls[0].triggerMetadata).toEqual({
      id: messageId,
      dequeueCount: 1,
      insertionTime: expect.stringMatching(/Z$/),
      expirationTime: expect.stringMatching(/Z$/),
      nextVisibleTime: expect.stringMatching(/Z$/),
      popReceipt: expect.any(String),
      queueTrigger: JSON.stringify({ name: 'Ann', id: 'queued-1' }),
    });
    expect(durable.getStatus('queued-1')?.input).toBe('Ann');
  });

  it('retries a failing message and moves it to the poison queue after 5 dequeues', async () => {
    const text = base64(JSON.stringify({ fail: true }));
    const { messageId } = await queue.sendMessage(text);
    const poisoned = await eventually(async () => {
      const { receivedMessageItems } = await poison.receiveMessages({ numberOfMessages: 32 });
      return receivedMessageItems.find((item) => item.messageText === text);
    }, 'the poison message');
    await poison.deleteMessage(poisoned.messageId, poisoned.popReceipt);
    expect(callsFor(messageId).map((call) => call.triggerMetadata?.dequeueCount)).toEqual([1, 2, 3, 4, 5]);
    expect((await queue.peekMessages()).peekedMessageItems).toHaveLength(0);
    expect(errors.filter((message) => message.includes(messageId))).toHaveLength(5);
  });

  it('moves a message that is not valid base64 straight to the poison queue', async () => {
    const { messageId } = await queue.sendMessage('not base64!');
    const poisoned = await eventually(async () => {
      const { receivedMessageItems } = await poison.receiveMessages({ numberOfMessages: 32 });
      return receivedMessageItems.find((item) => item.messageText === 'not base64!');
    }, 'the undecodable message in the poison queue');
    await poison.deleteMessage(poisoned.messageId, poisoned.popReceipt);
    expect(callsFor(messageId)).toHaveLength(0);
    expect(errors.some((message) => message.includes('not valid base64'))).toBe(true);
  });
});

describe('queue triggers with messageEncoding none', () => {
  it('hands the raw text to the function', async () => {
    const azurite = await startAzurite();
    try {
      const registry = loadApp(appDir);
      const loaded = loadSettings(appDir);
      const settings: HostSettings = { ...loaded, queues: { ...loaded.queues, messageEncoding: 'none' } };
      const durable = new FakeDurable(new Set(['helloOrchestrator']));
      const holder: { server?: RunningServer } = {};
      const invoker = fakeInvoker(registry, {
        baseUrl: () => holder.server!.url,
        taskHubName: settings.taskHubName,
      });
      const server = await startServer({
        registry,
        settings,
        durable,
        invoker,
        runTimer: async () => undefined,
      });
      holder.server = server;
      const triggers = startQueueTriggers({
        registry,
        settings,
        invoker,
        connectionString: azurite.connectionString,
      });
      try {
        const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
          'edges-work',
        );
        await queue.createIfNotExists();
        await queue.sendMessage(JSON.stringify({ name: 'Raw', id: 'raw-1' }));
        await eventually(async () => durable.getStatus('raw-1'), 'the orchestration');
        expect(durable.getStatus('raw-1')?.input).toBe('Raw');
      } finally {
        await triggers.stop();
        await server.close();
      }
    } finally {
      await azurite.stop();
    }
  }, 90_000);
});
