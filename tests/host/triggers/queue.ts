// Queue triggers over real Azurite queues, following the WebJobs storage-queue listener:
// - messages are leased while a function runs, deleted when it succeeds;
// - a failure makes the message visible again after host.json `visibilityTimeout`;
// - a message that failed on its `maxDequeueCount`-th dequeue (or arrives above it) is copied,
//   still encoded, to `<queue>-poison` and deleted; so is a message that is not valid base64
//   when `messageEncoding` is base64 (the extension's MessageDecodingFailed handler);
// - an empty queue is polled with exponential back-off up to `maxPollingInterval`.
// Deviation: queues are created when the listener starts, so tests can enqueue right away.
import { QueueServiceClient, type DequeuedMessageItem } from '@azure/storage-queue';
import type { FunctionRegistration, HostSettings, Invoker, Registry } from '../types';

/** How long a message stays invisible while its function runs (the host uses 10 minutes and renews). */
const LEASE_SECONDS = 600;
const MIN_POLL_MS = 100;
/** Azure Storage returns at most 32 messages per request. */
const MAX_BATCH = 32;

export class QueueTriggerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueTriggerError';
  }
}

export interface QueueTriggerOptions {
  registry: Registry;
  settings: HostSettings;
  invoker: Invoker;
  /** Azurite's connection string; used for AzureWebJobsStorage and `UseDevelopmentStorage=true`. */
  connectionString: string;
  logError?: (message: string, error?: unknown) => void;
}

/** What the v4 programming model hands the handler: parsed JSON when the text is JSON, else the text. */
export function queueMessagePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Strict base64 check, so a plain-text message is not silently decoded into garbage. */
export function decodeBase64Message(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

export function startQueueTriggers(options: QueueTriggerOptions): { stop(): Promise<void> } {
  const listeners = options.registry.byTriggerType('queueTrigger').map((fn) => createListener(fn, options));
  const abort = new AbortController();
  const loops = listeners.map((listener) => listener.run(abort.signal));
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        abort.abort();
        await Promise.all(loops);
      })();
      return stopping;
    },
  };
}

function createListener(fn: FunctionRegistration, options: QueueTriggerOptions) {
  const binding = fn.bindings[fn.triggerBindingName];
  const { settings } = options;
  const logError =
    options.logError ??
    ((message: string, error?: unknown) => console.error(`[tests/host] ${message}`, error ?? ''));
  let queueName: string;
  try {
    queueName = settings.resolve(String(binding.queueName ?? '')).toLowerCase();
  } catch (error) {
    throw new QueueTriggerError(`Function '${fn.name}': ${(error as Error).message}`);
  }
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(queueName)) {
    throw new QueueTriggerError(`Function '${fn.name}': '${queueName}' is not a valid queue name`);
  }
  const service = QueueServiceClient.fromConnectionString(connectionFor(fn, binding.connection, options));
  const queue = service.getQueueClient(queueName);
  const poison = service.getQueueClient(`${queueName}-poison`);
  const { batchSize, maxDequeueCount, visibilityTimeoutMs, maxPollingIntervalMs, messageEncoding } =
    settings.queues;
  const retryVisibilitySeconds = Math.max(0, Math.round(visibilityTimeoutMs / 1000));

  const moveToPoison = async (message: DequeuedMessageItem): Promise<void> => {
    await poison.createIfNotExists();
    await poison.sendMessage(message.messageText);
    await queue.deleteMessage(message.messageId, message.popReceipt);
  };

  const handle = async (message: DequeuedMessageItem): Promise<void> => {
    if (message.dequeueCount > maxDequeueCount) return moveToPoison(message);
    const text =
      messageEncoding === 'base64' ? decodeBase64Message(message.messageText) : message.messageText;
    if (text === undefined) {
      logError(
        `Queue '${queueName}': message ${message.messageId} is not valid base64; moved to ${queueName}-poison`,
      );
      return moveToPoison(message);
    }
    const triggerMetadata = {
      id: message.messageId,
      dequeueCount: message.dequeueCount,
      insertionTime: message.insertedOn.toISOString(),
      expirationTime: message.expiresOn.toISOString(),
      nextVisibleTime: message.nextVisibleOn.toISOString(),
      popReceipt: message.popReceipt,
      queueTrigger: text,
    };
    try {
      await options.invoker.invoke(fn.name, queueMessagePayload(text), { triggerMetadata });
    } catch (error) {
      logError(
        `Function '${fn.name}' failed on message ${message.messageId} (dequeue ${message.dequeueCount})`,
        error,
      );
      if (message.dequeueCount >= maxDequeueCount) return moveToPoison(message);
      await queue.updateMessage(message.messageId, message.popReceipt, undefined, retryVisibilitySeconds);
      return;
    }
    await queue.deleteMessage(message.messageId, message.popReceipt);
  };

  return {
    async run(signal: AbortSignal): Promise<void> {
      let delay = MIN_POLL_MS;
      let created = false;
      while (!signal.aborted) {
        try {
          if (!created) {
            await queue.createIfNotExists({ abortSignal: signal });
            created = true;
          }
          const { receivedMessageItems } = await queue.receiveMessages({
            numberOfMessages: Math.min(Math.max(1, batchSize), MAX_BATCH),
            visibilityTimeout: LEASE_SECONDS,
            abortSignal: signal,
          });
          if (receivedMessageItems.length > 0) {
            delay = MIN_POLL_MS;
            await Promise.all(
              receivedMessageItems.map((message) =>
                handle(message).catch((error: unknown) =>
                  logError(`Queue '${queueName}': could not settle a message`, error),
                ),
              ),
            );
            continue;
          }
          await sleep(delay, signal);
          delay = Math.min(delay * 2, Math.max(MIN_POLL_MS, maxPollingIntervalMs));
        } catch (error) {
          if (signal.aborted) break;
          logError(`Queue '${queueName}': polling failed`, error);
          await sleep(Math.max(MIN_POLL_MS, maxPollingIntervalMs), signal);
        }
      }
    },
  };
}

function connectionFor(fn: FunctionRegistration, connection: unknown, options: QueueTriggerOptions): string {
  const name = typeof connection === 'string' && connection !== '' ? connection : 'AzureWebJobsStorage';
  const value = options.settings.appSettings[name] ?? process.env[name];
  if (value === undefined || value === '') {
    if (name === 'AzureWebJobsStorage') return options.connectionString;
    throw new QueueTriggerError(`Function '${fn.name}': storage connection setting '${name}' does not exist`);
  }
  return /UseDevelopmentStorage=true/i.test(value) ? options.connectionString : value;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
