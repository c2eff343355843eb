import { checkOption, integer } from '../../../util/options.js';

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
  if (value === undefined) checkOption('', name, integer(min, max), Number.NaN);
  return checkOption('', name, integer(min, max), value);
}
