/** Number formatting shared by the text and HTML reports. */

import type { LoadProtocol } from './options.js';

export { formatBytes } from '../../util/text.js';

/**
 * What the reports call one unit of work: an HTTP request, or a WebSocket message (its echo).
 *
 * @example
 * ```ts
 * unitsOf('ws'); // { plural: 'messages', rate: 'msg/s' }
 * ```
 */
export function unitsOf(protocol: LoadProtocol | undefined): { plural: string; rate: string } {
  return protocol === 'ws' ? { plural: 'messages', rate: 'msg/s' } : { plural: 'requests', rate: 'req/s' };
}

/**
 * An integer with thousands separators (`1,234,567`).
 *
 * @example
 * ```ts
 * formatCount(1234567); // '1,234,567'
 * ```
 */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Milliseconds with three significant digits at most two decimals (`0.943`, `12.3`, `1,204`).
 *
 * @example
 * ```ts
 * formatMs(0.9431); // '0.943'
 * ```
 */
export function formatMs(ms: number): string {
  if (ms >= 1000) return formatCount(ms);
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/**
 * A relative change with its sign (`+4.3%`, `-12%`).
 *
 * @example
 * ```ts
 * formatChange(0.043); // '+4.3%'
 * ```
 */
export function formatChange(ratio: number): string {
  const pct = ratio * 100;
  const digits = Math.abs(pct) >= 10 ? 0 : 1;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(digits)}%`;
}

/**
 * Seconds for a duration in milliseconds (`10.00 s`).
 *
 * @example
 * ```ts
 * formatSeconds(10_004); // '10.00 s'
 * ```
 */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * Pads every column of `rows` to its widest cell: the first column left-aligned, the others right.
 *
 * @example
 * ```ts
 * table([['a', '1'], ['bb', '22']]); // ['a    1', 'bb  22']
 * ```
 */
export function table(rows: readonly (readonly string[])[], gap = 2): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join(' '.repeat(gap))
      .trimEnd(),
  );
}
