// The request body each channel type expects, built from one AlertPayload. Each builder follows
// the service's published format and stays inside its documented limits, so a long error message
// from a target is cut rather than making the service refuse the whole alert:
// - webhook: the structured alert plus `type`/`timestamp`, the envelope fields the Standard
//   Webhooks spec recommends (spec/standard-webhooks.md, "Payload structure");
// - slack: incoming webhooks take `text` (the notification fallback) plus Block Kit `blocks`
//   (api.slack.com/messaging/webhooks, api.slack.com/reference/block-kit/blocks);
// - teams: a Workflows "When a Teams webhook request is received" flow takes a message with an
//   Adaptive Card attachment (learn.microsoft.com, "Create incoming webhooks with Workflows for
//   Microsoft Teams"; adaptivecards.io/schemas/adaptive-card.json, version 1.4);
// - discord: Execute Webhook takes `content` and `embeds` (discord.com/developers/docs/resources/webhook#execute-webhook,
//   .../resources/message#embed-object-embed-limits).
import { alertText, describeResult, formatDuration } from './alert';
import type { ChannelType } from './alertChannels';
import type { AlertPayload } from './monitorSchemas';

export const CHANNEL_LIMITS = {
  slackHeader: 150,
  slackText: 3_000,
  slackField: 2_000,
  discordContent: 2_000,
  discordTitle: 256,
  /** The documented cap is 4096, but all of an embed must stay under 6000 characters. */
  discordDescription: 2_000,
  discordFieldName: 256,
  discordFieldValue: 1_024,
} as const;

/** Alert kinds as webhook event types: `monitor.down`, `monitor.recovered`, ... */
export function eventType(alert: AlertPayload): string {
  return `monitor.${alert.kind.toLowerCase()}`;
}

export function channelBody(type: ChannelType, alert: AlertPayload): unknown {
  switch (type) {
    case 'webhook':
      return webhookBody(alert);
    case 'slack':
      return slackBody(alert);
    case 'teams':
      return teamsBody(alert);
    case 'discord':
      return discordBody(alert);
  }
}

/** The plain webhook: the alert's own fields (as before channels existed) plus the envelope fields. */
export function webhookBody(alert: AlertPayload) {
  return { type: eventType(alert), timestamp: alert.at, text: alertText(alert), ...alert };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const HEADLINES: Record<AlertPayload['kind'], string> = {
  DOWN: '🔴 DOWN',
  REALERT: '🔴 STILL DOWN',
  RECOVERED: '✅ RECOVERED',
  TEST: '🧪 TEST',
};

/** The facts every rich format shows, as label/value pairs. */
export function alertFacts(alert: AlertPayload): Array<[string, string]> {
  const facts: Array<[string, string]> = [
    ['Monitor', alert.monitor],
    ['URL', alert.url],
    ['Status', alert.status],
  ];
  if (alert.kind !== 'TEST') facts.push(['Last check', describeResult(alert.lastResult)]);
  if (alert.incident) {
    facts.push(['Incident', alert.incident.id]);
    facts.push(['Down for', formatDuration(alert.incident.durationMs)]);
    if (alert.incident.acknowledgedAt !== undefined)
      facts.push(['Acknowledged', alert.incident.acknowledgedAt]);
  }
  facts.push(['At', alert.at]);
  return facts;
}

/** Slack mrkdwn gives &, < and > control meaning (links, mentions); everything else is literal. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackBody(alert: AlertPayload) {
  const text = alertText(alert);
  return {
    text: cut(text, CHANNEL_LIMITS.slackText),
    blocks: [
      {
        type: 'header',
        text: {
          type: 'plain_text',
          text: cut(`${HEADLINES[alert.kind]}: ${alert.monitor}`, CHANNEL_LIMITS.slackHeader),
          emoji: true,
        },
      },
      { type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(text), CHANNEL_LIMITS.slackText) } },
      {
        type: 'section',
        // Block Kit allows at most 10 fields per section.
        fields: alertFacts(alert)
          .slice(0, 10)
          .map(([label, value]) => ({
            type: 'mrkdwn',
            text: cut(`*${label}*\n${slackEscape(value)}`, CHANNEL_LIMITS.slackField),
          })),
      },
    ],
  };
}

export function teamsBody(alert: AlertPayload) {
  const good = alert.kind === 'RECOVERED' || alert.kind === 'TEST';
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: `${HEADLINES[alert.kind]}: ${alert.monitor}`,
              weight: 'Bolder',
              size: 'Medium',
              color: good ? 'Good' : 'Attention',
              wrap: true,
            },
            { type: 'TextBlock', text: alertText(alert), wrap: true },
            { type: 'FactSet', facts: alertFacts(alert).map(([title, value]) => ({ title, value })) },
          ],
        },
      },
    ],
  };
}

const DISCORD_COLORS: Record<AlertPayload['kind'], number> = {
  DOWN: 0xd93025,
  REALERT: 0xd93025,
  RECOVERED: 0x1e8e3e,
  TEST: 0x1a73e8,
};

export function discordBody(alert: AlertPayload) {
  return {
    content: cut(alertText(alert), CHANNEL_LIMITS.discordContent),
    embeds: [
      {
        title: cut(`${HEADLINES[alert.kind]}: ${alert.monitor}`, CHANNEL_LIMITS.discordTitle),
        description: cut(alertText(alert), CHANNEL_LIMITS.discordDescription),
        color: DISCORD_COLORS[alert.kind],
        timestamp: alert.at,
        fields: alertFacts(alert).map(([name, value]) => ({
          name: cut(name, CHANNEL_LIMITS.discordFieldName),
          value: cut(value, CHANNEL_LIMITS.discordFieldValue),
          inline: name !== 'URL' && name !== 'Last check',
        })),
      },
    ],
    // A target's error text may contain "@everyone" or a role mention; never ping anyone with it.
    allowed_mentions: { parse: [] },
  };
}
