/**
 * Checks of single values shared by listen, connect, bind, the codecs and the tools (a bad value is
 * a `WK_ERR_INVALID_ARGUMENT` at the call, not a confusing failure later), on the one options
 * checker (util/options.ts), and the specs of the options every net connection takes.
 */
import { boolean, checkOption, duration, integer, type OptionSpec } from '../util/options.js';

/**
 * Throws `WK_ERR_INVALID_ARGUMENT` unless `value` is undefined or an integer in [min, max].
 *
 * @example
 * ```ts
 * checkInteger('backlog', options.backlog, 0, 2 ** 31 - 1); // throws WK_ERR_INVALID_ARGUMENT
 * ```
 */
export function checkInteger(name: string, value: number | undefined, min: number, max: number): void {
  checkOption('', name, integer(min, max), value);
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
  checkOption('', name, integer(0, 65535), value);
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
  checkOption('', name, duration(), value);
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
  checkOption('', name, integer(min), value);
}

/**
 * The specs of `ConnectionOptions` that listen() and connect() pass on to each connection.
 *
 * @example
 * ```ts
 * new OptionsSchema<ListenOptions>('listen()', { ...CONNECTION_SPECS, port: port() });
 * ```
 */
export const CONNECTION_SPECS = Object.freeze({
  idleTimeoutMs: duration(),
  readHighWaterBytes: integer(1),
  allowHalfOpen: boolean(),
  noDelay: boolean(),
}) satisfies Record<string, OptionSpec>;
