// Turns the links found on a page and their check results into the audit report. Runs inside
// the auditSite orchestrator, so it is deterministic: entries follow link order and every object
// is built with its keys in a fixed order.
import {
  type AuditCounts,
  type AuditOutput,
  type AuditReport,
  type AuditReportLocation,
  type FetchPageResult,
  type BrokenLink,
  DEFAULT_SLOW_MS,
  type InconclusiveLink,
  type InconclusiveReason,
  type Link,
  type LinkLocation,
  type Page,
  type RedirectedLink,
  type SlowLink,
} from './auditSchemas';
import type { CheckResult } from './checkSpec';

export type Verdict =
  { outcome: 'ok' } | { outcome: 'broken' } | { outcome: 'inconclusive'; reason: InconclusiveReason };

const INCONCLUSIVE_STATUS: ReadonlyMap<number, InconclusiveReason> = new Map([
  [401, 'auth-required'],
  [403, 'auth-required'],
  [429, 'rate-limited'],
  [999, 'bot-blocked'],
  [405, 'method-refused'],
  [501, 'method-refused'],
]);

/**
 * How a link check reads for an audit. A network-guard refusal is inconclusive (we chose not to
 * look). Otherwise the final status decides when there is one: 4xx and 5xx are broken except the
 * answers in INCONCLUSIVE_STATUS, and a 3xx that ended in an error (too many redirects, no
 * Location) is broken, since a visitor never reaches content. Without a status the error decides:
 * DNS, CONNECT, TIMEOUT, TLS and the rest are broken.
 */
export function judge(result: CheckResult): Verdict {
  const { status, error } = result;
  if (error?.code === 'BLOCKED') return { outcome: 'inconclusive', reason: 'blocked' };
  if (status === undefined) return { outcome: 'broken' };
  const reason = INCONCLUSIVE_STATUS.get(status);
  if (reason) return { outcome: 'inconclusive', reason };
  if (status >= 400) return { outcome: 'broken' };
  if (status >= 300 && error !== undefined) return { outcome: 'broken' };
  return { outcome: 'ok' };
}

export interface BuildAuditReportInput {
  page: Page;
  /** Links in document order; several pages may list the same URL. */
  links: readonly Link[];
  results: readonly CheckResult[];
  /** Distinct links left out by maxLinks (ExtractedLinks.truncated). */
  truncated?: number;
  /** Latency above which a working link is listed as slow. */
  slowMs?: number;
  /** ISO time, from context.df.currentUtcDateTime. */
  generatedAt?: string;
}

interface Group {
  url: string;
  kind: Link['kind'];
  internal: boolean;
  foundOn: LinkLocation[];
}

function groupByUrl(links: readonly Link[]): Group[] {
  const groups = new Map<string, Group>();
  for (const link of links) {
    const location: LinkLocation = {
      pageUrl: link.pageUrl,
      tag: link.tag,
      text: link.text,
      occurrences: link.occurrences,
    };
    const group = groups.get(link.url);
    if (group) group.foundOn.push(location);
    else
      groups.set(link.url, { url: link.url, kind: link.kind, internal: link.internal, foundOn: [location] });
  }
  return [...groups.values()];
}

function firstResultByUrl(results: readonly CheckResult[]): Map<string, CheckResult> {
  const byUrl = new Map<string, CheckResult>();
  for (const result of results) if (!byUrl.has(result.url)) byUrl.set(result.url, result);
  return byUrl;
}

function base(group: Group) {
  return { url: group.url, kind: group.kind, internal: group.internal, foundOn: group.foundOn };
}

function withOutcome<T extends object>(entry: T, result: CheckResult) {
  return {
    ...entry,
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(result.error !== undefined
      ? { error: { code: result.error.code, message: result.error.message } }
      : {}),
  };
}

/** The audit report: broken, redirected, slow and inconclusive links with where each was found. */
export function buildAuditReport(input: BuildAuditReportInput): AuditReport {
  const slowMs = input.slowMs ?? DEFAULT_SLOW_MS;
  const results = firstResultByUrl(input.results);
  const broken: BrokenLink[] = [];
  const redirected: RedirectedLink[] = [];
  const slow: SlowLink[] = [];
  const inconclusive: InconclusiveLink[] = [];
  let checked = 0;

  const groups = groupByUrl(input.links);
  for (const group of groups) {
    const result = results.get(group.url);
    if (!result) continue;
    checked += 1;
    const verdict = judge(result);
    if (verdict.outcome === 'broken') {
      broken.push({
        ...withOutcome(base(group), result),
        finalUrl: result.finalUrl,
        redirects: result.redirects,
      });
      // A broken link carries its own chain; it is not listed again as redirected or slow.
      continue;
    }
    if (verdict.outcome === 'inconclusive') {
      inconclusive.push(withOutcome({ ...base(group), reason: verdict.reason }, result));
    }
    if (result.redirects.length > 0) {
      redirected.push({
        ...base(group),
        ...(result.status !== undefined ? { status: result.status } : {}),
        finalUrl: result.finalUrl,
        redirects: result.redirects,
      });
    }
    if (result.status !== undefined && result.latencyMs > slowMs) {
      slow.push({ ...base(group), status: result.status, latencyMs: result.latencyMs });
    }
  }

  const counts: AuditCounts = {
    links: groups.length,
    checked,
    unchecked: groups.length - checked,
    ok: checked - broken.length - inconclusive.length,
    broken: broken.length,
    inconclusive: inconclusive.length,
    redirected: redirected.length,
    slow: slow.length,
    truncated: input.truncated ?? 0,
  };
  const page: Page = {
    url: input.page.url,
    finalUrl: input.page.finalUrl,
    status: input.page.status,
    redirects: input.page.redirects,
  };
  return {
    page,
    ...(input.generatedAt !== undefined ? { generatedAt: input.generatedAt } : {}),
    slowMs,
    counts,
    broken,
    redirected,
    slow,
    inconclusive,
  };
}

/** The orchestration's output for a finished audit: counts and where the full report is. */
export function auditOutput(report: AuditReport, reportLocation: AuditReportLocation): AuditOutput {
  return {
    ok: true,
    url: report.page.url,
    finalUrl: report.page.finalUrl,
    counts: report.counts,
    report: { container: reportLocation.container, blob: reportLocation.blob, url: reportLocation.url },
  };
}

/** The orchestration's output when the page itself could not be audited (nothing is saved). */
export function auditFailedOutput(page: Extract<FetchPageResult, { ok: false }>): AuditOutput {
  return { ok: false, url: page.url, error: { code: page.error.code, message: page.error.message } };
}
