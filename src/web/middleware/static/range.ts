/** One byte range, both ends inclusive (as in `Content-Range: bytes 0-499/1234`). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * What a `Range` field asks of a representation of `size` bytes:
 * - `ignore`: send the whole representation with 200 (no Range, another unit, invalid syntax, too
 *   many or overlapping ranges, or an empty file; RFC 9110 §14.2 lets a server ignore any Range);
 * - `unsatisfiable`: 416 with `Content-Range: bytes * /size` (no range overlaps the file, §15.5.17);
 * - `ranges`: the satisfiable ranges, in the order asked (§14.6), clamped to the file.
 */
export type RangeRequest =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'unsatisfiable' }
  | { readonly kind: 'ranges'; readonly ranges: readonly ByteRange[] };

const IGNORE: RangeRequest = Object.freeze({ kind: 'ignore' });
const UNSATISFIABLE: RangeRequest = Object.freeze({ kind: 'unsatisfiable' });

/** Digits beyond this are larger than any file we can serve: the position is simply past the end. */
const MAX_DIGITS = 15;

/**
 * Parses a `Range` field value (RFC 9110 §14.1.2: `bytes=0-499`, `bytes=500-`, `bytes=-500`,
 * comma-separated) against a representation of `size` bytes.
 *
 * @example
 * ```ts
 * parseRange('bytes=0-99,-100', 1000, 16); // { kind: 'ranges', ranges: [{ start: 0, end: 99 }, { start: 900, end: 999 }] }
 * parseRange('bytes=2000-', 1000, 16); // { kind: 'unsatisfiable' }
 * ```
 */
export function parseRange(value: string, size: number, maxRanges: number): RangeRequest {
  const eq = value.indexOf('=');
  if (eq === -1 || value.slice(0, eq).trim().toLowerCase() !== 'bytes' || size === 0) return IGNORE;
  const specs = value
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length === 0 || specs.length > maxRanges) return IGNORE;
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const range = parseSpec(spec, size);
    if (range === 'invalid') return IGNORE;
    if (range !== 'unsatisfiable') ranges.push(range);
  }
  if (ranges.length === 0) return UNSATISFIABLE;
  if (overlaps(ranges)) return IGNORE;
  return { kind: 'ranges', ranges };
}

function parseSpec(spec: string, size: number): ByteRange | 'invalid' | 'unsatisfiable' {
  const match = /^(\d*)-(\d*)$/.exec(spec);
  if (match === null) return 'invalid';
  const [, first = '', last = ''] = match;
  if (first === '') {
    // suffix-range: the last N bytes; N = 0 is unsatisfiable (§14.1.3).
    if (last === '') return 'invalid';
    const length = last.length > MAX_DIGITS ? size : Number(last);
    if (length === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  if (first.length > MAX_DIGITS) return last !== '' && last.length < first.length ? 'invalid' : 'unsatisfiable';
  const start = Number(first);
  if (last === '') return start < size ? { start, end: size - 1 } : 'unsatisfiable';
  const end = last.length > MAX_DIGITS ? Number.MAX_SAFE_INTEGER : Number(last);
  // last < first makes the whole field invalid (§14.1.1), so the Range is ignored.
  if (end < start) return 'invalid';
  return start < size ? { start, end: Math.min(end, size - 1) } : 'unsatisfiable';
}

/** Overlapping ranges are a known amplification trick (§14.2): we ignore the field instead. */
function overlaps(ranges: readonly ByteRange[]): boolean {
  if (ranges.length < 2) return false;
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if ((sorted[i] as ByteRange).start <= (sorted[i - 1] as ByteRange).end) return true;
  }
  return false;
}
