/**
 * One line for stderr about a failure, for every command: the message, the system error code when
 * the message lacks it, and what to do about the common ones (a port in use, a privileged port).
 */
import { isWirekitError } from '../index.js';

/**
 * The system error code (`EADDRINUSE`, `ECONNRESET`) behind `error`, if any.
 *
 * @example
 * ```ts
 * causeCode(error) === 'ECONNREFUSED';
 * ```
 */
export function causeCode(error: unknown): string | undefined {
  const cause = isWirekitError(error) ? error.cause : error;
  return (cause as { code?: string } | undefined)?.code;
}

/** What to do, by system error code. */
const ADVICE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'nothing listens there: is the server running, and on this port?',
  EADDRINUSE: 'another process holds this port: choose another one, or 0 for any free port',
  EACCES: 'ports below 1024 need privileges: choose a port above 1023',
  EADDRNOTAVAIL: 'this machine has no such address: use 127.0.0.1, or 0.0.0.0 for every interface',
};

/**
 * What to do about `error`, by its system code, or undefined when there is nothing to add.
 *
 * @example
 * ```ts
 * adviceFor(error); // 'nothing listens there: is the server running, and on this port?'
 * ```
 */
export function adviceFor(error: unknown): string | undefined {
  const code = causeCode(error);
  // A TCP listen() in use already names the process holding the port and the way out.
  if (code === 'EADDRINUSE' && isWirekitError(error, 'WK_ERR_LISTEN')) return undefined;
  return code === undefined ? undefined : ADVICE[code];
}

/**
 * The message of `error` for stderr, with its system code and, for a refused connection or a
 * failed listen, advice on a second line.
 *
 * @example
 * ```ts
 * io.stderr.write(`wirekit tcp: ${describeError(error)}\n`);
 * // wirekit tcp: listen failed: listen EADDRINUSE: address already in use 127.0.0.1:9000
 * //   another process holds this port: choose another one, or 0 for any free port
 * ```
 */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = causeCode(error);
  if (code === 'ECONNRESET') return `${message} (connection reset by peer)`;
  const line = code === undefined || message.includes(code) ? message : `${message} (${code})`;
  const advice = adviceFor(error);
  return advice === undefined ? line : `${line}\n  ${advice}`;
}
