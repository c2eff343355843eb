/** The exit codes of `wirekit tcp` and `wirekit udp`, and the one a failure maps to. */
import { isWirekitError, TimeoutError } from '../../index.js';
import { causeCode } from '../describe-error.js';

/** What scripts can test for (documented in both commands' --help and the README). */
export const EXIT = {
  ok: 0,
  /** Refused, unreachable, unknown host, or an address already in use. */
  unreachable: 1,
  usage: 2,
  /** Connect or idle timeout, no connection or datagram in time. */
  timeout: 3,
  /** The connection failed after it was established (reset by the peer, broken pipe). */
  broken: 4,
  /** The TLS handshake failed or the certificate was refused. */
  tls: 5,
} as const;

/** The help text's table of exit codes. */
export const EXIT_HELP = `Exit codes:
  0  the connection ended (or the datagrams went out)
  1  could not connect or listen: refused, unreachable, unknown host, address in use
  2  usage error
  3  timeout: connect, idle (--timeout), no connection or reply in time
  4  the connection failed once established: reset by the peer, broken pipe
  5  TLS handshake or certificate failure
`;

/** UDP failures that mean "cannot reach or bind", like TCP's connect and listen failures. */
const UDP_UNREACHABLE = new Set(['ECONNREFUSED', 'EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL']);

/** The exit code for a failure. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof TimeoutError) return EXIT.timeout;
  if (isWirekitError(error, 'WK_ERR_TLS')) return EXIT.tls;
  if (isWirekitError(error, 'WK_ERR_CONNECT') || isWirekitError(error, 'WK_ERR_LISTEN')) return EXIT.unreachable;
  if (isWirekitError(error, 'WK_ERR_DNS')) return EXIT.unreachable;
  if (isWirekitError(error, 'WK_ERR_UDP') && UDP_UNREACHABLE.has(causeCode(error) ?? '')) return EXIT.unreachable;
  return EXIT.broken;
}
