// Each channel's body against the published format of its service (tests/support/channelFormats
// names the sources), for every alert kind and for an alert at its size limits.
import { alertText } from '../../src/core/alert';
import { channelBody, discordBody, slackBody, teamsBody, webhookBody } from '../../src/core/channelMessages';
import { AlertPayload, MONITOR_LIMITS } from '../../src/core/monitorSchemas';
import { channelFormatErrors } from '../support/channelFormats';
import { DOWN_ALERT } from '../support/sampleAlert';

const base = DOWN_ALERT;

const kinds: AlertPayload[] = [
  base,
  { ...base, kind: 'REALERT', incident: { ...base.incident!, durationMs: 600_000, acknowledgedAt: base.at } },
  {
    ...base,
    kind: 'RECOVERED',
    status: 'up',
    incident: { ...base.incident!, closedAt: base.at, durationMs: 60_000 },
  },
  { ...base, kind: 'TEST', status: 'up', incident: null },
];

// The longest alert the schemas allow: a long URL and an error message at its cap, full of markup.
const huge: AlertPayload = {
  ...base,
  url: `https://api.example.test/${'x'.repeat(2000)}`,
  lastResult: {
    ...base.lastResult,
    code: 'TIMEOUT',
    message: '<!channel> @everyone & *bold* '.repeat(20).slice(0, MONITOR_LIMITS.maxMessageLength),
  },
};

const TYPES = ['webhook', 'slack', 'teams', 'discord'] as const;

describe.each(TYPES)('%s bodies', (type) => {
  it.each(kinds.map((a) => [a.kind, a] as const))('%s is valid for the service', (_kind, alert) => {
    expect(channelFormatErrors(type, channelBody(type, alert))).toEqual([]);
  });

  it('stays valid at the size limits', () => {
    expect(channelFormatErrors(type, channelBody(type, huge))).toEqual([]);
  });
});

describe('the format checks can fail', () => {
  it('rejects bodies that break the published limits or invent fields', () => {
    const slack = JSON.parse(JSON.stringify(slackBody(base))) as {
      blocks: Array<{ text: { text: string } }>;
    };
    slack.blocks[0].text.text = 'x'.repeat(151);
    expect(channelFormatErrors('slack', slack)).not.toEqual([]);
    expect(channelFormatErrors('teams', { ...teamsBody(base), type: 'card' })).not.toEqual([]);
    expect(channelFormatErrors('discord', { ...discordBody(base), content: 'x'.repeat(2001) })).not.toEqual(
      [],
    );
    expect(channelFormatErrors('webhook', { ...webhookBody(base), type: 'down' })).not.toEqual([]);
  });
});

describe('content', () => {
  it('the webhook carries the structured alert with the envelope fields', () => {
    expect(webhookBody(base)).toStrictEqual({
      type: 'monitor.down',
      timestamp: base.at,
      text: alertText(base),
      ...base,
    });
  });

  it('slack escapes mrkdwn control characters and keeps the text fallback', () => {
    const body = slackBody(huge);
    expect(body.text).toBe(alertText(huge));
    const section = JSON.stringify(body.blocks);
    expect(section).not.toContain('<!channel>');
    expect(section).toContain('&lt;!channel&gt;');
  });

  it('teams shows a coloured headline and the facts', () => {
    const card = teamsBody(base).attachments[0].content;
    expect(card.body[0]).toMatchObject({ text: '🔴 DOWN: api-health', color: 'Attention' });
    expect(card.body[2]).toMatchObject({ type: 'FactSet' });
    expect(teamsBody(kinds[2]).attachments[0].content.body[0]).toMatchObject({ color: 'Good' });
  });

  it('discord never pings anyone from a target’s error text', () => {
    expect(discordBody(huge).allowed_mentions).toEqual({ parse: [] });
    expect(discordBody(base).embeds[0]).toMatchObject({ title: '🔴 DOWN: api-health', timestamp: base.at });
  });
});
