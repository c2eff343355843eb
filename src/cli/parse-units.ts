/**
 * Command-line values with units, one grammar for every command: durations (`100ms`, `2s`; a bare
 * number is seconds, as nc -w, curl and wrk read it), byte counts (`64k`, `1MiB`), percentages,
 * ports, whole counts. Each throws a {@link UsageError} naming the flag.
 */
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

function parts(flag: string, text: string, example: string): [number, string] {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zµ]*)$/i.exec(text.trim());
  if (match === null) {
    throw new UsageError(`${flag}: not a number with a unit: ${JSON.stringify(text)} (say ${example})`, { flag });
  }
  return [Number(match[1]), (match[2] ?? '').toLowerCase()];
}

/**
 * A duration in milliseconds: `250ms`, `1.5s`, `2m`, `1h`, `500us`; a bare number is seconds.
 *
 * @example
 * ```ts
 * parseDuration('--latency', '1.5s'); // 1500
 * parseDuration('--timeout', '5'); // 5000
 * ```
 */
export function parseDuration(flag: string, text: string): number {
  const [value, unit] = parts(flag, text, '500ms, 10s or 2m');
  const scale = DURATION_UNITS[unit === '' ? 's' : unit];
  if (scale === undefined) {
    throw new UsageError(`${flag}: unknown duration unit ${JSON.stringify(unit)} (ms, s, m, h)`, { flag });
  }
  return value * scale;
}

/**
 * A TCP or UDP port: a whole number from 0 (any free port) to 65535.
 *
 * @example
 * ```ts
 * parsePort('--port', '8080'); // 8080
 * ```
 */
export function parsePort(flag: string, text: string | undefined): number {
  const port = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${flag}: not a port number (0 to 65535): ${JSON.stringify(text)}`, { flag });
  }
  return port;
}

/**
 * A whole count of at least `min` (default 1); `_` may group digits (`100_000`).
 *
 * @example
 * ```ts
 * parseCount('--connections', '100'); // 100
 * ```
 */
export function parseCount(flag: string, text: string, min = 1): number {
  const n = Number(text.replace(/_/g, ''));
  if (text.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new UsageError(
      `${flag}: not a whole number${min > 0 ? ` of at least ${min}` : ''}: ${JSON.stringify(text)}`,
      {
        flag,
      },
    );
  }
  return n;
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
  const [value, unit] = parts(flag, text, '1500, 64k or 1MiB');
  const scale = BYTE_UNITS[unit];
  if (scale === undefined) {
    throw new UsageError(`${flag}: unknown size unit ${JSON.stringify(unit)} (k, KiB, m, MiB)`, { flag });
  }
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
  if (match === null || value > 100) {
    throw new UsageError(`${flag}: not a percentage: ${JSON.stringify(text)} (say 10%)`, { flag });
  }
  return value / 100;
}

/**
 * A `--header 'Name: value'` flag as a `[name, value]` pair (both trimmed).
 *
 * @example
 * ```ts
 * parseHeader('Authorization: Bearer x'); // ['Authorization', 'Bearer x']
 * ```
 */
export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UsageError(`--header: not a header: ${text} (use 'Name: value')`, { flag: '--header' });
  return [text.slice(0, colon).trim(), text.slice(colon + 1).trim()];
}
