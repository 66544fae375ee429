// Shields-style badges: a grey label and a coloured value. Widths are estimated from the text
// (Verdana 11px averages about 7 px a character), as shields.io's static badges do without fonts.
import { escapeHtml } from './html';

export const BADGE_COLORS = {
  green: '#2da44e',
  yellow: '#bf8700',
  red: '#cf222e',
  grey: '#6e7781',
} as const;

function textWidth(text: string): number {
  return Math.round(
    [...text].reduce((w, c) => w + (/[ il.:|!]/.test(c) ? 3.5 : /[mwMW%]/.test(c) ? 10 : 7), 0),
  );
}

export function badge(label: string, value: string, color: keyof typeof BADGE_COLORS): string {
  const left = textWidth(label) + 12;
  const right = textWidth(value) + 12;
  const width = left + right;
  const l = escapeHtml(label);
  const v = escapeHtml(value);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${l}: ${v}">
<title>${l}: ${v}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${left}" height="20" fill="#555"/><rect x="${left}" width="${right}" height="20" fill="${BADGE_COLORS[color]}"/><rect width="${width}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="${left / 2}" y="15" fill="#010101" fill-opacity=".3">${l}</text><text x="${left / 2}" y="14">${l}</text>
<text x="${left + right / 2}" y="15" fill="#010101" fill-opacity=".3">${v}</text><text x="${left + right / 2}" y="14">${v}</text>
</g>
</svg>
`;
}
