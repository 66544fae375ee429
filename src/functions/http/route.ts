import type {
  HttpMethod,
  HttpRequest,
  HttpResponse,
  HttpResponseInit,
  InvocationContext,
} from '@azure/functions';
import * as df from 'durable-functions';
import { methodNotAllowed, problem } from './problem';

export type RouteHandler = (
  request: HttpRequest,
  client: df.DurableClient,
  context: InvocationContext,
) => Promise<HttpResponse | HttpResponseInit>;

// Every route accepts every method and answers the unsupported ones itself, so a wrong method gets
// the same 405 problem document under `func start`, in Azure and in tests/host alike.
const ALL_METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Registers one HTTP route with the durable client binding and a handler per method. */
export function durableRoute(
  name: string,
  route: string,
  handlers: Partial<Record<HttpMethod, RouteHandler>>,
  options: { authLevel?: 'anonymous' | 'function' } = {},
): void {
  const allowed = Object.keys(handlers);
  df.app.client.http(name, {
    route,
    methods: ALL_METHODS,
    authLevel: options.authLevel ?? 'function',
    handler: async (request, client, context) => {
      const handler = handlers[request.method as HttpMethod];
      if (!handler) return methodNotAllowed(allowed);
      try {
        return await handler(request, client, context);
      } catch (error) {
        // The log keeps the details; the caller only learns where to look.
        context.error(`${name} failed`, error);
        return problem(500, {
          detail: `The request failed; see the logs for invocation ${context.invocationId}.`,
        });
      }
    },
  });
}
