import { canonicalIso, compareInstants, instantOf } from '../../src/core/instant';

describe('instants, not text', () => {
  // The forms one instant takes after the Durable extension (tests/host/engine/dates.ts).
  const forms = ['2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00Z', '2026-11-30T10:00:00+00:00'];

  it('gives every form of one instant the same value and the same canonical text', () => {
    for (const form of forms) {
      expect(instantOf(form)).toBe(Date.UTC(2026, 10, 30, 10));
      expect(canonicalIso(form)).toBe('2026-11-30T10:00:00.000Z');
    }
    expect(canonicalIso('2026-11-30T12:00:00.12+02:00')).toBe('2026-11-30T10:00:00.120Z');
  });

  it('orders by instant where string order is wrong', () => {
    const earlier = '2026-11-30T10:00:00Z';
    const later = '2026-11-30T10:00:00.500Z';
    expect(earlier > later).toBe(true); // 'Z' sorts after '.': text order says the opposite
    expect(compareInstants(earlier, later)).toBeLessThan(0);
    expect([later, earlier].sort(compareInstants)).toEqual([earlier, later]);
    expect(compareInstants(forms[0]!, forms[1]!)).toBe(0);
  });

  it('refuses text that is not a time', () => {
    expect(() => instantOf('')).toThrow(RangeError);
    expect(() => canonicalIso('yesterday')).toThrow('Not a valid time: yesterday');
  });
});
