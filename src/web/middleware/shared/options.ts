import { WirekitError } from '../../../errors.js';

/**
 * An integer option (a size, a count, a level), checked when the middleware is created, so a typo
 * fails at startup with `WK_ERR_INVALID_ARGUMENT` rather than on the first request.
 *
 * @example
 * ```ts
 * const maxBytes = integerOption('maxBytes', options.maxBytes);
 * const quality = integerOption('brotliQuality', options.brotliQuality ?? 4, 0, 11);
 * ```
 */
export function integerOption(name: string, value: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `${name} must be an integer from ${min} to ${max}, not ${String(value)}`,
    );
  }
  return value;
}
