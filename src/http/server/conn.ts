import { ProtocolError, WirekitError } from '../../errors.js';
import type { Connection, ReceiveHandlers } from '../../net/index.js';
import { assertNever } from '../../util/assert-never.js';
import { type TimerHandle, timerWheel } from '../../util/timer-wheel.js';
import type { RequestEvent, RequestHead } from '../codec/request-parser.js';
import { RequestParser } from '../codec/request-parser.js';
import { BodyStream } from '../message/body-stream.js';
import type { Upgraded } from '../message/conn-info.js';
import { adopt } from '../message/headers.js';
import { Request, requestInternals } from '../message/request.js';
import type { Response } from '../message/response.js';
import { EventBacklog, severalHeads } from './backlog.js';
import { type KeepAlive, nextKeepAlive, nextReading, type Reading } from './conn-state.js';
import { countsFromStart, deadlineOf, type TimeoutKind, timeoutKind } from './deadline.js';
import { publishRequestStart } from './diagnostics.js';
import { statusResponse } from './error-response.js';
import { Exchange, nextAnswer, syntheticHead } from './exchange.js';
import { keepAliveAfter, unreadBodyBound } from './keep-alive.js';
import { type ResponseHost, ResponseQueue } from './responses.js';
import type { ServerContext } from './server-context.js';

/** How long a closing connection keeps reading (and dropping) what the client still sends, so our
 * last response is not lost to a reset (RFC 9112 §9.6). */
const LINGER_MS = 2_000;

/**
 * One HTTP/1.1 connection: feeds the parser, hands each request to its {@link ResponseQueue}
 * (which runs the handler and writes the answers in order), enforces the timeouts, and closes
 * after a malformed request without ever handing a byte after it to the handler. Its state is
 * three named unions (conn-state.ts): what the input is for (`#reading`), what the output does
 * (the queue's `writing`), and whether another request may follow (`#keepAlive`).
 */
export class HttpConnection implements ResponseHost {
  readonly #ctx: ServerContext;
  readonly #conn: Connection;
  readonly #parser: RequestParser;
  readonly #responses: ResponseQueue;
  readonly #backlog = new EventBacklog();
  readonly #timer: TimerHandle;
  #reading: Reading = 'head';
  #keepAlive: KeepAlive = 'open';
  /** The request whose body is arriving (reading `body` or `discard`). */
  #receiving: Exchange | undefined;
  #upgradeCandidate: Exchange | undefined;
  #upgradeSink: ReceiveHandlers | undefined;
  #requestCount = 0;
  /** When the first byte of the current request head arrived. */
  #headStart = 0;
  /** Body bytes dropped while reading is `discard`. */
  #discarded = 0;
  /** The timeout that applied when last looked at, and since when (for the kinds that count from then). */
  #timeout: TimeoutKind = 'idle';
  #timeoutSince: number;
  #paused = false;
  /** A `drained()` wait is registered (whatever paused us, a backed-up socket must wake us). */
  #awaitingDrain = false;

  constructor(ctx: ServerContext, conn: Connection) {
    this.#ctx = ctx;
    this.#conn = conn;
    this.#parser = new RequestParser(ctx.options.limits);
    this.#responses = new ResponseQueue(ctx, this, conn);
    this.#timer = timerWheel.after(ctx.options.idleTimeoutMs, this.#onTimer);
    this.#timeoutSince = timerWheel.now();
    conn.receive({
      onData: (chunk) => this.#onData(chunk),
      onEnd: () => this.#onEnd(),
      onError: (e) => this.#onError(e),
    });
    conn.closed.then(() => this.#onClosed());
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
    const head = this.#parser.takeHeld();
    // Answers to earlier pipelined requests may still be held: they leave before the socket is handed over.
    this.#responses.handOver();
    const sink: ReceiveHandlers = { onData: () => {}, onEnd: () => {} };
    this.#upgradeSink = sink;
    this.#applyPause();
    return {
      connection: this.#conn,
      head,
      receive: (handlers) => {
        this.#upgradeSink = handlers;
      },
    };
  }

  // ---- the server's calls ----

  /**
   * The server is closing: close now if idle, else after the responses already owed. Handlers still
   * working on an answer are left to finish; a streamed answer, now or once it starts, is asked to
   * stop (see ResponseQueue.stopStreaming).
   */
  shutdown(): void {
    this.#keepAlive = nextKeepAlive(this.#keepAlive, 'stop');
    if (this.#responses.length === 0 && this.#reading !== 'upgraded') this.#end();
    this.#responses.stopStreaming();
  }

  /** Destroys the connection (server close deadline). */
  destroy(error: Error): void {
    this.#conn.destroy(error);
  }

  // ---- input ----

  #onData(chunk: Uint8Array): void {
    if (this.#reading === 'upgraded') {
      this.#upgradeSink?.onData(chunk);
      return;
    }
    if (this.#reading === 'closed') return;
    const wasIdle = this.#parser.idle;
    const events = this.#parser.push(chunk);
    if (wasIdle && !this.#parser.idle) this.#headStart = timerWheel.now();
    this.#handleEvents(events);
  }

  #handleEvents(events: RequestEvent[]): void {
    const output = this.#responses.output;
    if (severalHeads(events)) output.holdUntilNextTurn();
    this.#backlog.add(events);
    output.begin();
    try {
      this.#drainBacklog();
    } finally {
      output.end();
    }
    this.#armTimer();
    this.#applyPause();
  }

  /** Handles held events in order until a new request would overfill the pipeline. Not re-entrant. */
  #drainBacklog(): void {
    const backlog = this.#backlog;
    if (!backlog.enter()) return;
    try {
      const max = this.#ctx.options.maxPipelinedRequests;
      for (let event = backlog.peek(); event !== undefined; event = backlog.peek()) {
        if (this.#keepAlive !== 'open' || this.#reading === 'closed' || this.#reading === 'upgraded') {
          backlog.clear();
          break;
        }
        if (event.type === 'head' && (this.#responses.length >= max || this.#conn.socket.writableNeedDrain)) break;
        backlog.take();
        this.#event(event);
      }
    } finally {
      backlog.leave();
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
    this.#requestCount++;
    if (this.#requestCount >= options.maxRequestsPerConnection) {
      this.#keepAlive = nextKeepAlive(this.#keepAlive, 'stop');
    }
    const body = head.framing === 'none' ? undefined : this.#bodyStream();
    const request = new Request(head.target, {
      method: head.method,
      version: head.version,
      headers: adopt(head.headers as string[]),
      body,
      maxBodyBytes: options.maxBodyBytes,
      protocol: this.#ctx.secure ? 'https' : 'http',
    });
    const ex = new Exchange(head, request, body, timerWheel.now());
    this.#responses.add(ex);
    if (body !== undefined) {
      this.#receiving = ex;
      this.#reading = nextReading(this.#reading, 'body-start');
    }
    if (head.upgrade) this.#upgradeCandidate = ex;
    publishRequestStart(request, this);
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
    this.#keepAlive = nextKeepAlive(this.#keepAlive, 'stop');
    this.#reading = nextReading(this.#reading, 'stop');
    const ex = this.#receiving;
    if (ex !== undefined) {
      this.#receiving = undefined;
      ex.body?.error(error);
      if (!ex.started) this.#responses.force(ex, statusResponse(error.status));
      return;
    }
    const bad = new Exchange(syntheticHead(), new Request('/', { method: 'GET' }), undefined, timerWheel.now());
    this.#responses.add(bad);
    this.#responses.force(bad, statusResponse(error.status));
  }

  #onEnd(): void {
    if (this.#reading === 'upgraded') {
      this.#upgradeSink?.onEnd();
      return;
    }
    // The client half-closed: answer what it sent, then close (RFC 9112 §9.6).
    for (const event of this.#parser.finish()) if (event.type === 'error') this.#receiving?.body?.error(event.error);
    this.#keepAlive = nextKeepAlive(this.#keepAlive, 'stop');
    if (this.#responses.length === 0) this.#end();
  }

  #onError(error: Error): void {
    this.#upgradeSink?.onError?.(error);
  }

  #onClosed(): void {
    // Nothing more can be read or written: a streamed response finishing later must not re-arm the
    // idle timer (it would keep a dead connection in the wheel for idleTimeoutMs).
    this.#reading = nextReading(this.#reading, 'stop');
    this.#timer.cancel();
    this.#responses.closed();
  }

  // ---- answers (called by the response queue) ----

  /** @internal The keep-alive decision for `ex`'s response (keep-alive.ts); a `close` makes it the last. */
  keepAliveFor(ex: Exchange): boolean {
    const keep = keepAliveAfter(
      ex.head.keepAlive && ex.head.method !== 'CONNECT',
      (ex.response as Response).headers.get('connection'),
      this.#keepAlive,
      this.#responses.length === 1,
      this.#receiving === ex ? unreadBodyBound(ex.head, ex.continueSent) : 0,
      this.#ctx.options.maxDiscardBytes,
    );
    if (!keep) this.#keepAlive = nextKeepAlive(this.#keepAlive, 'stop');
    return keep;
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
    if (ex.head.upgrade && this.#parser.state === 'paused') this.#handleEvents(this.#parser.resume());
    if (this.#responses.length === 0) {
      // Every response owed is written: holding them for the next turn would only keep this
      // batch's objects alive (and make V8 grow its young generation under load).
      this.#responses.output.releaseTurn();
      if (this.#keepAlive !== 'open') this.#end();
    }
    this.#armTimer();
    this.#applyPause();
  }

  // ---- flow control and timers ----

  #applyPause(): void {
    // While the backlog is being handled, its unhandled tail is not a reason to pause: the caller
    // decides once the whole read is done (a sync handler would otherwise pause and resume per request).
    if (this.#backlog.busy) return;
    if (this.#backlog.pending) this.#drainBacklog();
    const options = this.#ctx.options;
    const needDrain = this.#conn.socket.writableNeedDrain;
    const body = this.#receiving?.body;
    const wantPause =
      this.#reading !== 'upgraded' &&
      (this.#backlog.pending ||
        this.#responses.length >= options.maxPipelinedRequests ||
        (body !== undefined && body.bufferedBytes > options.bodyHighWaterBytes) ||
        needDrain);
    if (wantPause && needDrain && !this.#awaitingDrain) {
      this.#awaitingDrain = true;
      this.#conn.drained().then(
        () => {
          this.#awaitingDrain = false;
          this.#applyPause();
        },
        () => {},
      );
    }
    if (wantPause !== this.#paused) {
      this.#paused = wantPause;
      if (wantPause) this.#conn.pause();
      else this.#conn.resume();
    }
  }

  /** The deadline of the timeout that applies now (deadline.ts); 0 for none. */
  #deadline(): number {
    const kind = timeoutKind(this.#reading, this.#responses.writing, this.#parser.idle, this.#responses.length);
    if (kind !== this.#timeout) {
      this.#timeout = kind;
      if (countsFromStart(kind)) this.#timeoutSince = timerWheel.now();
    }
    return deadlineOf(kind, this.#headStart, this.#timeoutSince, this.#ctx.options);
  }

  /** Lazy: the wheel entry is only moved when the deadline that applies now is earlier than the armed one. */
  #armTimer(): void {
    const deadline = this.#deadline();
    if (deadline !== 0 && (!this.#timer.active || this.#timer.deadline > deadline)) this.#timer.refresh(deadline);
  }

  readonly #onTimer = (): void => {
    const deadline = this.#deadline();
    if (deadline === 0) return;
    if (deadline > timerWheel.now()) {
      this.#timer.refresh(deadline);
      return;
    }
    this.#timedOut(this.#timeout);
  };

  #timedOut(kind: TimeoutKind): void {
    switch (kind) {
      case 'head':
        if (this.#responses.length > 0) {
          // Behind answers still owed, the partial request is dropped: the last answer says close.
          this.#keepAlive = nextKeepAlive(this.#keepAlive, 'stop');
          this.#reading = nextReading(this.#reading, 'stop');
        } else {
          this.#refuse(new ProtocolError('WK_ERR_HTTP_REQUEST_TIMEOUT', 408));
        }
        return;
      case 'body':
        this.#refuse(new ProtocolError('WK_ERR_HTTP_REQUEST_TIMEOUT', 408));
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
    this.#keepAlive = nextKeepAlive(this.#keepAlive, 'stop');
    this.#timer.cancel();
    this.#conn.end().catch(() => {});
    if (this.#paused) {
      this.#paused = false;
      this.#conn.resume();
    }
    const linger = timerWheel.after(LINGER_MS, () => this.#conn.destroy());
    this.#conn.closed.then(() => linger.cancel());
  }
}
