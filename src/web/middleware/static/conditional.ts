import type { Headers } from '../../../http/message/headers.js';
import { listMatches, parseHttpDate, strongMatch, type Validators } from './validators.js';

/** The outcome of the preconditions: go on, answer 304, or answer 412. */
export type Precondition = 'proceed' | 'not-modified' | 'failed';

/**
 * Evaluates the preconditions of a GET or HEAD in the order of RFC 9110 §13.2.2:
 * 1. `If-Match` (strong comparison) fails → 412;
 * 2. else `If-Unmodified-Since` (when there is no If-Match) fails → 412;
 * 3. `If-None-Match` (weak comparison) matches → 304 for GET/HEAD, 412 for other methods;
 * 4. else `If-Modified-Since` (GET/HEAD, no If-None-Match) not newer → 304.
 * Step 5 (`If-Range`) decides only whether a Range applies: see {@link ifRangeAllows}.
 *
 * @example
 * ```ts
 * evaluatePreconditions(req.headers, 'GET', { etag: '"a-1"', lastModifiedMs }); // 'not-modified' for If-None-Match: "a-1"
 * ```
 */
export function evaluatePreconditions(headers: Headers, method: string, v: Validators): Precondition {
  const ifMatch = headers.get('if-match');
  if (ifMatch !== null) {
    if (!listMatches(ifMatch, v.etag, 'strong')) return 'failed';
  } else {
    const since = dateHeader(headers, 'if-unmodified-since');
    if (since !== undefined && v.lastModifiedMs !== undefined && v.lastModifiedMs > since) return 'failed';
  }
  const safe = method === 'GET' || method === 'HEAD';
  const ifNoneMatch = headers.get('if-none-match');
  if (ifNoneMatch !== null) {
    if (listMatches(ifNoneMatch, v.etag, 'weak')) return safe ? 'not-modified' : 'failed';
    return 'proceed';
  }
  if (!safe) return 'proceed';
  const since = dateHeader(headers, 'if-modified-since');
  if (since !== undefined && v.lastModifiedMs !== undefined && v.lastModifiedMs <= since) return 'not-modified';
  return 'proceed';
}

/**
 * `If-Range` (RFC 9110 §13.1.5): the Range applies only if the validator still matches — an
 * entity-tag by the strong comparison, or a date equal to Last-Modified when that date is a strong
 * validator (at least a second older than now, §8.8.2.2). No If-Range: the Range applies.
 *
 * @example
 * ```ts
 * ifRangeAllows(req.headers, validators, Date.now()); // false when the client's copy is stale
 * ```
 */
export function ifRangeAllows(headers: Headers, v: Validators, nowMs: number): boolean {
  const value = headers.get('if-range');
  if (value === null) return true;
  const text = value.trim();
  if (text.startsWith('"') || text.startsWith('W/')) return strongMatch(text, v.etag);
  const date = parseHttpDate(text);
  if (date === undefined || v.lastModifiedMs === undefined) return false;
  return date === v.lastModifiedMs && v.lastModifiedMs + 1000 <= nowMs;
}

/** A date header's value, or undefined when absent or not an HTTP-date (then it is ignored). */
function dateHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  return value === null ? undefined : parseHttpDate(value);
}
