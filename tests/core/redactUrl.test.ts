import { redactUrl, scrubUrl } from '../../src/core/redactUrl';

describe('redactUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T000/B000/XXXXSECRET', 'https://hooks.slack.com/services/***'],
    [
      'https://contoso.webhook.office.com/webhookb2/1234@5678/IncomingWebhook/abcdef/9999',
      'https://contoso.webhook.office.com/webhookb2/***',
    ],
    ['https://discord.com/api/webhooks/123/tok-en', 'https://discord.com/api/***'],
    // A lone segment may be the secret itself (ntfy topics).
    ['https://ntfy.sh/my-secret-topic', 'https://ntfy.sh/***'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com/', 'https://example.com/'],
    ['https://example.com/hook?token=abc&x=1', 'https://example.com/***?***'],
    ['https://example.com/a/b#frag', 'https://example.com/a/***'],
    ['https://user:pass@example.com/a/b', 'https://***@example.com/a/***'],
    ['http://127.0.0.1:8080/a/b/c', 'http://127.0.0.1:8080/a/***'],
    ['http://[::1]:9000/x/y', 'http://[::1]:9000/x/***'],
    ['HTTPS://EXAMPLE.COM:443/A/B', 'https://example.com/A/***'],
    ['not a url /secret/token', '<invalid URL ***>'],
  ])('%s -> %s', (raw, expected) => {
    expect(redactUrl(raw)).toBe(expected);
  });

  it('never contains the secret parts', () => {
    const secret = 'Zq9sEcReT';
    for (const raw of [
      `https://h.example/services/${secret}`,
      `https://h.example/${secret}`,
      `https://h.example/a?k=${secret}`,
      `https://${secret}:x@h.example/a`,
    ]) {
      expect(redactUrl(raw)).not.toContain(secret);
    }
  });
});

describe('scrubUrl', () => {
  const webhook = 'https://hooks.example.test/services/T0/B0/s3cr3t?sig=abc';

  it('replaces the URL, its path and its query wherever they appear', () => {
    const message = [
      `POST ${webhook} failed`,
      'path /services/T0/B0/s3cr3t?sig=abc',
      'pathname /services/T0/B0/s3cr3t',
      'query ?sig=abc',
    ].join('; ');
    const scrubbed = scrubUrl(message, webhook);
    expect(scrubbed).toBe(
      'POST https://hooks.example.test/services/***?*** failed; path ***; pathname ***; query ***',
    );
    expect(scrubbed).not.toContain('s3cr3t');
    expect(scrubbed).not.toContain('sig=abc');
  });

  it('leaves messages without the URL alone', () => {
    expect(scrubUrl('connect ECONNREFUSED 127.0.0.1:9', webhook)).toBe('connect ECONNREFUSED 127.0.0.1:9');
    expect(scrubUrl('short /a path', 'https://h.example/a')).toBe('short /a path');
  });
});
