// POST /admin/functions/{name} with `{"input": ...}`: runs a non-HTTP function by name, like the
// Functions host's admin API under `func start`. It answers 202 as soon as the invocation is
// dispatched and runs it in the background (errors go to the log, as the real host does).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, RequestError, sendError, sendJson } from '../httpUtil';
import { queueMessagePayload } from '../triggers/queue';
import { HostError, type DurableBackend, type Invoker, type Registry } from '../types';

export interface AdminDeps {
  registry: Registry;
  invoker: Invoker;
  durable: DurableBackend;
  runTimer(name: string): Promise<void>;
  logError?: (message: string, error: unknown) => void;
}

const ADMIN_FUNCTIONS = /^\/admin\/functions\/([^/]+)\/?$/;

/** The function name when `pathname` is an admin invocation URL. */
export function adminFunctionName(pathname: string): string | undefined {
  const match = ADMIN_FUNCTIONS.exec(pathname);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

export async function serveAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  deps: AdminDeps,
): Promise<void> {
  if ((req.method ?? 'GET').toUpperCase() !== 'POST') {
    return sendError(res, 405, 'Use POST to invoke a function', { Allow: 'POST' });
  }
  const fn = deps.registry.get(name);
  if (!fn) return sendError(res, 404, `No function named '${name}'`);

  let input: unknown;
  try {
    input = parseAdminBody(await readBody(req));
  } catch (error) {
    if (error instanceof RequestError) return sendError(res, error.status, error.message);
    throw error;
  }

  let run: () => Promise<unknown>;
  switch (fn.triggerType) {
    case 'httpTrigger':
      return sendError(res, 400, `'${name}' is an HTTP function; call its route instead`);
    case 'entityTrigger':
      return sendError(res, 400, 'Durable entities are not supported by tests/host');
    case 'orchestrationTrigger':
      // Synchronous, so a bad name or a running singleton reaches the caller.
      try {
        deps.durable.startNew(name, { input });
      } catch (error) {
        if (error instanceof HostError) return sendError(res, error.status, error.message);
        throw error;
      }
      return sendJson(res, 202, undefined);
    case 'timerTrigger':
      run = () => deps.runTimer(name);
      break;
    case 'queueTrigger': {
      const message = typeof input === 'string' ? queueMessagePayload(input) : input;
      const now = new Date().toISOString();
      const triggerMetadata = {
        id: randomUUID(),
        dequeueCount: 1,
        insertionTime: now,
        expirationTime: new Date(Date.now() + 7 * 24 * 3600_000).toISOString(),
        nextVisibleTime: now,
        popReceipt: 'admin',
        queueTrigger: typeof input === 'string' ? input : JSON.stringify(input),
      };
      run = () => deps.invoker.invoke(name, message, { triggerMetadata });
      break;
    }
    default:
      run = () => deps.invoker.invoke(name, input);
  }
  sendJson(res, 202, undefined);
  run().catch((error: unknown) =>
    (deps.logError ?? defaultLogError)(`Admin invocation of '${name}' failed`, error),
  );
}

function parseAdminBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RequestError(400, 'The body must be JSON like {"input": "..."}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RequestError(400, 'The body must be a JSON object like {"input": "..."}');
  }
  return (parsed as { input?: unknown }).input;
}

function defaultLogError(message: string, error: unknown): void {
  console.error(`[tests/host] ${message}:`, error);
}
