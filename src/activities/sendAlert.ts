// Activity: POST one monitor alert to its incoming webhook. The webhook URL is user input, so
// the request goes through the network guard like every check; it is also a secret, so it only
// ever appears redacted in messages. A failed delivery throws: the orchestrator calls this with
// callActivityWithRetry (ALERT_RETRY) and records the final failure in the monitor state.
import * as df from 'durable-functions';
import { alertText } from '../core/alert';
import type { ErrorCode } from '../core/checkSpec';
import { AlertDelivery, SendAlertInput, type AlertPayload } from '../core/monitorSchemas';
import { redactUrl, scrubUrl } from '../core/redactUrl';
import { guardedRequest } from './http';

/** Per attempt; the retry policy bounds the whole delivery. */
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
}

/** The JSON a webhook receives: `text` for chat tools, the structured alert for everything else. */
export function webhookBody(alert: AlertPayload): { text: string } & AlertPayload {
  return { text: alertText(alert), ...alert };
}

export async function sendAlert(
  input: SendAlertInput,
  options: SendAlertOptions = {},
): Promise<AlertDelivery> {
  const { webhook, alert } = input;
  const shown = redactUrl(webhook);
  const outcome = await guardedRequest(webhook, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(webhookBody(alert)),
    timeoutMs: options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    // Re-posting to wherever a redirect points would hand the alert to a host nobody configured.
    followRedirects: false,
    maxBodyBytes: RESPONSE_PREFIX_BYTES,
    bodyLimitMode: 'truncate',
    ...(options.allowPrivateNetworks !== undefined
      ? { allowPrivateNetworks: options.allowPrivateNetworks }
      : {}),
  });
  if (!outcome.ok) {
    const reason = scrubUrl(outcome.error.message, webhook);
    throw new AlertDeliveryError(
      `Alert ${alert.kind} for ${alert.monitor} not delivered to ${shown}: ${outcome.error.code}: ${reason}`,
      outcome.error.code,
      shown,
    );
  }
  if (outcome.status < 200 || outcome.status > 299) {
    const said = quote(outcome.body.toString('utf8'), webhook);
    throw new AlertDeliveryError(
      `Alert ${alert.kind} for ${alert.monitor} not delivered to ${shown}: HTTP ${outcome.status}${said}`,
      'HTTP',
      shown,
      outcome.status,
    );
  }
  return { ok: true, status: outcome.status, latencyMs: outcome.latencyMs, webhook: shown };
}

/** Receivers explain refusals in the body ("invalid_token", "no_service"); quote a bounded, single-line prefix. */
function quote(body: string, webhook: string): string {
  const line = scrubUrl(body, webhook).replace(/\s+/g, ' ').trim();
  if (line === '') return '';
  return ` (${line.length > QUOTED_RESPONSE_CHARS ? `${line.slice(0, QUOTED_RESPONSE_CHARS)}…` : line})`;
}

/**
 * The activity body: validates the input (a malformed one is a bug in the caller, so it throws
 * with the offending fields named, never their values) and sends the alert.
 */
export async function sendAlertActivity(
  input: unknown,
  options: SendAlertOptions = {},
): Promise<AlertDelivery> {
  const parsed = SendAlertInput.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    throw new TypeError(`Invalid sendAlert input: ${fields}`);
  }
  return sendAlert(parsed.data, options);
}

df.app.activity('sendAlert', {
  handler: async (input: unknown, context) => {
    const delivery = await sendAlertActivity(input);
    context.log(
      `Alert delivered to ${delivery.webhook}: HTTP ${delivery.status} in ${delivery.latencyMs} ms`,
    );
    return delivery;
  },
});
