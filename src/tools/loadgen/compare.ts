/**
 * Comparing two load-test results (`wirekit bench --compare a.json b.json`).
 *
 * Method: each run's timeline gives one value per second (throughput, p50, p99). The change of a
 * metric is B's value over A's; its 95% confidence interval is Welch's t-interval for the
 * difference of the per-second means, relative to A's mean. A change whose interval excludes zero
 * is reported as a difference; otherwise as noise. Seconds are not independent draws (a slow
 * second on a shared machine is often followed by another), so the interval is optimistic: treat
 * one that barely excludes zero as "maybe", and prefer several runs. The min–max over the seconds
 * of each run is shown beside it.
 */
import { WirekitError } from '../../errors.js';
import { formatChange, formatCount, formatMs, table } from './format.js';
import type { TimelineSample } from './recorder.js';
import { type LoadTestResult, RESULT_SCHEMA } from './result.js';

/** The metrics compared: their whole-run value and their value in one timeline sample. */
const METRICS: readonly {
  name: MetricComparison['name'];
  better: MetricComparison['better'];
  whole: (r: LoadTestResult) => number;
  perSecond: (s: TimelineSample) => number;
}[] = [
  { name: 'req/s', better: 'higher', whole: (r) => r.rps, perSecond: (s) => (s.requests * 1000) / s.ms },
  { name: 'p50 (ms)', better: 'lower', whole: (r) => r.latency.p50, perSecond: (s) => s.p50 },
  { name: 'p99 (ms)', better: 'lower', whole: (r) => r.latency.p99, perSecond: (s) => s.p99 },
];

/** Samples shorter than this (the cut-off tail of a run) are left out of the per-second series. */
const MIN_SAMPLE_MS = 500;

/**
 * One metric of two runs.
 *
 * @example
 * ```ts
 * const rps = compareResults(a, b).metrics.find((m) => m.name === 'req/s');
 * ```
 */
export interface MetricComparison {
  name: 'req/s' | 'p50 (ms)' | 'p99 (ms)';
  /** Which way is better. */
  better: 'higher' | 'lower';
  /** The whole-run values. */
  a: number;
  b: number;
  /** `b / a - 1`. */
  change: number;
  /** 95% interval of the relative change, or null when a run has fewer than two seconds. */
  interval: [number, number] | null;
  /** Min and max of the per-second values of each run. */
  aRange: [number, number];
  bRange: [number, number];
  /** `better`/`worse` when the interval excludes zero, `same` when it does not, `unknown` without an interval. */
  verdict: 'better' | 'worse' | 'same' | 'unknown';
}

/**
 * A comparison of two results.
 *
 * @example
 * ```ts
 * const c = compareResults(before, after);
 * for (const m of c.metrics) console.log(m.name, m.change, m.verdict);
 * ```
 */
export interface Comparison {
  metrics: MetricComparison[];
  /** Seconds each run contributed. */
  samples: [number, number];
}

/**
 * Compares two results (A is the baseline).
 *
 * @throws WirekitError `WK_ERR_INVALID_ARGUMENT` when either is not a `wirekit-bench/1` result.
 * @example
 * ```ts
 * const c = compareResults(JSON.parse(readFileSync('a.json', 'utf8')), JSON.parse(readFileSync('b.json', 'utf8')));
 * ```
 */
export function compareResults(a: LoadTestResult, b: LoadTestResult): Comparison {
  checkResult(a, 'A');
  checkResult(b, 'B');
  const sa = a.timeline.filter((s) => s.ms >= MIN_SAMPLE_MS && s.requests > 0);
  const sb = b.timeline.filter((s) => s.ms >= MIN_SAMPLE_MS && s.requests > 0);
  return {
    samples: [sa.length, sb.length],
    metrics: METRICS.map((m) =>
      metric(m.name, m.better, m.whole(a), m.whole(b), sa.map(m.perSecond), sb.map(m.perSecond)),
    ),
  };
}

/**
 * The comparison as a text table.
 *
 * @example
 * ```ts
 * process.stdout.write(formatComparison(compareResults(a, b), 'a.json', 'b.json'));
 * ```
 */
export function formatComparison(c: Comparison, nameA = 'A', nameB = 'B'): string {
  const value = (name: string, v: number): string => (name === 'req/s' ? formatCount(v) : formatMs(v));
  const range = (name: string, [lo, hi]: [number, number]): string => `${value(name, lo)}–${value(name, hi)}`;
  const rows = [
    ['metric', 'A', 'B', 'change', '95% CI of change', 'A per second', 'B per second', 'verdict'],
    ...c.metrics.map((m) => [
      m.name,
      value(m.name, m.a),
      value(m.name, m.b),
      formatChange(m.change),
      m.interval === null ? 'n/a' : `${formatChange(m.interval[0])} … ${formatChange(m.interval[1])}`,
      range(m.name, m.aRange),
      range(m.name, m.bRange),
      verdictText(m),
    ]),
  ];
  return [
    `A: ${nameA} (${c.samples[0]} s)`,
    `B: ${nameB} (${c.samples[1]} s)`,
    '',
    ...table(rows),
    '',
    'CI: Welch t-interval over per-second samples; seconds are correlated, so read a narrow miss as "maybe".',
    '',
  ].join('\n');
}

function verdictText(m: MetricComparison): string {
  switch (m.verdict) {
    case 'better':
      return 'B better';
    case 'worse':
      return 'B worse';
    case 'same':
      return 'within noise';
    case 'unknown':
      return 'too few seconds';
  }
}

function metric(
  name: MetricComparison['name'],
  better: MetricComparison['better'],
  a: number,
  b: number,
  xa: readonly number[],
  xb: readonly number[],
): MetricComparison {
  const change = a > 0 ? b / a - 1 : 0;
  const interval = welchInterval(xa, xb);
  let verdict: MetricComparison['verdict'] = 'unknown';
  if (interval !== null) {
    const [lo, hi] = interval;
    const up = lo > 0;
    const down = hi < 0;
    verdict = !up && !down ? 'same' : up === (better === 'higher') ? 'better' : 'worse';
  }
  return { name, better, a, b, change, interval, aRange: rangeOf(xa, a), bRange: rangeOf(xb, b), verdict };
}

function rangeOf(xs: readonly number[], fallback: number): [number, number] {
  return xs.length === 0 ? [fallback, fallback] : [Math.min(...xs), Math.max(...xs)];
}

/**
 * Welch's 95% t-interval for mean(b) − mean(a), divided by mean(a); null with fewer than two values
 * on a side.
 *
 * @example
 * ```ts
 * welchInterval([100, 102, 98], [110, 112, 108]); // about [0.06, 0.14]
 * ```
 */
export function welchInterval(a: readonly number[], b: readonly number[]): [number, number] | null {
  if (a.length < 2 || b.length < 2) return null;
  const [ma, va] = meanVariance(a);
  const [mb, vb] = meanVariance(b);
  if (ma === 0) return null;
  const qa = va / a.length;
  const qb = vb / b.length;
  const se = Math.sqrt(qa + qb);
  // Welch–Satterthwaite degrees of freedom; with no spread at all the interval is the point.
  const df =
    se === 0 ? Number.POSITIVE_INFINITY : (qa + qb) ** 2 / (qa ** 2 / (a.length - 1) + qb ** 2 / (b.length - 1));
  const half = tQuantile975(df) * se;
  const diff = mb - ma;
  return [(diff - half) / ma, (diff + half) / ma];
}

function meanVariance(xs: readonly number[]): [number, number] {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return [mean, variance];
}

/** Student's t 97.5% quantiles for 1–30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 97.5% quantile of Student's t: the table up to 30, then the Cornish–Fisher expansion around 1.96. */
function tQuantile975(df: number): number {
  if (!Number.isFinite(df)) return 1.959964;
  const whole = Math.max(1, Math.floor(df));
  if (whole <= 30) return T975[whole - 1] as number;
  return 1.959964 + 2.372 / df + 2.824 / df ** 2;
}

function checkResult(result: LoadTestResult, name: string): void {
  if (result?.schema !== RESULT_SCHEMA || !Array.isArray(result.timeline)) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `${name} is not a ${RESULT_SCHEMA} result (write one with --json)`,
    );
  }
}
