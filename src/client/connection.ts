/**
 * `ClientConnection`: one socket to one origin. It writes requests (pipelined up to a depth), feeds
 * the bytes it reads to the response parser, hands each response head to its exchange and streams
 * the body into it, and tells its pool when it can take another request or has closed.
 *
 * Keep-alive and the reuse race (docs/architecture.md, client):
 * - an idle connection retires itself before the server's `Keep-Alive: timeout=N` (N − 1 s), and
 *   after `keepAliveTimeoutMs` (4 s) when the server names none;
 * - a request that fails on a reused connection before any byte of its response arrived is handed
 *   back to the pool to be sent once more, if it is idempotent and its body can be sent again. A
 *   request that is not gets an error that says why it was not retried.
 *
 * Timeouts: one {@link Deadline} follows the request at the head of the line (headers, body,
 * upload) or the keep-alive idle time.
 */
import type { Socket } from 'node:net';
import type { WirekitError } from '../errors.js';
import type { ParserLimits } from '../http/codec/limits.js';
import type { ResponseEvent, ResponseHead } from '../http/codec/response-parser.js';
import { ResponseParser } from '../http/codec/response-parser.js';
import { closedError } from '../net/addresses.js';
import type { Connection } from '../net/connection.js';
import { WriteBatch } from '../net/write-batch.js';
import { assertNever } from '../util/assert-never.js';
import { Fifo } from '../util/fifo.js';
import type { ConnectTimings } from './connector.js';
import type { ClientExchange, ExchangeHost } from './exchange.js';
import { abandoned, closedBefore, locate, notRetried, requestBodyError, tooLarge } from './failures.js';
import { keepAliveHintMs } from './fields.js';
import { type ConnectionEnding, orphanFate } from './retry.js';
import { Deadline, phaseTimeout } from './timeouts.js';
import { atTurnEnd, type Batched } from './turn-batch.js';
import { type StreamedBody, writeBody } from './upload.js';

/**
 * Keep-alive and pipelining settings of a connection (resolved by the pool).
 *
 * @example
 * ```ts
 * const settings: ConnectionSettings = { pipelining: 1, keepAliveTimeoutMs: 4_000, keepAliveMaxTimeoutMs: 600_000, keepAliveTimeoutThresholdMs: 1_000, limits: {} };
 * ```
 */
export interface ConnectionSettings {
  /** Requests written before their responses arrive (1 = no pipelining). */
  readonly pipelining: number;
  /** Idle time after which a connection is retired when the server names no Keep-Alive timeout. */
  readonly keepAliveTimeoutMs: number;
  /** The longest idle time a server's Keep-Alive hint can give. */
  readonly keepAliveMaxTimeoutMs: number;
  /** How long before the server's Keep-Alive timeout an idle connection is retired. */
  readonly keepAliveTimeoutThresholdMs: number;
  /** Limits of the response parser. */
  readonly limits: Partial<ParserLimits>;
}

/**
 * A connection of a pool, whatever it speaks: HTTP/1.1 ({@link ClientConnection}) or HTTP/2
 * (`H2ClientConnection`, many requests at once on one connection).
 *
 * @example
 * ```ts
 * if (conn.canTake(exchange)) conn.send(exchange);
 * ```
 */
export interface PoolConnection extends ExchangeHost {
  /** On its pool's stack of idle connections (the pool's bookkeeping; never for a multiplexed one). */
  parked: boolean;
  /** True for HTTP/2: requests share the connection at once, it is never parked. */
  readonly multiplexed: boolean;
  /** True when nothing is in flight and the connection may take a request. */
  readonly idle: boolean;
  readonly closed: boolean;
  /** Requests written and not yet answered to their end. */
  readonly inflight: number;
  canTake(exchange: ClientExchange): boolean;
  send(exchange: ClientExchange): void;
  /** Takes no more requests; closes once what is in flight has finished. */
  retire(): void;
  /** Closes now; everything in flight fails with `error`. */
  destroy(error: WirekitError): void;
}

/**
 * What a connection tells its pool.
 *
 * @example
 * ```ts
 * const owner: ConnectionOwner = { available: (c) => queue.drainTo(c), closed: (c) => conns.delete(c), requeue: (e) => queue.unshift(...e) };
 * ```
 */
export interface ConnectionOwner {
  /** The connection can take another request (it is idle, or has room in its pipeline). */
  available(conn: PoolConnection): void;
  /** The connection is closed; it takes no more requests. */
  closed(conn: PoolConnection): void;
  /** Requests that lost the reuse race, oldest first, to be sent again ahead of those queued. */
  requeue(exchanges: readonly ClientExchange[]): void;
}

type Phase = 'idle' | 'headers' | 'body' | 'upload' | 'paused';

const NO_TRAILERS: readonly string[] = [];

/**
 * One HTTP/1.1 connection of a pool.
 *
 * @example
 * ```ts
 * const conn = new ClientConnection(connected.conn, connected.timings, settings, owner);
 * if (conn.canTake(exchange)) conn.send(exchange);
 * ```
 */
export class ClientConnection implements PoolConnection, Batched {
  /** On its pool's stack of idle connections (the pool's bookkeeping). */
  parked = false;
  readonly multiplexed = false;
  readonly #conn: Connection;
  readonly #socket: Socket;
  readonly #output: WriteBatch;
  readonly #parser: ResponseParser;
  readonly #settings: ConnectionSettings;
  readonly #owner: ConnectionOwner;
  readonly #inflight = new Fifo<ClientExchange>();
  readonly #deadline: Deadline;
  #setup: ConnectTimings | undefined;
  #phase: Phase = 'idle';
  #served = 0;
  #reusable = true;
  #closed = false;
  #writer: ClientExchange | undefined;
  #paused = false;
  #idempotentOnly = true;
  #idleMs: number;
  #trailers: readonly string[] = NO_TRAILERS;
  #notify = false;
  /** Writes are held until the end of this turn (see `turn-batch.ts`). */
  #scheduled = false;
  /** When the chunk being handled arrived (one clock read per chunk). */
  #now = 0;

  constructor(conn: Connection, setup: ConnectTimings, settings: ConnectionSettings, owner: ConnectionOwner) {
    this.#conn = conn;
    this.#socket = conn.socket;
    this.#output = new WriteBatch(conn, 'latin1');
    this.#setup = setup;
    this.#settings = settings;
    this.#owner = owner;
    this.#idleMs = settings.keepAliveTimeoutMs;
    this.#deadline = new Deadline(() => this.#expired(), Math.max(settings.keepAliveTimeoutMs, 1_000));
    this.#parser = new ResponseParser(settings.limits);
    conn.receive({ onData: this.#onData, onEnd: this.#onPeerEnd, onError: this.#onError });
    this.#arm();
  }

  get localAddress() {
    return this.#conn.localAddress;
  }

  get remoteAddress() {
    return this.#conn.remoteAddress;
  }

  /** True when nothing is in flight and the connection may take a request. */
  get idle(): boolean {
    return !this.#closed && this.#reusable && this.#inflight.length === 0;
  }

  /** True once closed (by either side, a failure or a retirement). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Requests written and not yet answered to their end. */
  get inflight(): number {
    return this.#inflight.length;
  }

  /**
   * Whether `exchange` may be written now: the connection is idle, or pipelining has room, no body
   * is being streamed, and both it and everything in flight are idempotent (RFC 9112 §9.3.2).
   */
  canTake(exchange: ClientExchange): boolean {
    if (this.#closed || !this.#reusable || this.#writer !== undefined) return false;
    const n = this.#inflight.length;
    if (n === 0) return true;
    return n < this.#settings.pipelining && this.#idempotentOnly && exchange.idempotent;
  }

  /** Writes the request of `exchange` (check {@link ClientConnection.canTake} first). */
  send(exchange: ClientExchange): void {
    const now = performance.now();
    exchange.attach(this, this.#served > 0 || this.#inflight.length > 0, now);
    const setup = this.#setup;
    if (setup !== undefined) {
      this.#setup = undefined;
      exchange.timings.dns = setup.dns;
      exchange.timings.connect = setup.connect;
      exchange.timings.tls = setup.tls;
    }
    if (this.#inflight.length === 0) this.#socket.ref();
    this.#inflight.push(exchange);
    if (!exchange.idempotent) this.#idempotentOnly = false;
    if (exchange.closeAfter) this.#reusable = false;
    this.#parser.expect(exchange.method);
    const wire = exchange.wire;
    this.#holdTurn();
    if (wire.kind === 'stream') {
      void this.#pump(exchange, wire);
      return;
    }
    this.#output.send(exchange.head);
    if (wire.kind === 'bytes') this.#output.send(wire.bytes);
    exchange.sentAt = now;
    if (this.#inflight.length === 1) this.#arm(now);
  }

  /** Releases the writes held since the turn began (see `turn-batch.ts`). */
  flush(): void {
    this.#scheduled = false;
    this.#output.end();
  }

  /**
   * Holds this connection's writes until the turn ends, so requests to many connections leave as one
   * burst and the requests written to one connection in a turn leave in one write.
   */
  #holdTurn(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#output.begin();
    atTurnEnd(this);
  }

  /** Takes no more requests; closes once what is in flight has finished. */
  retire(): void {
    this.#reusable = false;
    if (this.#inflight.length === 0) this.#destroy(closedError(this), 'raced');
  }

  /** Closes now; everything in flight fails with `error`. */
  destroy(error: WirekitError): void {
    this.#destroy(error, 'destroyed');
  }

  // ---- ExchangeHost ----

  resumeFor(exchange: ClientExchange): void {
    if (!this.#paused || this.#inflight.at(0) !== exchange) return;
    this.#paused = false;
    this.#conn.resume();
    this.#arm();
  }

  /**
   * Its own error has already reached `exchange`; the others in flight must not get it. At the head
   * of the line its response is skipped by closing now; behind the head, the responses ahead of it
   * are still wanted, so the connection takes nothing more and closes when its response comes up.
   */
  abandon(exchange: ClientExchange): void {
    if (this.#closed || exchange.state === 'done') return;
    if (this.#inflight.at(0) === exchange) this.#destroy(abandoned(exchange, this), 'failed');
    else this.#reusable = false;
  }

  // ---- reading ----

  readonly #onData = (chunk: Uint8Array): void => {
    const now = performance.now();
    this.#now = now;
    const first = this.#inflight.at(0);
    if (first !== undefined && !first.gotBytes) this.#firstByte(first, now);
    this.#handle(this.#parser.push(chunk));
  };

  readonly #onPeerEnd = (): void => {
    this.#reusable = false;
    if (this.#closed) return;
    this.#handle(this.#parser.finish());
    if (this.#closed) return;
    const pending = this.#inflight.length;
    const what =
      pending === 0 ? 'the server closed the connection' : 'the server closed the connection before responding';
    this.#destroy(closedBefore(this, what), 'raced');
  };

  readonly #onError = (error: Error): void => {
    this.#destroy(error as WirekitError, 'raced');
  };

  #handle(events: ResponseEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      if (this.#closed) return;
      const event = events[i] as ResponseEvent;
      switch (event.type) {
        case 'head':
          if (!event.interim) this.#onHead(event);
          break;
        case 'body':
          this.#onBody(event.data);
          break;
        case 'trailers':
          this.#trailers = event.trailers;
          break;
        case 'end':
          this.#onMessageEnd();
          break;
        case 'error':
          this.#destroy(locate(event.error, this), 'failed');
          return;
      }
    }
    const next = this.#inflight.at(0);
    // Bytes of the next response already parsed (its head is incomplete) count as its first byte.
    if (next !== undefined && !next.gotBytes && !this.#parser.idle && this.#parser.state !== 'closed') {
      this.#firstByte(next);
    }
    if (this.#notify && !this.#closed) {
      this.#notify = false;
      this.#owner.available(this);
    }
  }

  #firstByte(exchange: ClientExchange, now = performance.now()): void {
    exchange.gotBytes = true;
    if (exchange.sentAt > 0) exchange.timings.ttfb = now - exchange.sentAt;
  }

  #onHead(head: ResponseHead): void {
    const exchange = this.#inflight.at(0) as ClientExchange;
    if (head.contentLength > exchange.maxResponseBytes) {
      this.#destroy(tooLarge(exchange, this), 'failed');
      return;
    }
    if (!head.keepAlive || head.framing === 'upgrade') this.#reusable = false;
    else this.#noteKeepAlive(head.headers);
    exchange.respond(head, this.#now);
    if (head.framing === 'upgrade') {
      // We never ask to switch protocols: take the head as the whole answer and drop the connection.
      this.#onMessageEnd();
      return;
    }
    this.#phase = 'body';
    this.#deadline.arm(exchange.timeouts.bodyTimeoutMs, this.#now);
  }

  #onBody(data: Uint8Array): void {
    const exchange = this.#inflight.at(0) as ClientExchange;
    exchange.received += data.byteLength;
    if (exchange.received > exchange.maxResponseBytes) {
      this.#destroy(tooLarge(exchange, this), 'failed');
      return;
    }
    const stream = exchange.stream;
    if (stream !== undefined && !stream.push(data) && exchange.state === 'streaming') {
      this.#paused = true;
      this.#phase = 'paused';
      this.#conn.pause();
      this.#deadline.clear();
    } else if (!this.#paused) {
      this.#deadline.arm(exchange.timeouts.bodyTimeoutMs);
    }
  }

  #onMessageEnd(): void {
    const exchange = this.#inflight.shift() as ClientExchange;
    this.#served++;
    const trailers = this.#trailers;
    this.#trailers = NO_TRAILERS;
    // A response that ends before its request body was sent leaves the server mid-request.
    if (this.#writer === exchange) this.#reusable = false;
    if (exchange.state === 'streaming') exchange.finish(trailers);
    if (this.#paused) {
      this.#paused = false;
      this.#conn.resume();
    }
    if (this.#inflight.length === 0) this.#idempotentOnly = true;
    const next = this.#inflight.at(0);
    if (next?.settled) {
      this.#destroy(abandoned(next, this), 'failed');
      return;
    }
    if (!this.#reusable) {
      if (this.#inflight.length === 0 && this.#writer === undefined) this.#destroy(closedError(this), 'raced');
      else this.#destroy(closedBefore(this, 'the server closed the connection after an earlier response'), 'raced');
      return;
    }
    this.#arm(this.#now);
    if (this.#inflight.length < this.#settings.pipelining && this.#writer === undefined) this.#notify = true;
  }

  #noteKeepAlive(headers: readonly string[]): void {
    const hintMs = keepAliveHintMs(headers);
    const s = this.#settings;
    if (hintMs === undefined) return;
    this.#idleMs = Math.min(hintMs - s.keepAliveTimeoutThresholdMs, s.keepAliveMaxTimeoutMs);
    if (this.#idleMs <= 0) this.#reusable = false;
  }

  // ---- writing a streamed body ----

  async #pump(exchange: ClientExchange, wire: StreamedBody): Promise<void> {
    this.#writer = exchange;
    this.#output.send(exchange.head);
    if (this.#inflight.at(0) === exchange) this.#arm();
    const failure = await writeBody(wire, {
      output: this.#output,
      stopped: () => this.#closed || exchange.settled,
      progress: () => {
        if (this.#phase === 'upload') this.#deadline.arm(exchange.timeouts.bodyTimeoutMs);
      },
    });
    this.#writer = undefined;
    if (this.#closed) return;
    if (failure !== undefined) {
      this.#destroy(requestBodyError(failure, this), 'failed');
      return;
    }
    if (!this.#reusable && this.#inflight.length === 0) {
      this.#destroy(closedError(this), 'raced');
      return;
    }
    exchange.sentAt = performance.now();
    this.#arm();
    if (this.#inflight.length < this.#settings.pipelining) this.#owner.available(this);
  }

  // ---- deadlines ----

  /** Sets the deadline for what the connection now waits on. */
  #arm(now?: number): void {
    const current = this.#inflight.at(0);
    if (current === undefined) {
      this.#phase = 'idle';
      this.#deadline.arm(this.#idleMs, now);
      // An idle keep-alive connection does not keep the process alive (as in undici and node:http).
      this.#socket.unref();
      return;
    }
    if (current.state === 'streaming') {
      this.#phase = this.#paused ? 'paused' : 'body';
      if (this.#paused) this.#deadline.clear();
      else this.#deadline.arm(current.timeouts.bodyTimeoutMs);
    } else if (this.#writer === current) {
      this.#phase = 'upload';
      this.#deadline.arm(current.timeouts.bodyTimeoutMs);
    } else {
      this.#phase = 'headers';
      this.#deadline.arm(current.timeouts.headersTimeoutMs, now);
    }
  }

  #expired(): void {
    const current = this.#inflight.at(0);
    if (this.#phase === 'idle' || current === undefined) this.retire();
    else if (this.#phase !== 'paused') this.#destroy(phaseTimeout(this.#phase, current, this), 'failed');
  }

  // ---- closing ----

  /**
   * Closes the socket and settles everything in flight, each as `orphanFate` (retry.ts) decides.
   * Requests that lost the reuse race and may be sent again go back to the pool together, oldest first.
   */
  #destroy(error: WirekitError, ending: ConnectionEnding): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reusable = false;
    this.#deadline.cancel();
    this.#conn.destroy();
    const orphans = this.#inflight.drain();
    const resend: ClientExchange[] = [];
    for (let i = 0; i < orphans.length; i++) {
      const exchange = orphans[i] as ClientExchange;
      if (exchange.settled) continue;
      const fate = orphanFate(ending, i, exchange);
      switch (fate) {
        case 'resend':
          exchange.requeue();
          resend.push(exchange);
          break;
        case 'not-retried':
          exchange.settleError(notRetried(error, exchange));
          break;
        case 'fail':
          exchange.settleError(error);
          break;
        default:
          assertNever(fate);
      }
    }
    if (resend.length > 0) this.#owner.requeue(resend);
    this.#owner.closed(this);
  }
}
