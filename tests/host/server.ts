// One node:http server on 127.0.0.1 that plays the Functions host's front door: the durable
// webhooks, the durable RPC endpoint, the admin API and the app's HTTP routes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminFunctionName, serveAdmin } from './api/admin';
import { WEBHOOK_PATH } from './api/clientBinding';
import { serveManagementApi, type ManagementApiDeps } from './api/management';
import { rpcSubPath } from './api/rpc';
import { sendError, sendJson } from './httpUtil';
import { buildRouteTable, serveHttpTrigger } from './triggers/http';
import type { DurableBackend, HostSettings, Invoker, Registry } from './types';

export interface ServerDeps {
  registry: Registry;
  settings: HostSettings;
  durable: DurableBackend;
  invoker: Invoker;
  runTimer(name: string): Promise<void>;
  /**
   * With a durable store (`--data`): resolves once every change so far is on disk. Durable HTTP API
   * answers wait for it, so a 202 for a start or an event, and any status a client saw, survive a
   * crash, as the extension answers only after its storage write.
   */
  durableReplies?: () => Promise<void>;
}

export interface ServerOptions {
  /** 0 or omitted: a free port. */
  port?: number;
  /** Page size of `GET instances/` when the caller gives no `top` (default 100, as Azure Storage). */
  listPageSize?: number;
  logError?: (message: string, error: unknown) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Delays the end of `res` until `settled` resolves. Node sends nothing before end() (the answers
 * here are written in one piece), so the client sees no byte of an answer that is not durable yet.
 */
function holdUntilDurable(
  res: ServerResponse,
  settled: () => Promise<void>,
  logError: (message: string, error: unknown) => void,
): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    settled().then(
      () => end(...args),
      (error: unknown) => {
        logError('A durable change could not be saved; the answer is withheld', error);
        res.destroy();
      },
    );
    return res;
  }) as typeof res.end;
}

export async function startServer(deps: ServerDeps, options: ServerOptions = {}): Promise<RunningServer> {
  // Built before listening, so a malformed route fails host start.
  const routes = buildRouteTable(deps.registry, deps.settings);
  const logError =
    options.logError ??
    ((message: string, error: unknown) => console.error(`[tests/host] ${message}:`, error));
  let fallbackHost = '127.0.0.1';
  const durableDeps = (): ManagementApiDeps => ({
    durable: deps.durable,
    taskHubName: deps.settings.taskHubName,
    listPageSize: options.listPageSize,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = `http://${req.headers.host ?? fallbackHost}`;
    const { pathname } = new URL(req.url ?? '/', origin);
    if (pathname === WEBHOOK_PATH || pathname.startsWith(`${WEBHOOK_PATH}/`)) {
      if (deps.durableReplies) holdUntilDurable(res, deps.durableReplies, logError);
      return serveManagementApi(req, res, pathname.slice(WEBHOOK_PATH.length + 1), origin, durableDeps());
    }
    const rpc = rpcSubPath(pathname);
    if (rpc !== undefined) {
      if (deps.durableReplies) holdUntilDurable(res, deps.durableReplies, logError);
      return serveManagementApi(req, res, rpc, origin, durableDeps());
    }
    const adminName = adminFunctionName(pathname);
    if (adminName !== undefined) return serveAdmin(req, res, adminName, { ...deps, logError });
    if (pathname === '/admin/host/status') return sendJson(res, 200, { state: 'Running' });
    return serveHttpTrigger(req, res, origin, { routes, invoker: deps.invoker, logError });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logError(`Unhandled error serving ${req.method} ${req.url}`, error);
      if (!res.headersSent) sendError(res, 500, 'Internal error in tests/host');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  fallbackHost = `127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets (axios, fetch) would otherwise hold close() open.
        server.closeIdleConnections();
        setImmediate(() => server.closeAllConnections());
      });
      return closing;
    },
  };
}
