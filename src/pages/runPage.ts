// GET /api/runs/{id} for a browser: the run's progress, summary, a latency histogram and its
// results (failures first) from the report blob; for an audit, its problem links and where they
// were found. URLs are shown without user info or query (displayUrl).
import type { RunView } from '../core/apiSchemas';
import { AuditReport } from '../core/auditSchemas';
import { CheckResult } from '../core/checkSpec';
import { scrubCredentials } from '../core/stripCredentials';
import { Summary } from '../core/summary';
import { z } from 'zod';
import { histogram } from './charts';
import { displayUrl, formatMs, html, page, type Html } from './html';

/** Rows shown per table; the JSON report has them all. */
export const MAX_ROWS = 1000;

const CheckReport = z.object({ results: z.array(CheckResult) });
const CheckProgress = z.object({ completed: z.number(), total: z.number() });

const ACTIVE = new Set(['Pending', 'Running', 'ContinuedAsNew']);

function progressOf(view: RunView): Html {
  const progress = CheckProgress.safeParse(view.progress);
  const active = ACTIVE.has(view.runtimeStatus);
  if (progress.success && progress.data.total > 0) {
    const { completed, total } = progress.data;
    const done = view.runtimeStatus === 'Completed' ? total : completed;
    return html`<p><label for="progress">Checked ${done} of ${total} targets</label></p>
      <progress id="progress" max="${total}" value="${done}">${Math.round((done / total) * 100)}%</progress>`;
  }
  const step = (view.progress as { step?: unknown } | null)?.step;
  if (active) {
    return html`<p>${typeof step === 'string' ? html`Step: ${step}` : 'Running…'}</p>
      <progress aria-label="Run progress">running</progress>`;
  }
  return html``;
}

function summaryOf(view: RunView): Html {
  const summary = Summary.safeParse(view.summary);
  if (!summary.success) return html``;
  const s = summary.data;
  return html`<h2>Summary</h2>
    <dl class="uptime">
      <div>
        <dt>Targets</dt>
        <dd>${s.total}</dd>
      </div>
      <div>
        <dt>Up</dt>
        <dd>${s.up}</dd>
      </div>
      <div>
        <dt>Down</dt>
        <dd>${s.down}</dd>
      </div>
      <div>
        <dt>Degraded</dt>
        <dd>${s.degraded}</dd>
      </div>
      <div>
        <dt>p50</dt>
        <dd>${formatMs(s.latency.p50)}</dd>
      </div>
      <div>
        <dt>p95</dt>
        <dd>${formatMs(s.latency.p95)}</dd>
      </div>
      <div>
        <dt>Slowest</dt>
        <dd>${formatMs(s.latency.max)}</dd>
      </div>
    </dl>`;
}

function checkResults(results: CheckResult[]): Html {
  const sorted = [...results].sort((a, b) => Number(a.ok) - Number(b.ok) || b.latencyMs - a.latencyMs);
  const answering = results.filter((r) => r.status !== undefined).map((r) => r.latencyMs);
  const rows = sorted.slice(0, MAX_ROWS);
  return html`<h2>Latency</h2>
    ${histogram('latency', answering)}
    <h2>Results</h2>
    <p class="muted">
      ${results.length} results, failures
      first${results.length > MAX_ROWS ? html`; the first ${MAX_ROWS} are shown` : ''}.
    </p>
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Result</th>
            <th scope="col" class="url">Target</th>
            <th scope="col">Status</th>
            <th scope="col">Latency</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr>
                <td><span class="pill ${r.ok ? 'up' : 'down'}">${r.ok ? 'OK' : 'Failed'}</span></td>
                <td class="url">${displayUrl(r.url)}</td>
                <td>${r.status ?? '–'}</td>
                <td>${formatMs(r.latencyMs)}</td>
                <td>
                  ${
                    r.error
                      ? html`${r.error.code}: ${scrubCredentials(r.error.message)}`
                      : r.assertions
                          .filter((a) => !a.ok)
                          .map((a) => a.name)
                          .join(', ')
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

function foundOn(locations: Array<{ pageUrl: string; text: string }>): Html {
  return html`${locations.slice(0, 5).map((l, i) => html`${i > 0 ? html`<br />` : ''}${displayUrl(l.pageUrl)}${l.text ? html` (“${l.text}”)` : ''}`)}`;
}

function auditTables(report: AuditReport): Html {
  const section = (title: string, count: number, head: Html, rows: Html[]) =>
    html`<h2>${title} (${count})</h2>
      ${
        count === 0
          ? html`<p>None.</p>`
          : html`<div class="table-wrap">
              <table>
                <thead>
                  ${head}
                </thead>
                <tbody>
                  ${rows}
                </tbody>
              </table>
            </div>`
      }`;
  return html`<p class="muted">
      ${report.counts.links} links on ${displayUrl(report.page.finalUrl)}: ${report.counts.ok} OK,
      ${report.counts.broken} broken, ${report.counts.redirected} redirected, ${report.counts.slow} slow (over
      ${formatMs(report.slowMs)}).
    </p>
    ${section(
      'Broken links',
      report.broken.length,
      html`<tr>
        <th scope="col" class="url">Link</th>
        <th scope="col">Status</th>
        <th scope="col" class="url">Found on</th>
      </tr>`,
      report.broken.slice(0, MAX_ROWS).map(
        (l) =>
          html`<tr>
            <td class="url">${displayUrl(l.url)}</td>
            <td>${l.status ?? l.error?.code ?? '–'}</td>
            <td class="url">${foundOn(l.foundOn)}</td>
          </tr>`,
      ),
    )}
    ${section(
      'Redirected links',
      report.redirected.length,
      html`<tr>
        <th scope="col" class="url">Link</th>
        <th scope="col" class="url">Ends at</th>
        <th scope="col" class="url">Found on</th>
      </tr>`,
      report.redirected.slice(0, MAX_ROWS).map(
        (l) =>
          html`<tr>
            <td class="url">${displayUrl(l.url)}</td>
            <td class="url">${displayUrl(l.finalUrl)}</td>
            <td class="url">${foundOn(l.foundOn)}</td>
          </tr>`,
      ),
    )}
    ${section(
      'Slow links',
      report.slow.length,
      html`<tr>
        <th scope="col" class="url">Link</th>
        <th scope="col">Latency</th>
        <th scope="col" class="url">Found on</th>
      </tr>`,
      report.slow.slice(0, MAX_ROWS).map(
        (l) =>
          html`<tr>
            <td class="url">${displayUrl(l.url)}</td>
            <td>${formatMs(l.latencyMs)}</td>
            <td class="url">${foundOn(l.foundOn)}</td>
          </tr>`,
      ),
    )}`;
}

const STATE_CLASS: Record<string, string> = { Completed: 'up', Failed: 'down', Terminated: 'down' };

/** `report` is the report blob's content when the run completed and has one. */
export function renderRunPage(view: RunView, report: unknown): string {
  const active = ACTIVE.has(view.runtimeStatus);
  const checks = CheckReport.safeParse(report);
  const audit = AuditReport.safeParse(report);
  const kind =
    view.orchestrator === 'auditSite'
      ? 'Link audit'
      : view.orchestrator === 'checkSites'
        ? 'Check run'
        : 'Run';
  const body = html`<header>
      <h1>${kind} <span class="url">${view.instanceId}</span></h1>
      <p class="row">
        <span class="pill ${STATE_CLASS[view.runtimeStatus] ?? 'pending'}">${view.runtimeStatus}</span>
        <span class="muted"
          >Started
          <time datetime="${view.createdTime}"
            >${view.createdTime.replace('T', ' ').slice(0, 19)} UTC</time
          ></span
        >
      </p>
    </header>
    <main id="main">
      ${progressOf(view)}
      ${
        active
          ? html`<p class="muted">This page reloads every 2 seconds while the run is active.</p>
              <noscript><p>Reload the page to see progress.</p></noscript>`
          : ''
      }
      ${view.error ? html`<div class="incident"><strong>The run failed:</strong> ${view.error}</div>` : ''}
      ${summaryOf(view)} ${checks.success ? checkResults(checks.data.results) : ''}
      ${audit.success ? auditTables(audit.data) : ''}
    </main>`;
  return page({
    title: `${kind} ${view.instanceId} – ${view.runtimeStatus}`,
    body,
    ...(active && { script: 'setTimeout(function(){location.reload()},2000);' }),
  });
}
