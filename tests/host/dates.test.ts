// Point 9 of issue 11: how the Durable extension re-serialises ISO date strings. engine/dates.ts
// holds the rules and their sources; this file checks them rule by rule, then checks that the
// engine applies them where the extension does (a thrown orchestrator's state) and nowhere else.
import { netDateText, reserialiseDates } from './engine/dates';
import { useEngineHost } from './engineHost';

describe('netDateText: which strings Newtonsoft reads as dates and what it writes back', () => {
  it.each([
    // [input, written back] -- DateTimeParser.cs / DateTimeUtils.cs (see engine/dates.ts)
    ['2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00Z'], // zero fraction dropped
    ['2026-11-30T10:00:00.120Z', '2026-11-30T10:00:00.12Z'], // trailing zeros dropped
    ['2026-11-30T10:00:00.123Z', '2026-11-30T10:00:00.123Z'], // unchanged
    ['2026-11-30T10:00:00Z', '2026-11-30T10:00:00Z'],
    ['2026-11-30T10:00:00z', '2026-11-30T10:00:00Z'], // lower-case z is UTC too
    ['2026-11-30T10:00:00.1234567Z', '2026-11-30T10:00:00.1234567Z'], // 7 digits: a tick
    ['2026-11-30T10:00:00.123456789', '2026-11-30T10:00:00.1234567'], // 8th and 9th digits dropped
    ['2026-11-30T10:00:00', '2026-11-30T10:00:00'], // no zone: Unspecified, written without one
    ['2026-11-30T10:00:00.500', '2026-11-30T10:00:00.5'],
    ['2026-11-30T12:00:00+02:00', '2026-11-30T10:00:00+00:00'], // offset -> host local time (UTC)
    ['2026-11-30T05:00:00-05:00', '2026-11-30T10:00:00+00:00'],
    ['2026-11-30T12:00:00+0200', '2026-11-30T10:00:00+00:00'], // hhmm without colon
    ['2026-11-30T12:00:00+02', '2026-11-30T10:00:00+00:00'], // hours only
    ['2026-11-30T10:00:00.000+00:00', '2026-11-30T10:00:00+00:00'], // +00:00 is Local, not Z
    ['2026-11-30T24:00:00Z', '2026-12-01T00:00:00Z'], // hour 24 is the next midnight
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'], // leap day
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
    ['0001-01-01T00:00:00+01:00', '0001-01-01T00:00:00+00:00'], // before MinValue: clamped
    ['2026-11-30T10:00:0012', '2026-11-30T10:00:00'], // ParseZone swallows a bare digit pair
    ['/Date(0)/', '1970-01-01T00:00:00Z'], // Microsoft JSON date: UTC
    ['/Date(1764496800000+0500)/', '2025-11-30T10:00:00+00:00'], // offset ignored, local time
    ['/Date(-1000)/', '1969-12-31T23:59:59Z'],
  ])('%s -> %s', (input, expected) => {
    expect(netDateText(input)).toBe(expected);
  });

  it.each([
    ['2026-11-30', 'too short (under 19 characters)'],
    ['2026-11-30 10:00:00Z', "no 'T' at index 10"],
    ['2026-11-30t10:00:00Z', "lower-case 't'"],
    [' 2026-11-30T10:00:00Z', 'does not start with a digit'],
    ['2026-11-30T10:00:00.000Z and more text', 'trailing text'],
    ['2026-11-30T10:00:00.0000000000000000000000Z', 'over 40 characters'],
    ['2026-02-29T10:00:00Z', 'no 29 February in 2026'],
    ['2026-13-01T10:00:00Z', 'month 13'],
    ['2026-11-30T10:60:00Z', 'minute 60'],
    ['2026-11-30T10:00:60Z', 'second 60 (no leap seconds)'],
    ['2026-11-30T24:00:01Z', 'hour 24 with seconds'],
    ['2026-11-30T10:00:00.Z', 'a dot without digits'],
    ['0000-01-01T00:00:00Z', 'year 0'],
    ['/Date(abc)/', 'Microsoft date without a number'],
    ['/Date(0+0)/', 'Microsoft date with a one-digit offset'],
    ['2026-11-30T10:00:00.000Z[UTC]', 'a zone name'],
  ])('%s stays a string (%s)', (input) => {
    expect(netDateText(input)).toBeUndefined();
  });

  it('writes Local times with the host offset, which is UTC on Azure unless WEBSITE_TIME_ZONE/TZ say otherwise', () => {
    expect(netDateText('2026-11-30T10:00:00Z', { localOffsetMinutes: 60 })).toBe('2026-11-30T10:00:00Z');
    expect(netDateText('2026-11-30T10:00:00+00:00', { localOffsetMinutes: 60 })).toBe(
      '2026-11-30T11:00:00+01:00',
    );
    expect(netDateText('2026-11-30T10:00:00+00:00', { localOffsetMinutes: -330 })).toBe(
      '2026-11-30T04:30:00-05:30',
    );
  });

  it('rewrites string values at any depth, never property names, numbers or other strings', () => {
    const json = JSON.stringify({
      '2026-11-30T10:00:00.000Z': 'key stays',
      at: '2026-11-30T10:00:00.000Z',
      list: ['2026-11-30T10:00:00.100Z', 5, null, true, { deep: '2026-11-30T10:00:00.000+01:00' }],
      text: 'at 2026-11-30T10:00:00.000Z',
      n: 1.5,
    });
    expect(JSON.parse(reserialiseDates(json))).toEqual({
      '2026-11-30T10:00:00.000Z': 'key stays',
      at: '2026-11-30T10:00:00Z',
      list: ['2026-11-30T10:00:00.1Z', 5, null, true, { deep: '2026-11-30T09:00:00+00:00' }],
      text: 'at 2026-11-30T10:00:00.000Z',
      n: 1.5,
    });
    expect(reserialiseDates('"2026-11-30T10:00:00.000Z"')).toBe('"2026-11-30T10:00:00Z"');
  });

  it('keeps the instant of every Z form JavaScript writes (Date#toISOString)', () => {
    for (const ms of [0, 1, 10, 100, 999, 1_764_496_800_000, 1_764_496_800_120, -62_135_596_800_000]) {
      const iso = new Date(ms).toISOString();
      const back = netDateText(iso);
      expect(back).toBeDefined();
      expect(Date.parse(back!)).toBe(ms);
    }
  });
});

describe('where the engine applies it', () => {
  const payload = {
    at: '2026-11-30T10:00:00.000Z',
    offset: '2026-11-30T12:00:00.000+02:00',
    list: ['2026-11-30T10:00:00.120Z'],
  };
  const engine = useEngineHost();

  it('changes nothing on the normal paths: inputs, activity input and result, customStatus, events, continueAsNew, output', async () => {
    const id = engine.host.startNew('datesRoundTrip', { payload });
    await engine.host.waitForStatus(id, ['Running']);
    await waitUntil(() => engine.host.status(id)?.customStatus != null);
    expect(engine.host.status(id)?.customStatus).toEqual({ echoed: payload });
    engine.host.durable.raiseEvent(id, 'payload', payload);
    await waitUntil(() => (engine.host.status(id)?.input as { continued?: boolean }).continued === true);
    engine.host.durable.raiseEvent(id, 'payload', payload);
    const status = await engine.host.waitForStatus(id);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual({
      input: payload,
      echoed: payload,
      event: payload,
      continuedInput: payload,
      secondEvent: payload,
    });
    expect(engine.host.activityCalls('echo').find((c) => c.instanceId === id)?.input).toEqual(payload);
  });

  it("rewrites a thrown orchestrator's customStatus, as JObject.Parse of the $OutOfProcData$ text does", async () => {
    const id = engine.host.startNew('datesThenFail', payload);
    const status = await engine.host.waitForStatus(id);
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toMatch(/failing on purpose/);
    expect(status.customStatus).toEqual({
      at: '2026-11-30T10:00:00Z',
      offset: '2026-11-30T10:00:00+00:00',
      list: ['2026-11-30T10:00:00.12Z'],
    });
  });
});

async function waitUntil(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting for the host');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
