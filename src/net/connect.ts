/** `connect()`: open a TCP or Unix socket connection, with a connect timeout and an abort signal. */
import { createConnection, type Socket } from 'node:net';
import { type SocketAddress, TimeoutError, WirekitError } from '../errors.js';
import { duration, instanceOf, OptionsSchema, port, string } from '../util/options.js';
import { timerWheel } from '../util/timer-wheel.js';
import { abortedError, endpoint, netError } from './addresses.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { CONNECTION_SPECS } from './options.js';

/**
 * Default of {@link ConnectOptions.connectTimeoutMs}: 30 seconds.
 *
 * @example
 * ```ts
 * await connect({ port: 443, host: 'example.com', connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS / 6 });
 * ```
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/**
 * Options of {@link connect}.
 *
 * @example
 * ```ts
 * await connect({ host: '::1', port: 7000, connectTimeoutMs: 5_000, idleTimeoutMs: 60_000, signal });
 * ```
 */
export interface ConnectOptions extends Omit<ConnectionOptions, 'unix' | 'noDelay' | 'proxied'> {
  /** The port to connect to (required unless `path` is given). */
  port?: number;
  /** The host to connect to. Default `'127.0.0.1'`: loopback unless you say otherwise. */
  host?: string;
  /** A Unix socket path to connect to instead of `host`/`port`. */
  path?: string;
  /** Give up (`WK_ERR_CONNECT_TIMEOUT`) if not connected after this long. Default 30 000; 0 = never. */
  connectTimeoutMs?: number;
  /** Disable Nagle's algorithm. Default true (small writes leave at once). */
  noDelay?: boolean;
  /** Aborting it cancels the attempt (`WK_ERR_ABORTED`). After connecting it has no effect. */
  signal?: AbortSignal;
  /** The local address to connect from. Default: chosen by the OS. */
  localAddress?: string;
}

/**
 * Connects to a TCP server (IPv4 or IPv6) or a Unix socket.
 * Rejects with `WK_ERR_CONNECT` (the Node error as `cause`, e.g. `ECONNREFUSED`),
 * `WK_ERR_CONNECT_TIMEOUT` (a `TimeoutError`) or `WK_ERR_ABORTED`; each carries `remoteAddress`.
 *
 * @example
 * ```ts
 * const conn = await connect({ port: 7000, connectTimeoutMs: 5_000 });
 * await conn.write('hello\n');
 * ```
 */
export async function connect(given: ConnectOptions): Promise<Connection> {
  const options = CONNECT_OPTIONS.check(given);
  if (options.path === undefined && options.port === undefined) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'connect() needs a port or a path');
  }
  const target = endpoint(options.host ?? '127.0.0.1', options.port ?? 0, options.path);
  const signal = options.signal;
  if (signal?.aborted) throw abortedError(signal, { remoteAddress: target });
  const socket = openSocket(options, target);
  return new Promise((resolve, reject) => {
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const settle = (error: WirekitError | undefined): void => {
      timer?.cancel();
      signal?.removeEventListener('abort', onAbort);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      if (error === undefined) {
        resolve(new Connection(socket, connectionOptions(options)));
        return;
      }
      socket.destroy();
      reject(error);
    };
    const onConnect = (): void => settle(undefined);
    const onError = (error: Error): void => settle(connectError(error, target));
    const onAbort = (): void => settle(abortedError(signal as AbortSignal, { remoteAddress: target }));
    const onTimeout = (): void => settle(timeoutError(timeoutMs, target));
    const timer = timeoutMs > 0 ? timerWheel.after(timeoutMs, onTimeout) : undefined;
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The options of {@link connect} (util/options.ts: unknown keys and bad values fail at the call). */
const CONNECT_OPTIONS = new OptionsSchema<ConnectOptions>('connect()', {
  ...CONNECTION_SPECS,
  port: port(),
  host: string(),
  path: string(),
  connectTimeoutMs: duration(),
  signal: instanceOf(AbortSignal, 'an AbortSignal'),
  localAddress: string(),
});

function openSocket(options: ConnectOptions, target: SocketAddress): Socket {
  if (options.path !== undefined) return createConnection({ path: options.path, allowHalfOpen: true });
  return createConnection({
    host: target.address,
    port: target.port,
    allowHalfOpen: true,
    noDelay: options.noDelay ?? true,
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
  });
}

function connectionOptions(options: ConnectOptions): ConnectionOptions {
  const out: ConnectionOptions = {};
  if (options.idleTimeoutMs !== undefined) out.idleTimeoutMs = options.idleTimeoutMs;
  if (options.readHighWaterBytes !== undefined) out.readHighWaterBytes = options.readHighWaterBytes;
  if (options.allowHalfOpen !== undefined) out.allowHalfOpen = options.allowHalfOpen;
  if (options.path !== undefined) out.unix = { local: '', remote: options.path };
  return out;
}

function connectError(error: Error & { address?: string; port?: number }, target: SocketAddress): WirekitError {
  // Node reports the address it actually tried (the resolved one for a hostname).
  const tried =
    target.family !== 'unix' && typeof error.address === 'string' && typeof error.port === 'number'
      ? endpoint(error.address, error.port)
      : target;
  return netError('WK_ERR_CONNECT', error, { remoteAddress: tried });
}

function timeoutError(timeoutMs: number, target: SocketAddress): TimeoutError {
  const where = target.family === 'unix' ? target.address : `${target.address}:${target.port}`;
  return new TimeoutError('WK_ERR_CONNECT_TIMEOUT', `connect to ${where} timed out after ${timeoutMs} ms`, {
    remoteAddress: target,
  });
}
