/** UDP: `bind()` and `UdpSocket`, an async iterable of datagrams with a bounded receive queue. */
import { createSocket, type Socket as DgramSocket, type RemoteInfo, type SocketType } from 'node:dgram';
import { isIP } from 'node:net';
import {
  isWirekitError,
  LimitError,
  NetError,
  type SocketAddress,
  TimeoutError,
  type WirekitError,
} from '../errors.js';
import { toBytes } from '../util/bytes.js';
import { Fifo } from '../util/fifo.js';
import { boolean, integer, OptionsSchema, oneOf, port, string } from '../util/options.js';
import { abortedError, closedError, endpoint, netError } from './addresses.js';
import { checkDuration, checkInteger, checkPort } from './options.js';
import { Waiters } from './waiters.js';

/**
 * Largest UDP payload over IPv4: 65 535 − 20 (IP header) − 8 (UDP header). Anything larger
 * cannot be sent at all, and on most paths much smaller datagrams are already fragmented.
 *
 * @example
 * ```ts
 * if (payload.byteLength > MAX_UDP4_DATAGRAM_BYTES) splitIntoSeveralDatagrams(payload);
 * ```
 */
export const MAX_UDP4_DATAGRAM_BYTES = 65_507;
/**
 * Largest UDP payload over IPv6 without jumbograms: 65 535 − 8 (the IPv6 header is not counted).
 *
 * @example
 * ```ts
 * const socket = await bind({ host: '::1' }); // socket.maxDatagramBytes === MAX_UDP6_DATAGRAM_BYTES
 * ```
 */
export const MAX_UDP6_DATAGRAM_BYTES = 65_527;
/**
 * Default {@link BindOptions.queueLimit}: 1024 datagrams.
 *
 * @example
 * ```ts
 * await bind({ queueLimit: DEFAULT_UDP_QUEUE_LIMIT * 4 }); // a burstier receiver
 * ```
 */
export const DEFAULT_UDP_QUEUE_LIMIT = 1024;

/**
 * Options of {@link bind}.
 *
 * @example
 * ```ts
 * await bind({ port: 5353, host: '0.0.0.0', reuseAddr: true, queueLimit: 256 });
 * ```
 */
export interface BindOptions {
  /** The port to bind. Default 0: any free port (see `socket.address.port`). */
  port?: number;
  /** The address to bind. Default `'127.0.0.1'` (`'::1'` when `type` is `'udp6'`). */
  host?: string;
  /** `'udp4'` or `'udp6'`. Default: inferred from `host` (IPv6 address → `'udp6'`). */
  type?: SocketType;
  /** Allow other sockets to bind the same port (for multicast receivers). Default false. */
  reuseAddr?: boolean;
  /** With `type: 'udp6'` and host `'::'`, do not receive IPv4 traffic. Default false. */
  ipv6Only?: boolean;
  /**
   * Largest datagram `send()` accepts (`WK_ERR_DATAGRAM_TOO_LARGE` above it, before sending).
   * Default (and maximum) 65 507 for udp4, 65 527 for udp6.
   */
  maxDatagramBytes?: number;
  /** Kernel receive buffer size (SO_RCVBUF). Default: the OS's. */
  recvBufferBytes?: number;
  /** Kernel send buffer size (SO_SNDBUF). Default: the OS's. */
  sendBufferBytes?: number;
  /**
   * Datagrams kept while nobody is receiving. Default 1024. When full, new datagrams are dropped
   * (counted in `dropped`): UDP may lose datagrams anyway, memory must stay bounded.
   */
  queueLimit?: number;
}

/**
 * Options of {@link UdpSocket.receive}.
 *
 * @example
 * ```ts
 * const reply = await socket.receive({ timeoutMs: 1_000, signal: AbortSignal.timeout(5_000) });
 * ```
 */
export interface ReceiveOptions {
  /** Reject `WK_ERR_RECEIVE_TIMEOUT` (a `TimeoutError`) if no datagram came within this long. Default: wait. */
  timeoutMs?: number;
  /** Aborting it rejects the wait with `WK_ERR_ABORTED`. */
  signal?: AbortSignal;
}

/**
 * One received datagram.
 *
 * @example
 * ```ts
 * const { data, address, port } = (await socket.receive()) as Datagram;
 * ```
 */
export interface Datagram {
  data: Uint8Array;
  /** The sender's address. */
  address: string;
  /** The sender's port. */
  port: number;
  family: 'IPv4' | 'IPv6';
}

/**
 * Binds a UDP socket. Rejects `WK_ERR_UDP` (with the Node error as `cause`) if binding fails.
 *
 * @example
 * ```ts
 * const socket = await bind({ port: 0 });
 * for await (const { data, address, port } of socket) await socket.send(data, port, address); // echo
 * ```
 */
export async function bind(given: BindOptions = {}): Promise<UdpSocket> {
  const options = BIND_OPTIONS.check(given);
  const type = options.type ?? (options.host !== undefined && isIP(options.host) === 6 ? 'udp6' : 'udp4');
  checkInteger('maxDatagramBytes', options.maxDatagramBytes, 1, maxDatagramBytesOf(type));
  const host = options.host ?? (type === 'udp6' ? '::1' : '127.0.0.1');
  const socket = createSocket({
    type,
    reuseAddr: options.reuseAddr ?? false,
    ipv6Only: options.ipv6Only ?? false,
    ...(options.recvBufferBytes === undefined ? {} : { recvBufferSize: options.recvBufferBytes }),
    ...(options.sendBufferBytes === undefined ? {} : { sendBufferSize: options.sendBufferBytes }),
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.close();
      reject(netError('WK_ERR_UDP', error, { localAddress: endpoint(host, options.port ?? 0) }));
    };
    socket.once('error', onError);
    socket.bind({ port: options.port ?? 0, address: host }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  return new UdpSocket(socket, options);
}

function maxDatagramBytesOf(type: SocketType): number {
  return type === 'udp6' ? MAX_UDP6_DATAGRAM_BYTES : MAX_UDP4_DATAGRAM_BYTES;
}

/** The options of {@link bind} (util/options.ts: unknown keys and bad values fail at the call). */
const BIND_OPTIONS = new OptionsSchema<BindOptions>('bind()', {
  port: port(),
  host: string(),
  type: oneOf('udp4', 'udp6'),
  reuseAddr: boolean(),
  ipv6Only: boolean(),
  maxDatagramBytes: integer(1, MAX_UDP6_DATAGRAM_BYTES),
  recvBufferBytes: integer(1),
  sendBufferBytes: integer(1),
  queueLimit: integer(0),
});

/**
 * A bound UDP socket: an async iterable of received datagrams, plus `send()`. Received datagrams
 * wait in a queue of at most `queueLimit` entries while nobody receives; beyond that they are
 * dropped and counted in {@link UdpSocket.dropped}.
 *
 * @example
 * ```ts
 * await using socket = await bind({ port: 0 });
 * await socket.send('ping', 9999, '127.0.0.1');
 * const reply = await socket.receive();
 * ```
 */
export class UdpSocket implements AsyncIterable<Datagram>, AsyncDisposable {
  /** The underlying `dgram.Socket`. */
  readonly socket: DgramSocket;
  /** Where the socket is bound. */
  readonly address: SocketAddress;
  /** Largest datagram `send()` accepts. */
  readonly maxDatagramBytes: number;
  readonly #queueLimit: number;
  readonly #queue = new Fifo<Datagram>();
  /** Waiting receive() calls, oldest first; one that gives up leaves at once (no memory kept for it). */
  readonly #waiters = new Waiters<Datagram | null>();
  #dropped = 0;
  #error: WirekitError | undefined;
  #closed: Promise<void> | undefined;
  #remote: SocketAddress | undefined;

  /** @internal Use {@link bind}. */
  constructor(socket: DgramSocket, options: BindOptions = {}) {
    this.socket = socket;
    const info = socket.address();
    this.address = { address: info.address, port: info.port, family: info.family === 'IPv6' ? 'IPv6' : 'IPv4' };
    this.maxDatagramBytes =
      options.maxDatagramBytes ?? maxDatagramBytesOf(this.address.family === 'IPv6' ? 'udp6' : 'udp4');
    this.#queueLimit = options.queueLimit ?? DEFAULT_UDP_QUEUE_LIMIT;
    socket.on('message', (data, rinfo) => this.#onMessage(data, rinfo));
    socket.on('error', (error) => this.#onError(error));
  }

  /** Datagrams dropped because the receive queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** `receive()` calls waiting for a datagram. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Datagrams waiting to be received. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * The next datagram, or null once the socket is closed. Several calls may wait at once (FIFO); one
   * that times out or is aborted leaves the queue, so the next datagram goes to the next caller.
   * An error the OS reports after the fact (on a connected socket, ICMP port unreachable:
   * `ECONNREFUSED`) rejects the next receive with `WK_ERR_UDP`, as a connected socket's recv()
   * does in C or Python; receiving works again after it.
   */
  receive(options: ReceiveOptions = {}): Promise<Datagram | null> {
    checkDuration('timeoutMs', options.timeoutMs);
    const datagram = this.#queue.shift();
    if (datagram !== undefined) return Promise.resolve(datagram);
    const error = this.#error;
    this.#error = undefined;
    if (error !== undefined) return Promise.reject(error);
    if (this.#closed !== undefined) return Promise.resolve(null);
    return this.#waiters.wait({ ...options, timedOut: this.#timeoutError, aborted: this.#abortedError });
  }

  /**
   * Yields datagrams until the socket is closed. Breaking out of the loop leaves the socket open.
   * An error the OS reports for a connected socket (`ECONNREFUSED` while the peer restarts) does not
   * end the loop: it goes on waiting, as a receive loop should; `receive()` is where it is seen.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Datagram, void, undefined> {
    for (;;) {
      let datagram: Datagram | null;
      try {
        datagram = await this.receive();
      } catch (error) {
        if (isWirekitError(error, 'WK_ERR_UDP')) continue;
        throw error;
      }
      if (datagram === null) return;
      yield datagram;
    }
  }

  /**
   * Sends one datagram to `port`/`address` (default: the socket's loopback), or to the connected
   * peer when called with data only. Rejects `WK_ERR_DATAGRAM_TOO_LARGE` (a `LimitError`) before
   * sending anything over `maxDatagramBytes`, and `WK_ERR_UDP` if the OS refuses it.
   */
  send(data: string | Uint8Array, port?: number, address?: string): Promise<void> {
    const bytes = toBytes(data);
    const remote = port === undefined ? this.#remote : endpoint(address ?? this.#loopback(), port);
    if (this.#closed !== undefined)
      return Promise.reject(closedError({ localAddress: this.address, remoteAddress: remote }));
    if (remote === undefined) {
      const message = 'send() without a port needs connect() first';
      return Promise.reject(new NetError('WK_ERR_UDP', message, { localAddress: this.address }));
    }
    if (bytes.byteLength > this.maxDatagramBytes) {
      return Promise.reject(
        new LimitError(
          'WK_ERR_DATAGRAM_TOO_LARGE',
          `a ${bytes.byteLength}-byte datagram is over maxDatagramBytes (${this.maxDatagramBytes})`,
          { localAddress: this.address, remoteAddress: remote },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const done = (error: Error | null): void => {
        if (error) reject(netError('WK_ERR_UDP', error, { localAddress: this.address, remoteAddress: remote }));
        else resolve();
      };
      try {
        if (port === undefined) this.socket.send(bytes, done);
        else this.socket.send(bytes, port, address ?? this.#loopback(), done);
      } catch (error) {
        done(error as Error);
      }
    });
  }

  /** Fixes the peer: `send(data)` goes there, and only its datagrams are received. */
  connect(port: number, address?: string): Promise<void> {
    checkPort('port', port);
    const host = address ?? this.#loopback();
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(this.#udpError(error));
      this.socket.once('error', onError);
      this.#sync(() =>
        this.socket.connect(port, host, () => {
          this.socket.off('error', onError);
          this.#remote = endpoint(host, port);
          resolve();
        }),
      );
    });
  }

  /** The local interface multicast datagrams leave from (`'127.0.0.1'`, or `'::%lo'` for IPv6). */
  setMulticastInterface(interfaceAddress: string): void {
    this.#sync(() => this.socket.setMulticastInterface(interfaceAddress));
  }

  /** Allows sending to broadcast addresses. */
  setBroadcast(enabled: boolean): void {
    this.#sync(() => this.socket.setBroadcast(enabled));
  }

  /** Joins a multicast group (on the given local interface, or the default one). */
  addMembership(group: string, interfaceAddress?: string): void {
    this.#sync(() => this.socket.addMembership(group, interfaceAddress));
  }

  /** Leaves a multicast group. */
  dropMembership(group: string, interfaceAddress?: string): void {
    this.#sync(() => this.socket.dropMembership(group, interfaceAddress));
  }

  /** Hop limit of outgoing multicast datagrams (1 = this network only). */
  setMulticastTTL(ttl: number): void {
    this.#sync(() => this.socket.setMulticastTTL(ttl));
  }

  /** Whether our own multicast datagrams are delivered back to us. */
  setMulticastLoopback(enabled: boolean): void {
    this.#sync(() => this.socket.setMulticastLoopback(enabled));
  }

  /** Closes the socket; pending and later `receive()` calls return null once the queue is empty. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.socket.close(() => resolve());
      this.#waiters.resolveAll(null);
    });
    return this.#closed;
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #onMessage(data: Buffer, rinfo: RemoteInfo): void {
    const datagram: Datagram = {
      data,
      address: rinfo.address,
      port: rinfo.port,
      family: rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4',
    };
    if (this.#waiters.resolveNext(datagram)) return;
    if (this.queued >= this.#queueLimit) this.#dropped++;
    else this.#queue.push(datagram);
  }

  #onError(cause: Error): void {
    const error = this.#udpError(cause);
    if (!this.#waiters.rejectNext(error)) this.#error ??= error;
  }

  readonly #timeoutError = (timeoutMs: number): TimeoutError => {
    const message = `no datagram within ${timeoutMs} ms`;
    return new TimeoutError('WK_ERR_RECEIVE_TIMEOUT', message, {
      localAddress: this.address,
      remoteAddress: this.#remote,
    });
  };

  readonly #abortedError = (signal: AbortSignal): WirekitError =>
    abortedError(signal, { localAddress: this.address, remoteAddress: this.#remote });

  #loopback(): string {
    return this.address.family === 'IPv6' ? '::1' : '127.0.0.1';
  }

  #sync(operation: () => void): void {
    try {
      operation();
    } catch (error) {
      throw this.#udpError(error);
    }
  }

  #udpError(error: unknown): WirekitError {
    return netError('WK_ERR_UDP', error, { localAddress: this.address, remoteAddress: this.#remote });
  }
}
