// Queue output bindings: what a function sets in context.extraOutputs is written to the queue after
// it succeeds, encoded like the host does (base64 by default).
import { QueueClient } from '@azure/storage-queue';
import path from 'node:path';
import { startHost, type Host } from './index';
import { queueMessageText } from './outputs';

jest.setTimeout(60_000);

let host: Host;
let incoming: QueueClient;
let forwarded: QueueClient;

beforeAll(async () => {
  host = await startHost({
    appDir: path.join(__dirname, '..', 'fixtures', 'outputs-app'),
    storage: 'azurite',
  });
  incoming = new QueueClient(host.storageConnectionString as string, 'incoming');
  forwarded = new QueueClient(host.storageConnectionString as string, 'forwarded');
  await incoming.createIfNotExists();
});
afterAll(() => host?.stop());

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const decode = (text: string) => Buffer.from(text, 'base64').toString('utf8');

async function receive(count: number): Promise<unknown[]> {
  const got: unknown[] = [];
  const deadline = Date.now() + 30_000;
  while (got.length < count) {
    if (Date.now() > deadline) throw new Error(`received ${got.length} of ${count} messages`);
    if (await forwarded.exists()) {
      const batch = await forwarded.receiveMessages({ numberOfMessages: 32 });
      for (const m of batch.receivedMessageItems) {
        got.push(JSON.parse(decode(m.messageText)));
        await forwarded.deleteMessage(m.messageId, m.popReceipt);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return got;
}

test('strings pass as they are and anything else as JSON', () => {
  expect(queueMessageText('plain')).toBe('plain');
  expect(queueMessageText({ a: [1] })).toBe('{"a":[1]}');
});

test('a queue output is written, base64-encoded, to the queue its %SETTING% names', async () => {
  const sent = await incoming.sendMessage(encode(JSON.stringify({ hello: 'world' })));
  expect(await receive(1)).toEqual([{ got: { hello: 'world' }, id: sent.messageId }]);
});

test('an array output becomes one message per element, and an unset output writes nothing', async () => {
  await incoming.sendMessage(encode('drop'));
  await incoming.sendMessage(encode(JSON.stringify({ split: [{ n: 1 }, { n: 2 }] })));
  const got = await receive(2);
  expect(got).toEqual([{ n: 1 }, { n: 2 }]);
  await new Promise((r) => setTimeout(r, 500));
  expect((await forwarded.peekMessages()).peekedMessageItems).toEqual([]);
});
