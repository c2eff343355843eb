/**
 * The HTML report of a load test (`wirekit bench --html FILE`): one self-contained file (inline
 * CSS and SVG, no script, no external asset) with the summary, a latency-by-percentile plot, the
 * throughput and latency over time, statuses and errors. The result's JSON is embedded too, so the
 * file alone is enough to compare against later.
 */

import { escapeHtml } from '../../util/text.js';
import { ERROR_PHASES } from './driver.js';
import { formatBytes, formatCount, formatMs, formatSeconds, unitsOf } from './format.js';
import { LatencyHistogram } from './histogram.js';
import type { LoadTestResult } from './result.js';
import { type ChartTick, lineChart } from './svg-chart.js';

/** Deepest percentile plotted: 99.999% (x = 5 on the log scale), or what the sample size supports. */
const MAX_NINES = 5;

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:820px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#5b6473;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 12px 3px 0;text-align:right}
th:first-child,td:first-child{text-align:left}th{color:#5b6473;font-weight:600}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #d8dde6;border-radius:6px;padding:8px 14px}
.card b{display:block;font-size:20px}
svg{width:100%;height:auto;margin:6px 0}svg text{font:11px system-ui,sans-serif;fill:#3b4252}
svg .title{font-size:13px;font-weight:600}svg .grid{stroke:#e6e9ef}svg .frame{fill:none;stroke:#aab2c0}
svg .ytick{text-anchor:end;dominant-baseline:middle}svg .xtick,svg .xlabel{text-anchor:middle}svg .ylabel{text-anchor:middle}
`;

/**
 * The report as an HTML document.
 *
 * @example
 * ```ts
 * writeFileSync('report.html', renderHtmlReport(await loadTest({ targets: [url], durationMs: 5_000 })));
 * ```
 */
export function renderHtmlReport(result: LoadTestResult): string {
  const title = `wirekit bench: ${result.targets.map((t) => `${t.method} ${t.url}`).join(', ')}`;
  const o = result.options;
  const units = unitsOf(result.protocol);
  const sub = [
    new Date(result.startedAt).toUTCString(),
    `${o.connections} connections`,
    `pipelining ${o.pipelining}`,
    o.rate === null ? 'closed loop' : `${formatCount(o.rate)} ${units.rate} fixed rate (latency from the due time)`,
    formatSeconds(result.durationMs),
  ].join(' · ');
  const l = result.latency;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(sub)}</p>
<div class="cards">
${card(`${units.plural}/s`, formatCount(result.rps))}${card(units.plural, formatCount(result.requests))}${card('p50', `${formatMs(l.p50)} ms`)}${card('p99', `${formatMs(l.p99)} ms`)}${card('errors', formatCount(result.errors))}
</div>
<h2>Latency by percentile</h2>
${percentileChart(result)}
${htmlTable(['p50', 'p75', 'p90', 'p99', 'p99.9', 'p99.99', 'max', 'mean', 'stdev'], [[l.p50, l.p75, l.p90, l.p99, l.p999, l.p9999, l.max, l.mean, l.stdev].map((v) => `${formatMs(v)} ms`)])}
<h2>Throughput over time</h2>
${throughputChart(result)}
<h2>Latency over time</h2>
${latencyOverTimeChart(result)}
<h2>Responses and errors</h2>
${htmlTable(['', ...Object.keys(result.statusCodes)], [['responses', ...Object.values(result.statusCodes).map(formatCount)]])}
${htmlTable(['errors', ...ERROR_PHASES], [[formatCount(result.errors), ...ERROR_PHASES.map((p) => formatCount(result.errorPhases[p]))]])}
${
  Object.keys(result.errorCodes).length === 0
    ? ''
    : htmlTable(
        ['code', 'count'],
        Object.entries(result.errorCodes).map(([c, n]) => [c, formatCount(n)]),
      )
}
<p>Read ${escapeHtml(formatBytes(result.bytes.read))} (${escapeHtml(formatBytes(result.bytes.readPerSecond))}/s), written ${escapeHtml(formatBytes(result.bytes.written))}; ${formatCount(result.connections.opened)} connections opened.</p>
<script type="application/json" id="result">${JSON.stringify(result).replace(/</g, '\\u003c')}</script>
</body></html>
`;
}

function card(label: string, value: string): string {
  return `<div class="card">${escapeHtml(label)}<b>${escapeHtml(value)}</b></div>`;
}

function htmlTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

/** Latency against percentile on HdrHistogram's log scale: x = -log10(1 - p), so 90%, 99%, 99.9% are evenly spaced. */
function percentileChart(result: LoadTestResult): string {
  const histogram = LatencyHistogram.decode(result.histogram);
  const nines = Math.min(MAX_NINES, Math.max(1, Math.ceil(Math.log10(Math.max(10, histogram.count)))));
  const points: [number, number][] = [];
  for (let x = 0; x <= nines + 1e-9; x += 0.05) points.push([x, histogram.percentile(100 * (1 - 10 ** -x))]);
  const xTicks: ChartTick[] = [{ value: 0, label: '0%' }];
  for (let n = 1; n <= nines; n++)
    xTicks.push({ value: n, label: `${(100 * (1 - 10 ** -n)).toFixed(Math.max(0, n - 2))}%` });
  return lineChart({
    id: 'percentiles',
    title: 'Latency by percentile',
    xLabel: 'percentile',
    yLabel: 'latency (ms)',
    xTicks,
    series: [{ name: 'latency', color: '#2f6fde', points }],
  });
}

function throughputChart(result: LoadTestResult): string {
  const points = result.timeline.map((s): [number, number] => [s.t + s.ms / 2000, (s.requests * 1000) / s.ms]);
  const { plural, rate } = unitsOf(result.protocol);
  return lineChart({
    id: 'throughput',
    title: `${plural[0]?.toUpperCase()}${plural.slice(1)} per second`,
    xLabel: 'time (s)',
    yLabel: rate,
    xTicks: timeTicks(result),
    series: [{ name: rate, color: '#1f9d55', points }],
  });
}

function latencyOverTimeChart(result: LoadTestResult): string {
  const at = (s: { t: number; ms: number }): number => s.t + s.ms / 2000;
  return lineChart({
    id: 'latency-over-time',
    title: 'Latency per second',
    xLabel: 'time (s)',
    yLabel: 'latency (ms)',
    xTicks: timeTicks(result),
    series: [
      { name: 'p50', color: '#2f6fde', points: result.timeline.map((s) => [at(s), s.p50]) },
      { name: 'p99', color: '#d9822b', points: result.timeline.map((s) => [at(s), s.p99]) },
      { name: 'max', color: '#c0392b', points: result.timeline.map((s) => [at(s), s.max]) },
    ],
  });
}

function timeTicks(result: LoadTestResult): ChartTick[] {
  const seconds = result.durationMs / 1000;
  const step = seconds <= 12 ? 1 : seconds <= 60 ? 5 : seconds <= 300 ? 30 : 60;
  const ticks: ChartTick[] = [];
  for (let t = 0; t <= seconds + 1e-9; t += step) ticks.push({ value: t, label: String(t) });
  return ticks;
}
