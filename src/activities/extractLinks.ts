import * as df from 'durable-functions';
import type { Parser as HtmlParser } from 'htmlparser2';
import {
  ExtractLinksInput,
  type ExtractedLinks,
  type Link,
  type LinkKind,
  type LinkTag,
  type SkippedLinks,
} from '../core/auditSchemas';
import { cleanLinkText, documentBaseUrl, isSameOrigin, MAX_LINK_TEXT, resolveLink } from '../core/links';

/** A URL-bearing attribute as found in the document, before resolution. */
interface Reference {
  value: string;
  tag: LinkTag;
  text: string;
  hint: boolean;
}

const KIND: Record<LinkTag, LinkKind> = { a: 'page', img: 'asset', link: 'asset', script: 'asset' };
const URL_ATTRIBUTE: Record<LinkTag, string> = { a: 'href', img: 'src', link: 'href', script: 'src' };
// Warm-up hints name an origin, not a resource: checking "https://fonts.gstatic.com/" would
// report a 404 that no visitor ever sees.
const RESOURCE_HINTS = new Set(['preconnect', 'dns-prefetch']);
// Anchor text is collected only up to this size; cleanLinkText caps what is kept anyway.
const MAX_COLLECTED_TEXT = MAX_LINK_TEXT * 4;

function isLinkTag(name: string): name is LinkTag {
  return Object.hasOwn(KIND, name);
}

/** Anchor being read: its text arrives between the open and close tags. */
interface OpenAnchor {
  reference: Reference;
  text: string;
  fallback: string;
}

// htmlparser2's entry loads its DOM builder, serializer and entity tables too (about a twentieth of
// the bundled app's load in a start-up profile), so it loads on the first audit, not with the app
// (BENCHMARKS.md, "Cold start"). Synchronous, so bundled it is the same lazily evaluated module.
let parserClass: typeof HtmlParser | undefined;
function htmlParser(): typeof HtmlParser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parserClass ??= (require('htmlparser2') as typeof import('htmlparser2')).Parser;
  return parserClass;
}

function collectReferences(html: string): { references: Reference[]; baseHref?: string } {
  const references: Reference[] = [];
  let baseHref: string | undefined;
  let anchor: OpenAnchor | undefined;

  const closeAnchor = () => {
    if (!anchor) return;
    const text = cleanLinkText(anchor.text);
    anchor.reference.text = text !== '' ? text : cleanLinkText(anchor.fallback);
    anchor = undefined;
  };

  const Parser = htmlParser();
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        // The document base URL is the first <base> that has an href, wherever it is.
        if (name === 'base' && baseHref === undefined && attributes.href !== undefined) {
          baseHref = attributes.href;
          return;
        }
        // Nested anchors are invalid HTML; browsers close the outer one first.
        if (name === 'a') closeAnchor();
        if (name === 'img' && anchor && anchor.fallback === '') anchor.fallback = attributes.alt ?? '';
        if (!isLinkTag(name)) return;
        const value = attributes[URL_ATTRIBUTE[name]];
        if (value === undefined) return;
        const rel = (attributes.rel ?? '').toLowerCase().split(/\s+/);
        const reference: Reference = {
          value,
          tag: name,
          text: name === 'img' ? cleanLinkText(attributes.alt ?? '') : '',
          hint: name === 'link' && rel.some((token) => RESOURCE_HINTS.has(token)),
        };
        references.push(reference);
        if (name === 'a') {
          anchor = { reference, text: '', fallback: attributes['aria-label'] ?? attributes.title ?? '' };
        }
      },
      ontext(text) {
        if (anchor && anchor.text.length < MAX_COLLECTED_TEXT) anchor.text += text;
      },
      onclosetag(name) {
        if (name === 'a') closeAnchor();
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  closeAnchor();
  return { references, baseHref };
}

function noneSkipped(): SkippedLinks {
  return {
    empty: 0,
    fragmentOnly: 0,
    unsupportedScheme: 0,
    invalid: 0,
    credentials: 0,
    tooLong: 0,
    external: 0,
    resourceHint: 0,
  };
}

/**
 * Finds the links on a page with a real HTML parser: a[href] (pages) and img[src], link[href],
 * script[src] (assets). Resolves them against the page's base URL, normalises and de-duplicates
 * them in document order, and keeps for each the first occurrence's anchor text and tag.
 */
export function extractLinks(input: ExtractLinksInput): ExtractedLinks {
  const { html, pageUrl, maxLinks, sameOriginOnly } = ExtractLinksInput.parse(input);
  const { references, baseHref } = collectReferences(html);
  const baseUrl = documentBaseUrl(pageUrl, baseHref);
  const skipped = noneSkipped();
  const byUrl = new Map<string, Link>();

  for (const reference of references) {
    if (reference.hint) {
      skipped.resourceHint += 1;
      continue;
    }
    const resolved = resolveLink(reference.value, baseUrl);
    if (!resolved.ok) {
      skipped[resolved.reason] += 1;
      continue;
    }
    const existing = byUrl.get(resolved.url);
    if (existing) {
      existing.occurrences += 1;
      continue;
    }
    const internal = isSameOrigin(resolved.url, pageUrl);
    if (sameOriginOnly && !internal) {
      skipped.external += 1;
      continue;
    }
    byUrl.set(resolved.url, {
      url: resolved.url,
      kind: KIND[reference.tag],
      internal,
      pageUrl,
      tag: reference.tag,
      text: reference.text,
      occurrences: 1,
    });
  }

  const all = [...byUrl.values()];
  const links = all.slice(0, maxLinks);
  return { pageUrl, baseUrl, links, found: all.length, truncated: all.length - links.length, skipped };
}

// extractLinks validates its own input, defaults included.
df.app.activity('extractLinks', { handler: (input: unknown) => extractLinks(input as ExtractLinksInput) });
