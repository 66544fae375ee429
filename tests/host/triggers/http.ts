// The app's HTTP routes: a route table from the httpTrigger bindings, HttpRequest in, the handler's
// HttpResponse / HttpResponseInit out. authLevel is ignored, as `func start` does locally.
import { HttpRequest, HttpResponse } from '@azure/functions';
import type { Cookie, HttpResponseInit } from '@azure/functions';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, RequestError, sendError } from '../httpUtil';
import type { HostSettings, Invoker, Registry } from '../types';
import { parseRouteTemplate, RouteTemplate, RouteTemplateError } from './routeTemplate';

export interface HttpRoute {
  functionName: string;
  template: RouteTemplate;
  /** Upper-case methods; undefined means every method, as when a binding lists none. */
  methods?: string[];
}

export type RouteLookup =
  | { kind: 'found'; route: HttpRoute; params: Record<string, string> }
  | { kind: 'methodNotAllowed'; allow: string[] }
  | { kind: 'notFound' };

export class HttpRouteTable {
  private readonly routes: HttpRoute[];

  constructor(routes: HttpRoute[]) {
    // The Functions host tries routes in the alphabetical order of their function names, not by
    // how specific they are (Azure/azure-functions-host#9876, Azure/azure-functions-nodejs-library#300),
    // so `items/{id}` in function "details" shadows `items/list` in function "list". Same here.
    this.routes = [...routes].sort((a, b) => compareNames(a.functionName, b.functionName));
  }

  get size(): number {
    return this.routes.length;
  }

  lookup(method: string, path: string): RouteLookup {
    const allow = new Set<string>();
    for (const route of this.routes) {
      const params = route.template.match(path);
      if (!params) continue;
      if (!route.methods || route.methods.includes(method.toUpperCase()))
        return { kind: 'found', route, params };
      route.methods.forEach((m) => allow.add(m));
    }
    return allow.size > 0 ? { kind: 'methodNotAllowed', allow: [...allow].sort() } : { kind: 'notFound' };
  }
}

function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Builds the route table; a malformed route fails loudly, naming its function. */
export function buildRouteTable(
  registry: Registry,
  settings: Pick<HostSettings, 'routePrefix'>,
): HttpRouteTable {
  const prefix = settings.routePrefix.replace(/^\/+|\/+$/g, '');
  const routes: HttpRoute[] = [];
  for (const fn of registry.byTriggerType('httpTrigger')) {
    const binding = fn.bindings[fn.triggerBindingName];
    const route = typeof binding.route === 'string' && binding.route.trim() !== '' ? binding.route : fn.name;
    const template = [prefix, route.replace(/^\/+/, '')].filter((part) => part !== '').join('/');
    let parsed: RouteTemplate;
    try {
      parsed = parseRouteTemplate(template);
    } catch (error) {
      const message = error instanceof RouteTemplateError ? error.message : String(error);
      throw new RouteTemplateError(`Function '${fn.name}': ${message}`);
    }
    const methods =
      Array.isArray(binding.methods) && binding.methods.length > 0 ? binding.methods : undefined;
    routes.push({
      functionName: fn.name,
      template: parsed,
      methods: methods?.map((m) => String(m).toUpperCase()),
    });
  }
  return new HttpRouteTable(routes);
}

export interface HttpTriggerDeps {
  routes: HttpRouteTable;
  invoker: Invoker;
  /** Where handler failures are reported (never to the client). */
  logError?: (message: string, error: unknown) => void;
}

/** Serves one request against the app's routes: 404 / 405 with Allow / the handler's response / 500. */
export async function serveHttpTrigger(
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  deps: HttpTriggerDeps,
): Promise<void> {
  const url = new URL(req.url ?? '/', origin);
  const method = (req.method ?? 'GET').toUpperCase();
  const found = deps.routes.lookup(method, url.pathname);
  if (found.kind === 'notFound') {
    sendError(res, 404, `No function matches ${method} ${url.pathname}`);
    return;
  }
  if (found.kind === 'methodNotAllowed') {
    sendError(res, 405, `${method} is not allowed on ${url.pathname}`, { Allow: found.allow.join(', ') });
    return;
  }

  let request: HttpRequest;
  try {
    request = await toHttpRequest(req, url, found.params);
  } catch (error) {
    if (error instanceof RequestError) {
      sendError(res, error.status, error.message);
      return;
    }
    throw error;
  }

  let output: NodeResponse;
  try {
    const result = await deps.invoker.invoke(found.route.functionName, request);
    output = await toNodeResponse(result);
  } catch (error) {
    // Like the Functions host: the caller gets a bare 500, the log gets the details.
    (deps.logError ?? defaultLogError)(`Function '${found.route.functionName}' failed`, error);
    output = { status: 500, headers: [], body: Buffer.alloc(0) };
  }
  writeNodeResponse(res, output, method === 'HEAD');
}

async function toHttpRequest(
  req: IncomingMessage,
  url: URL,
  params: Record<string, string>,
): Promise<HttpRequest> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) headers[name] = values.join(', ');
  }
  const body = await readBody(req);
  const method = (req.method ?? 'GET').toUpperCase();
  const hasBody = body.length > 0 && method !== 'GET' && method !== 'HEAD';
  // No `query` here: HttpRequest then reads it from the URL, which keeps repeated keys.
  return new HttpRequest({
    method,
    url: url.href,
    headers,
    params,
    body: hasBody ? { bytes: body } : undefined,
  });
}

export interface NodeResponse {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

/** Converts what an HTTP handler returned, the way the programming model's toRpcHttp does. */
export async function toNodeResponse(result: unknown): Promise<NodeResponse> {
  if (result === undefined || result === null) return { status: 204, headers: [], body: Buffer.alloc(0) };
  if (typeof result !== 'object') {
    throw new TypeError(
      'The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".',
    );
  }
  const response = isHttpResponse(result) ? result : new HttpResponse(result as HttpResponseInit);
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers.push([name, value]);
  });
  for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
  for (const cookie of response.cookies) headers.push(['set-cookie', serializeCookie(cookie)]);
  return { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) };
}

function isHttpResponse(value: object): value is HttpResponse {
  if (value instanceof HttpResponse) return true;
  // Another copy of @azure/functions (an app outside this repo) makes instanceof fail.
  const candidate = value as Partial<HttpResponse>;
  return (
    typeof candidate.arrayBuffer === 'function' &&
    candidate.headers instanceof Headers &&
    Array.isArray(candidate.cookies)
  );
}

export function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

function writeNodeResponse(res: ServerResponse, output: NodeResponse, headOnly: boolean): void {
  res.statusCode = output.status;
  const grouped = new Map<string, string[]>();
  for (const [name, value] of output.headers) grouped.set(name, [...(grouped.get(name) ?? []), value]);
  for (const [name, values] of grouped) {
    if (name === 'content-length' || name === 'transfer-encoding') continue;
    res.setHeader(name, name === 'set-cookie' ? values : values.join(', '));
  }
  // 204 and 304 carry no body and no Content-Length.
  if (output.status === 204 || output.status === 304) {
    res.end();
    return;
  }
  res.setHeader('content-length', output.body.length);
  res.end(headOnly ? undefined : output.body);
}

function defaultLogError(message: string, error: unknown): void {
  console.error(`[tests/host] ${message}:`, error);
}
