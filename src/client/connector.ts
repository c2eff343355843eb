/**
 * The connector: DNS lookup, TCP handshake, CONNECT tunnel and TLS handshake for one new
 * connection, each phase timed and each failure a wirekit error that names the phase
 * (`WK_ERR_DNS`, `WK_ERR_CONNECT`/`_TIMEOUT`, `WK_ERR_PROXY`, `WK_ERR_TLS`/`_TIMEOUT`).
 *
 * The lookup is ours (not the socket's) so its time and failure are reported on their own; every
 * address it returns is tried in turn, so `localhost` works whether the server listens on ::1 or
 * 127.0.0.1.
 */
import { type LookupAddress, lookup } from 'node:dns';
import { createConnection, isIP, type Socket } from 'node:net';
import { type ConnectionOptions as NodeTlsOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { NetError, type SocketAddress, type WirekitError } from '../errors.js';
import { abortedError, endpoint, endpointsOf, netError } from '../net/addresses.js';
import { Connection } from '../net/connection.js';
import { timerWheel } from '../util/timer-wheel.js';
import type { Origin } from './origin.js';
import { type ProxyConfig, tunnel } from './proxy.js';
import { type Timeouts, timeoutError } from './timeouts.js';

/**
 * TLS settings of `https:` connections: node:tls options, passed through.
 *
 * @example
 * ```ts
 * const pool = new Pool('https://localhost:8443', { tls: { ca: readFileSync('ca.pem'), servername: 'localhost' } });
 * ```
 */
export type TlsOptions = Pick<
  NodeTlsOptions,
  | 'rejectUnauthorized'
  | 'ca'
  | 'cert'
  | 'key'
  | 'passphrase'
  | 'pfx'
  | 'servername'
  | 'minVersion'
  | 'maxVersion'
  | 'ciphers'
  | 'checkServerIdentity'
>;

/**
 * How long each phase of opening a connection took, in milliseconds (0 for a phase not done).
 *
 * @example
 * ```ts
 * const { timings } = await openConnection(origin, { timeouts: DEFAULT_TIMEOUTS }); // { dns, connect, tls }
 * ```
 */
export interface ConnectTimings {
  dns: number;
  connect: number;
  tls: number;
}

/**
 * What {@link openConnection} needs besides the origin.
 *
 * @example
 * ```ts
 * await openConnection(origin, { timeouts: DEFAULT_TIMEOUTS, tls: { rejectUnauthorized: false } });
 * ```
 */
export interface ConnectorOptions {
  readonly timeouts: Readonly<Timeouts>;
  readonly tls?: TlsOptions | undefined;
  readonly proxy?: ProxyConfig | undefined;
  /** The local address to connect from. */
  readonly localAddress?: string | undefined;
  /** Unread bytes a connection holds before its socket is paused. */
  readonly readHighWaterBytes?: number | undefined;
  /** Cancels the attempt (the pool is being destroyed). */
  readonly signal?: AbortSignal | undefined;
  /** TLS session tickets, kept per origin so a reconnect skips a full handshake. */
  readonly sessions?: { session?: Buffer | undefined } | undefined;
  /** Offer HTTP/2 by ALPN (`h2`, then `http/1.1`) on TLS connections. */
  readonly allowH2?: boolean | undefined;
}

/**
 * A new connection and the time its phases took.
 *
 * @example
 * ```ts
 * const { conn, timings }: Connected = await openConnection(origin, { timeouts: DEFAULT_TIMEOUTS });
 * ```
 */
export interface Connected {
  readonly conn: Connection;
  readonly timings: ConnectTimings;
  /** The protocol to speak: `h2` when TLS's ALPN chose HTTP/2, else `http/1.1`. */
  readonly protocol: 'http/1.1' | 'h2';
}

/**
 * Opens a connection to `origin` (through `options.proxy` if given), TLS included for `https:`.
 *
 * @example
 * ```ts
 * const { conn, timings } = await openConnection(parseOrigin('https://example.com'), { timeouts: DEFAULT_TIMEOUTS });
 * console.log(timings.dns, timings.connect, timings.tls);
 * ```
 */
export async function openConnection(origin: Origin, options: ConnectorOptions): Promise<Connected> {
  const timings: ConnectTimings = { dns: 0, connect: 0, tls: 0 };
  const hop = options.proxy?.origin ?? origin;
  const connectMs = options.timeouts.connectTimeoutMs;
  const started = performance.now();
  const deadline = connectMs > 0 ? started + connectMs : Number.POSITIVE_INFINITY;
  const addresses = await resolve(hop, deadline, options.signal);
  const resolved = performance.now();
  timings.dns = resolved - started;
  let socket: Socket = await connectAny(addresses, hop.port, deadline, options);
  let protocol: Connected['protocol'] = 'http/1.1';
  try {
    if (options.proxy !== undefined) await throughProxy(socket, origin, options.proxy, deadline, options.signal);
    timings.connect = performance.now() - resolved;
    if (origin.secure) {
      const before = performance.now();
      const secure = await handshake(socket, origin, options);
      socket = secure;
      timings.tls = performance.now() - before;
      if (secure.alpnProtocol === 'h2') protocol = 'h2';
    }
  } catch (error) {
    socket.destroy();
    throw error;
  }
  // A tunnel leaves the socket paused: the Connection resumes it and takes over flow control.
  return { conn: Connection.from(socket, highWater(options.readHighWaterBytes)), timings, protocol };
}

function highWater(bytes: number | undefined): { readHighWaterBytes?: number } {
  return bytes === undefined ? {} : { readHighWaterBytes: bytes };
}

function resolve(hop: Origin, deadline: number, signal: AbortSignal | undefined): Promise<LookupAddress[]> {
  const family = isIP(hop.hostname);
  if (family !== 0) return Promise.resolve([{ address: hop.hostname, family }]);
  const where = endpoint(hop.hostname, hop.port);
  return within(deadline, signal, where, 'WK_ERR_DNS', `DNS lookup of ${hop.hostname}`, (settle) => {
    lookup(hop.hostname, { all: true }, (error, addresses) => {
      if (error)
        settle(new NetError('WK_ERR_DNS', `cannot resolve ${hop.hostname}: ${error.message}`, dnsCause(error, where)));
      else if (addresses.length === 0)
        settle(new NetError('WK_ERR_DNS', `no address for ${hop.hostname}`, { remoteAddress: where }));
      else settle(undefined, addresses);
    });
    return () => {};
  });
}

function dnsCause(error: Error, where: SocketAddress): { cause: Error; remoteAddress: SocketAddress } {
  return { cause: error, remoteAddress: where };
}

/** Tries each address in turn until one accepts; the last failure is the error. */
async function connectAny(
  addresses: LookupAddress[],
  port: number,
  deadline: number,
  options: ConnectorOptions,
): Promise<Socket> {
  let last: unknown;
  for (const { address } of addresses) {
    try {
      return await connectOne(address, port, deadline, options);
    } catch (error) {
      last = error;
      const code = (error as WirekitError).code;
      if (code !== 'WK_ERR_CONNECT') throw error; // a timeout or an abort ends the attempt
    }
  }
  throw last;
}

function connectOne(address: string, port: number, deadline: number, options: ConnectorOptions): Promise<Socket> {
  const where = endpoint(address, port);
  // Before the socket exists: an attempt aborted already must not leave one connecting, unwatched.
  if (options.signal?.aborted) return Promise.reject(abortedError(options.signal, { remoteAddress: where }));
  const socket = createConnection({
    host: address,
    port,
    noDelay: true,
    allowHalfOpen: true,
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
  });
  return within(deadline, options.signal, where, 'WK_ERR_CONNECT_TIMEOUT', `connect to ${label(where)}`, (settle) => {
    const onConnect = (): void => settle(undefined, socket);
    const onError = (error: Error): void => settle(netError('WK_ERR_CONNECT', error, { remoteAddress: where }));
    socket.once('connect', onConnect);
    socket.once('error', onError);
    return (failed) => {
      socket.off('connect', onConnect);
      socket.off('error', onError);
      if (failed) socket.destroy();
    };
  });
}

function throughProxy(
  socket: Socket,
  origin: Origin,
  proxy: ProxyConfig,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const where = endpointsOf(socket).remoteAddress;
  return within(deadline, signal, where, 'WK_ERR_CONNECT_TIMEOUT', 'CONNECT through the proxy', (settle) => {
    tunnel(socket, origin, proxy).then(
      () => settle(undefined),
      (error: WirekitError) => settle(error),
    );
    return (failed) => {
      if (failed) socket.destroy();
    };
  });
}

function handshake(socket: Socket, origin: Origin, options: ConnectorOptions): Promise<TLSSocket> {
  const tls = options.tls ?? {};
  const servername = tls.servername ?? (isIP(origin.hostname) === 0 ? origin.hostname : undefined);
  const secure = tlsConnect({
    ...tls,
    socket,
    ALPNProtocols: options.allowH2 === true ? H2_AND_HTTP1 : HTTP1_ONLY,
    ...(servername === undefined ? {} : { servername }),
    ...(options.sessions?.session === undefined ? {} : { session: options.sessions.session }),
  });
  if (options.sessions !== undefined) {
    const sessions = options.sessions;
    secure.on('session', (session: Buffer) => {
      sessions.session = session;
    });
  }
  const ms = options.timeouts.tlsTimeoutMs;
  const deadline = ms > 0 ? performance.now() + ms : Number.POSITIVE_INFINITY;
  const where = endpointsOf(socket);
  return within(deadline, options.signal, where.remoteAddress, 'WK_ERR_TLS_TIMEOUT', 'TLS handshake', (settle) => {
    const onSecure = (): void => settle(undefined, secure);
    const onError = (error: Error): void =>
      settle(
        new NetError('WK_ERR_TLS', `TLS handshake with ${origin.hostname} failed: ${error.message}`, {
          cause: error,
          ...where,
        }),
      );
    secure.once('secureConnect', onSecure);
    secure.once('error', onError);
    return (failed) => {
      secure.off('secureConnect', onSecure);
      secure.off('error', onError);
      if (failed) secure.destroy();
    };
  });
}

/** ALPN offers (RFC 7301), in order of preference. */
const HTTP1_ONLY = ['http/1.1'];
const H2_AND_HTTP1 = ['h2', 'http/1.1'];

type Settle<T> = (error: WirekitError | undefined, value?: T) => void;

/**
 * Runs one phase under a deadline and an abort signal. `start` begins the work and returns its
 * cleanup, called with `failed` once the phase settles either way.
 */
function within<T>(
  deadline: number,
  signal: AbortSignal | undefined,
  where: SocketAddress | undefined,
  timeoutCode: 'WK_ERR_DNS' | 'WK_ERR_CONNECT_TIMEOUT' | 'WK_ERR_TLS_TIMEOUT',
  what: string,
  start: (settle: Settle<T>) => (failed: boolean) => void,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortedError(signal, { remoteAddress: where }));
  return new Promise<T>((resolvePhase, rejectPhase) => {
    let settled = false;
    const remaining = deadline - performance.now();
    const timer =
      deadline === Number.POSITIVE_INFINITY
        ? undefined
        : timerWheel.after(Math.max(0, remaining), () =>
            finish(timeoutError(timeoutCode, `${what} timed out`, { remoteAddress: where })),
          );
    const onAbort = (): void => finish(abortedError(signal as AbortSignal, { remoteAddress: where }));
    signal?.addEventListener('abort', onAbort, { once: true });
    let cleanup: ((failed: boolean) => void) | undefined;
    let failedEarly: boolean | undefined;
    const finish: Settle<T> = (error, value) => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      signal?.removeEventListener('abort', onAbort);
      if (cleanup === undefined) failedEarly = error !== undefined;
      else cleanup(error !== undefined);
      if (error === undefined) resolvePhase(value as T);
      else rejectPhase(error);
    };
    cleanup = start(finish);
    if (failedEarly !== undefined) cleanup(failedEarly);
  });
}

function label(where: SocketAddress): string {
  return where.family === 'IPv6' ? `[${where.address}]:${where.port}` : `${where.address}:${where.port}`;
}
