/** Command-line values with units: durations (`100ms`, `2s`), byte counts (`64k`, `1MiB`), percentages. */
import { UsageError } from './usage-error.js';

const DURATION_UNITS: Readonly<Record<string, number>> = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const BYTE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1000,
  kib: 1024,
  m: 1_000_000,
  mb: 1_000_000,
  mib: 1024 * 1024,
  g: 1_000_000_000,
  gb: 1_000_000_000,
  gib: 1024 ** 3,
};

function parts(flag: string, text: string): [number, string] {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zµ]*)$/i.exec(text.trim());
  if (match === null) throw new UsageError(`${flag}: not a number with a unit: ${JSON.stringify(text)}`);
  return [Number(match[1]), (match[2] ?? '').toLowerCase()];
}

/**
 * A duration in milliseconds: `250` (ms), `250ms`, `1.5s`, `2m`, `500us`.
 *
 * @example
 * ```ts
 * parseDuration('--latency', '1.5s'); // 1500
 * ```
 */
export function parseDuration(flag: string, text: string): number {
  const [value, unit] = parts(flag, text);
  const scale = DURATION_UNITS[unit === '' ? 'ms' : unit];
  if (scale === undefined) throw new UsageError(`${flag}: unknown duration unit ${JSON.stringify(unit)} (ms, s, m)`);
  return value * scale;
}

/**
 * A whole number of bytes: `1500`, `64k` (64 000), `64KiB` (65 536), `1m`, `1MiB`.
 *
 * @example
 * ```ts
 * parseBytes('--close-after', '64KiB'); // 65536
 * ```
 */
export function parseBytes(flag: string, text: string): number {
  const [value, unit] = parts(flag, text);
  const scale = BYTE_UNITS[unit];
  if (scale === undefined) throw new UsageError(`${flag}: unknown size unit ${JSON.stringify(unit)} (k, KiB, m, MiB)`);
  return Math.round(value * scale);
}

/**
 * A percentage as a probability: `10%` or `10` → 0.1 (at most 100).
 *
 * @example
 * ```ts
 * parsePercent('--loss', '25%'); // 0.25
 * ```
 */
export function parsePercent(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim());
  const value = Number(match?.[1]);
  if (match === null || value > 100) throw new UsageError(`${flag}: not a percentage: ${JSON.stringify(text)}`);
  return value / 100;
}
