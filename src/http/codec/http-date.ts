/**
 * The IMF-fixdate for the `Date` field (RFC 9110 §5.6.7), computed at most once per second: every
 * response needs one and formatting a date costs more than parsing a small request.
 */
let cachedSecond = -1;
let cachedValue = '';

/** `Date` field value for `nowMs` (default: now), e.g. `Thu, 26 Nov 2026 02:32:12 GMT`. */
export function httpDate(nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedValue = new Date(second * 1000).toUTCString();
  }
  return cachedValue;
}
