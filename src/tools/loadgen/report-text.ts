/** The final report of a load test as plain text (what `wirekit bench` prints when it ends). */
import { ERROR_PHASES } from './driver.js';
import { formatBytes, formatCount, formatMs, formatSeconds, table, unitsOf } from './format.js';
import type { LoadProgress } from './options.js';
import type { LoadTestResult } from './result.js';

/**
 * The result as a table: settings, latency percentiles, throughput, bytes, statuses, errors.
 *
 * @example
 * ```ts
 * process.stdout.write(formatResult(await loadTest({ targets: [url], requests: 10_000 })));
 * ```
 */
export function formatResult(result: LoadTestResult): string {
  const units = unitsOf(result.protocol);
  const lines = [describeRun(result), ''];
  const l = result.latency;
  lines.push(
    ...table([
      ['Latency (ms)', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'stdev'],
      ['', ...[l.p50, l.p90, l.p99, l.p999, l.max, l.mean, l.stdev].map(formatMs)],
    ]),
    '',
  );
  const rows: string[][] = [
    [
      units.plural === 'messages' ? 'Messages' : 'Requests',
      `${formatCount(result.requests)} in ${formatSeconds(result.durationMs)}: ${formatCount(result.rps)} ${units.rate}`,
    ],
    [
      'Transfer',
      `read ${formatBytes(result.bytes.read)} (${formatBytes(result.bytes.readPerSecond)}/s), written ${formatBytes(result.bytes.written)}`,
    ],
    ...(result.protocol === 'ws' ? [] : [['Status', statusLine(result.statusClasses) || 'no response']]),
    ['Errors', errorLine(result)],
  ];
  if (result.options.rate !== null) {
    rows.push([
      'Rate',
      `asked ${formatCount(result.options.rate)} ${units.rate}, got ${formatCount(result.rps)} ${units.rate}; ${formatCount(result.unsent)} due but never sent (no connection free)`,
    ]);
  }
  if (result.inFlightAtEnd > 0)
    rows.push(['Unfinished', `${formatCount(result.inFlightAtEnd)} in flight at the stop (not counted)`]);
  for (const row of rows) lines.push(`${(row[0] as string).padEnd(12)}${row[1]}`);
  if (result.targets.length > 1) {
    lines.push(
      '',
      ...table([
        ['Target', units.plural, 'errors'],
        ...result.targets.map((t) => [`${t.method} ${t.url}`, formatCount(t.requests), formatCount(t.errors)]),
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

function describeRun(result: LoadTestResult): string {
  const o = result.options;
  const units = unitsOf(result.protocol);
  const bound = [
    o.durationMs === null ? undefined : formatSeconds(o.durationMs),
    o.requests === null ? undefined : `${formatCount(o.requests)} ${units.plural}`,
  ].filter((x) => x !== undefined);
  const mode = o.rate === null ? 'closed loop' : `${formatCount(o.rate)} ${units.rate} fixed rate`;
  const target =
    result.targets.length === 1
      ? `${result.targets[0]?.method} ${result.targets[0]?.url}`
      : `${result.targets.length} targets`;
  const stop = result.stopped === 'signal' ? ' (stopped early)' : '';
  const protocol = result.protocol === 'h2' ? 'HTTP/2, ' : '';
  return `${target}: ${bound.join(' or ')}, ${protocol}${o.connections} connections, ${result.protocol === 'ws' ? 'in flight' : 'pipelining'} ${o.pipelining}, ${mode}${stop}`;
}

function statusLine(classes: Readonly<Record<string, number>>): string {
  return Object.entries(classes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name} ${formatCount(n)}`)
    .join(', ');
}

function errorLine(result: LoadTestResult): string {
  if (result.errors === 0) return '0';
  const phases = ERROR_PHASES.filter((p) => result.errorPhases[p] > 0).map(
    (p) => `${p} ${formatCount(result.errorPhases[p])}`,
  );
  const codes = Object.entries(result.errorCodes).map(([code, n]) => `${code} ${formatCount(n)}`);
  return `${formatCount(result.errors)} (${phases.join(', ')}): ${codes.join(', ')}`;
}

/**
 * One line of live progress (what `wirekit bench` redraws about four times a second on a terminal,
 * and prints once a second when piped).
 *
 * @example
 * ```ts
 * loadTest({ targets, onProgress: (p) => process.stderr.write(`\r${formatProgress(p)}`) });
 * // '  3.2 s / 10 s   98,431 req/s   p50 0.920 ms   p99 2.41 ms   errors 0'
 * ```
 */
export function formatProgress(p: LoadProgress): string {
  const elapsed = `${(p.elapsedMs / 1000).toFixed(1)} s`;
  const planned =
    p.durationMs !== undefined
      ? ` / ${Number((p.durationMs / 1000).toFixed(2))} s`
      : p.plannedRequests !== undefined
        ? ` (${formatCount(p.requests)} of ${formatCount(p.plannedRequests)})`
        : '';
  return [
    `${elapsed}${planned}`.padStart(14),
    `${formatCount(p.rps)} ${unitsOf(p.protocol).rate}`.padStart(14),
    `p50 ${formatMs(p.p50)} ms`,
    `p99 ${formatMs(p.p99)} ms`,
    `errors ${formatCount(p.errors)}`,
  ].join('   ');
}
