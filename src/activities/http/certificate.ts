// TLS certificate expiry as seen on the response's own socket.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

const DAY_MS = 86_400_000;

/**
 * The peer certificate's notAfter, read from the socket that carried this response. Must be called
 * while the response is current: once the body is drained a keep-alive socket can be handed to
 * another request (or destroyed, after which the certificate is gone).
 */
export function peerCertificateValidTo(socket: Socket | null | undefined): Date | undefined {
  const tlsSocket = socket as TLSSocket | null | undefined;
  if (!tlsSocket || typeof tlsSocket.getPeerCertificate !== 'function') return undefined;
  const validTo = tlsSocket.getPeerCertificate()?.valid_to;
  if (!validTo) return undefined;
  const at = new Date(validTo);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** Whole days until `validTo` (negative once expired). */
export function daysLeft(validTo: Date, now: Date): number {
  return Math.floor((validTo.getTime() - now.getTime()) / DAY_MS);
}
