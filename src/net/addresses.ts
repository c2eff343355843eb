/**
 * Socket endpoints as {@link SocketAddress} values, and the net layer's error constructors, which
 * attach those endpoints (docs/architecture.md, Errors: addresses on every network error).
 */
import { isIP, type Socket } from 'node:net';
import { type ErrorCode, NetError, type SocketAddress, WirekitError } from '../errors.js';

/**
 * Both ends of a socket, where known.
 *
 * @example
 * ```ts
 * const { localAddress, remoteAddress }: Endpoints = endpointsOf(socket);
 * ```
 */
export interface Endpoints {
  localAddress: SocketAddress | undefined;
  remoteAddress: SocketAddress | undefined;
}

/**
 * The family of an address string: IPv6 when it parses as one, otherwise IPv4 (hostnames included).
 *
 * @example
 * ```ts
 * familyOf('::1'); // 'IPv6'
 * ```
 */
export function familyOf(host: string): 'IPv4' | 'IPv6' {
  return isIP(host) === 6 ? 'IPv6' : 'IPv4';
}

/**
 * A TCP endpoint, or a Unix socket endpoint when `path` is given.
 *
 * @example
 * ```ts
 * endpoint('127.0.0.1', 80); // { address: '127.0.0.1', port: 80, family: 'IPv4' }
 * ```
 */
export function endpoint(host: string, port: number, path?: string): SocketAddress {
  if (path !== undefined) return { address: path, port: 0, family: 'unix' };
  return { address: host, port, family: familyOf(host) };
}

/**
 * The paths of both ends of a Unix socket connection (`''` for an unnamed end).
 *
 * @example
 * ```ts
 * Connection.from(socket, { unix: { local: '/run/app.sock', remote: '' } });
 * ```
 */
export interface UnixPaths {
  local: string;
  remote: string;
}

/**
 * The endpoints of a connected socket. For Unix sockets Node reports no address, so the paths
 * (known to whoever created the socket: the server's path, or the path connected to) are used.
 *
 * @example
 * ```ts
 * const { localAddress, remoteAddress } = endpointsOf(socket);
 * ```
 */
export function endpointsOf(socket: Socket, unix?: UnixPaths): Endpoints {
  if (unix !== undefined) {
    return { localAddress: endpoint('', 0, unix.local), remoteAddress: endpoint('', 0, unix.remote) };
  }
  return {
    localAddress: tcpEndpoint(socket.localAddress, socket.localPort, socket.localFamily),
    remoteAddress: tcpEndpoint(socket.remoteAddress, socket.remotePort, socket.remoteFamily),
  };
}

function tcpEndpoint(address?: string, port?: number, family?: string): SocketAddress | undefined {
  if (address === undefined || port === undefined) return undefined;
  return { address, port, family: family === 'IPv6' ? 'IPv6' : 'IPv4' };
}

/**
 * A {@link NetError} with `code`, the original error as `cause` and the endpoints attached.
 * A wirekit error is returned as is: it already says what happened.
 *
 * @example
 * ```ts
 * socket.on('error', (error) => reject(netError('WK_ERR_SOCKET', error, endpointsOf(socket))));
 * ```
 */
export function netError(code: ErrorCode, cause: unknown, endpoints?: Partial<Endpoints>): WirekitError {
  if (cause instanceof WirekitError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new NetError(code, `${messageOf(code)}: ${detail}`, {
    cause,
    localAddress: endpoints?.localAddress,
    remoteAddress: endpoints?.remoteAddress,
  });
}

function messageOf(code: ErrorCode): string {
  switch (code) {
    case 'WK_ERR_CONNECT':
      return 'connect failed';
    case 'WK_ERR_LISTEN':
      return 'listen failed';
    case 'WK_ERR_UDP':
      return 'UDP operation failed';
    default:
      return 'socket error';
  }
}

/**
 * The error for an operation on a connection that is already closed.
 *
 * @example
 * ```ts
 * if (socket.destroyed) throw closedError(endpointsOf(socket));
 * ```
 */
export function closedError(endpoints?: Partial<Endpoints>): NetError {
  return new NetError('WK_ERR_SOCKET_CLOSED', 'the connection is closed', {
    localAddress: endpoints?.localAddress,
    remoteAddress: endpoints?.remoteAddress,
  });
}

/**
 * The error for an operation cancelled by an `AbortSignal`; the signal's reason is the cause.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw abortedError(signal, { remoteAddress });
 * ```
 */
export function abortedError(signal: AbortSignal, endpoints?: Partial<Endpoints>): WirekitError {
  return new WirekitError('WK_ERR_ABORTED', 'the operation was aborted', {
    cause: signal.reason,
    localAddress: endpoints?.localAddress,
    remoteAddress: endpoints?.remoteAddress,
  });
}
