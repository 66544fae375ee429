// Pure URL rules for link audits: how an href found on a page becomes a checkable URL.
// The WHATWG URL parser already lowercases scheme and host, removes default ports and
// resolves `.`/`..` segments, so normalisation here only has to drop the fragment and
// refuse what is not a web link (or what CheckSpec would refuse to check).
import type { Link } from './auditSchemas';
import { CheckSpec, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, MAX_URL_LENGTH } from './checkSpec';

/** Named like the SkippedLinks counters, so callers can count failures by reason. */
export type ResolveFailure =
  'empty' | 'fragmentOnly' | 'unsupportedScheme' | 'invalid' | 'credentials' | 'tooLong';

export type ResolvedLink = { ok: true; url: string } | { ok: false; reason: ResolveFailure };

const WEB_SCHEMES = new Set(['http:', 'https:']);

/** Longest anchor text kept per link: enough to recognise it in a report, bounded in size. */
export const MAX_LINK_TEXT = 200;

/** Normalises an absolute http(s) URL; undefined for anything else. */
export function normalizeUrl(raw: string): string | undefined {
  const resolved = resolveLink(raw);
  return resolved.ok ? resolved.url : undefined;
}

/**
 * Resolves an attribute value (href/src) against a base URL and normalises it.
 * Fragment-only and empty references point back at the page itself, so they are not links
 * to check; mailto:, tel:, javascript:, data: and every other non-web scheme are refused, and
 * so are URLs with embedded credentials or longer than CheckSpec accepts.
 */
export function resolveLink(raw: string, base?: string): ResolvedLink {
  // HTML strips ASCII whitespace around URL attributes; the URL parser also drops tabs and newlines.
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'empty' };
  if (value.startsWith('#')) return { ok: false, reason: 'fragmentOnly' };
  let url: URL;
  try {
    url = base === undefined ? new URL(value) : new URL(value, base);
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (!WEB_SCHEMES.has(url.protocol)) return { ok: false, reason: 'unsupportedScheme' };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'credentials' };
  url.hash = '';
  if (url.href.length > MAX_URL_LENGTH) return { ok: false, reason: 'tooLong' };
  return { ok: true, url: url.href };
}

/**
 * The base URL links on a page resolve against: the first <base href> resolved against the
 * page URL, or the page URL itself when there is none or it is not a usable http(s) URL
 * (the HTML spec also ignores data: and javascript: bases).
 */
export function documentBaseUrl(pageUrl: string, baseHref?: string): string {
  if (baseHref === undefined) return pageUrl;
  const value = baseHref.trim();
  if (value === '') return pageUrl;
  try {
    const url = new URL(value, pageUrl);
    return WEB_SCHEMES.has(url.protocol) ? url.href : pageUrl;
  } catch {
    return pageUrl;
  }
}

/** True when both URLs share scheme, host and port. */
export function isSameOrigin(a: string, b: string): boolean {
  return new URL(a).origin === new URL(b).origin;
}

/** Collapses whitespace, trims and caps text so reports stay readable and bounded. */
export function cleanLinkText(text: string, maxLength: number = MAX_LINK_TEXT): string {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  if (collapsed.length <= maxLength) return collapsed;
  return `${collapsed.slice(0, Math.max(0, maxLength - 1)).trimEnd()}…`;
}

export interface LinksToCheckSpecsOptions {
  /** Per-link time limit; default the CheckSpec default. */
  timeoutMs?: number;
}

/**
 * One CheckSpec per distinct link URL, in link order. GET, not HEAD: enough servers answer HEAD
 * with 405/501 (or a different status than GET) that HEAD would flood the report with false
 * results, and checkUrl does not read a GET body it has no assertion for, so the cost is small.
 * Redirects are followed so the report can show each chain and its final status.
 * A URL that CheckSpec refuses is left out; the report counts it as unchecked.
 */
export function linksToCheckSpecs(
  links: readonly Link[],
  options: LinksToCheckSpecsOptions = {},
): CheckSpec[] {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new RangeError(`timeoutMs must be an integer between 1 and ${MAX_TIMEOUT_MS}`);
  }
  const seen = new Set<string>();
  const specs: CheckSpec[] = [];
  for (const link of links) {
    if (seen.has(link.url)) continue;
    seen.add(link.url);
    const parsed = CheckSpec.safeParse({ url: link.url, method: 'GET', timeoutMs, followRedirects: true });
    if (parsed.success) specs.push(parsed.data);
  }
  return specs;
}
