import { evaluate, statusMatches } from '../../src/core/assertions';

describe('statusMatches', () => {
  test.each([
    [200, undefined, true],
    [204, undefined, true],
    [301, undefined, true],
    [399, undefined, true],
    [199, undefined, false],
    [404, undefined, false],
    [500, undefined, false],
    [404, 404, true],
    [200, 404, false],
    [503, '5xx', true],
    [499, '5xx', false],
    [204, [200, 204], true],
    [201, [200, 204], false],
    [302, [200, '3xx'], true],
    [418, ['2xx', '3xx', 418], true],
  ] as const)('%s against %j -> %s', (status, expected, ok) => {
    expect(statusMatches(status, expected as never)).toBe(ok);
  });
});

describe('evaluate', () => {
  test('with no expectations a 2xx/3xx status is ok and is the only assertion', () => {
    expect(evaluate(undefined, { status: 302, latencyMs: 10 })).toEqual({
      ok: true,
      assertions: [{ name: 'status', ok: true, expected: '2xx or 3xx', actual: 302 }],
    });
  });

  test('a failing default status is an HTTP error', () => {
    const evaluation = evaluate(undefined, { status: 500, latencyMs: 10 });
    expect(evaluation.ok).toBe(false);
    expect(evaluation.error).toEqual({ code: 'HTTP', message: 'HTTP 500 (expected 2xx or 3xx)' });
  });

  test('an explicit status expectation replaces the default', () => {
    expect(evaluate({ status: 404 }, { status: 404, latencyMs: 1 }).ok).toBe(true);
    const wrong = evaluate({ status: [200, '2xx'] }, { status: 301, latencyMs: 1 });
    expect(wrong.error).toEqual({ code: 'HTTP', message: 'HTTP 301 (expected 200 or 2xx)' });
  });

  test('every requested assertion is recorded with expected and actual', () => {
    const evaluation = evaluate(
      { bodyContains: 'Welcome', maxLatencyMs: 500, minCertDays: 14 },
      { status: 200, latencyMs: 120, body: '<h1>Welcome</h1>', certDaysLeft: 60 },
    );
    expect(evaluation).toEqual({
      ok: true,
      assertions: [
        { name: 'status', ok: true, expected: '2xx or 3xx', actual: 200 },
        { name: 'bodyContains', ok: true, expected: 'contains "Welcome"', actual: true },
        { name: 'maxLatencyMs', ok: true, expected: '<= 500 ms', actual: 120 },
        { name: 'minCertDays', ok: true, expected: '>= 14 days', actual: 60 },
      ],
    });
  });

  test('a failing non-status assertion is an ASSERTION error naming it', () => {
    const evaluation = evaluate(
      { bodyContains: 'Welcome', maxLatencyMs: 100 },
      { status: 200, latencyMs: 150, body: 'welcome' },
    );
    expect(evaluation.ok).toBe(false);
    expect(evaluation.assertions.map((a) => [a.name, a.ok])).toEqual([
      ['status', true],
      ['bodyContains', false],
      ['maxLatencyMs', false],
    ]);
    expect(evaluation.error?.code).toBe('ASSERTION');
    expect(evaluation.error?.message).toContain('bodyContains expected contains "Welcome", got false');
    expect(evaluation.error?.message).toContain('maxLatencyMs expected <= 100 ms, got 150');
  });

  test('latency exactly at the limit passes', () => {
    expect(evaluate({ maxLatencyMs: 100 }, { status: 200, latencyMs: 100 }).ok).toBe(true);
  });

  test('a status failure wins over other failures but the message lists them all', () => {
    const evaluation = evaluate({ bodyContains: 'ok' }, { status: 503, latencyMs: 1, body: 'down' });
    expect(evaluation.error?.code).toBe('HTTP');
    expect(evaluation.error?.message).toBe(
      'HTTP 503 (expected 2xx or 3xx); bodyContains expected contains "ok", got false',
    );
  });

  test('minCertDays fails without a certificate (plain http) and below the threshold', () => {
    const none = evaluate({ minCertDays: 7 }, { status: 200, latencyMs: 1 });
    expect(none.assertions[1]).toEqual({
      name: 'minCertDays',
      ok: false,
      expected: '>= 7 days',
      actual: null,
    });
    expect(none.error?.message).toContain('got nothing');
    expect(evaluate({ minCertDays: 7 }, { status: 200, latencyMs: 1, certDaysLeft: 6 }).ok).toBe(false);
    expect(evaluate({ minCertDays: 7 }, { status: 200, latencyMs: 1, certDaysLeft: 7 }).ok).toBe(true);
  });

  test('bodyContains without a body fails with actual null', () => {
    const evaluation = evaluate({ bodyContains: 'x' }, { status: 200, latencyMs: 1 });
    expect(evaluation.assertions[1]).toMatchObject({ ok: false, actual: null });
  });
});
