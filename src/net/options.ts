/**
 * Option checks shared by listen, connect, bind and the codecs. A bad option is a
 * `WK_ERR_INVALID_ARGUMENT` at the call, not a confusing failure later.
 */
import { WirekitError } from '../errors.js';

/** Throws `WK_ERR_INVALID_ARGUMENT` unless `value` is undefined or an integer in [min, max]. */
export function checkInteger(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Throws `WK_ERR_INVALID_ARGUMENT` unless `value` is undefined or a valid port (0 = any free port). */
export function checkPort(name: string, value: number | undefined): void {
  checkInteger(name, value, 0, 65535);
}

/** Throws `WK_ERR_INVALID_ARGUMENT` unless `value` is undefined or a duration ≥ 0 in milliseconds. */
export function checkDuration(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `${name} must be a finite number ≥ 0, got ${value}`);
  }
}

/** Throws `WK_ERR_INVALID_ARGUMENT` unless `value` is undefined or a byte count ≥ min. */
export function checkBytes(name: string, value: number | undefined, min = 1): void {
  checkInteger(name, value, min, Number.MAX_SAFE_INTEGER);
}
