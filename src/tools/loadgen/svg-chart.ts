/**
 * Line charts as inline SVG strings, for the self-contained HTML report: no script, no external
 * asset, readable in any browser and in the file itself.
 */
import { escapeHtml } from '../../util/text.js';

/**
 * One line of a chart.
 *
 * @example
 * ```ts
 * const series: ChartSeries = { name: 'p99', color: '#c0392b', points: [[0, 1.2], [1, 1.4]] };
 * ```
 */
export interface ChartSeries {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
}

/**
 * A tick on an axis: where (in data units) and what it says.
 *
 * @example
 * ```ts
 * const tick: ChartTick = { value: 2, label: '99%' };
 * ```
 */
export interface ChartTick {
  value: number;
  label: string;
}

/**
 * A chart to draw.
 *
 * @example
 * ```ts
 * lineChart({ title: 'Throughput', xLabel: 's', yLabel: 'req/s', xTicks: [], series: [series] });
 * ```
 */
export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Ticks of the x axis; the axis spans from the first to the last (or the data's range when empty). */
  xTicks: readonly ChartTick[];
  series: readonly ChartSeries[];
  /** `id` of the `<svg>` element. */
  id?: string;
}

const WIDTH = 760;
const HEIGHT = 300;
const LEFT = 70;
const RIGHT = 36;
const TOP = 34;
const BOTTOM = 46;

/**
 * Draws `chart` as an `<svg>` element.
 *
 * @example
 * ```ts
 * const svg = lineChart({ title: 'Latency', xLabel: 'percentile', yLabel: 'ms', xTicks, series });
 * ```
 */
export function lineChart(chart: LineChart): string {
  const all = chart.series.flatMap((s) => s.points);
  const xs = [...all.map((p) => p[0]), ...chart.xTicks.map((t) => t.value)];
  const xMin = xs.length > 0 ? Math.min(...xs) : 0;
  const xMax = xs.length > 0 ? Math.max(...xs) : 1;
  const yTicks = niceTicks(0, Math.max(0, ...all.map((p) => p[1])));
  const yMax = yTicks.at(-1)?.value ?? 1;
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const px = (x: number): number => LEFT + (xMax === xMin ? 0 : ((x - xMin) / (xMax - xMin)) * plotW);
  const py = (y: number): number => TOP + plotH - (yMax === 0 ? 0 : (y / yMax) * plotH);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img"${chart.id === undefined ? '' : ` id="${escapeHtml(chart.id)}"`} aria-label="${escapeHtml(chart.title)}">`,
    `<text x="${LEFT}" y="20" class="title">${escapeHtml(chart.title)}</text>`,
  ];
  for (const t of yTicks) {
    const y = py(t.value).toFixed(1);
    parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${y}" class="ytick">${escapeHtml(t.label)}</text>`);
  }
  for (const t of chart.xTicks) {
    const x = px(t.value).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${TOP}" y2="${TOP + plotH}" class="grid"/>`);
    parts.push(`<text x="${x}" y="${TOP + plotH + 16}" class="xtick">${escapeHtml(t.label)}</text>`);
  }
  parts.push(`<rect x="${LEFT}" y="${TOP}" width="${plotW}" height="${plotH}" class="frame"/>`);
  parts.push(`<text x="${LEFT + plotW / 2}" y="${HEIGHT - 6}" class="xlabel">${escapeHtml(chart.xLabel)}</text>`);
  parts.push(
    `<text x="14" y="${TOP + plotH / 2}" class="ylabel" transform="rotate(-90 14 ${TOP + plotH / 2})">${escapeHtml(chart.yLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const points = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2" class="series" data-series="${escapeHtml(s.name)}"/>`,
    );
    const lx = LEFT + 10 + i * 110;
    parts.push(`<rect x="${lx}" y="${TOP + 8}" width="12" height="3" fill="${s.color}"/>`);
    parts.push(`<text x="${lx + 16}" y="${TOP + 13}" class="legend">${escapeHtml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * About five round ticks from `min` to at least `max` (1, 2 or 5 times a power of ten apart).
 *
 * @example
 * ```ts
 * niceTicks(0, 9.3).map((t) => t.value); // [0, 2, 4, 6, 8, 10]
 * ```
 */
export function niceTicks(min: number, max: number, count = 5): ChartTick[] {
  const span = max - min;
  if (!(span > 0))
    return [
      { value: min, label: formatTick(min) },
      { value: min + 1, label: formatTick(min + 1) },
    ];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: ChartTick[] = [];
  for (let v = Math.floor(min / step) * step; v < max + step; v += step) {
    const value = Number(v.toPrecision(12));
    ticks.push({ value, label: formatTick(value) });
    if (value >= max) break;
  }
  return ticks;
}

function formatTick(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(3)));
}
