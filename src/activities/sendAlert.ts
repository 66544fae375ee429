// POSTs one alert to one channel, in that channel's format (core/channelMessages) and, for a
// webhook with a secret, signed per Standard Webhooks (core/webhookSignature). The channel URL is
// user input, so the request goes through the network guard like every check; it is also a
// secret, so it only ever appears redacted in messages. A failed delivery throws: the
// `deliverAlert` queue function lets the host retry the message and reports each attempt.
import type { ErrorCode } from '../core/checkSpec';
import { channelBody } from '../core/channelMessages';
import type { AlertMessage } from '../core/alertQueue';
import { publicUrl } from '../core/alertChannels';
import { scrubUrl } from '../core/redactUrl';
import { scrubSecrets } from '../core/scrubSecrets';
import { signedHeaders } from '../core/webhookSignature';
import { guardedRequest } from './http';

/** Per attempt; the queue's retries bound the whole delivery. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Receivers answer "ok" or a short error; more is never needed. */
const RESPONSE_PREFIX_BYTES = 2_048;
const QUOTED_RESPONSE_CHARS = 200;

/** A delivery that did not reach a 2xx answer; the message is safe to log (URL redacted). */
export class AlertDeliveryError extends Error {
  override readonly name = 'AlertDeliveryError';
  constructor(
    message: string,
    readonly code: ErrorCode,
    readonly webhook: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface SendAlertOptions {
  timeoutMs?: number;
  /** Default: settings.allowPrivateNetworks() at call time (inside guardedRequest). */
  allowPrivateNetworks?: boolean;
  /** The attempt's time (webhook-timestamp); default now. */
  now?: Date;
}

export interface ChannelAnswer {
  status: number;
  latencyMs: number;
  /** The channel's URL, redacted. */
  target: string;
}

/** The headers of one attempt: JSON, plus the Standard Webhooks headers for webhook channels. */
export function requestHeaders(message: AlertMessage, body: string, now: Date): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  const destination = message.destination;
  if (destination.type !== 'webhook') return headers;
  const timestamp = Math.floor(now.getTime() / 1000);
  if (destination.secret !== undefined)
    return { ...headers, ...signedHeaders(destination.secret, message.id, timestamp, body) };
  // Unsigned webhooks still get the id, so receivers can deduplicate retries.
  return { ...headers, 'webhook-id': message.id, 'webhook-timestamp': String(timestamp) };
}

export async function sendToChannel(
  message: AlertMessage,
  options: SendAlertOptions = {},
): Promise<ChannelAnswer> {
  const { destination, alert } = message;
  const url = destination.url;
  const shown = publicUrl(url);
  // What a receiver or a library says may echo the URL's parts or, however unlikely, the secret.
  const scrub = (text: string) =>
    scrubSecrets(
      scrubUrl(text, url),
      destination.type === 'webhook' && destination.secret ? [destination.secret] : [],
    );
  const body = JSON.stringify(channelBody(destination.type, alert));
  const outcome = await guardedRequest(url, {
    method: 'POST',
    headers: requestHeaders(message, body, options.now ?? new Date()),
    body,
    timeoutMs: options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    // Re-posting to wherever a redirect points would hand the alert to a host nobody configured.
    followRedirects: false,
    maxBodyBytes: RESPONSE_PREFIX_BYTES,
    bodyLimitMode: 'truncate',
    ...(options.allowPrivateNetworks !== undefined
      ? { allowPrivateNetworks: options.allowPrivateNetworks }
      : {}),
  });
  const what = `Alert ${alert.kind} for ${alert.monitor} not delivered to ${destination.type} ${shown}`;
  if (!outcome.ok) {
    const reason = scrub(outcome.error.message);
    throw new AlertDeliveryError(`${what}: ${outcome.error.code}: ${reason}`, outcome.error.code, shown);
  }
  if (outcome.status < 200 || outcome.status > 299) {
    const said = quote(scrub(outcome.body.toString('utf8')));
    throw new AlertDeliveryError(`${what}: HTTP ${outcome.status}${said}`, 'HTTP', shown, outcome.status);
  }
  return { status: outcome.status, latencyMs: outcome.latencyMs, target: shown };
}

/** Receivers explain refusals in the body ("invalid_token", "no_service"); quote a bounded, single-line prefix. */
function quote(scrubbed: string): string {
  const line = scrubbed.replace(/\s+/g, ' ').trim();
  if (line === '') return '';
  return ` (${line.length > QUOTED_RESPONSE_CHARS ? `${line.slice(0, QUOTED_RESPONSE_CHARS)}…` : line})`;
}
