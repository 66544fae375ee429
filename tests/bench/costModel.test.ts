// The cost model's money: storage transactions times the dated unit prices (bench/cost/model.ts), and
// the cost section that BENCHMARKS.md renders from stored counts (bench/cost/run.ts).
import type { CostFigures, WorkloadCounts } from '../../bench/cost/costChild';
import {
  blobDollars,
  dtsBreakEvenPerMillionActions,
  dtsDollars,
  DTS_CONSUMPTION_REPORTED,
  PRICES,
  storageDollars,
  storageTransactions,
  type StorageTransactions,
} from '../../bench/cost/model';
import { renderCost, ROUNDS_PER_MONITOR_MONTH } from '../../bench/cost/run';

// 3, 2, 1 and 4 units of 10,000: a term priced with another term's price changes the sum. The 5
// units of deletes are free on GPv2: priced at any of the prices they would change a digit.
const transactions: StorageTransactions = {
  queue: 30_000,
  tableRows: 15_000,
  tableEpisodes: 5_000,
  blobWrites: 10_000,
  blobReads: 40_000,
  blobDeletes: 50_000,
  total: 150_000,
};

// Prices 1, 10, 100, 1,000 per 10,000: each digit of the result is one term.
const digits = {
  ...PRICES,
  queue: { ...PRICES.queue, usd: 1 },
  table: { ...PRICES.table, usd: 10 },
  blobWrite: { ...PRICES.blobWrite, usd: 100 },
  blobRead: { ...PRICES.blobRead, usd: 1000 },
};

test('storage money is each kind of transaction times its price per 10,000', () => {
  expect(storageDollars(transactions, digits)).toBe(4 * 1000 + 1 * 100 + 2 * 10 + 3 * 1);
  expect(blobDollars(transactions, digits)).toBe(4 * 1000 + 1 * 100);
  // The dated prices the report uses: $0.004 queue, $0.00036 table, $0.055 and $0.0044 hot blobs.
  expect(storageDollars(transactions)).toBeCloseTo(3 * 0.004 + 2 * 0.00036 + 0.055 + 4 * 0.0044, 12);
});

test('Durable Task Scheduler: actions at a price per million plus the same blobs; at the break-even price both backends cost the same', () => {
  expect(dtsDollars(transactions, 2_000, 5, digits)).toBe((2_000 * 5) / 1e6 + 4100);
  // Queue and table cost 3 + 20 = 23 over 1,000 actions: 23,000 per million.
  expect(dtsBreakEvenPerMillionActions(transactions, 1_000, digits)).toBe(23_000);
  const actions = 215;
  const breakEven = dtsBreakEvenPerMillionActions(transactions, actions);
  expect(dtsDollars(transactions, actions, breakEven)).toBeCloseTo(storageDollars(transactions), 12);
  expect(dtsDollars(transactions, actions, breakEven / 2)).toBeLessThan(storageDollars(transactions));
});

test('every storage price names its meter, region, source and date', () => {
  for (const price of [PRICES.queue, PRICES.table, PRICES.blobWrite, PRICES.blobRead]) {
    expect(price.usd).toBeGreaterThan(0);
    expect(price.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(price.region).not.toBe('');
    expect(price.meter).not.toBe('');
    expect(price.source).toMatch(/infracost\/infracost .*\.golden/);
  }
});

const workload = (units: number, messages: number, events: number, writes: number): WorkloadCounts => ({
  units,
  instances: 1,
  history: {
    executions: 1,
    events,
    eventBytes: events * 500,
    episodes: 4,
    eventsLoaded: 100,
    activities: messages / 2,
    messages,
    largePayloads: 0,
  },
  blobs: { writes, reads: 0, deletes: 0, other: 0 },
});

const figures: CostFigures = {
  sweepUnbatched: workload(1000, 2000, 2000, 4),
  sweep: workload(1000, 200, 250, 4),
  sweepSmall: workload(100, 20, 30, 1),
  monitor: workload(48, 150, 400, 0),
  audit: workload(100, 30, 50, 2),
};

// As the table prints money: two decimals from a dollar up, three from a cent, two significant digits below.
const printed = (usd: number) =>
  usd >= 1 ? Number(usd.toFixed(2)) : usd >= 0.01 ? Number(usd.toFixed(3)) : Number(usd.toPrecision(2));

test('the rendered cost section computes its money from the stored counts and names every price source and date', () => {
  const text = renderCost({ figures });
  for (const price of [PRICES.queue, PRICES.table, PRICES.blobWrite, PRICES.blobRead]) {
    expect(text).toContain(price.source);
    expect(text).toContain(`dated ${price.date}`);
  }
  const row = (workloadName: string) =>
    text.split('\n').find((line) => line.startsWith(`| ${workloadName}`)) ?? '';

  const sweep = storageTransactions(figures.sweep);
  const perThousand = Number(/\| \$([\d.]+) per 1,000 checks/.exec(row('sweep of 1,000 targets'))?.[1]);
  expect(perThousand).toBe(printed((storageDollars(sweep) / 1000) * 1000));

  const monitor = storageTransactions(figures.monitor);
  const perMonth = Number(/\| \$([\d.]+) per monitor-month/.exec(row('monitor'))?.[1]);
  expect(perMonth).toBe(printed((storageDollars(monitor) / 48) * ROUNDS_PER_MONITOR_MONTH));

  const reported = /a 60-second monitor \$([\d.,]+) a month on DTS/.exec(text)?.[1] ?? '';
  const monitorActions = figures.monitor.history.messages;
  expect(Number(reported.replace(/,/g, ''))).toBe(
    printed(
      (dtsDollars(monitor, monitorActions, DTS_CONSUMPTION_REPORTED.usd) / 48) * ROUNDS_PER_MONITOR_MONTH,
    ),
  );

  const breakEven = Number(/\| \$([\d.]+) +\|$/.exec(row('sweep of 1,000 targets'))?.[1]);
  expect(breakEven).toBe(Number(dtsBreakEvenPerMillionActions(sweep, 200).toFixed(2)));
});
