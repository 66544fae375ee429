import { headerSecrets, scrubSecrets, urlSecrets } from '../../src/core/scrubSecrets';

describe('scrubSecrets with urlSecrets', () => {
  const webhook = 'https://hooks.example.test/services/T0AB12/B0CD34/s3cr3tT0ken?sig=abc123&v=1';
  const scrub = (text: string) => scrubSecrets(text, urlSecrets(webhook));

  test.each([
    ['a path segment echoed alone', 'invalid_token: s3cr3tT0ken', 'invalid_token: ***'],
    ['a run of segments', 'no team T0AB12/B0CD34/s3cr3tT0ken', 'no team ***'],
    ['a query value', 'bad signature abc123', 'bad signature ***'],
    ['a query pair', 'rejected sig=abc123', 'rejected ***'],
    [
      'the path and query',
      'POST /services/T0AB12/B0CD34/s3cr3tT0ken?sig=abc123&v=1 failed',
      'POST *** failed',
    ],
    ['a JSON-escaped path', '{"path":"\\/services\\/T0AB12"}', '{"path":"\\/services\\/***"}'],
  ])('masks %s', (_what, text, expected) => {
    expect(scrub(text)).toBe(expected);
  });

  test('keeps the fixed first segment and short values that cannot be secrets', () => {
    expect(scrub('the services route took v=1')).toBe('the services route took v=1');
  });

  test('masks decoded and percent-encoded spellings', () => {
    const url = 'https://h.example/hook/to%20ken%2Fpart?key=p%40ss%3Dword';
    const text = 'got "to ken/part" and p@ss=word and p%40ss%3Dword';
    const scrubbed = scrubSecrets(text, urlSecrets(url));
    expect(scrubbed).not.toContain('to ken/part');
    expect(scrubbed).not.toContain('p@ss=word');
    expect(scrubbed).not.toContain('p%40ss%3Dword');
  });

  test('masks user info, also as the decoded name, password and Basic token a receiver may echo', () => {
    const url = 'https://hookuser:hookp%40ss@h.example/in';
    const token = Buffer.from('hookuser:hookp@ss').toString('base64');
    const text = `user hookuser (password hookp@ss) sent Basic ${token}; raw hookp%40ss`;
    expect(scrubSecrets(text, urlSecrets(url))).toBe('user *** (password ***) sent Basic ***; raw ***');
  });

  test('an unparsable URL is masked as a whole', () => {
    expect(scrubSecrets('bad http://[x/secret here', urlSecrets('http://[x/secret'))).toBe('bad *** here');
  });
});

describe('headerSecrets', () => {
  test('decodes Basic credentials and drops the scheme of other Authorization values', () => {
    const basic = `Basic ${Buffer.from('alice:wonder-land').toString('base64')}`;
    const secrets = headerSecrets({
      Authorization: basic,
      'X-Api-Key': 'k-12345',
      'Content-Type': 'application/json',
    });
    const text = `alice / wonder-land / alice:wonder-land / ${basic} / k-12345 / application/json`;
    expect(scrubSecrets(text, secrets)).toBe('*** / *** / *** / *** / *** / application/json');
    const bearer = headerSecrets({ authorization: 'Bearer eyJtoken.part' });
    expect(scrubSecrets('token eyJtoken.part refused', bearer)).toBe('token *** refused');
  });

  test('no headers, no secrets', () => {
    expect(headerSecrets(undefined)).toEqual([]);
  });
});

test('a custom replacement sees which secret matched', () => {
  expect(scrubSecrets('a longsecret b', ['longsecret'], (s) => `<${s.length}>`)).toBe('a <10> b');
});
