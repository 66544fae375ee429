// NCRONTAB with seconds, as the Functions timer trigger parses it (WebJobs CronSchedule.TryCreate
// uses NCrontab with IncludingSeconds = true): exactly six whitespace-separated fields
// `second minute hour day month day-of-week`. Each field is a comma list of `*`, `n`, `a-b`
// (reversed ranges are swapped), each optionally `/step`; `n/step` means n..max. Months and days
// of week also take English names or any prefix of them (`Jan`, `MON`, `Tues`). Day-of-week is 0-6
// with 0 = Sunday. There is no `?`, `L`, `W` or `#`. A time matches when every field matches:
// unlike Vixie cron, day-of-month and day-of-week are ANDed. Times are UTC.

export class NcrontabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NcrontabError';
  }
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldSpec[] = [
  { name: 'Second', min: 0, max: 59 },
  { name: 'Minute', min: 0, max: 59 },
  { name: 'Hour', min: 0, max: 23 },
  { name: 'Day', min: 1, max: 31 },
  {
    name: 'Month',
    min: 1,
    max: 12,
    names: [
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
      'September',
      'October',
      'November',
      'December',
    ],
  },
  {
    name: 'DayOfWeek',
    min: 0,
    max: 6,
    names: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  },
];

export interface NcrontabSchedule {
  expression: string;
  /** Allowed values per field, in FIELDS order. */
  fields: ReadonlyArray<ReadonlySet<number>>;
}

export function parseNcrontab(expression: string): NcrontabSchedule {
  const parts = expression
    .trim()
    .split(/\s+/)
    .filter((part) => part !== '');
  if (parts.length !== 6) {
    throw new NcrontabError(
      `'${expression}' is not a valid NCRONTAB expression: expected 6 fields (second minute hour day month day-of-week), found ${parts.length}`,
    );
  }
  return { expression, fields: parts.map((part, i) => parseField(part, FIELDS[i], expression)) };
}

function parseField(text: string, spec: FieldSpec, expression: string): Set<number> {
  const values = new Set<number>();
  const fail = (why: string): never => {
    throw new NcrontabError(`'${expression}': '${text}' is not a valid [${spec.name}] field: ${why}`);
  };
  for (const item of text.split(',')) {
    if (item === '') fail('empty list item');
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) fail('more than one /');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) fail(`step '${stepText}' is not a number`);
      step = Math.max(1, Number(stepText));
    }
    let start: number;
    let end: number;
    if (range === '*') {
      [start, end] = [spec.min, spec.max];
    } else {
      const dash = range.indexOf('-');
      if (dash > 0) {
        start = parseValue(range.slice(0, dash), spec, fail);
        end = parseValue(range.slice(dash + 1), spec, fail);
        if (start > end) [start, end] = [end, start];
      } else {
        start = parseValue(range, spec, fail);
        end = stepText === undefined ? start : spec.max;
      }
    }
    for (const value of [start, end]) {
      if (value < spec.min || value > spec.max) fail(`${value} is outside ${spec.min}-${spec.max}`);
    }
    for (let value = start; value <= end; value += step) values.add(value);
  }
  return values;
}

function parseValue(text: string, spec: FieldSpec, fail: (why: string) => never): number {
  if (text === '') return fail('empty value');
  if (/^\d+$/.test(text)) return Number(text);
  const lower = text.toLowerCase();
  const index = spec.names?.findIndex((name) => name.toLowerCase().startsWith(lower)) ?? -1;
  if (index < 0) return fail(`'${text}' is not a number${spec.names ? ' or a known name' : ''}`);
  return spec.min + index;
}

/** Search horizon: a schedule such as `0 0 0 30 2 *` (February 30th) never fires. */
const HORIZON_YEARS = 8;

/** The first occurrence strictly after `after` (UTC), or undefined when there is none. */
export function nextNcrontabOccurrence(schedule: NcrontabSchedule, after: Date): Date | undefined {
  const [seconds, minutes, hours, days, months, weekdays] = schedule.fields;
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const limit = after.getUTCFullYear() + HORIZON_YEARS;
  while (t.getUTCFullYear() <= limit) {
    if (!months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!days.has(t.getUTCDate()) || !weekdays.has(t.getUTCDay())) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else if (!seconds.has(t.getUTCSeconds())) {
      t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
    } else {
      return t;
    }
  }
  return undefined;
}
