// Inline SVG charts: no script, no external resource, readable by screen readers through a
// title and a description that say what the chart shows in words.
import type { LatencyPoint } from '../core/statusModel';
import { formatMs, html, type Html } from './html';

const WIDTH = 600;
const HEIGHT = 120;
const PAD = { left: 64, right: 8, top: 8, bottom: 20 };

function niceMax(value: number): number {
  if (value <= 0) return 100;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** The last 24 hours of response times: p50 as a line, p95 as a lighter line, failures as marks. */
export function latencyChart(id: string, points: LatencyPoint[], now: Date): Html {
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const from = now.getTime() - 86_400_000;
  const max = niceMax(Math.max(0, ...points.map((p) => p.p95)));
  const xs = points.map((p) =>
    (PAD.left + ((Date.parse(p.at) - from) / 86_400_000) * (WIDTH - PAD.left - PAD.right)).toFixed(1),
  );
  const y = (ms: number) => PAD.top + (1 - ms / max) * (HEIGHT - PAD.top - PAD.bottom);
  const line = (key: 'p50' | 'p95') =>
    points.map((p, i) => `${i === 0 ? 'M' : 'L'}${xs[i]},${y(p[key]).toFixed(1)}`).join('');
  const sorted = points.map((p) => p.p50).sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  const worst = Math.max(0, ...points.map((p) => p.p95));
  const failures = points.flatMap((p, i) => (p.down > 0 ? [{ ...p, x: Number(xs[i]) }] : []));
  const description =
    points.length === 0
      ? 'No checks in the last 24 hours.'
      : `${points.reduce((n, p) => n + p.checks, 0)} checks in the last 24 hours. Typical response time ${formatMs(median)}, ` +
        `slowest 15-minute p95 ${formatMs(worst)}. ${failures.length} of ${points.length} quarter-hours had failed checks.`;
  return html`<svg
    class="chart"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    role="img"
    aria-labelledby="${titleId} ${descId}"
    preserveAspectRatio="none"
  >
    <title id="${titleId}">Response time, last 24 hours</title>
    <desc id="${descId}">${description}</desc>
    <g fill="none" stroke="#8c959f" stroke-width="1">
      <line
        x1="${PAD.left}"
        y1="${PAD.top}"
        x2="${WIDTH - PAD.right}"
        y2="${PAD.top}"
        stroke-dasharray="3 3"
      />
      <line
        x1="${PAD.left}"
        y1="${HEIGHT - PAD.bottom}"
        x2="${WIDTH - PAD.right}"
        y2="${HEIGHT - PAD.bottom}"
      />
    </g>
    <g font-size="11" fill="currentColor">
      <text x="${PAD.left - 4}" y="${PAD.top + 4}" text-anchor="end">${formatMs(max)}</text>
      <text x="${PAD.left - 4}" y="${HEIGHT - PAD.bottom}" text-anchor="end">0</text>
      <text x="${PAD.left}" y="${HEIGHT - 4}">24 h ago</text>
      <text x="${WIDTH - PAD.right}" y="${HEIGHT - 4}" text-anchor="end">now</text>
    </g>
    ${failures.map((p) => html`<rect x="${(p.x - 2).toFixed(1)}" y="${PAD.top}" width="4" height="${HEIGHT - PAD.top - PAD.bottom}" fill="#cf222e" opacity="0.25" />`)}
    ${points.length > 0 ? html`<path d="${line('p95')}" fill="none" stroke="#54aeff" stroke-width="1.5" /><path d="${line('p50')}" fill="none" stroke="#0b5cad" stroke-width="2" />` : ''}
  </svg>`;
}

/** A histogram of latencies (a check run's answering targets). */
export function histogram(id: string, latencies: number[]): Html {
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const bins = 12;
  const max = niceMax(Math.max(1, ...latencies));
  const counts = Array<number>(bins).fill(0);
  for (const ms of latencies) counts[Math.min(bins - 1, Math.floor((ms / max) * bins))]! += 1;
  const top = Math.max(1, ...counts);
  const barWidth = (WIDTH - PAD.left - PAD.right) / bins;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const description = counts
    .map((n, i) => `${formatMs((i * max) / bins)} to ${formatMs(((i + 1) * max) / bins)}: ${n}`)
    .filter((_, i) => counts[i]! > 0)
    .join('; ');
  return html`<svg
    class="chart"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    role="img"
    aria-labelledby="${titleId} ${descId}"
  >
    <title id="${titleId}">Latency histogram of ${latencies.length} answering targets</title>
    <desc id="${descId}">${description || 'No target answered.'}</desc>
    ${counts.map((n, i) => {
      const h = (n / top) * plotHeight;
      return html`<rect
        x="${(PAD.left + i * barWidth + 1).toFixed(1)}"
        y="${(PAD.top + plotHeight - h).toFixed(1)}"
        width="${(barWidth - 2).toFixed(1)}"
        height="${h.toFixed(1)}"
        fill="#0b5cad"
      />`;
    })}
    <g font-size="11" fill="currentColor">
      <text x="${PAD.left - 4}" y="${PAD.top + 4}" text-anchor="end">${top}</text>
      <text x="${PAD.left}" y="${HEIGHT - 4}">0</text>
      <text x="${WIDTH - PAD.right}" y="${HEIGHT - 4}" text-anchor="end">${formatMs(max)}</text>
    </g>
  </svg>`;
}
