import { WirekitError } from '../../../errors.js';

/**
 * The policy's name as a Structured Field String (RFC 9651 §3.3.3), checked when the limiter is
 * made: printable ASCII, with `"` and `\` escaped.
 *
 * @example
 * ```ts
 * policyName('100-in-60s'); // '"100-in-60s"'
 * ```
 */
export function policyName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || !/^[\x20-\x7e]+$/.test(name)) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `name must be printable ASCII text, not ${JSON.stringify(name)}`);
  }
  return `"${name.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers §3): the quota `q` per window `w`
 * seconds. It stays the same for every response.
 *
 * @example
 * ```ts
 * policyField('"api"', 100, 60_000); // '"api";q=100;w=60'
 * ```
 */
export function policyField(name: string, limit: number, windowMs: number): string {
  return `${name};q=${limit};w=${windowMs / 1000}`;
}

/**
 * `RateLimit` (same draft, §4): the quota `r` available now and the seconds `t` it holds for.
 *
 * @example
 * ```ts
 * limitField('"api"', 42, 30); // '"api";r=42;t=30'
 * ```
 */
export function limitField(name: string, remaining: number, seconds: number): string {
  return `${name};r=${remaining};t=${seconds}`;
}

/**
 * Milliseconds as delay-seconds (RFC 9110 §10.2.3) for `Retry-After` and `t`: rounded up, so a client
 * that waits that long is not early, and at least 1 for a refusal (a 0 would invite a retry at once).
 *
 * @example
 * ```ts
 * delaySeconds(1_200, 1); // 2
 * ```
 */
export function delaySeconds(ms: number, min: number): number {
  return Math.max(min, Math.ceil(ms / 1000));
}
