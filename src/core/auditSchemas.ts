// Schemas for link audits: the request, the fetched page, the extracted links, the report and
// the small output the `auditSite` orchestration returns. Types are z.infer'd from these.
import { z } from 'zod';
import { CheckError, ErrorCode, HttpUrl, MAX_TIMEOUT_MS, Redirect } from './checkSpec';

export const DEFAULT_MAX_LINKS = 200;
export const MAX_LINKS = 1000;
/** HTML read at most per page: generous for real pages, and the HTML travels through orchestration history. */
export const DEFAULT_PAGE_MAX_BYTES = 2 * 1024 * 1024;
/** Links answering slower than this are listed as slow (they are not broken). */
export const DEFAULT_SLOW_MS = 2000;

export const AuditRequest = z.strictObject({
  url: HttpUrl,
  /** Links checked per audit; the rest are counted as `truncated`. */
  maxLinks: z.int().min(1).max(MAX_LINKS).default(DEFAULT_MAX_LINKS),
  /** Check only links on the page's own origin. */
  sameOriginOnly: z.boolean().default(false),
});
export type AuditRequest = z.output<typeof AuditRequest>;
export type AuditRequestInput = z.input<typeof AuditRequest>;

/** Page fetches add one failure the link checks do not have: a response that is not HTML. */
export const PageErrorCode = z.enum([...ErrorCode.options, 'NOT_HTML']);
export type PageErrorCode = z.infer<typeof PageErrorCode>;

export const FetchPageInput = z.strictObject({
  url: HttpUrl,
  /** Bytes of HTML read at most; a larger page is a TOO_LARGE failure rather than a silently partial audit. */
  maxBytes: z
    .int()
    .min(1024)
    .max(20 * 1024 * 1024)
    .optional(),
  timeoutMs: z.int().min(1).max(MAX_TIMEOUT_MS).optional(),
});
export type FetchPageInput = z.input<typeof FetchPageInput>;

export const FetchPageResult = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    url: z.string(),
    finalUrl: z.string(),
    status: z.int(),
    contentType: z.string(),
    html: z.string(),
    redirects: z.array(Redirect),
  }),
  z.object({
    ok: z.literal(false),
    url: z.string(),
    /** Present when a response arrived (e.g. the status of a non-HTML or 404 page). */
    status: z.int().optional(),
    finalUrl: z.string().optional(),
    redirects: z.array(Redirect),
    error: z.object({ code: PageErrorCode, message: z.string() }),
  }),
]);
export type FetchPageResult = z.infer<typeof FetchPageResult>;

/** The audited page as it appears in a report (without its HTML). */
export const Page = z.object({
  url: z.string(),
  finalUrl: z.string(),
  status: z.int(),
  redirects: z.array(Redirect),
});
export type Page = z.infer<typeof Page>;

export const LinkTag = z.enum(['a', 'img', 'link', 'script']);
export type LinkTag = z.infer<typeof LinkTag>;

/** `page`: a link a visitor follows (a[href]); `asset`: something the page loads (img, link, script). */
export const LinkKind = z.enum(['page', 'asset']);
export type LinkKind = z.infer<typeof LinkKind>;

export const Link = z.object({
  /** Absolute, normalised, without fragment: the URL that gets checked. */
  url: z.string(),
  kind: LinkKind,
  /** Same origin (scheme, host, port) as the page it was found on. */
  internal: z.boolean(),
  /** Where the first occurrence was found. */
  pageUrl: z.string(),
  tag: LinkTag,
  /** Anchor text (or img alt) of the first occurrence: trimmed, whitespace collapsed, capped. */
  text: z.string(),
  /** How many times the page references this URL. */
  occurrences: z.int().min(1),
});
export type Link = z.infer<typeof Link>;

export const ExtractLinksInput = z.strictObject({
  html: z.string(),
  /** The page's final URL (after redirects): relative links resolve against it. */
  pageUrl: HttpUrl,
  maxLinks: z.int().min(1).max(MAX_LINKS).default(DEFAULT_MAX_LINKS),
  sameOriginOnly: z.boolean().default(false),
});
export type ExtractLinksInput = z.input<typeof ExtractLinksInput>;

/** Why a reference found on the page is not in `links`; counted per occurrence. */
export const SkippedLinks = z.object({
  empty: z.int(),
  fragmentOnly: z.int(),
  unsupportedScheme: z.int(),
  invalid: z.int(),
  /** user:password@ URLs: CheckSpec refuses credentials in URLs. */
  credentials: z.int(),
  tooLong: z.int(),
  /** Dropped by sameOriginOnly. */
  external: z.int(),
  /** <link rel=preconnect|dns-prefetch>: origins to warm up, not resources to fetch. */
  resourceHint: z.int(),
});
export type SkippedLinks = z.infer<typeof SkippedLinks>;

export const ExtractedLinks = z.object({
  pageUrl: z.string(),
  /** What relative links resolved against: the first <base href>, else the page URL. */
  baseUrl: z.string(),
  links: z.array(Link),
  /** Distinct checkable links found, before maxLinks. */
  found: z.int(),
  /** Distinct links left out by maxLinks. */
  truncated: z.int(),
  skipped: SkippedLinks,
});
export type ExtractedLinks = z.infer<typeof ExtractedLinks>;

export const LinkLocation = z.object({
  pageUrl: z.string(),
  tag: LinkTag,
  text: z.string(),
  occurrences: z.int(),
});
export type LinkLocation = z.infer<typeof LinkLocation>;

const ReportedLink = z.object({
  url: z.string(),
  kind: LinkKind,
  internal: z.boolean(),
  foundOn: z.array(LinkLocation),
});

export const BrokenLink = ReportedLink.extend({
  status: z.int().optional(),
  error: CheckError.optional(),
  finalUrl: z.string(),
  redirects: z.array(Redirect),
});
export type BrokenLink = z.infer<typeof BrokenLink>;

export const RedirectedLink = ReportedLink.extend({
  status: z.int().optional(),
  finalUrl: z.string(),
  redirects: z.array(Redirect).min(1),
});
export type RedirectedLink = z.infer<typeof RedirectedLink>;

export const SlowLink = ReportedLink.extend({
  status: z.int(),
  latencyMs: z.number(),
});
export type SlowLink = z.infer<typeof SlowLink>;

/**
 * Answers that say nothing about whether the link works for a visitor: authentication walls,
 * rate limits and bot blocking (LinkedIn's 999), methods the server refuses, and addresses the
 * network guard did not let us reach.
 */
export const InconclusiveReason = z.enum([
  'auth-required',
  'rate-limited',
  'bot-blocked',
  'method-refused',
  'blocked',
]);
export type InconclusiveReason = z.infer<typeof InconclusiveReason>;

export const InconclusiveLink = ReportedLink.extend({
  reason: InconclusiveReason,
  status: z.int().optional(),
  error: CheckError.optional(),
});
export type InconclusiveLink = z.infer<typeof InconclusiveLink>;

export const AuditCounts = z.object({
  /** Distinct links in the audit (after maxLinks). */
  links: z.int(),
  checked: z.int(),
  /** Links without a check result (e.g. a URL CheckSpec refused). */
  unchecked: z.int(),
  ok: z.int(),
  broken: z.int(),
  inconclusive: z.int(),
  redirected: z.int(),
  slow: z.int(),
  /** Distinct links found on the page but left out by maxLinks. */
  truncated: z.int(),
});
export type AuditCounts = z.infer<typeof AuditCounts>;

export const AuditReport = z.object({
  page: Page,
  /** Supplied by the orchestrator (context.df.currentUtcDateTime) so building stays deterministic. */
  generatedAt: z.string().optional(),
  slowMs: z.int(),
  counts: AuditCounts,
  broken: z.array(BrokenLink),
  redirected: z.array(RedirectedLink),
  slow: z.array(SlowLink),
  inconclusive: z.array(InconclusiveLink),
});
export type AuditReport = z.infer<typeof AuditReport>;

/** Where the full report was saved (the saveReport activity's answer, minus what readers do not need). */
export const AuditReportLocation = z.object({ container: z.string(), blob: z.string(), url: z.string() });
export type AuditReportLocation = z.infer<typeof AuditReportLocation>;

/** What `auditSite` returns: small enough for orchestration history and the status API. */
export const AuditOutput = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    url: z.string(),
    finalUrl: z.string(),
    counts: AuditCounts,
    report: AuditReportLocation,
  }),
  z.object({
    ok: z.literal(false),
    url: z.string(),
    error: z.object({ code: PageErrorCode, message: z.string() }),
  }),
]);
export type AuditOutput = z.infer<typeof AuditOutput>;
