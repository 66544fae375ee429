// Evaluates a CheckSpec's `expect` against what the check observed. Pure: the activity observes, this
// decides. Every expectation becomes one AssertionResult; the status one is always present (default:
// any 2xx or 3xx final status), the others only when asked for.
import type { AssertionResult, CheckError, Expectation } from './checkSpec';

export interface Observation {
  /** Final status after redirects. */
  status: number;
  latencyMs: number;
  /** Decoded body text (up to the byte cap); only needed for bodyContains. */
  body?: string;
  /** Days until the final hop's certificate expires; undefined for plain http. */
  certDaysLeft?: number;
}

export interface Evaluation {
  ok: boolean;
  assertions: AssertionResult[];
  /** HTTP when the status assertion fails (it wins), ASSERTION when only other assertions fail. */
  error?: CheckError;
}

type StatusMatcher = number | string;
const DEFAULT_STATUS: StatusMatcher[] = ['2xx', '3xx'];

function matches(status: number, matcher: StatusMatcher): boolean {
  return typeof matcher === 'number' ? status === matcher : Math.floor(status / 100) === Number(matcher[0]);
}

export function statusMatches(status: number, expected: Expectation['status']): boolean {
  const matchers = expected === undefined ? DEFAULT_STATUS : [expected].flat();
  return matchers.some((m) => matches(status, m));
}

function describeStatus(expected: Expectation['status']): string {
  return (expected === undefined ? DEFAULT_STATUS : [expected].flat()).map(String).join(' or ');
}

function describeFailure(a: AssertionResult): string {
  return `${a.name} expected ${a.expected}, got ${a.actual === null ? 'nothing' : String(a.actual)}`;
}

export function evaluate(expect: Expectation | undefined, observed: Observation): Evaluation {
  const assertions: AssertionResult[] = [
    {
      name: 'status',
      ok: statusMatches(observed.status, expect?.status),
      expected: describeStatus(expect?.status),
      actual: observed.status,
    },
  ];
  if (expect?.bodyContains !== undefined) {
    assertions.push({
      name: 'bodyContains',
      ok: observed.body !== undefined && observed.body.includes(expect.bodyContains),
      expected: `contains ${JSON.stringify(expect.bodyContains)}`,
      actual: observed.body === undefined ? null : observed.body.includes(expect.bodyContains),
    });
  }
  if (expect?.maxLatencyMs !== undefined) {
    assertions.push({
      name: 'maxLatencyMs',
      ok: observed.latencyMs <= expect.maxLatencyMs,
      expected: `<= ${expect.maxLatencyMs} ms`,
      actual: observed.latencyMs,
    });
  }
  if (expect?.minCertDays !== undefined) {
    assertions.push({
      name: 'minCertDays',
      ok: observed.certDaysLeft !== undefined && observed.certDaysLeft >= expect.minCertDays,
      expected: `>= ${expect.minCertDays} days`,
      actual: observed.certDaysLeft ?? null,
    });
  }

  const failed = assertions.filter((a) => !a.ok);
  if (failed.length === 0) return { ok: true, assertions };
  const statusFailed = !assertions[0].ok;
  const others = failed.filter((a) => a.name !== 'status').map(describeFailure);
  const message = statusFailed
    ? [`HTTP ${observed.status} (expected ${assertions[0].expected})`, ...others].join('; ')
    : `Assertion failed: ${others.join('; ')}`;
  return { ok: false, assertions, error: { code: statusFailed ? 'HTTP' : 'ASSERTION', message } };
}
