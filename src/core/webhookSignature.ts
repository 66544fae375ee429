// Standard Webhooks signing (https://www.standardwebhooks.com, spec/standard-webhooks.md,
// "Signature scheme"): the signed content is `<webhook-id>.<webhook-timestamp>.<body>`, the key
// is the base64-decoded part of the secret after `whsec_`, and `webhook-signature` is a
// space-separated list of `v1,<base64 HMAC-SHA256>`. Receivers deduplicate on webhook-id and
// refuse timestamps outside their tolerance (5 minutes in the reference libraries), so the id
// stays the same across retries of one alert while each attempt is signed with its own time.
import { createHmac } from 'node:crypto';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signingKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

export function webhookSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', signingKey(secret)).update(`${id}.${timestampSeconds}.${body}`);
  return `v1,${mac.digest('base64')}`;
}

export function signedHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): SignedHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': webhookSignature(secret, id, timestampSeconds, body),
  };
}
