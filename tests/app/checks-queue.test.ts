// The check-requests queue starter on a real Azurite queue, driven by tests/host's queue trigger.
import { QueueClient } from '@azure/storage-queue';
import { startAppHost, type AppHost } from '../support/appHost';
import { respond, startServer, type TargetServer } from '../support/servers';

jest.setTimeout(90_000);

let app: AppHost;
let target: TargetServer;
let requests: QueueClient;
let rejected: QueueClient;
let poison: QueueClient;

beforeAll(async () => {
  target = await startServer({ '/ok': respond.text('fine'), '/down': respond.status(503) });
  app = await startAppHost({ settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
  const connection = app.host.storageConnectionString as string;
  requests = new QueueClient(connection, 'check-requests');
  rejected = new QueueClient(connection, 'check-requests-rejected');
  poison = new QueueClient(connection, 'check-requests-poison');
  await requests.createIfNotExists();
});

afterAll(async () => {
  await app?.stop();
  await target?.close();
});

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const decode = (text: string) => Buffer.from(text, 'base64').toString('utf8');

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function drain(queue: QueueClient): Promise<unknown[]> {
  if (!(await queue.exists())) return [];
  const peeked = await queue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((m) => JSON.parse(decode(m.messageText)));
}

test('a valid message starts checkSites with an id derived from the message id', async () => {
  const sent = await requests.sendMessage(
    encode(JSON.stringify({ name: 'from queue', targets: [target.url('/ok'), target.url('/down')] })),
  );
  const instanceId = `checks-queue-${sent.messageId}`;
  await until(async () => app.host.durable.getStatus(instanceId), 'the run to exist');
  const status = await app.host.waitForStatus(instanceId);
  expect(status.runtimeStatus).toBe('Completed');
  expect((status.output as { summary: unknown }).summary).toMatchObject({ total: 2, up: 1, down: 1 });
  // Processed once and deleted: the queue is empty again.
  await until(
    async () => ((await requests.getProperties()).approximateMessagesCount === 0 ? true : undefined),
    'the queue to drain',
  );
});

test('a redelivered message finds its run instead of starting a second one', async () => {
  const message = { targets: [target.url('/ok')] };
  const metadata = { id: 'redelivered-message', dequeueCount: 1 };
  await app.host.invoke('checkRequestsQueue', message, { triggerMetadata: metadata });
  await app.host.invoke('checkRequestsQueue', message, { triggerMetadata: { ...metadata, dequeueCount: 2 } });
  const runs = app.host.durable.listStatus({ instanceIdPrefix: 'checks-queue-redelivered-message' }).items;
  expect(runs.map((r) => r.instanceId)).toEqual(['checks-queue-redelivered-message']);
  expect((await app.host.waitForStatus('checks-queue-redelivered-message')).runtimeStatus).toBe('Completed');
  expect(
    app.host.activityCalls('checkUrls').filter((c) => c.instanceId.startsWith('checks-queue-redelivered'))
      .length,
  ).toBe(1);
});

describe('an invalid message goes to check-requests-rejected with the reason, once, and starts nothing', () => {
  const cases: [string, string, string][] = [
    ['not JSON', 'check https://example.test please', 'message'],
    ['no targets', JSON.stringify({ name: 'nothing to do' }), 'targets'],
    ['a bad URL', JSON.stringify({ targets: ['gopher://127.0.0.1/'] }), 'targets.0.url'],
    ['an unknown field', JSON.stringify({ targets: ['http://127.0.0.1/'], extra: true }), 'message'],
  ];

  test.each(cases)('%s', async (_label, text, field) => {
    const before = app.host.durable.listStatus({}).items.length;
    const sent = await requests.sendMessage(encode(text));
    const entry = (await until(
      async () =>
        (await drain(rejected)).find((m) => (m as { messageId: string }).messageId === sent.messageId),
      'the rejection',
    )) as { reason: string; errors: { field: string; message: string }[]; message: unknown };
    expect(entry.reason).toBe('invalid check request');
    const copies = (await drain(rejected)).filter(
      (m) => (m as { messageId: string }).messageId === sent.messageId,
    );
    expect(copies).toHaveLength(1);
    expect(entry.errors.map((e) => e.field)).toContain(field);
    expect(entry.errors[0]?.message).toEqual(expect.any(String));
    expect(app.host.durable.listStatus({}).items.length).toBe(before);
    // Not retried pointlessly: nothing of it reaches the poison queue.
    const poisoned = (await poison.exists())
      ? (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems
      : [];
    expect(poisoned.map((m) => decode(m.messageText))).not.toContain(text);
  });
});
