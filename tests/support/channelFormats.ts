// What each chat service accepts, written down from its published format as JSON Schema, so tests
// can check the bodies Sitewatch sends (tests/core/channelMessages, tests/app/monitorAlerts).
// These are the documented subsets we use, closed with additionalProperties: false so a misspelt
// or invented field fails. Sources:
// - Slack: "Sending messages using incoming webhooks" (api.slack.com/messaging/webhooks: `text`
//   plus optional `blocks`) and the Block Kit reference (api.slack.com/reference/block-kit/blocks:
//   header text plain_text <= 150 chars; section text <= 3000, at most 10 fields of <= 2000 chars;
//   at most 50 blocks) and composition objects (api.slack.com/reference/block-kit/composition-objects#text).
// - Teams: "Create incoming webhooks with Workflows for Microsoft Teams" (learn.microsoft.com;
//   the flow takes `{ type: "message", attachments: [{ contentType:
//   "application/vnd.microsoft.card.adaptive", contentUrl: null, content: <card> }] }`) and the
//   Adaptive Cards schema (adaptivecards.io/schemas/adaptive-card.json: TextBlock weight, size and
//   color enums; FactSet facts of { title, value }); Teams renders card versions up to 1.5.
// - Discord: Execute Webhook (discord.com/developers/docs/resources/webhook#execute-webhook:
//   `content` <= 2000 chars, at most 10 `embeds`, `allowed_mentions`) and Embed Limits
//   (.../resources/message#embed-object-embed-limits: title 256, description 4096, 25 fields of
//   name 256 / value 1024, 6000 characters in all; color an integer; timestamp ISO 8601).
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const str = (maxLength: number, minLength = 1) => ({ type: 'string', minLength, maxLength });

const slackText = (types: string[], maxLength: number) => ({
  type: 'object',
  additionalProperties: false,
  required: ['type', 'text'],
  properties: {
    type: { enum: types },
    text: str(maxLength),
    emoji: { type: 'boolean' },
    verbatim: { type: 'boolean' },
  },
});

export const SLACK_INCOMING_WEBHOOK = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: {
    text: str(40_000),
    blocks: {
      type: 'array',
      maxItems: 50,
      items: {
        oneOf: [
          {
            type: 'object',
            additionalProperties: false,
            required: ['type', 'text'],
            properties: {
              type: { const: 'header' },
              text: slackText(['plain_text'], 150),
              block_id: str(255),
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['type'],
            anyOf: [{ required: ['text'] }, { required: ['fields'] }],
            properties: {
              type: { const: 'section' },
              text: slackText(['plain_text', 'mrkdwn'], 3000),
              fields: {
                type: 'array',
                minItems: 1,
                maxItems: 10,
                items: slackText(['plain_text', 'mrkdwn'], 2000),
              },
              block_id: str(255),
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['type', 'elements'],
            properties: {
              type: { const: 'context' },
              elements: {
                type: 'array',
                minItems: 1,
                maxItems: 10,
                items: slackText(['plain_text', 'mrkdwn'], 3000),
              },
            },
          },
        ],
      },
    },
  },
};

const ADAPTIVE_TEXT_BLOCK = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'text'],
  properties: {
    type: { const: 'TextBlock' },
    text: { type: 'string' },
    weight: { enum: ['Default', 'Lighter', 'Bolder'] },
    size: { enum: ['Default', 'Small', 'Medium', 'Large', 'ExtraLarge'] },
    color: { enum: ['Default', 'Dark', 'Light', 'Accent', 'Good', 'Warning', 'Attention'] },
    wrap: { type: 'boolean' },
    isSubtle: { type: 'boolean' },
  },
};

const ADAPTIVE_FACT_SET = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'facts'],
  properties: {
    type: { const: 'FactSet' },
    facts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'value'],
        properties: { title: { type: 'string' }, value: { type: 'string' } },
      },
    },
  },
};

export const TEAMS_WORKFLOWS_MESSAGE = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'attachments'],
  properties: {
    type: { const: 'message' },
    attachments: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['contentType', 'content'],
        properties: {
          contentType: { const: 'application/vnd.microsoft.card.adaptive' },
          contentUrl: { type: 'null' },
          content: {
            type: 'object',
            additionalProperties: false,
            required: ['type', 'version', 'body'],
            properties: {
              $schema: { const: 'http://adaptivecards.io/schemas/adaptive-card.json' },
              type: { const: 'AdaptiveCard' },
              version: { enum: ['1.0', '1.1', '1.2', '1.3', '1.4', '1.5'] },
              body: { type: 'array', items: { oneOf: [ADAPTIVE_TEXT_BLOCK, ADAPTIVE_FACT_SET] } },
            },
          },
        },
      },
    },
  },
};

export const DISCORD_EXECUTE_WEBHOOK = {
  type: 'object',
  additionalProperties: false,
  anyOf: [{ required: ['content'] }, { required: ['embeds'] }],
  properties: {
    content: str(2000),
    username: str(80),
    avatar_url: { type: 'string', format: 'uri' },
    tts: { type: 'boolean' },
    allowed_mentions: {
      type: 'object',
      additionalProperties: false,
      properties: { parse: { type: 'array', items: { enum: ['roles', 'users', 'everyone'] } } },
    },
    embeds: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          title: str(256),
          description: str(4096),
          url: { type: 'string', format: 'uri' },
          timestamp: { type: 'string', format: 'date-time' },
          color: { type: 'integer', minimum: 0, maximum: 0xffffff },
          footer: { type: 'object', required: ['text'], properties: { text: str(2048) } },
          fields: {
            type: 'array',
            maxItems: 25,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'value'],
              properties: { name: str(256), value: str(1024), inline: { type: 'boolean' } },
            },
          },
        },
      },
    },
  },
};

/** The plain webhook: the Standard Webhooks envelope fields (type, timestamp) plus the alert. */
export const SITEWATCH_WEBHOOK = {
  type: 'object',
  required: ['type', 'timestamp', 'text', 'monitor', 'kind', 'at', 'url', 'status', 'incident', 'lastResult'],
  properties: {
    type: { type: 'string', pattern: '^monitor\\.(down|recovered|realert|test)$' },
    timestamp: { type: 'string', format: 'date-time' },
    text: { type: 'string' },
  },
};

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validators: Record<string, ValidateFunction> = {
  webhook: ajv.compile(SITEWATCH_WEBHOOK),
  slack: ajv.compile(SLACK_INCOMING_WEBHOOK),
  teams: ajv.compile(TEAMS_WORKFLOWS_MESSAGE),
  discord: ajv.compile(DISCORD_EXECUTE_WEBHOOK),
};

/** Discord counts title, description, field names and values, footer and author together. */
function discordEmbedTotal(body: { embeds?: Array<Record<string, unknown>> }): number {
  let total = 0;
  for (const embed of body.embeds ?? []) {
    for (const key of ['title', 'description'] as const) total += String(embed[key] ?? '').length;
    for (const field of (embed.fields as Array<{ name: string; value: string }>) ?? [])
      total += field.name.length + field.value.length;
  }
  return total;
}

/** Problems with `body` as a request to a `type` channel; [] when it is valid. */
export function channelFormatErrors(
  type: 'webhook' | 'slack' | 'teams' | 'discord',
  body: unknown,
): string[] {
  const validate = validators[type];
  const errors = validate(body)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
  if (type === 'discord' && discordEmbedTotal(body as { embeds?: Array<Record<string, unknown>> }) > 6000)
    errors.push('embeds exceed 6000 characters in all');
  return errors;
}
