// Where a monitor's alerts go: up to MAX_ALERT_CHANNELS channels, each a service people already
// use. The URLs are bearer credentials and the webhook secret is a signing key, so everything
// that leaves the process shows a channel only through publicChannel.
import { z } from 'zod';
import { redactUrl } from './redactUrl';

export const MAX_ALERT_CHANNELS = 5;
/**
 * Longest channel URL shown. redactUrl keeps the host and a first path segment, which a URL may
 * stretch to 2 KB; five channels shown in both the config and state.channels must stay well
 * inside the 16 KB customStatus limit.
 */
export const MAX_PUBLIC_URL_LENGTH = 120;
export const MAX_WEBHOOK_URL_LENGTH = 2_048;

export const WebhookUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http or https URL' })
  .max(MAX_WEBHOOK_URL_LENGTH);

/**
 * A Standard Webhooks signing secret: `whsec_` and the base64 of 24-64 random bytes (the spec
 * recommends 24-64; Svix issues 24, many senders 32).
 */
export const WebhookSecret = z
  .string()
  .max(100)
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_ followed by base64')
  .refine((secret) => {
    const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
    return bytes >= 24 && bytes <= 64;
  }, 'must encode 24 to 64 bytes after whsec_');

export const WebhookChannel = z.strictObject({
  type: z.literal('webhook'),
  url: WebhookUrl,
  /** Signs every request per the Standard Webhooks spec when set. */
  secret: WebhookSecret.optional(),
});
export const SlackChannel = z.strictObject({ type: z.literal('slack'), url: WebhookUrl });
/** A Teams Workflows "When a Teams webhook request is received" URL (not the retired O365 connector). */
export const TeamsChannel = z.strictObject({ type: z.literal('teams'), url: WebhookUrl });
export const DiscordChannel = z.strictObject({ type: z.literal('discord'), url: WebhookUrl });

export const AlertChannel = z.discriminatedUnion('type', [
  WebhookChannel,
  SlackChannel,
  TeamsChannel,
  DiscordChannel,
]);
export type AlertChannel = z.infer<typeof AlertChannel>;
export type ChannelType = AlertChannel['type'];
export const ChannelType = z.enum(['webhook', 'slack', 'teams', 'discord']);

export const AlertChannels = z.array(AlertChannel).max(MAX_ALERT_CHANNELS);

/** How a channel appears in answers, logs and status pages: its URL redacted, a secret only as set. */
export const PublicChannel = z.strictObject({
  type: ChannelType,
  url: z.string().max(MAX_PUBLIC_URL_LENGTH),
  secret: z.literal('(set)').optional(),
});
export type PublicChannel = z.infer<typeof PublicChannel>;

/** A channel URL as anyone may see it: redacted, then cut to MAX_PUBLIC_URL_LENGTH. */
export function publicUrl(raw: string): string {
  const shown = redactUrl(raw);
  return shown.length <= MAX_PUBLIC_URL_LENGTH ? shown : `${shown.slice(0, MAX_PUBLIC_URL_LENGTH - 1)}…`;
}

export function publicChannel(channel: AlertChannel): PublicChannel {
  return {
    type: channel.type,
    url: publicUrl(channel.url),
    ...(channel.type === 'webhook' && channel.secret !== undefined && { secret: '(set)' as const }),
  };
}

/**
 * Every channel of a monitor, in delivery order: the `webhook` shorthand first (a plain webhook
 * without a secret), then `alerts`. A channel's index in this list names it in the monitor view.
 */
export function channelsOf(config: { webhook?: string; alerts?: AlertChannel[] }): AlertChannel[] {
  return [
    ...(config.webhook !== undefined ? [{ type: 'webhook' as const, url: config.webhook }] : []),
    ...(config.alerts ?? []),
  ];
}
