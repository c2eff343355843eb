/**
 * The one painter of the CLI: whether a stream gets colours, the ANSI styles, and the small
 * formatting helpers every command's output shares (status colours, sizes, redrawn lines).
 */
import { formatBytes } from '../util/text.js';
import type { CliIo } from './io.js';

/** The styles the CLI uses, as SGR codes (ECMA-48 §8.3.117). */
const STYLES = {
  bold: 1,
  dim: 2,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
} as const;

/**
 * A style name.
 *
 * @example
 * ```ts
 * const style: Style = 'green';
 * ```
 */
export type Style = keyof typeof STYLES;

/**
 * Paints `text` in `style`, or returns it as it is when colours are off.
 *
 * @example
 * ```ts
 * const paint = painter(true);
 * paint('green', '200 OK'); // '\x1b[32m200 OK\x1b[0m'
 * ```
 */
export type Paint = (style: Style, text: string) => string;

/** Erase the line and go back to its start (CR, then EL 2: ECMA-48 §8.3.41). */
export const CLEAR_LINE = '\r\x1b[2K';

/**
 * Whether output to `stream` gets colours, by the conventions other tools follow: `FORCE_COLOR`
 * decides when set (`0` or `false` turn colours off, any other value on, even when piped, as Node
 * and chalk read it); otherwise colours go to a terminal only, and not when `NO_COLOR` is set to a
 * non-empty value (no-color.org), `NODE_DISABLE_COLORS` is set, or `TERM` is `dumb`.
 *
 * @example
 * ```ts
 * colorEnabled(io.stdout, io.env); // true on a terminal without NO_COLOR
 * ```
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: CliIo['env']): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.NODE_DISABLE_COLORS !== undefined) return false;
  return isTerminal(stream, env);
}

/**
 * Whether `stream` is a terminal that understands control codes (colours, a line redrawn in place):
 * a TTY whose `TERM` is not `dumb`. What is shown (headers, formatted JSON) follows `isTTY` alone.
 *
 * @example
 * ```ts
 * const live = isTerminal(io.stderr, io.env);
 * ```
 */
export function isTerminal(stream: { isTTY?: boolean }, env: CliIo['env']): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/**
 * A {@link Paint} that colours when `on`.
 *
 * @example
 * ```ts
 * const paint = painter(colorEnabled(io.stdout, io.env));
 * io.stdout.write(`${paint('bold', 'GET')} /\n`);
 * ```
 */
export function painter(on: boolean): Paint {
  return on ? (style, text) => `\x1b[${STYLES[style]}m${text}\x1b[0m` : (_style, text) => text;
}

/**
 * The colour of a status code by class: 2xx green, 3xx cyan, 4xx yellow, 5xx red (1xx as 2xx).
 *
 * @example
 * ```ts
 * paint(statusStyle(404), '404'); // yellow
 * ```
 */
export function statusStyle(status: number): Style {
  if (status >= 500) return 'red';
  if (status >= 400) return 'yellow';
  if (status >= 300) return 'cyan';
  return 'green';
}

/**
 * A size for people: `512 B`, `1.2 KiB`, `34 MiB`; `-` for a negative count (not known).
 *
 * @example
 * ```ts
 * humanBytes(1536); // '1.5 KiB'
 * ```
 */
export function humanBytes(bytes: number): string {
  return bytes < 0 ? '-' : formatBytes(bytes);
}

/**
 * `text` with its control characters (C0 but tab, DEL, C1) shown as `\xNN`: text from the network (a request
 * path, a header value, a logged field) then cannot move a terminal's cursor, recolour it, or
 * forge a log line.
 *
 * @example
 * ```ts
 * visible('/a\x1b[2Jb'); // '/a\\x1b[2Jb'
 * ```
 */
export function visible(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is replaced
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
