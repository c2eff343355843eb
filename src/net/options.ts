/**
 * Option checks shared by listen, connect, bind and the codecs. A bad option is a
 * `WK_ERR_INVALID_ARGUMENT` at the call, not a confusing failure later.
 */
import { WirekitError } from '../errors.js';

/**
 * Throws `WK_ERR_INVALID_ARGUMENT` unless `value` is undefined or an integer in [min, max].
 *
 * @example
 * ```ts
 * checkInteger('backlog', options.backlog, 0, 2 ** 31 - 1); // throws WK_ERR_INVALID_ARGUMENT
 * ```
 */
export function checkInteger(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/**
 * Throws `WK_ERR_INVALID_ARGUMENT` unless `value` is undefined or a valid port (0 = any free port).
 *
 * @example
 * ```ts
 * checkPort('port', options.port);
 * ```
 */
export function checkPort(name: string, value: number | undefined): void {
  checkInteger(name, value, 0, 65535);
}

/**
 * Throws `WK_ERR_INVALID_ARGUMENT` unless `value` is undefined or a duration ≥ 0 in milliseconds.
 *
 * @example
 * ```ts
 * checkDuration('idleTimeoutMs', options.idleTimeoutMs);
 * ```
 */
export function checkDuration(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `${name} must be a finite number ≥ 0, got ${value}`);
  }
}

/**
 * Throws `WK_ERR_INVALID_ARGUMENT` unless `value` is undefined or a byte count ≥ min.
 *
 * @example
 * ```ts
 * checkBytes('maxBytes', options.maxBytes, 0);
 * ```
 */
export function checkBytes(name: string, value: number | undefined, min = 1): void {
  checkInteger(name, value, min, Number.MAX_SAFE_INTEGER);
}
