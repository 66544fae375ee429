// The endpoints DurableClient calls on `rpcBaseUrl` (protocol §5). The extension answers them with
// the same HttpApiHandler as the public webhooks (HandleRequestAsync only picks a different base
// path when the request arrives on its local RPC listener), so server.ts serves this mount with
// management.ts too.
// Check-status URLs built here still point at /runtime/webhooks/durabletask on the request's origin,
// exactly as the extension's GetClientResponseLinks does.
import { RPC_PATH } from './clientBinding';

/** The path under the RPC base, or undefined when `pathname` is not an RPC call. */
export function rpcSubPath(pathname: string): string | undefined {
  const base = RPC_PATH.replace(/\/$/, '');
  if (pathname === base) return '';
  return pathname.startsWith(RPC_PATH) ? pathname.slice(RPC_PATH.length) : undefined;
}
