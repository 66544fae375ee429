import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { MonitorName } from '../core/monitorSchemas';
import type { StatusDocument, StatusMonitor } from '../core/statusModel';
import { badge, type BADGE_COLORS } from '../pages/badge';
import { formatPercent } from '../pages/html';
import { renderStatusPage } from '../pages/statusPage';
import { CompressibleBody, compressedResponse } from './http/compressedResponse';
import { problem, validationProblem } from './http/problem';
import { durableRoute } from './http/route';
import { loadStatus } from './statusData';

// The public face: anonymous, read-only, and built from rollups only, so a visitor's request
// costs a bounded number of table reads however long the monitors have run.

// Shared caches (a CDN, a README host's image proxy) may keep these briefly.
const PAGE_CACHE = 'public, max-age=30';
const BADGE_CACHE = 'public, max-age=60, stale-while-revalidate=300';

// The rendered page and JSON of each cached document, with their compressed forms, so a flood of
// visitors within the document's 5 seconds costs one render and one compression per coding.
const rendered = new WeakMap<StatusDocument, { html?: CompressibleBody; json?: CompressibleBody }>();
function bodiesOf(doc: StatusDocument) {
  let bodies = rendered.get(doc);
  if (bodies === undefined) rendered.set(doc, (bodies = {}));
  return bodies;
}
function statusHtml(doc: StatusDocument): CompressibleBody {
  const bodies = bodiesOf(doc);
  return (bodies.html ??= new CompressibleBody(renderStatusPage(doc), { etag: true }));
}
function statusJson(doc: StatusDocument): CompressibleBody {
  const bodies = bodiesOf(doc);
  return (bodies.json ??= new CompressibleBody(JSON.stringify(doc), { etag: true }));
}

durableRoute(
  'statusPage',
  'status',
  {
    GET: async (request, client) =>
      compressedResponse(request, statusHtml(await loadStatus(client)), {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': PAGE_CACHE,
      }),
  },
  { authLevel: 'anonymous' },
);

durableRoute(
  'statusJson',
  'status.json',
  {
    GET: async (request, client) =>
      compressedResponse(request, statusJson(await loadStatus(client)), {
        'content-type': 'application/json',
        'cache-control': PAGE_CACHE,
      }),
  },
  { authLevel: 'anonymous' },
);

const STATE_COLORS: Record<StatusMonitor['state'], keyof typeof BADGE_COLORS> = {
  up: 'green',
  degraded: 'yellow',
  down: 'red',
  pending: 'grey',
  paused: 'grey',
};

function uptimeColor(value: number | null): keyof typeof BADGE_COLORS {
  if (value === null) return 'grey';
  return value >= 99.9 ? 'green' : value >= 99 ? 'yellow' : 'red';
}

/** An SVG answer with a strong ETag over its bytes; a matching If-None-Match gets 304. */
function svg(request: HttpRequest, body: string): HttpResponseInit {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const headers = { etag, 'cache-control': BADGE_CACHE };
  const match = request.headers.get('if-none-match');
  if (match && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    return { status: 304, headers };
  }
  return { status: 200, headers: { ...headers, 'content-type': 'image/svg+xml; charset=utf-8' }, body };
}

function badgeRoute(kind: 'status' | 'uptime') {
  durableRoute(
    kind === 'status' ? 'statusBadge' : 'uptimeBadge',
    `badges/{name}/${kind}.svg`,
    {
      GET: async (request, client) => {
        const name = MonitorName.safeParse(request.params.name ?? '');
        if (!name.success) return validationProblem(name.error, 'name');
        const monitor = (await loadStatus(client)).monitors.find((m) => m.name === name.data);
        if (!monitor) return problem(404, { detail: `No running monitor named ${name.data}.` });
        if (kind === 'status')
          return svg(request, badge(name.data, monitor.state, STATE_COLORS[monitor.state]));
        const uptime = monitor.uptime.d30;
        return svg(request, badge('uptime 30d', formatPercent(uptime), uptimeColor(uptime)));
      },
    },
    { authLevel: 'anonymous' },
  );
}

badgeRoute('status');
badgeRoute('uptime');
