import {
  NcrontabError,
  nextOccurrence,
  parseNcrontab,
  scheduleTimers,
  timerInput,
  TimerScheduleError,
  validateTimers,
} from './triggers/timer';
import type { FunctionRegistration, Registry } from './types';

function timers(schedules: Record<string, { schedule: string; runOnStartup?: boolean }>): Registry {
  const functions = new Map<string, FunctionRegistration>();
  for (const [name, options] of Object.entries(schedules)) {
    functions.set(name, {
      name,
      bindings: { timer: { type: 'timerTrigger', direction: 'in', ...options } },
      callback: () => undefined,
      triggerBindingName: 'timer',
      triggerType: 'timerTrigger',
    });
  }
  return {
    functions,
    get: (name) => functions.get(name),
    byTriggerType: (type) => [...functions.values()].filter((fn) => fn.triggerType === type),
  };
}

const settings = {
  resolve: (value: string) =>
    value.replace(/%([^%]+)%/g, (_m, name: string) => {
      const values: Record<string, string> = { SWEEP: '0 */15 * * * *', BROKEN: '* * * *' };
      if (!(name in values)) throw new Error(`Setting "${name}" is not defined`);
      return values[name];
    }),
};

describe('NCRONTAB validation', () => {
  it.each([
    '0 */5 * * * *',
    '*/30 * * * * *',
    '0 0 9-17 * * MON-FRI',
    '0 0 9-17 * * mon-fri',
    '0 30 9 * Jan,Jul Sun',
    '0 0 0 1 January *',
    '5/15 * * * * *',
    '0 0 17-9 * * *',
    '0,15,30,45 * * * * *',
    '  0 0 * * * *  ',
    '0 0 0 31 * 6',
  ])('accepts %s', (expression) => {
    expect(() => parseNcrontab(expression)).not.toThrow();
  });

  it.each([
    ['* * * * *', /expected 6 fields/],
    ['0 * * * * * *', /expected 6 fields/],
    ['', /expected 6 fields/],
    ['60 * * * * *', /60 is outside 0-59/],
    ['0 60 * * * *', /\[Minute\]/],
    ['0 0 24 * * *', /\[Hour\]/],
    ['0 0 0 0 * *', /\[Day\]/],
    ['0 0 0 * 13 *', /\[Month\]/],
    ['0 0 0 * * 7', /\[DayOfWeek\]/],
    ['0 0 0 ? * *', /not a number/],
    ['0 0 0 L * *', /not a number/],
    ['0 0 0 * * 1#2', /not a number/],
    ['0 0 0 * * Funday', /known name/],
    ['*/ * * * * *', /step/],
    ['*/x * * * * *', /step/],
    ['1,,2 * * * * *', /empty list item/],
    ['1/2/3 * * * * *', /more than one/],
    ['-1 * * * * *', /not a number/],
  ])('rejects %s', (expression, message) => {
    expect(() => parseNcrontab(expression)).toThrow(NcrontabError);
    expect(() => parseNcrontab(expression)).toThrow(message);
  });
});

describe('next occurrence', () => {
  const at = (iso: string) => new Date(iso);

  it.each([
    ['0 */5 * * * *', '2026-01-01T00:00:00Z', '2026-01-01T00:05:00.000Z'],
    ['0 */5 * * * *', '2026-01-01T00:04:59.500Z', '2026-01-01T00:05:00.000Z'],
    ['*/30 * * * * *', '2026-01-01T00:00:10Z', '2026-01-01T00:00:30.000Z'],
    ['0 0 9 * * MON', '2026-01-01T00:00:00Z', '2026-01-05T09:00:00.000Z'], // 2026-01-01 is a Thursday
    ['0 0 0 29 2 *', '2026-01-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['5/20 0 0 * * *', '2026-01-01T00:00:06Z', '2026-01-01T00:00:25.000Z'],
    // Day-of-month AND day-of-week: the 13th that is a Friday.
    ['0 0 0 13 * FRI', '2026-01-01T00:00:00Z', '2026-02-13T00:00:00.000Z'],
    ['0 59 23 31 12 *', '2026-12-31T23:59:00Z', '2027-12-31T23:59:00.000Z'],
  ])('%s after %s is %s', (expression, after, expected) => {
    expect(nextOccurrence(expression, at(after))?.toISOString()).toBe(expected);
  });

  it('finds nothing for a date that never exists', () => {
    expect(nextOccurrence('0 0 0 30 2 *', at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('validateTimers', () => {
  it('resolves %SETTING% schedules', () => {
    expect(() =>
      validateTimers(
        timers({ sweep: { schedule: '%SWEEP%' }, direct: { schedule: '0 0 * * * *' } }),
        settings,
      ),
    ).not.toThrow();
  });

  it('fails naming every function with a bad or unresolvable schedule', () => {
    const registry = timers({
      good: { schedule: '0 0 * * * *' },
      short: { schedule: '%BROKEN%' },
      missing: { schedule: '%NOPE%' },
      timespan: { schedule: '00:05:00' },
    });
    let error: unknown;
    try {
      validateTimers(registry, settings);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TimerScheduleError);
    const message = (error as Error).message;
    expect(message).toMatch(/'short'.*expected 6 fields/);
    expect(message).toMatch(/'missing'.*NOPE/);
    expect(message).toMatch(/'timespan'/);
    expect(message).not.toMatch(/'good'/);
  });
});

describe('timerInput', () => {
  it('has the v4 Timer shape', () => {
    expect(timerInput(new Date('2026-01-01T00:15:00Z'), true, '0 */15 * * * *')).toEqual({
      isPastDue: true,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: '2026-01-01T00:15:00.000Z',
        next: '2026-01-01T00:30:00.000Z',
        lastUpdated: '2026-01-01T00:15:00.000Z',
      },
    });
    expect(timerInput(new Date('2026-01-01T00:15:00Z')).isPastDue).toBe(false);
  });
});

describe('scheduleTimers', () => {
  it('fires runOnStartup timers at once and the others on their next occurrence', async () => {
    const fired: { name: string; at: string }[] = [];
    let resolveFired!: () => void;
    const twoFired = new Promise<void>((resolve) => (resolveFired = resolve));
    const startedAt = Date.now();
    const scheduler = scheduleTimers({
      registry: timers({
        startup: { schedule: '0 0 0 1 1 *', runOnStartup: true },
        everySecond: { schedule: '* * * * * *' },
      }),
      settings,
      clock: { now: () => Date.now() },
      fire: (name, scheduledTime) => {
        fired.push({ name, at: scheduledTime.toISOString() });
        if (fired.length === 2) resolveFired();
      },
    });
    await twoFired;
    scheduler.stop();
    expect(fired[0].name).toBe('startup');
    expect(fired[1].name).toBe('everySecond');
    // The scheduled time is a whole second after start, not whenever the callback ran.
    expect(new Date(fired[1].at).getTime() % 1000).toBe(0);
    expect(new Date(fired[1].at).getTime()).toBeGreaterThan(startedAt - 1000);
  });

  it('does not fire after stop', async () => {
    const fired: string[] = [];
    const scheduler = scheduleTimers({
      registry: timers({ everySecond: { schedule: '* * * * * *' } }),
      settings,
      clock: { now: () => Date.now() },
      fire: (name) => void fired.push(name),
    });
    scheduler.stop();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(fired).toEqual([]);
  });
});
