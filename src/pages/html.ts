// Server-rendered HTML without a template engine: a tagged template that escapes every
// interpolated value unless it is already HTML (the result of `html` itself, or `raw`). Escaping
// by default means a monitor name, an error message or a URL can never become markup.

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Markup that is safe as it is. Only `html` and `raw` make one. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  return escapeHtml(part);
}

// The templates' own indentation (a line break and the spaces after it) shrinks to one line
// break: HTML renders them alike, no page uses <pre>, and a status page of a hundred monitors
// was about a tenth indentation. Once per template, since a template's strings never change.
const compacted = new WeakMap<TemplateStringsArray, readonly string[]>();
function compact(strings: TemplateStringsArray): readonly string[] {
  let parts = compacted.get(strings);
  if (!parts) compacted.set(strings, (parts = strings.map((part) => part.replace(/\n\s+/g, '\n'))));
  return parts;
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  const parts = compact(strings);
  let out = parts[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (parts[i + 1] ?? '');
  });
  return new Html(out);
}

/** Trusted markup written in this code base (never data). */
export function raw(markup: string): Html {
  return new Html(markup);
}

/**
 * A URL as a person may see it: no user info, no query, no fragment (tokens live there); the
 * path stays, since it is what tells two targets of one site apart.
 */
export function displayUrl(value: string): string {
  try {
    const url = new URL(value);
    const userInfo = url.username || url.password ? '***@' : '';
    return `${url.protocol}//${userInfo}${url.host}${url.pathname}${url.search ? '?***' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'no data';
  return `${value >= 99.995 && value < 100 ? '99.99' : value.toFixed(value === 100 ? 0 : 2)}%`;
}

export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** The shared page frame: one small stylesheet, no external resources, light and dark. */
export function page(options: { title: string; body: Html; script?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${options.body.value}
${options.script ? `<script>${options.script}</script>` : ''}
</body>
</html>
`;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
main,header,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
h1{font-size:1.6rem;margin:0 0 .5rem}
h2{font-size:1.25rem;margin:2rem 0 .75rem}
h3{font-size:1.05rem;margin:0;overflow-wrap:anywhere}
a{color:#0b5cad}
a:focus-visible,button:focus-visible,summary:focus-visible,[tabindex]:focus-visible{outline:3px solid #0b5cad;outline-offset:2px;border-radius:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem}
.skip:focus{left:1rem;top:.5rem;z-index:1}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.banner{border-radius:8px;padding:1rem 1.25rem;margin:1rem 0;color:#fff;font-weight:600;font-size:1.1rem}
.banner.operational{background:#1a7f37}.banner.degraded{background:#8a5a00}.banner.outage{background:#b42318}.banner.unknown{background:#57606a}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1rem;margin:0 0 1rem}
.row{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;justify-content:space-between}
.pill{display:inline-block;border-radius:999px;padding:.1rem .6rem;font-size:.85rem;font-weight:600;color:#fff}
.pill.up{background:#1a7f37}.pill.down{background:#b42318}.pill.degraded{background:#8a5a00}.pill.pending,.pill.paused{background:#57606a}
.muted{color:#57606a;font-size:.9rem}
.url{overflow-wrap:anywhere}
dl.uptime{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:.25rem;margin:.75rem 0}
dl.uptime div{min-width:0}
dl.uptime dt{font-size:.8rem;color:#57606a}
dl.uptime dd{margin:0;font-weight:600}
ol.days{display:flex;gap:1px;list-style:none;padding:0;margin:.5rem 0 .25rem;height:2rem}
ol.days li{flex:1 1 0;min-width:0;border-radius:1px;background:#d0d7de}
ol.days li.ok{background:#2da44e}ol.days li.minor{background:#d4a72c}ol.days li.major{background:#cf222e}
.scale{display:flex;justify-content:space-between;font-size:.8rem;color:#57606a}
svg.chart{display:block;width:100%;height:auto;margin-top:.5rem}
.incident{border-left:4px solid #b42318;padding:.25rem .75rem;margin:.75rem 0;background:#fff5f5}
.incident.closed{border-color:#57606a;background:#fff}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #d0d7de;vertical-align:top}
td.url,th.url{overflow-wrap:anywhere;word-break:break-word}
.table-wrap{overflow-x:auto}
progress{width:100%;height:1.25rem}
footer{padding:2rem 1rem;color:#57606a;font-size:.85rem}
@media (prefers-color-scheme:dark){
body{background:#0d1117;color:#e6edf3}.card,.skip{background:#161b22;border-color:#30363d}
a{color:#58a6ff}.muted,dl.uptime dt,.scale,footer{color:#9198a1}
.incident{background:#2d1214}.incident.closed{background:#161b22}
a:focus-visible,button:focus-visible,summary:focus-visible,[tabindex]:focus-visible{outline-color:#58a6ff}
th,td{border-color:#30363d}ol.days li{background:#30363d}
}
`;
