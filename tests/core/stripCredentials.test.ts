import { scrubCredentials, withoutCredentials } from '../../src/core/stripCredentials';

describe('withoutCredentials', () => {
  test.each([
    ['http://admin:secret@host.test/a?b=c', 'http://host.test/a?b=c'],
    ['https://user@host.test:8443/', 'https://host.test:8443/'],
    ['http://a@b:c@host.test/', 'http://host.test/'],
    ['http://:pw@host.test/', 'http://host.test/'],
    ['http://host.test/p@th', 'http://host.test/p@th'],
    ['http://host.test/', 'http://host.test/'],
    ['/relative/path', '/relative/path'],
    // Unparsable: the user info is cut from the text.
    ['http://admin:secret@[bad/', 'http://[bad/'],
    ['//admin:secret@other.test/x', '//other.test/x'],
    // Special schemes parse without their slashes too.
    ['http:admin:secret@other.test/x', 'http://other.test/x'],
    ['https:\\\\admin:secret@[bad', 'https://[bad'],
  ])('%s -> %s', (raw, expected) => {
    expect(withoutCredentials(raw)).toBe(expected);
  });
});

describe('scrubCredentials', () => {
  test('removes the user info of every URL in a text', () => {
    expect(scrubCredentials('from http://u:p@a.test/x to https://v:q@b.test?y and mail me@example.com')).toBe(
      'from http://a.test/x to https://b.test?y and mail me@example.com',
    );
  });

  test('slashless special schemes lose their user info too; other schemes are left alone', () => {
    expect(scrubCredentials('go to http:u:p@h.test/x or HTTPS:v@h.test')).toBe(
      'go to http://h.test/x or HTTPS://h.test',
    );
    expect(scrubCredentials('mailto:me@example.com')).toBe('mailto:me@example.com');
  });

  test('a backslash ends the authority, as for the URL parser', () => {
    expect(scrubCredentials('http://u:secret@h.test\\x@y')).toBe('http://h.test\\x@y');
  });
});
