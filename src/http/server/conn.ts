import { ProtocolError, TimeoutError, WirekitError } from '../../errors.js';
import type { CloseObserver, Connection } from '../../net/connection.js';
import type { ReceiveHandlers, TlsInfo } from '../../net/index.js';
import { assertNever } from '../../util/assert-never.js';
import type { TimerHandle } from '../../util/timer-wheel.js';
import type { RequestEvent, RequestHead, RequestParser } from '../codec/request-parser.js';
import { BodyStream } from '../message/body-stream.js';
import type { Upgraded } from '../message/conn-info.js';
import { adopt } from '../message/headers.js';
import { requestInternals } from '../message/request.js';
import type { Response } from '../message/response.js';
import { statusResponse } from '../message/status-response.js';
import { EventBacklog, severalHeads } from './backlog.js';
import { type KeepAlive, nextKeepAlive, nextReading, type Reading } from './conn-state.js';
import { ConnTimer, type TimerHost } from './conn-timer.js';
import { type TimeoutKind, timeoutKind } from './deadline.js';
import { publishConnection, publishRequestStart } from './diagnostics.js';
import { type Exchange, exchangeFor, nextAnswer, syntheticHead } from './exchange.js';
import { keepAliveAfter, noneBegunAfter, unreadBodyBound } from './keep-alive.js';
import { type GateHost, ReadGate } from './read-gate.js';
import { type ResponseHost, ResponseQueue } from './responses.js';
import type { ServerContext } from './server-context.js';
import { type Http1Member, UpgradedConnection } from './upgraded-conn.js';

/** How long a closing connection keeps reading (and dropping) what the client still sends, so our
 * last response is not lost to a reset (RFC 9112 §9.6). */
const LINGER_MS = 2_000;

/** An upgraded connection's bytes before its new owner's `receive()` (same tick: none are expected). */
const DROP_UNTIL_RECEIVED: ReceiveHandlers = { onData() {}, onEnd() {} };

/**
 * One HTTP/1.1 connection: feeds the parser, hands each request to its {@link ResponseQueue}
 * (which runs the handler and writes the answers in order), enforces the timeouts, and closes
 * after a malformed request without ever handing a byte after it to the handler. Its state is
 * three named unions (conn-state.ts): what the input is for (`#reading`), what the output does
 * (the queue's `writing`), and whether another request may follow (`#keepAlive`).
 */
export class HttpConnection implements ResponseHost, TimerHost, GateHost, ReceiveHandlers, CloseObserver, Http1Member {
  readonly #ctx: ServerContext;
  readonly #conn: Connection;
  /** The server's open HTTP/1.1 connections: this one leaves it when its socket closes. */
  readonly #registry: Set<Http1Member>;
  /** Lent by the server's pool while a request arrives; undefined while idle (parser-pool.ts). */
  #parser: RequestParser | undefined;
  readonly #responses: ResponseQueue;
  readonly #backlog = new EventBacklog();
  readonly #timer: ConnTimer;
  #reading: Reading = 'head';
  #keepAlive: KeepAlive = 'open';
  /** The request whose body is arriving (reading `body` or `discard`). */
  #receiving: Exchange | undefined;
  #upgradeCandidate: Exchange | undefined;
  #requestCount = 0;
  /** Body bytes dropped while reading is `discard`. */
  #discarded = 0;
  readonly #gate: ReadGate;
  /** While our side has ended: destroys the socket if the client does not close it (#end). */
  #linger: TimerHandle | undefined;

  constructor(ctx: ServerContext, conn: Connection, registry: Set<Http1Member>) {
    this.#ctx = ctx;
    this.#conn = conn;
    this.#registry = registry;
    registry.add(this);
    this.#responses = new ResponseQueue(ctx, this, conn);
    this.#timer = new ConnTimer(ctx.wheel, ctx.options, this, conn.socket);
    this.#gate = new ReadGate(conn, this);
    // This object is its connection's receiver and close observer: no closures per connection.
    conn.receive(this);
    conn.observeClose(this);
    // Accepted while close() began: drained like the others.
    if (ctx.closing) this.shutdown();
  }

  // ---- ConnInfo ----

  get remoteAddress() {
    return this.#conn.remoteAddress;
  }

  get localAddress() {
    return this.#conn.localAddress;
  }

  get secure(): boolean {
    return this.#ctx.secure;
  }

  get httpVersion(): '1.1' {
    return '1.1';
  }

  get draining(): boolean {
    return this.#ctx.closing || this.#ctx.draining === true;
  }

  get proxiedBy() {
    return this.#conn.proxiedBy;
  }

  get trustProxy() {
    return this.#ctx.options.trustProxy;
  }

  get tls(): TlsInfo | undefined {
    return this.#conn.tls;
  }

  get requestCount(): number {
    return this.#requestCount;
  }

  get canUpgrade(): boolean {
    const ex = this.#upgradeCandidate;
    const responses = this.#responses;
    return ex !== undefined && ex.answer === 'pending' && responses.first === ex && responses.writing === 'idle';
  }

  upgrade(): Upgraded {
    const ex = this.#upgradeCandidate;
    if (ex === undefined || !this.canUpgrade) {
      throw new WirekitError(
        'WK_ERR_HTTP_UPGRADE',
        'no upgradable request is waiting for a response on this connection',
      );
    }
    ex.answer = nextAnswer(ex.answer, 'upgrade');
    this.#reading = nextReading(this.#reading, 'upgrade');
    this.#backlog.clear();
    const parser = this.#parser as RequestParser;
    const head = parser.takeHeld();
    // What HTTP held for this request is not the new protocol's: the parser (and the chunk its
    // readers still point into) goes back to the pool, the exchange and its request are let go, the
    // timer leaves the wheel. An upgraded connection may stay open for days (docs/architecture.md,
    // Memory per connection).
    parser.resume();
    this.#parser = undefined;
    if (parser.idle) this.#ctx.parsers.give(parser);
    this.#upgradeCandidate = undefined;
    this.#timer.cancel();
    // Answers to earlier pipelined requests may still be held: they leave before the socket is handed over.
    this.#responses.handOver();
    this.#applyPause();
    // The connection's reads and close go to its new owner from now on, and the registry keeps an
    // UpgradedConnection in this object's place: nothing long-lived refers to this one any more.
    const conn = this.#conn;
    conn.redirect(DROP_UNTIL_RECEIVED);
    conn.unobserveClose(this);
    this.#registry.delete(this);
    new UpgradedConnection(conn, this.#registry, this);
    return { connection: conn, head, receive: (handlers) => conn.redirect(handlers) };
  }

  // ---- the server's calls ----

  /**
   * The server is closing. Requests already handled are answered in full (their bodies are still
   * read), and so are requests whose head arrives within `closeGraceMs`: an idle keep-alive connection
   * waits that long for a request already on its way, instead of racing it with a close. The last
   * answer says `Connection: close`. A streamed answer, now or once it starts, is asked to stop (see
   * ResponseQueue.stopStreaming). `closeGraceMs: 0` closes an idle connection at once.
   */
  shutdown(): void {
    if (this.#reading === 'upgraded') return;
    if (this.#keepAlive === 'open') this.#timer.graceFor(this.#ctx.options.closeGraceMs);
    this.#keepAlive = nextKeepAlive(this.#keepAlive, 'shutdown');
    this.#responses.stopStreaming();
    if (this.#ctx.options.closeGraceMs === 0 && this.#idle()) this.#end();
    else this.#timer.arm();
  }

  /** Destroys the connection (server close deadline). */
  destroy(error: Error): void {
    this.#conn.destroy(error);
  }

  // ---- input (ReceiveHandlers of the connection) ----

  /** @internal A chunk arrived. */
  onData(chunk: Uint8Array): void {
    // Upgraded: the reads went to the new owner (redirect), none come here.
    if (this.#reading === 'upgraded' || this.#reading === 'closed') return;
    let parser = this.#parser;
    if (parser === undefined) {
      parser = this.#ctx.parsers.take();
      this.#parser = parser;
    }
    const wasIdle = parser.idle;
    const events = parser.push(chunk);
    if (wasIdle && !parser.idle) this.#timer.headBegins();
    this.#handleEvents(events);
  }

  #handleEvents(events: RequestEvent[]): void {
    const output = this.#responses.output;
    if (severalHeads(events)) this.#responses.holdUntilNextTurn();
    this.#backlog.add(events);
    output.begin();
    try {
      this.#drainBacklog();
    } finally {
      output.end();
    }
    this.#timer.arm();
    this.#applyPause();
    this.#returnParser();
  }

  /** Between requests the parser holds nothing: it goes back to the server's pool until bytes come. */
  #returnParser(): void {
    const parser = this.#parser;
    if (parser === undefined || !parser.idle || this.#backlog.pending || this.#backlog.busy) return;
    this.#parser = undefined;
    this.#ctx.parsers.give(parser);
  }

  /**
   * Handles held events in order until a new request would overfill the pipeline. The body of a
   * request already handled is always delivered; a new request only when one may still follow
   * (#admits). Not re-entrant.
   */
  #drainBacklog(): void {
    const backlog = this.#backlog;
    if (!backlog.enter()) return;
    try {
      const max = this.#ctx.options.maxPipelinedRequests;
      for (let event = backlog.peek(); event !== undefined; event = backlog.peek()) {
        if (this.#reading === 'upgraded' || this.#responses.writing === 'ended') {
          backlog.clear();
          break;
        }
        if (event.type === 'head') {
          if (!this.#admits()) {
            // Nothing after the requests in hand is served: drop what was read, read no more.
            backlog.clear();
            this.#reading = nextReading(this.#reading, 'stop');
            break;
          }
          if (this.#responses.length >= max || this.#conn.socket.writableNeedDrain) break;
        }
        backlog.take();
        this.#event(event);
      }
    } finally {
      backlog.leave();
    }
  }

  /** Whether a request whose head was read is served (KeepAlive, see conn-state.ts). */
  #admits(): boolean {
    switch (this.#keepAlive) {
      case 'open':
        return true;
      case 'draining':
        if (!this.#timer.graceOver) return true;
        this.#keepAlive = nextKeepAlive(this.#keepAlive, 'final');
        return false;
      case 'closing':
        this.#keepAlive = nextKeepAlive(this.#keepAlive, 'admit');
        return true;
      case 'last':
        return false;
      default:
        return assertNever(this.#keepAlive);
    }
  }

  #event(event: RequestEvent): void {
    switch (event.type) {
      case 'head':
        this.#onHead(event);
        return;
      case 'body':
        this.#onBody(event.data);
        return;
      case 'trailers': {
        const ex = this.#receiving;
        if (ex !== undefined) requestInternals.setTrailers(ex.request, adopt([...event.trailers]));
        return;
      }
      case 'end':
        this.#onBodyEnd();
        return;
      case 'error':
        this.#refuse(event.error);
        return;
      default:
        assertNever(event);
    }
  }

  #onHead(head: RequestHead): void {
    const options = this.#ctx.options;
    this.#timer.requestArrived();
    this.#requestCount++;
    if (this.#requestCount >= options.maxRequestsPerConnection) {
      this.#keepAlive = nextKeepAlive(this.#keepAlive, 'final');
    }
    const body = head.framing === 'none' ? undefined : this.#bodyStream();
    const ex = exchangeFor(head, body, options.maxBodyBytes, this.#ctx.secure);
    this.#responses.add(ex);
    if (body !== undefined) {
      this.#receiving = ex;
      this.#reading = nextReading(this.#reading, 'body-start');
    }
    if (head.upgrade) this.#upgradeCandidate = ex;
    publishRequestStart(ex.request, this);
    if (head.expect !== undefined) this.#responses.force(ex, statusResponse(417));
    else this.#responses.invoke(ex);
  }

  #bodyStream(): BodyStream {
    const stream: BodyStream = new BodyStream(
      {
        onFirstRead: () => this.#sendContinue(),
        onDrain: () => this.#applyPause(),
      },
      this.#ctx.options.bodyHighWaterBytes,
    );
    return stream;
  }

  #sendContinue(): void {
    const ex = this.#receiving;
    if (ex?.head.expectContinue) this.#responses.sendContinue(ex);
  }

  #onBody(data: Uint8Array): void {
    const ex = this.#receiving;
    if (ex === undefined) return;
    if (this.#reading === 'discard') {
      this.#discarded += data.byteLength;
      if (this.#discarded > this.#ctx.options.maxDiscardBytes) this.#end();
      return;
    }
    ex.body?.push(data);
  }

  #onBodyEnd(): void {
    const ex = this.#receiving;
    if (ex === undefined) return;
    this.#receiving = undefined;
    this.#discarded = 0;
    this.#reading = nextReading(this.#reading, 'body-end');
    ex.body?.end(ex.request.trailers.raw());
  }

  /** A malformed request (or a timeout): its status is the last answer, nothing after it is read. */
  #refuse(error: ProtocolError): void {
    this.#keepAlive = nextKeepAlive(this.#keepAlive, 'final');
    this.#reading = nextReading(this.#reading, 'stop');
    const ex = this.#receiving;
    if (ex !== undefined) {
      this.#receiving = undefined;
      ex.body?.error(error);
      if (!ex.started) this.#responses.force(ex, statusResponse(error.status));
      return;
    }
    const bad = exchangeFor(syntheticHead(), undefined, 0, this.#ctx.secure);
    this.#responses.add(bad);
    this.#responses.force(bad, statusResponse(error.status));
  }

  /** @internal The client ended its side. */
  onEnd(): void {
    if (this.#reading === 'upgraded') return;
    // The client half-closed: answer what it sent, every request of it, then close (RFC 9112 §9.6).
    // A request cut short is refused (400), or, if its handler runs, its body fails.
    for (const event of this.#parser?.finish() ?? []) {
      if (event.type !== 'error') continue;
      if (this.#receiving === undefined) this.#refuse(event.error);
      else this.#receiving.body?.error(event.error);
    }
    if (this.#keepAlive === 'open') this.#timer.graceFor(Number.POSITIVE_INFINITY);
    this.#keepAlive = nextKeepAlive(this.#keepAlive, 'client-ended');
    this.#reading = nextReading(this.#reading, 'stop');
    if (this.#idle()) this.#end();
  }

  /** @internal The socket closed. */
  connectionClosed(): void {
    // Nothing more can be read or written: a streamed response finishing later must not re-arm the
    // idle timer (it would keep a dead connection in the wheel for idleTimeoutMs).
    this.#reading = nextReading(this.#reading, 'stop');
    this.#timer.cancel();
    this.#linger?.cancel();
    this.#responses.closed();
    this.#registry.delete(this);
    publishConnection('close', this);
  }

  // ---- answers (called by the response queue) ----

  /** @internal The keep-alive decision for `ex`'s response (keep-alive.ts); a `close` makes it the last. */
  keepAliveFor(ex: Exchange): boolean {
    const keep = keepAliveAfter(
      ex.head.keepAlive && ex.head.method !== 'CONNECT',
      (ex.response as Response).headers.get('connection'),
      this.#keepAlive,
      this.#lastInHand(ex),
      this.#receiving === ex ? unreadBodyBound(ex.head, ex.continueSent) : 0,
      this.#ctx.options.maxDiscardBytes,
    );
    if (!keep) this.#keepAlive = nextKeepAlive(this.#keepAlive, 'final');
    return keep;
  }

  /** @internal A write waits for the client to read: the send timeout applies. */
  writeWaits(): void {
    this.#timer.arm();
  }

  /**
   * Whether `ex`, first in line, is the last request served once no new one may follow: `last`
   * serves only the requests handled; `draining` also those begun (read in part or waiting to be
   * handled), while the grace lasts.
   */
  #lastInHand(ex: Exchange): boolean {
    if (this.#responses.length !== 1) return false;
    if (this.#keepAlive === 'open' || this.#keepAlive === 'last') return true;
    const parser = this.#parser;
    const idle = parser === undefined || parser.idle;
    const begun = !noneBegunAfter(parser?.state ?? 'head', idle, this.#backlog.hasHead(), this.#receiving === ex);
    return !begun || this.#timer.graceOver;
  }

  /** No part of a request has arrived that was not parsed into events (or no parser is held). */
  get #parserIdle(): boolean {
    return this.#parser === undefined || this.#parser.idle;
  }

  /** True when nothing is owed either way and no request has begun. */
  #idle(): boolean {
    return this.#responses.length === 0 && !this.#backlog.pending && (this.#parserIdle || this.#reading === 'closed');
  }

  /** @internal `ex`'s response went out in full. */
  written(ex: Exchange, keepAlive: boolean): void {
    if (this.#upgradeCandidate === ex) this.#upgradeCandidate = undefined;
    if (!keepAlive) {
      this.#end();
      return;
    }
    if (this.#receiving === ex && this.#reading === 'body') {
      this.#reading = nextReading(this.#reading, 'answered-early');
      ex.body?.error(new WirekitError('WK_ERR_BODY_USED', 'the response was sent before the body was read'));
    }
    // A pipelined 100-continue request whose handler began reading while it waited in line gets its 100 now.
    if (this.#receiving?.body?.started) this.#sendContinue();
    const parser = this.#parser;
    if (ex.head.upgrade && parser?.state === 'paused') this.#handleEvents(parser.resume());
    if (this.#responses.length === 0) {
      // Every response owed is written: holding them for the next turn would only keep this
      // batch's objects alive (and make V8 grow its young generation under load).
      this.#responses.releaseTurn();
      // Nothing more can come: after the last request allowed, or once the client half-closed.
      if (this.#keepAlive === 'last' || (this.#reading === 'closed' && this.#idle())) this.#end();
    }
    this.#timer.arm();
    this.#applyPause();
  }

  // ---- flow control and timers ----

  #applyPause(): void {
    // While the backlog is being handled, its unhandled tail is not a reason to pause: the caller
    // decides once the whole read is done (a sync handler would otherwise pause and resume per request).
    if (this.#backlog.busy) return;
    if (this.#backlog.pending) this.#drainBacklog();
    const options = this.#ctx.options;
    const body = this.#receiving?.body;
    this.#gate.set(
      this.#reading !== 'upgraded' &&
        (this.#backlog.pending ||
          this.#responses.length >= options.maxPipelinedRequests ||
          (body !== undefined && body.bufferedBytes > options.bodyHighWaterBytes) ||
          this.#conn.socket.writableNeedDrain),
    );
  }

  /** @internal The writes that had backed up have drained (read-gate.ts). */
  writesDrained(): void {
    this.#applyPause();
  }

  /** @internal The timeout that applies now (deadline.ts). */
  timeoutNow(): TimeoutKind {
    const responses = this.#responses;
    const needDrain = this.#conn.socket.writableNeedDrain;
    return timeoutKind(
      this.#reading,
      responses.writing,
      this.#keepAlive,
      this.#parserIdle,
      responses.length,
      needDrain,
    );
  }

  /** @internal `kind` expired (conn-timer.ts). */
  timedOut(kind: TimeoutKind): void {
    switch (kind) {
      case 'send': {
        const ms = this.#ctx.options.sendTimeoutMs;
        this.#conn.destroy(new TimeoutError('WK_ERR_IDLE_TIMEOUT', `client did not read for ${ms} ms`));
        return;
      }
      case 'head':
        if (this.#responses.length > 0) {
          // Behind answers still owed, the partial request is dropped: the last answer says close.
          this.#keepAlive = nextKeepAlive(this.#keepAlive, 'final');
          this.#reading = nextReading(this.#reading, 'stop');
        } else {
          this.#refuse(new ProtocolError('WK_ERR_HTTP_REQUEST_TIMEOUT', 408));
        }
        return;
      case 'body':
        this.#refuse(new ProtocolError('WK_ERR_HTTP_REQUEST_TIMEOUT', 408));
        return;
      case 'grace':
        if (this.#keepAlive === 'draining') {
          // A request already in the socket's buffer is read in the poll phase of this turn of the
          // event loop: look again after it before closing.
          this.#keepAlive = nextKeepAlive(this.#keepAlive, 'grace-over');
          this.#timer.recheckSoon();
        } else {
          this.#end();
        }
        return;
      case 'idle':
        this.#end();
        return;
      case 'none':
        return;
      default:
        assertNever(kind);
    }
  }

  /** Ends our side after what is written, reads and drops the rest for a moment, then lets go. */
  #end(): void {
    if (!this.#responses.end()) return;
    this.#reading = nextReading(this.#reading, 'stop');
    this.#keepAlive = nextKeepAlive(this.#keepAlive, 'final');
    this.#timer.cancel();
    this.#conn.end().catch(() => {});
    // Read (and drop) what the client still sends while we linger.
    this.#gate.set(false);
    if (!this.#conn.socket.closed) this.#linger = this.#ctx.wheel.after(LINGER_MS, () => this.#conn.destroy());
  }
}
