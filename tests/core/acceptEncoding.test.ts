import { chooseCoding, parseAcceptEncoding } from '../../src/core/acceptEncoding';

describe('chooseCoding', () => {
  it.each([
    // What real clients send.
    ['gzip, deflate, br, zstd', 'br'], // Chromium
    ['gzip, deflate, br', 'br'], // Firefox, Safari
    ['gzip, deflate', 'gzip'], // older clients, Node's fetch without br
    ['deflate, gzip', 'gzip'], // curl --compressed without brotli
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', 'br'],
  ])('%s -> %s', (header, expected) => {
    expect(chooseCoding(header)).toBe(expected);
  });

  it('answers without a coding when the client sent no Accept-Encoding, or an empty one', () => {
    expect(chooseCoding(undefined)).toBe('identity');
    expect(chooseCoding(null)).toBe('identity');
    expect(chooseCoding('')).toBe('identity');
    expect(chooseCoding(' , ')).toBe('identity');
  });

  it('never picks a coding the client refused with q=0', () => {
    expect(chooseCoding('gzip;q=0')).toBe('identity');
    expect(chooseCoding('br;q=0, gzip')).toBe('gzip');
    expect(chooseCoding('br;q=0.000, gzip;q=0.0')).toBe('identity');
    expect(chooseCoding('*, br;q=0')).toBe('gzip');
    expect(chooseCoding('*;q=0, gzip;q=0.5')).toBe('gzip');
  });

  it('follows the weights, and breaks ties by br, then gzip, then identity', () => {
    expect(chooseCoding('br;q=0.5, gzip;q=0.8')).toBe('gzip');
    expect(chooseCoding('gzip;q=0.5, br;q=0.5')).toBe('br');
    expect(chooseCoding('identity, gzip')).toBe('gzip');
    expect(chooseCoding('identity;q=1, gzip;q=0.9')).toBe('identity');
    expect(chooseCoding('gzip;q=0.001')).toBe('gzip');
  });

  it('treats identity and * as RFC 9110 says', () => {
    expect(chooseCoding('identity')).toBe('identity');
    expect(chooseCoding('*')).toBe('br');
    expect(chooseCoding('*;q=0.5, identity')).toBe('identity');
    // Everything refused, identity included: an answer without a coding is still better than 406.
    expect(chooseCoding('*;q=0')).toBe('identity');
    expect(chooseCoding('identity;q=0')).toBe('identity');
    expect(chooseCoding('identity;q=0, gzip;q=0.2')).toBe('gzip');
  });

  it('reads names case-insensitively, x-gzip as gzip, and tolerates spacing', () => {
    expect(chooseCoding('GZIP')).toBe('gzip');
    expect(chooseCoding('x-gzip')).toBe('gzip');
    expect(chooseCoding('  Br ; Q=0.7 ,gzip ;q=0.6')).toBe('br');
  });

  it('drops entries with a malformed weight instead of guessing one', () => {
    expect(chooseCoding('br;q=2, gzip')).toBe('gzip');
    expect(chooseCoding('br;q=abc')).toBe('identity');
    expect(chooseCoding('br;q=0.5000, gzip;q=0.1')).toBe('gzip');
    expect(chooseCoding('br;q=-1')).toBe('identity');
    expect(chooseCoding('gzip;q=')).toBe('identity');
  });
});

describe('parseAcceptEncoding', () => {
  it('keeps the first weight of a coding named twice, and ignores parameters other than q', () => {
    const weights = parseAcceptEncoding('gzip;q=0.3;level=9, br, gzip;q=1, x-gzip;q=0.9');
    expect([...weights]).toEqual([
      ['gzip', 0.3],
      ['br', 1],
    ]);
  });
});
