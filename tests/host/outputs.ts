// Output bindings, written after a function succeeds, as the host does with the values the worker
// returns. Only storage-queue outputs are supported; any other output a function sets fails the
// invocation loudly rather than being dropped.
import { QueueServiceClient } from '@azure/storage-queue';
import type { BindingMetadata, HostSettings } from './types';

export interface OutputValue {
  bindingName: string;
  binding: BindingMetadata;
  value: unknown;
}

export type OutputWriter = (functionName: string, outputs: OutputValue[]) => Promise<void>;

/** The message text a queue output binding produces: strings as they are, anything else as JSON. */
export function queueMessageText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function createOutputWriter(
  settings: HostSettings,
  connectionString: string | undefined,
): OutputWriter {
  const service = connectionString ? QueueServiceClient.fromConnectionString(connectionString) : undefined;
  return async (functionName, outputs) => {
    for (const { bindingName, binding, value } of outputs) {
      if (binding.type !== 'queue') {
        throw new Error(
          `tests/host does not write '${binding.type}' output bindings (${functionName}.${bindingName})`,
        );
      }
      if (!service) throw new Error(`${functionName}.${bindingName}: a queue output needs storage (Azurite)`);
      const queue = service.getQueueClient(settings.resolve(String(binding.queueName ?? '')).toLowerCase());
      await queue.createIfNotExists();
      // A queue output binding may be set to an array: one message per element.
      for (const item of Array.isArray(value) ? value : [value]) {
        const text = queueMessageText(item);
        await queue.sendMessage(
          settings.queues.messageEncoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text,
        );
      }
    }
  };
}
