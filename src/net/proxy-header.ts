/**
 * Reading a PROXY protocol header off an accepted socket before anything else sees it (the
 * `proxyProtocol` option of `listen()` and `serve()`): the codec in net/codec/proxy-protocol.ts
 * does the parsing; this file feeds it, bounds the wait, and hands back the bytes that followed.
 */
import type { Socket } from 'node:net';
import { NetError, type SocketAddress, TimeoutError } from '../errors.js';
import { timerWheel } from '../util/timer-wheel.js';
import { endpointsOf } from './addresses.js';
import { type ProxyHeader, ProxyHeaderParser } from './codec/proxy-protocol.js';
import { checkBytes, checkDuration } from './options.js';

/**
 * Options of `proxyProtocol` on a listener.
 *
 * @example
 * ```ts
 * await listen({ port: 8080, proxyProtocol: { headerTimeoutMs: 2_000 } }, handler);
 * ```
 */
export interface ProxyProtocolOptions {
  /** How long an accepted connection may take to send its whole header. Default 5 s; then it is closed. */
  headerTimeoutMs?: number;
  /** Largest version 2 header accepted (addresses and TLVs). Default 4 KiB. */
  maxHeaderBytes?: number;
}

/**
 * Default wait for the PROXY header: 5 s (a proxy writes it with, or before, the client's first byte).
 *
 * @example
 * ```ts
 * await listen({ proxyProtocol: { headerTimeoutMs: DEFAULT_PROXY_HEADER_TIMEOUT_MS / 5 } }, handler);
 * ```
 */
export const DEFAULT_PROXY_HEADER_TIMEOUT_MS = 5_000;

/**
 * What a proxied connection reports: the client's addresses from the header, and the proxy's.
 *
 * @example
 * ```ts
 * const { remoteAddress, proxiedBy } = conn; // the client, and the load balancer it came through
 * ```
 */
export interface ProxiedEndpoints {
  readonly remoteAddress: SocketAddress;
  readonly localAddress: SocketAddress;
  /** The socket's own peer: the proxy. */
  readonly proxiedBy: SocketAddress | undefined;
  readonly header: ProxyHeader;
}

/** Checks `proxyProtocol` options; true is the defaults. */
export function proxyProtocolOptions(
  option: boolean | ProxyProtocolOptions | undefined,
): ProxyProtocolOptions | undefined {
  if (option === undefined || option === false) return undefined;
  const options = option === true ? {} : option;
  checkDuration('headerTimeoutMs', options.headerTimeoutMs);
  checkBytes('maxHeaderBytes', options.maxHeaderBytes, 16);
  return options;
}

/**
 * Reads the header from `socket` (flowing, just accepted). Resolves with the endpoints it gives
 * (a `LOCAL` header or an `UNKNOWN` family: the socket's own) after putting the bytes that followed
 * back at the front of the socket's stream (`unshift`), paused; rejects `WK_ERR_PROXY_PROTOCOL`
 * (no header, malformed, too large, the peer left) or `WK_ERR_PROXY_PROTOCOL_TIMEOUT`.
 */
export function readProxyHeader(socket: Socket, options: ProxyProtocolOptions): Promise<ProxiedEndpoints> {
  const own = endpointsOf(socket);
  const parser = new ProxyHeaderParser(
    options.maxHeaderBytes === undefined ? {} : { maxHeaderBytes: options.maxHeaderBytes },
  );
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      done();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      const result = parser.push(chunk);
      if (result.kind === 'more') return;
      if (result.kind === 'error') {
        fail(new NetError('WK_ERR_PROXY_PROTOCOL', result.reason, own));
        return;
      }
      done();
      socket.pause();
      if (result.rest.length > 0) socket.unshift(Buffer.from(result.rest));
      resolve(proxiedEndpoints(result.header, own.remoteAddress, own.localAddress));
    };
    const onEnd = (): void => fail(new NetError('WK_ERR_PROXY_PROTOCOL', 'the peer left before its PROXY header', own));
    const onError = (error: Error): void =>
      fail(
        new NetError('WK_ERR_PROXY_PROTOCOL', `socket failed before its PROXY header: ${error.message}`, {
          ...own,
          cause: error,
        }),
      );
    const timer = timerWheel.after(options.headerTimeoutMs ?? DEFAULT_PROXY_HEADER_TIMEOUT_MS, () =>
      fail(new TimeoutError('WK_ERR_PROXY_PROTOCOL_TIMEOUT', 'no PROXY header within headerTimeoutMs', own)),
    );
    const done = (): void => {
      timer.cancel();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
  });
}

function proxiedEndpoints(
  header: ProxyHeader,
  peer: SocketAddress | undefined,
  local: SocketAddress | undefined,
): ProxiedEndpoints {
  const { source, destination } = header;
  const unknown: SocketAddress = { address: '', port: 0, family: 'IPv4' };
  if (header.command === 'local' || source === undefined || destination === undefined) {
    return { remoteAddress: peer ?? unknown, localAddress: local ?? unknown, proxiedBy: undefined, header };
  }
  return { remoteAddress: { ...source }, localAddress: { ...destination }, proxiedBy: peer, header };
}
