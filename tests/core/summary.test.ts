import type { CheckResult } from '../../src/core/checkSpec';
import {
  combineSummaryParts,
  isDegraded,
  mergeSummaryParts,
  percentile,
  Summary,
  SummaryPart,
  summarize,
  summarizePart,
} from '../../src/core/summary';

let n = 0;
function result(fields: Partial<CheckResult>): CheckResult {
  const url = fields.url ?? `https://site${n++}.example/`;
  return {
    url,
    finalUrl: url,
    ok: true,
    status: 200,
    latencyMs: 100,
    redirects: [],
    assertions: [{ name: 'status', ok: true, expected: '2xx or 3xx', actual: 200 }],
    checkedAt: '2026-01-01T00:00:00.000Z',
    bytesRead: 0,
    ...fields,
  };
}

const up = (latencyMs: number, url?: string) =>
  result(url === undefined ? { latencyMs } : { latencyMs, url });
const httpDown = (status: number, latencyMs: number) =>
  result({ ok: false, status, latencyMs, error: { code: 'HTTP', message: `HTTP ${status}` } });
const unreachable = (code: 'DNS' | 'TIMEOUT' | 'CONNECT', latencyMs = 10_000) => {
  const r = result({ ok: false, latencyMs, error: { code, message: code } });
  delete r.status;
  return r;
};
const slow = (latencyMs: number) =>
  result({
    ok: false,
    latencyMs,
    assertions: [
      { name: 'status', ok: true, expected: '2xx or 3xx', actual: 200 },
      { name: 'maxLatencyMs', ok: false, expected: '<= 500 ms', actual: latencyMs },
    ],
    error: { code: 'ASSERTION', message: 'slow' },
  });
const wrongContent = () =>
  result({
    ok: false,
    assertions: [
      { name: 'status', ok: true, expected: '2xx or 3xx', actual: 200 },
      { name: 'bodyContains', ok: false, expected: 'contains "x"', actual: false },
      { name: 'maxLatencyMs', ok: false, expected: '<= 50 ms', actual: 100 },
    ],
    error: { code: 'ASSERTION', message: 'content' },
  });

describe('percentile (nearest rank)', () => {
  test.each([
    [[], 50, null],
    [[7], 50, 7],
    [[7], 95, 7],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4, 5], 50, 3],
    [[15, 20, 35, 40, 50], 30, 20],
    [[15, 20, 35, 40, 50], 40, 20],
    [[15, 20, 35, 40, 50], 100, 50],
    [Array.from({ length: 20 }, (_, i) => i + 1), 95, 19],
    [Array.from({ length: 100 }, (_, i) => i + 1), 95, 95],
    [Array.from({ length: 101 }, (_, i) => i + 1), 95, 96],
  ])('%j p%s = %s', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});

describe('isDegraded', () => {
  test('only a latency-only assertion failure is degraded', () => {
    expect(isDegraded(slow(900))).toBe(true);
    expect(isDegraded(wrongContent())).toBe(false);
    expect(isDegraded(httpDown(500, 10))).toBe(false);
    expect(isDegraded(up(10))).toBe(false);
  });
});

describe('summarize', () => {
  test('counts up, down and degraded, and failures by code', () => {
    const summary = summarize([
      up(100),
      up(200),
      httpDown(500, 50),
      httpDown(404, 30),
      unreachable('DNS', 5),
      unreachable('TIMEOUT'),
      slow(900),
      wrongContent(),
    ]);
    expect(Summary.parse(summary)).toEqual(summary);
    expect(summary).toMatchObject({ total: 8, up: 2, down: 5, degraded: 1 });
    expect(summary.failuresByCode).toEqual({ ASSERTION: 2, DNS: 1, HTTP: 2, TIMEOUT: 1 });
    expect(Object.keys(summary.failuresByCode)).toEqual(['ASSERTION', 'DNS', 'HTTP', 'TIMEOUT']);
  });

  test('latency figures only count targets that answered', () => {
    const summary = summarize([
      up(10),
      up(20),
      up(30),
      up(40),
      httpDown(500, 50),
      unreachable('TIMEOUT', 10_000),
    ]);
    expect(summary.latency).toEqual({ p50: 30, p95: 50, max: 50 });
  });

  test('no answering target gives null latency figures', () => {
    expect(summarize([unreachable('DNS')]).latency).toEqual({ p50: null, p95: null, max: null });
    expect(summarize([])).toMatchObject({
      total: 0,
      latency: { p50: null, p95: null, max: null },
      slowest: [],
    });
  });

  test('slowest lists the 5 slowest answering targets, ties by url', () => {
    const summary = summarize([
      up(10, 'https://a/'),
      up(500, 'https://b/'),
      up(300, 'https://d/'),
      up(300, 'https://c/'),
      unreachable('TIMEOUT', 60_000),
      up(50, 'https://e/'),
      up(20, 'https://f/'),
      up(5, 'https://g/'),
    ]);
    expect(summary.slowest).toEqual([
      { url: 'https://b/', latencyMs: 500 },
      { url: 'https://c/', latencyMs: 300 },
      { url: 'https://d/', latencyMs: 300 },
      { url: 'https://e/', latencyMs: 50 },
      { url: 'https://f/', latencyMs: 20 },
    ]);
  });
});

describe('summary parts', () => {
  // Deterministic pseudo-random latencies and outcomes.
  const results: CheckResult[] = Array.from({ length: 237 }, (_, i) => {
    const latency = (i * 7919) % 1013;
    if (i % 11 === 0) return unreachable('CONNECT', latency);
    if (i % 13 === 0) return httpDown(503, latency);
    if (i % 17 === 0) return slow(latency);
    return up(latency, `https://t${i}.example/`);
  });

  test('merging the parts of any partitioning equals summarising everything', () => {
    const whole = summarize(results);
    for (const size of [1, 10, 50, 100, 237]) {
      const parts: SummaryPart[] = [];
      for (let i = 0; i < results.length; i += size) parts.push(summarizePart(results.slice(i, i + size)));
      expect(mergeSummaryParts(parts)).toEqual(whole);
    }
  });

  test('parts combine associatively (nested partitions)', () => {
    const parts = [0, 80, 160].map((start) => summarizePart(results.slice(start, start + 80)));
    const nested = mergeSummaryParts([combineSummaryParts(parts.slice(0, 2)), parts[2]]);
    expect(nested).toEqual(summarize(results));
  });

  test('a part is valid, bounded to counts, top-5 and sorted latencies, and JSON-safe', () => {
    const part = summarizePart(results);
    expect(SummaryPart.parse(part)).toEqual(part);
    expect(part.slowest).toHaveLength(5);
    expect(part.latencies).toEqual([...part.latencies].sort((a, b) => a - b));
    expect(JSON.parse(JSON.stringify(part))).toEqual(part);
    expect(JSON.stringify(part).length).toBeLessThan(JSON.stringify(results).length / 20);
  });

  test('merging no parts is an empty summary', () => {
    expect(mergeSummaryParts([])).toEqual({
      total: 0,
      up: 0,
      down: 0,
      degraded: 0,
      latency: { p50: null, p95: null, max: null },
      slowest: [],
      failuresByCode: {},
    });
  });
});
