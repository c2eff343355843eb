/**
 * `Pool`: up to `connections` keep-alive connections to one origin and a bounded FIFO queue of the
 * requests waiting for one. The most recently used idle connection is reused first (so the others
 * age out and retire, rather than all staying half-warm); a new connection is opened while the
 * limit allows before a request is queued or pipelined behind another.
 */
import { setMaxListeners } from 'node:events';
import { type ErrorCode, WirekitError } from '../errors.js';
import type { ParserLimits } from '../http/codec/limits.js';
import { abortedError } from '../net/addresses.js';
import { Fifo } from '../util/fifo.js';
import { ClientConnection, type ConnectionOwner, type ConnectionSettings, type PoolConnection } from './connection.js';
import { type Connected, type ConnectorOptions, openConnection } from './connector.js';
import { publishConnection, publishRequest } from './diagnostics.js';
import { ClientExchange, type ExchangeContext } from './exchange.js';
import type { H2ClientConnection, H2Settings } from './h2-connection.js';
import { type Origin, parseOrigin } from './origin.js';
import { checkPoolOptions, POOL_DEFAULTS, type PoolOptions, type PoolStats } from './pool-options.js';
import { type ProxyConfig, parseProxy } from './proxy.js';
import { runRequest, TARGETED_REQUEST_OPTIONS, type TargetedRequestOptions } from './request-options.js';
import type { ClientResponse } from './response.js';
import { resolveTimeouts, type Timeouts } from './timeouts.js';
import type { Dispatcher, DispatchRequest } from './types.js';

/**
 * A pool of keep-alive connections to one origin.
 *
 * @example
 * ```ts
 * const pool = new Pool('http://127.0.0.1:8080', { connections: 8 });
 * const res = await pool.request({ path: '/users/1' });
 * console.log(res.status, await res.body.json());
 * await pool.close();
 * ```
 */
export class Pool implements Dispatcher {
  /** The origin this pool talks to (`http://host:port`). */
  readonly origin: string;
  readonly #origin: Origin;
  readonly #max: number;
  readonly #maxQueue: number;
  readonly #settings: ConnectionSettings;
  readonly #timeouts: Readonly<Timeouts>;
  readonly #context: ExchangeContext;
  readonly #connector: Omit<ConnectorOptions, 'timeouts'>;
  readonly #h2: H2Settings;
  readonly #conns = new Set<PoolConnection>();
  /** HTTP/2 connections: requests share them at once, so they are never on the idle stack. */
  readonly #multiplexed = new Set<PoolConnection>();
  readonly #idle: PoolConnection[] = [];
  readonly #queue = new Fifo<ClientExchange>();
  readonly #shutdown = new AbortController();
  #connecting = 0;
  /**
   * HTTP/2 may be offered and no connection has said yet whether the server takes it: one
   * connection is opened and the other requests wait for it, so a burst of first requests to an
   * HTTP/2 server shares one connection instead of opening one each. Cleared by the first connection.
   */
  #probing: boolean;
  #closed = false;
  #closing: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Called whenever the pool has nothing open, connecting or queued (the Agent retires idle pools). */
  onEmpty: (() => void) | undefined;

  constructor(origin: string | URL, options: PoolOptions = {}) {
    checkPoolOptions(options);
    this.#origin = parseOrigin(origin);
    this.origin = this.#origin.href;
    this.#max = options.connections ?? POOL_DEFAULTS.connections;
    this.#maxQueue = options.maxQueue ?? POOL_DEFAULTS.maxQueue;
    this.#timeouts = resolveTimeouts(options.timeouts);
    const limits: Partial<ParserLimits> = {};
    if (options.maxHeadBytes !== undefined) limits.maxHeadBytes = options.maxHeadBytes;
    if (options.maxHeaderCount !== undefined) limits.maxHeaderCount = options.maxHeaderCount;
    this.#settings = {
      pipelining: options.pipelining ?? POOL_DEFAULTS.pipelining,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? POOL_DEFAULTS.keepAliveTimeoutMs,
      keepAliveMaxTimeoutMs: options.keepAliveMaxTimeoutMs ?? POOL_DEFAULTS.keepAliveMaxTimeoutMs,
      keepAliveTimeoutThresholdMs: options.keepAliveTimeoutThresholdMs ?? POOL_DEFAULTS.keepAliveTimeoutThresholdMs,
      limits,
    };
    this.#context = {
      origin: this.#origin,
      timeouts: this.#timeouts,
      maxResponseBytes: options.maxResponseBytes ?? Number.POSITIVE_INFINITY,
      bodyHighWaterBytes: options.bodyHighWaterBytes ?? POOL_DEFAULTS.bodyHighWaterBytes,
      heads: new Map(),
    };
    const proxy = options.proxy;
    this.#connector = {
      tls: options.tls,
      proxy: proxy === undefined ? undefined : isProxyConfig(proxy) ? proxy : parseProxy(proxy),
      localAddress: options.localAddress,
      signal: unlimitedListeners(this.#shutdown.signal),
      sessions: {},
      allowH2: options.allowH2 === true,
    };
    this.#probing = options.allowH2 === true && this.#origin.secure;
    this.#h2 = {
      maxConcurrentStreams: options.maxConcurrentStreams ?? POOL_DEFAULTS.maxConcurrentStreams,
      keepAliveTimeoutMs: this.#settings.keepAliveTimeoutMs,
      bodyHighWaterBytes: this.#context.bodyHighWaterBytes,
    };
  }

  /** Open connections, idle ones, queued and running requests. */
  get stats(): PoolStats {
    let running = 0;
    for (const conn of this.#conns) running += conn.inflight;
    let idle = this.#idle.length;
    for (const conn of this.#multiplexed) if (conn.idle) idle++;
    return {
      connections: this.#conns.size,
      connecting: this.#connecting,
      idle,
      queued: this.#liveQueued(),
      running,
    };
  }

  /** True once `close()` or `destroy()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a request to this pool's origin (undici's `pool.request` shape: a `path`, not a URL).
   *
   * @example
   * ```ts
   * const res = await pool.request({ path: '/echo', method: 'POST', body: JSON.stringify({ a: 1 }) });
   * ```
   */
  request(options: TargetedRequestOptions): Promise<ClientResponse> {
    return runRequest(this, this.origin, options.path ?? '/', options, TARGETED_REQUEST_OPTIONS);
  }

  dispatch(request: DispatchRequest): Promise<ClientResponse> {
    if (this.#closed) return Promise.reject(closedPool(this.origin));
    if (request.origin !== this.origin && !sameOrigin(request.origin, this.origin)) {
      return Promise.reject(
        new WirekitError(
          'WK_ERR_INVALID_ARGUMENT',
          `this pool serves ${this.origin}, not ${request.origin} (use an Agent)`,
        ),
      );
    }
    if (request.signal?.aborted) return Promise.reject(abortedError(request.signal));
    let exchange: ClientExchange;
    try {
      const timeouts =
        request.timeouts === undefined ? this.#timeouts : resolveTimeouts(request.timeouts, this.#timeouts);
      exchange = new ClientExchange(request, this.#context, timeouts);
    } catch (error) {
      return Promise.reject(error);
    }
    publishRequest('requestStart', request);
    this.#schedule(exchange);
    return exchange.promise;
  }

  close(): Promise<void> {
    this.#closed = true;
    if (this.#closing === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#closing = { promise, resolve };
      this.#settle();
    }
    return this.#closing.promise;
  }

  async destroy(error?: unknown): Promise<void> {
    const reason = error instanceof WirekitError ? error : closedPool(this.origin, error);
    const closing = this.close();
    this.#shutdown.abort(reason);
    for (const exchange of this.#queue.drain()) exchange.settleError(reason);
    for (const conn of [...this.#conns]) conn.destroy(reason);
    this.#settle();
    await closing;
  }

  // ---- scheduling ----

  #schedule(exchange: ClientExchange): void {
    const shared = this.#sharedWithRoom(exchange);
    if (shared !== undefined) {
      shared.send(exchange);
      return;
    }
    const idle = this.#unpark();
    if (idle !== undefined) {
      idle.send(exchange);
      return;
    }
    if (this.#conns.size + this.#connecting < this.#max && !(this.#probing && this.#connecting > 0)) {
      this.#enqueue(exchange, true);
      this.#connect(exchange);
      return;
    }
    if (this.#settings.pipelining > 1) {
      for (const conn of this.#conns) {
        if (conn.canTake(exchange)) {
          conn.send(exchange);
          return;
        }
      }
    }
    // The bound is on requests waiting with no connection being opened for them.
    const limit = this.#maxQueue + this.#connecting;
    if (this.#queue.length >= limit && this.#liveQueued() >= limit) {
      exchange.settleError(queueFull(this.origin, this.#maxQueue));
      return;
    }
    this.#enqueue(exchange);
  }

  #enqueue(exchange: ClientExchange, connecting = false): void {
    exchange.waitForConnection(connecting);
    this.#queue.push(exchange);
  }

  /** The front queued request that is still waiting (aborted ones are dropped here). */
  #peek(): ClientExchange | undefined {
    for (;;) {
      const exchange = this.#queue.at(0);
      if (exchange === undefined || exchange.state === 'queued') return exchange;
      this.#queue.shift();
    }
  }

  #liveQueued(): number {
    let n = 0;
    for (let i = 0; i < this.#queue.length; i++) if (this.#queue.at(i)?.state === 'queued') n++;
    return n;
  }

  #connect(trigger: ClientExchange): void {
    this.#connecting++;
    const options: ConnectorOptions = { ...this.#connector, timeouts: trigger.timeouts };
    openConnection(this.#origin, options)
      .then(withH2Engine)
      .then(
        ({ conn, timings, h2 }) => {
          this.#connecting--;
          if (this.#shutdown.signal.aborted) {
            conn.destroy();
            this.#settle();
            return;
          }
          let client: PoolConnection;
          if (h2 !== undefined) {
            client = new h2(conn.detach(), timings, this.#origin, this.#h2, this.#owner);
            this.#multiplexed.add(client);
          } else {
            client = new ClientConnection(conn, timings, this.#settings, this.#owner);
          }
          this.#conns.add(client);
          publishConnection('connectionOpen', () => ({ origin: this.origin, ...addresses(client), timings }));
          this.#owner.available(client);
          if (this.#probing) {
            // The protocol is known: HTTP/1.1 opens connections for the requests that waited, HTTP/2
            // only for those beyond its streams.
            this.#probing = false;
            this.#grow();
          }
        },
        (error: unknown) => {
          this.#connecting--;
          // The request that asked for this connection learns why it failed; if nothing else can
          // serve the queue, every queued request does.
          this.#peek()?.settleError(error);
          this.#queue.shift();
          if (this.#conns.size === 0 && this.#connecting === 0) {
            for (const exchange of this.#queue.drain()) exchange.settleError(error);
          }
          this.#settle();
        },
      );
  }

  /** Opens connections for queued requests while the limit allows (one per request waiting). */
  #grow(): void {
    const waiting = this.#liveQueued();
    let room = Math.min(waiting - this.#connecting, this.#max - this.#conns.size - this.#connecting);
    for (let i = 0; room > 0 && i < this.#queue.length; i++) {
      const exchange = this.#queue.at(i) as ClientExchange;
      if (exchange.state !== 'queued') continue;
      this.#connect(exchange);
      room--;
    }
  }

  readonly #owner: ConnectionOwner = {
    available: (conn) => {
      for (let next = this.#peek(); next !== undefined && conn.canTake(next); next = this.#peek()) {
        this.#queue.shift();
        conn.send(next);
      }
      if (conn.idle && !conn.parked && !conn.multiplexed) this.#park(conn);
      this.#settle();
    },
    closed: (conn) => {
      this.#conns.delete(conn);
      this.#multiplexed.delete(conn);
      publishConnection('connectionClose', () => ({ origin: this.origin, ...addresses(conn) }));
      if (conn.parked) {
        conn.parked = false;
        this.#idle.splice(this.#idle.indexOf(conn), 1);
      }
      this.#drainToIdle();
      if (!this.#shutdown.signal.aborted) this.#grow();
      this.#settle();
    },
    requeue: (exchanges) => {
      for (let i = exchanges.length - 1; i >= 0; i--) {
        const exchange = exchanges[i] as ClientExchange;
        exchange.waitForConnection();
        this.#queue.unshift(exchange);
      }
      // A stream refused on a connection that stays open: another connection may take it now.
      this.#drainToIdle();
    },
  };

  /** An HTTP/2 connection with room for one more stream. */
  #sharedWithRoom(exchange: ClientExchange): PoolConnection | undefined {
    for (const conn of this.#multiplexed) if (conn.canTake(exchange)) return conn;
    return undefined;
  }

  /** Puts an idle connection on the stack of those ready for a request (most recent on top). */
  #park(conn: PoolConnection): void {
    conn.parked = true;
    this.#idle.push(conn);
  }

  #unpark(): PoolConnection | undefined {
    const conn = this.#idle.pop();
    if (conn !== undefined) conn.parked = false;
    return conn;
  }

  #drainToIdle(): void {
    for (let next = this.#peek(); next !== undefined; next = this.#peek()) {
      const conn = this.#sharedWithRoom(next) ?? this.#unpark();
      if (conn === undefined) return;
      this.#queue.shift();
      conn.send(next);
    }
  }

  /** Finishes a graceful close once nothing is left, and tells the agent when the pool is empty. */
  #settle(): void {
    const empty = this.#conns.size === 0 && this.#connecting === 0 && this.#peek() === undefined;
    if (this.#closing !== undefined) {
      if (this.#peek() === undefined) {
        for (const conn of [...this.#conns]) if (conn.idle || conn.inflight === 0) conn.retire();
      }
      if (empty) this.#closing.resolve();
    }
    if (empty) this.onEmpty?.();
  }
}

/**
 * A connection and, when TLS chose `h2`, the HTTP/2 connection class: node:http2 is loaded only
 * then, so a client that never meets an HTTP/2 server never loads it.
 */
async function withH2Engine(connected: Connected): Promise<Connected & { h2?: typeof H2ClientConnection }> {
  if (connected.protocol !== 'h2') return connected;
  try {
    return { ...connected, h2: (await import('./h2-connection.js')).H2ClientConnection };
  } catch (error) {
    connected.conn.destroy();
    throw error;
  }
}

/** Every connection attempt listens on the pool's shutdown signal: no listener-count warning. */
function unlimitedListeners(signal: AbortSignal): AbortSignal {
  setMaxListeners(0, signal);
  return signal;
}

function addresses(conn: PoolConnection) {
  return { localAddress: conn.localAddress, remoteAddress: conn.remoteAddress };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return parseOrigin(a).href === b;
  } catch {
    return false;
  }
}

function isProxyConfig(proxy: string | URL | ProxyConfig): proxy is ProxyConfig {
  return typeof proxy === 'object' && !(proxy instanceof URL) && 'origin' in proxy;
}

function closedPool(origin: string, cause?: unknown): WirekitError {
  const code: ErrorCode = 'WK_ERR_CLIENT_CLOSED';
  return new WirekitError(code, `the pool for ${origin} is closed`, cause === undefined ? {} : { cause });
}

function queueFull(origin: string, maxQueue: number): WirekitError {
  return new WirekitError('WK_ERR_POOL_QUEUE_FULL', `${maxQueue} requests already wait for a connection to ${origin}`);
}
