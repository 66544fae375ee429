// Queue triggers through the whole host: startHost starts Azurite for an app with a queue trigger,
// a good message runs its orchestration, a failing one ends in the poison queue.
import { QueueServiceClient } from '@azure/storage-queue';
import path from 'node:path';
import { startHost, type Host } from './index';

const appDir = path.join(__dirname, '..', 'fixtures', 'edges-app');
const base64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

describe('queue triggers through startHost', () => {
  let host: Host;

  beforeAll(async () => {
    host = await startHost({ appDir });
  }, 90_000);

  afterAll(() => host?.stop());

  it('starts Azurite and points AzureWebJobsStorage at it', () => {
    expect(host.storageConnectionString).toMatch(/QueueEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1/);
    expect(host.settings.appSettings.AzureWebJobsStorage).toBe(host.storageConnectionString);
  });

  it('runs the orchestration a good message asks for', async () => {
    const service = QueueServiceClient.fromConnectionString(host.storageConnectionString!);
    const queue = service.getQueueClient('edges-work');
    await queue.createIfNotExists();
    await queue.sendMessage(base64({ name: 'Queue', id: 'from-queue' }));
    const done = await host.waitForStatus('from-queue', ['Completed'], { timeoutMs: 60_000 });
    expect(done.output).toBe('Hello, Queue!');
  }, 90_000);

  it('moves a message that always fails to edges-work-poison', async () => {
    const service = QueueServiceClient.fromConnectionString(host.storageConnectionString!);
    const queue = service.getQueueClient('edges-work');
    const poison = service.getQueueClient('edges-work-poison');
    await poison.createIfNotExists();
    const text = base64({ fail: true, id: 'never' });
    await queue.sendMessage(text);
    let found = false;
    for (let i = 0; i < 600 && !found; i++) {
      const { peekedMessageItems } = await poison.peekMessages({ numberOfMessages: 32 });
      found = peekedMessageItems.some((item) => item.messageText === text);
      if (!found) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(found).toBe(true);
    expect((await queue.peekMessages()).peekedMessageItems).toHaveLength(0);
    expect(host.status('never')).toBeUndefined();
  }, 90_000);
});
