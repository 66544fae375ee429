// GET /api/status as HTML: everything is in the markup; the one script only reloads the page
// every minute, so the page works the same without JavaScript.
import type { PublicIncident, StatusDay, StatusDocument, StatusMonitor } from '../core/statusModel';
import { latencyChart } from './charts';
import { escapeHtml, formatDuration, formatPercent, html, page, raw, type Html } from './html';

const OVERALL_TEXT: Record<StatusDocument['overall'], string> = {
  operational: 'All systems operational',
  degraded: 'Some systems are having problems',
  outage: 'Major outage',
  unknown: 'No monitor has reported yet',
};

const STATE_TEXT: Record<StatusMonitor['state'], string> = {
  up: 'Up',
  down: 'Down',
  degraded: 'Degraded',
  pending: 'Pending',
  paused: 'Paused',
};

function time(iso: string): Html {
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

function dayClass(day: StatusDay): string {
  if (day.uptime === null) return 'none';
  if (day.uptime >= 99.9) return 'ok';
  return day.uptime >= 95 ? 'minor' : 'major';
}

function dayText(day: StatusDay): string {
  if (day.uptime === null) return `${day.day}: no data`;
  return `${day.day}: ${formatPercent(day.uptime)} up, ${day.down} of ${day.checks} checks failed`;
}

// Nine thousand cells on a page of a hundred monitors: built as one string (escaped all the same)
// rather than an html template per cell.
function dayCells(days: StatusDay[]): Html {
  let cells = '';
  for (const day of days) cells += `<li class="${dayClass(day)}" title="${escapeHtml(dayText(day))}"></li>`;
  return raw(cells);
}

function dayBar(monitor: StatusMonitor): Html {
  return html`<ol class="days" aria-label="Uptime per day, last ${monitor.days.length} days">
      ${dayCells(monitor.days)}
    </ol>
    <div class="scale" aria-hidden="true">
      <span>${monitor.days.length} days ago</span><span>today</span>
    </div>`;
}

function incidentLine(incident: PublicIncident, now: Date, withMonitor: boolean): Html {
  const open = incident.closedAt === null;
  return html`<div class="incident${open ? '' : ' closed'}">
    <strong
      >${withMonitor ? html`${incident.monitor}: ` : ''}${open ? 'Ongoing incident' : 'Resolved'}</strong
    >
    ${incident.cause ? html` (${incident.cause})` : ''}<br />
    <span class="muted"
      >Started
      ${time(incident.openedAt)}${open ? html`, ${formatDuration(now.getTime() - Date.parse(incident.openedAt))} so far` : html`, lasted ${formatDuration(incident.durationMs)}`}${incident.acknowledgedAt ? html`; acknowledged ${time(incident.acknowledgedAt)}` : open ? '; not yet acknowledged' : ''}</span
    >
  </div>`;
}

function monitorCard(monitor: StatusMonitor, now: Date, index: number): Html {
  const headingId = `m-${index}`;
  return html`<section class="card" aria-labelledby="${headingId}">
    <div class="row">
      <h3 id="${headingId}">${monitor.name}</h3>
      <span class="pill ${monitor.state}">${STATE_TEXT[monitor.state]}</span>
    </div>
    ${monitor.url ? html`<div class="muted url">${monitor.url}</div>` : ''}
    ${monitor.since ? html`<div class="muted">${STATE_TEXT[monitor.state]} since ${time(monitor.since)}</div>` : ''}
    ${monitor.incident ? incidentLine(monitor.incident, now, false) : ''}
    <dl class="uptime">
      <div>
        <dt>24 hours</dt>
        <dd>${formatPercent(monitor.uptime.h24)}</dd>
      </div>
      <div>
        <dt>7 days</dt>
        <dd>${formatPercent(monitor.uptime.d7)}</dd>
      </div>
      <div>
        <dt>30 days</dt>
        <dd>${formatPercent(monitor.uptime.d30)}</dd>
      </div>
      <div>
        <dt>90 days</dt>
        <dd>${formatPercent(monitor.uptime.d90)}</dd>
      </div>
    </dl>
    ${dayBar(monitor)} ${latencyChart(`chart-${index}`, monitor.latency, now)}
  </section>`;
}

export function renderStatusPage(doc: StatusDocument): string {
  const now = new Date(doc.generatedAt);
  const body = html`<header>
      <h1>${doc.title}</h1>
      <p class="muted">Updated ${time(doc.generatedAt)} · <a href="status.json">JSON</a></p>
    </header>
    <main id="main">
      <div class="banner ${doc.overall}" role="status">${OVERALL_TEXT[doc.overall]}</div>
      <h2>Monitors</h2>
      ${doc.monitors.length === 0 ? html`<p>No monitors are running.</p>` : doc.monitors.map((m, i) => monitorCard(m, now, i))}
      <h2>Incidents, last 30 days</h2>
      ${doc.incidents.length === 0 ? html`<p>No incidents.</p>` : doc.incidents.map((i) => incidentLine(i, now, true))}
    </main>
    <footer>Served by Sitewatch. Times are UTC. This page reloads itself every minute.</footer>`;
  return page({
    title: doc.title,
    body,
    // Progressive enhancement: reload while the tab is visible; nothing else needs script.
    script: 'setInterval(function(){if(!document.hidden)location.reload()},60000);',
  });
}
