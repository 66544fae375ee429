// The Durable Functions HTTP API (`/runtime/webhooks/durabletask/*`), modelled on the extension's
// HttpApiHandler (Azure/azure-functions-durable-extension, src/WebJobs.Extensions.DurableTask/
// HttpApiHandler.cs). Status codes follow it:
// - GET instances/{id}: 200 for Completed/Terminated/Canceled and for Failed (500 only with
//   returnInternalServerErrorOnFailure=true); 202 + Location (the request URL) + Retry-After: 5 for
//   Running/Pending/ContinuedAsNew/Suspended ("HandleGetStatusRequestAsync"); 404 when unknown.
// - POST orchestrators/{name}[/{id}]: 202 check-status payload + Location + Retry-After: 10; 400 for
//   an unknown orchestrator, invalid JSON or an id over 256 characters; 500 when the instance is
//   Pending/Running/Suspended (engine/instances.ts says why); with `timeout` and
//   `pollingInterval` it waits like WaitForCompletionOrCreateCheckStatusResponseAsync.
// - raiseEvent / terminate / suspend / resume: 202, 404 unknown, 410 when already final.
// - DELETE instances/{id}: 200 {instancesDeleted}, 404 unknown; a running instance is purged too.
// - DELETE instances/?createdTimeFrom=...: 200, 400 without createdTimeFrom, 404 when nothing matched.
// - GET instances/?...: 200 array, paged with the `x-ms-continuation-token` header.
// Unlike the extension, a known route with the wrong method answers 405 with Allow (it answers 404).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, RequestError, sendError, sendJson } from '../httpUtil';
import {
  HostError,
  isFinal,
  type DurableBackend,
  type InstanceFilter,
  type OperationOutcome,
  type RuntimeStatus,
  type WireStatus,
} from '../types';
import { managementPayload, type ManagementUrlOptions } from './clientBinding';

export interface ManagementApiDeps {
  durable: DurableBackend;
  taskHubName: string;
  /** Page size for `GET instances/` when the caller gives no `top` (Azure Storage's default is 100). */
  listPageSize?: number;
}

export const DEFAULT_LIST_PAGE_SIZE = 100;

const RUNTIME_STATUSES: readonly RuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Terminated',
  'Suspended',
];

/**
 * Serves one request whose path, relative to the API base, is `subPath` (e.g. `instances/abc`).
 * `origin` is the request's own origin; check-status URLs are built on it, as the extension does.
 */
export async function serveManagementApi(
  req: IncomingMessage,
  res: ServerResponse,
  subPath: string,
  origin: string,
  deps: ManagementApiDeps,
): Promise<void> {
  const url = new URL(req.url ?? '/', origin);
  const query = caseInsensitiveQuery(url.searchParams);
  const method = (req.method ?? 'GET').toUpperCase();
  const api = new Handlers(req, res, url, query, origin, deps);

  try {
    const trimmed = subPath.replace(/\/+$/, '');
    const decoded = trimmed === '' ? [] : trimmed.split('/').map(decodeSegment);
    const [controller, first, second, third] = decoded;
    if (controller === 'orchestrators' && first && decoded.length <= 3) {
      if (method !== 'POST') return methodNotAllowed(res, ['POST']);
      return await api.start(first, second || undefined);
    }
    if (controller === 'entities') {
      return sendError(res, 501, 'Durable entities are not supported by tests/host');
    }
    if (controller === 'instances') {
      const instanceId = first || undefined;
      if (!instanceId && decoded.length <= 2) {
        if (method === 'GET') return await api.list();
        if (method === 'DELETE') return api.purgeBy();
        return methodNotAllowed(res, ['GET', 'DELETE']);
      }
      if (instanceId && decoded.length === 2) {
        if (method === 'GET') return await api.status(instanceId);
        if (method === 'DELETE') return api.purge(instanceId);
        return methodNotAllowed(res, ['GET', 'DELETE']);
      }
      if (instanceId && second === 'raiseEvent' && third && decoded.length === 4) {
        if (method !== 'POST') return methodNotAllowed(res, ['POST']);
        return await api.raiseEvent(instanceId, third);
      }
      if (instanceId && second && decoded.length === 3) {
        const operation = second.toLowerCase();
        if (!['terminate', 'suspend', 'resume', 'rewind', 'restart'].includes(operation)) {
          return sendError(res, 404, `Unknown instance operation '${second}'`);
        }
        if (method !== 'POST') return methodNotAllowed(res, ['POST']);
        if (operation === 'rewind') return api.rewind(instanceId);
        if (operation === 'restart') return await api.restart(instanceId);
        return api.operation(instanceId, operation as 'terminate' | 'suspend' | 'resume');
      }
    }
    sendError(res, 404, `No durable task API at ${url.pathname}`);
  } catch (error) {
    if (error instanceof HostError || error instanceof RequestError) {
      sendError(res, error.status, error.message);
    } else {
      sendError(res, 500, `Something went wrong while processing your request: ${(error as Error).message}`);
    }
  }
}

class Handlers {
  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly url: URL,
    private readonly query: (name: string) => string | undefined,
    private readonly origin: string,
    private readonly deps: ManagementApiDeps,
  ) {}

  async start(name: string, requestedId: string | undefined): Promise<void> {
    const body = await readBody(this.req);
    const input = body.length === 0 ? undefined : parseJson(body.toString('utf8'));
    const instanceId = this.deps.durable.startNew(name, { instanceId: requestedId, input });
    await this.respondAfterStart(instanceId);
  }

  async restart(instanceId: string): Promise<void> {
    const status = this.deps.durable.getStatus(instanceId, { showInput: true });
    if (!status) throw new HostError(400, 'InstanceId does not match a valid orchestration instance.');
    const newId = parseBool(this.query('restartWithNewInstanceId')) === false ? instanceId : undefined;
    const restarted = this.deps.durable.startNew(status.name, { instanceId: newId, input: status.input });
    await this.respondAfterStart(restarted);
  }

  async status(instanceId: string): Promise<void> {
    const status = this.deps.durable.getStatus(instanceId, {
      showHistory: parseBool(this.query('showHistory')) ?? false,
      showHistoryOutput: parseBool(this.query('showHistoryOutput')) ?? false,
      showInput: parseBool(this.query('showInput')) ?? true,
    });
    if (!status) return sendError(this.res, 404, `No instance with ID '${instanceId}' found.`);
    const failAs500 = parseBool(this.query('returnInternalServerErrorOnFailure')) ?? false;
    this.sendStatus(status, failAs500);
  }

  async list(): Promise<void> {
    const filter = parseInstanceFilter(this.query);
    const top = this.query('top');
    const pageSize =
      top === undefined ? (this.deps.listPageSize ?? DEFAULT_LIST_PAGE_SIZE) : parsePositiveInt('top', top);
    const showInput = parseBool(this.query('showInput')) ?? true;
    const token = headerValue(this.req, 'x-ms-continuation-token');
    const page = this.deps.durable.listStatus(filter, {
      top: pageSize,
      continuationToken: token || undefined,
    });
    const items = page.items.map((status) =>
      toStatusPayload(showInput ? status : { ...status, input: null }),
    );
    sendJson(
      this.res,
      200,
      items,
      page.continuationToken ? { 'x-ms-continuation-token': page.continuationToken } : {},
    );
  }

  purge(instanceId: string): void {
    const status = this.deps.durable.getStatus(instanceId, { showInput: false });
    if (!status) return sendError(this.res, 404, `No instance with ID '${instanceId}' found.`);
    // HttpApiHandler.cs:554-567 purges whatever the status (engine/instances.ts purge).
    sendJson(this.res, 200, { instancesDeleted: this.deps.durable.purge(instanceId) });
  }

  purgeBy(): void {
    if (this.query('createdTimeFrom') === undefined) {
      throw new RequestError(400, "Please provide value for 'createdTimeFrom' parameter.");
    }
    const filter = parseInstanceFilter(this.query);
    const deleted = this.deps.durable.purgeBy({
      ...filter,
      createdTimeTo: filter.createdTimeTo ?? new Date(),
    });
    if (deleted === 0) return sendError(this.res, 404, 'No instances matched the purge filter.');
    sendJson(this.res, 200, { instancesDeleted: deleted });
  }

  async raiseEvent(instanceId: string, eventName: string): Promise<void> {
    const status = this.deps.durable.getStatus(instanceId, { showInput: false });
    if (!status) return sendError(this.res, 404, `No instance with ID '${instanceId}' found.`);
    if (isFinal(status.runtimeStatus)) {
      return sendError(this.res, 410, `Instance '${instanceId}' is ${status.runtimeStatus}.`);
    }
    const body = await readBody(this.req);
    let data: unknown = null;
    if (body.length > 0) {
      const mediaType = (this.req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (mediaType !== 'application/json') {
        throw new RequestError(400, 'Only application/json request content is supported');
      }
      data = parseJson(body.toString('utf8'));
    }
    this.sendOutcome(instanceId, this.deps.durable.raiseEvent(instanceId, eventName, data));
  }

  operation(instanceId: string, operation: 'terminate' | 'suspend' | 'resume'): void {
    const reason = this.query('reason');
    this.sendOutcome(instanceId, this.deps.durable[operation](instanceId, reason));
  }

  rewind(instanceId: string): void {
    const status = this.deps.durable.getStatus(instanceId, { showInput: false });
    if (!status) return sendError(this.res, 404, `No orchestration with instance ID "${instanceId}" found.`);
    if (status.runtimeStatus !== 'Failed') {
      return sendError(
        this.res,
        412,
        `This orchestration has status ${status.runtimeStatus}, but only orchestrations in the "Failed" state can be rewound.`,
      );
    }
    sendError(this.res, 501, 'Rewind is not supported by tests/host.');
  }

  private sendOutcome(instanceId: string, outcome: OperationOutcome): void {
    if (outcome === 'notFound') return sendError(this.res, 404, `No instance with ID '${instanceId}' found.`);
    if (outcome === 'gone')
      return sendError(this.res, 410, `Instance '${instanceId}' is already in a final state.`);
    sendJson(this.res, 202, undefined);
  }

  private sendStatus(status: WireStatus, failAs500: boolean): void {
    const code = statusCodeFor(status.runtimeStatus, failAs500);
    const headers: Record<string, string> =
      code === 202 ? { Location: this.url.href, 'Retry-After': '5' } : {};
    sendJson(this.res, code, toStatusPayload(status), headers);
  }

  private async respondAfterStart(instanceId: string): Promise<void> {
    const timeout = parseSeconds(this.query('timeout'));
    const interval = parseSeconds(this.query('pollingInterval'));
    if (timeout !== undefined && interval !== undefined) {
      if (interval > timeout) {
        throw new RequestError(
          400,
          `Total timeout ${timeout} should be bigger than retry timeout ${interval}`,
        );
      }
      const status = await waitForFinal(this.deps.durable, instanceId, timeout * 1000, interval * 1000);
      if (status?.runtimeStatus === 'Completed') return sendJson(this.res, 200, status.output ?? null);
      if (status && isFinal(status.runtimeStatus)) return this.sendStatus(status, false);
    }
    const payload = managementPayload(this.origin, instanceId, this.urlOptions());
    const { rewindPostUri: _rewind, ...checkStatus } = payload;
    sendJson(this.res, 202, checkStatus, { Location: payload.statusQueryGetUri, 'Retry-After': '10' });
  }

  private urlOptions(): ManagementUrlOptions {
    return {
      taskHubName: this.query('taskHub') || this.deps.taskHubName,
      connectionName: this.query('connection') || undefined,
      code: this.query('code') || undefined,
    };
  }
}

/** 202 while the instance can still change, 200 once it is final (Failed too, unless asked for 500). */
export function statusCodeFor(status: RuntimeStatus, failAs500 = false): number {
  switch (status) {
    case 'Pending':
    case 'Running':
    case 'ContinuedAsNew':
    case 'Suspended':
      return 202;
    case 'Failed':
      return failAs500 ? 500 : 200;
    default:
      return 200;
  }
}

/** The JSON body of GET instances/{id}, as the extension's StatusResponsePayload serialises it. */
export function toStatusPayload(status: WireStatus): WireStatus {
  const payload: WireStatus = {
    name: status.name,
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    input: status.input ?? null,
    customStatus: status.customStatus ?? null,
    output: status.output ?? null,
    // The extension formats both with the "s" specifier plus Z: whole seconds, UTC.
    createdTime: toIsoSeconds(status.createdTime),
    lastUpdatedTime: toIsoSeconds(status.lastUpdatedTime),
  };
  if (status.historyEvents !== undefined) payload.historyEvents = status.historyEvents;
  return payload;
}

export function parseInstanceFilter(query: (name: string) => string | undefined): InstanceFilter {
  const filter: InstanceFilter = {};
  const from = query('createdTimeFrom');
  const to = query('createdTimeTo');
  const statuses = query('runtimeStatus');
  const prefix = query('instanceIdPrefix');
  if (from) filter.createdTimeFrom = parseDate('createdTimeFrom', from);
  if (to) filter.createdTimeTo = parseDate('createdTimeTo', to);
  if (statuses) {
    filter.runtimeStatus = statuses
      .split(',')
      .map((value) => value.trim())
      .filter((value) => value !== '')
      .map((value) => {
        const known = RUNTIME_STATUSES.find((status) => status.toLowerCase() === value.toLowerCase());
        if (!known) {
          throw new RequestError(
            400,
            `Unknown runtimeStatus '${value}'. Use one of: ${RUNTIME_STATUSES.join(', ')}.`,
          );
        }
        return known;
      });
  }
  if (prefix) filter.instanceIdPrefix = prefix;
  return filter;
}

async function waitForFinal(
  durable: DurableBackend,
  instanceId: string,
  timeoutMs: number,
  intervalMs: number,
): Promise<WireStatus | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = durable.getStatus(instanceId);
    if (status && isFinal(status.runtimeStatus)) return status;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return status;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining)));
  }
}

function methodNotAllowed(res: ServerResponse, allow: string[]): void {
  sendError(res, 405, `Method not allowed; use ${allow.join(' or ')}`, { Allow: allow.join(', ') });
}

function caseInsensitiveQuery(params: URLSearchParams): (name: string) => string | undefined {
  const values = new Map<string, string>();
  for (const [key, value] of params) if (!values.has(key.toLowerCase())) values.set(key.toLowerCase(), value);
  return (name) => values.get(name.toLowerCase());
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RequestError(400, `Malformed percent-encoding in '${segment}'`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError(400, 'Invalid JSON content');
  }
}

function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  return undefined;
}

function parseSeconds(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new RequestError(400, `Invalid number of seconds '${value}'`);
  return seconds;
}

function parsePositiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new RequestError(400, `'${name}' must be a positive integer, got '${value}'`);
  return n;
}

function parseDate(name: string, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new RequestError(400, `'${name}' is not a valid date: '${value}'`);
  return date;
}

function toIsoSeconds(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
