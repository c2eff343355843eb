import { ProtocolError, WirekitError } from '../../errors.js';
import type { Connection, ReceiveHandlers, TlsInfo } from '../../net/index.js';
import { WriteBatch } from '../../net/write-batch.js';
import { type TimerHandle, timerWheel } from '../../util/timer-wheel.js';
import type { RequestEvent, RequestHead } from '../codec/request-parser.js';
import { RequestParser } from '../codec/request-parser.js';
import { BodyStream } from '../message/body-stream.js';
import type { ConnInfo, Handler, Upgraded } from '../message/conn-info.js';
import { adopt } from '../message/headers.js';
import { Request, requestInternals } from '../message/request.js';
import { Response } from '../message/response.js';
import { clientLeft } from './client-left.js';
import { publishRequestEnd, publishRequestStart } from './diagnostics.js';
import { Exchange } from './exchange.js';
import type { ResolvedServeOptions } from './options.js';
import { writeResponse } from './response-writer.js';
import { statusResponse } from './status-response.js';

/** What every connection of one server shares. */
export interface ServerContext {
  readonly handler: Handler;
  readonly options: ResolvedServeOptions;
  readonly secure: boolean;
  closing: boolean;
  /** Set by `HttpServer#drain()` before it closes: readiness checks answer 503 (see `ConnInfo.draining`). */
  draining?: boolean;
}

/** How long a closing connection keeps reading (and dropping) what the client still sends, so our
 * last response is not lost to a reset (RFC 9112 §9.6). */
const LINGER_MS = 2_000;

/**
 * One HTTP/1.1 connection: feeds the parser, runs the handler per request, writes responses in
 * request order, enforces the timeouts, and closes after a malformed request without ever handing
 * a byte after it to the handler.
 */
export class HttpConnection implements ConnInfo {
  readonly #ctx: ServerContext;
  readonly #conn: Connection;
  readonly #parser: RequestParser;
  readonly #queue: Exchange[] = [];
  readonly #timer: TimerHandle;
  #receiving: Exchange | undefined;
  #upgradeCandidate: Exchange | undefined;
  #requestCount = 0;
  /** No further request will be served: drop whatever the parser still yields. */
  #ignoring = false;
  #writing = false;
  #ended = false;
  #upgradeSink: ReceiveHandlers | undefined;
  #deadline = 0;
  #headStart = 0;
  #pausedFor = 0;
  /** The write batch is held for a read of several requests until their answers are all written. */
  #holdingBatch = false;
  readonly #output: WriteBatch;
  /**
   * Parsed events not handled yet: one read can hold hundreds of pipelined requests, and a new one
   * is only started while fewer than `maxPipelinedRequests` wait for their response and our writes
   * are not backed up (docs/architecture.md, Rules). Reading stays paused while any are held, so order holds.
   */
  #backlog: RequestEvent[] = NO_EVENTS;
  #backlogAt = 0;
  #draining = false;
  #awaitingDrain = false;

  constructor(ctx: ServerContext, conn: Connection) {
    this.#ctx = ctx;
    this.#conn = conn;
    this.#parser = new RequestParser(ctx.options.limits);
    this.#output = new WriteBatch(conn);
    this.#timer = timerWheel.after(ctx.options.idleTimeoutMs, this.#onTimer);
    this.#deadline = this.#timer.deadline;
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
    return ex !== undefined && !ex.upgraded && ex.response === undefined && this.#queue[0] === ex && !this.#writing;
  }

  upgrade(): Upgraded {
    const ex = this.#upgradeCandidate;
    if (ex === undefined || !this.canUpgrade) {
      throw new WirekitError(
        'WK_ERR_HTTP_UPGRADE',
        'no upgradable request is waiting for a response on this connection',
      );
    }
    ex.upgraded = true;
    this.#ignoring = true;
    this.#setDeadline(0);
    const head = this.#parser.takeHeld();
    this.#queue.length = 0;
    // Answers to earlier pipelined requests may still be held: they leave before the socket is handed over.
    this.#writeHeldNow();
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

  /**
   * The server is closing: close now if idle, else after the responses already owed. Handlers still
   * working on an answer are left to finish; a streamed answer, now or once it starts, is asked to
   * stop (see #stopStreaming).
   */
  shutdown(): void {
    this.#ignoring = true;
    if (this.#queue.length === 0 && !this.#upgradeSink) this.#end();
    const streaming = this.#queue[0];
    if (this.#writing && streaming !== undefined) this.#stopStreaming(streaming);
  }

  /**
   * A stream (an event stream, a long poll answered chunk by chunk) may never end on its own: while
   * the server closes, its request's signal aborts, so a producer watching it (as `c.sse()` does)
   * finishes the body cleanly and close() can resolve.
   */
  #stopStreaming(ex: Exchange): void {
    requestInternals.abort(ex.request, new WirekitError('WK_ERR_SERVER_CLOSING'));
  }

  /** Destroys the connection (server close deadline). */
  destroy(error: Error): void {
    this.#conn.destroy(error);
  }

  // ---- input ----

  #onData(chunk: Uint8Array): void {
    if (this.#upgradeSink !== undefined) {
      this.#upgradeSink.onData(chunk);
      return;
    }
    if (this.#ended) return;
    const wasIdle = this.#parser.idle;
    const events = this.#parser.push(chunk);
    if (wasIdle && !this.#parser.idle) this.#headStart = timerWheel.now();
    this.#handleEvents(events);
  }

  #handleEvents(events: RequestEvent[]): void {
    if (!this.#holdingBatch && severalHeads(events)) {
      // Several requests in one read: their responses leave in one write (docs/architecture.md, The write path), as soon
      // as the last of them is written (#finish) or, if a handler takes longer, on the next turn.
      this.#holdingBatch = true;
      this.#output.begin();
      setImmediate(this.#releaseBatch);
    }
    if (this.#backlogAt === this.#backlog.length) {
      this.#backlog = events;
      this.#backlogAt = 0;
    } else {
      // Events of a parser resumed while older ones wait (a declined upgrade): after them, in order.
      for (const event of events) this.#backlog.push(event);
    }
    this.#output.begin();
    try {
      this.#drainBacklog();
    } finally {
      this.#output.end();
    }
    this.#updateTimer();
    this.#applyPause();
  }

  /** Handles held events in order until a new request would overfill the pipeline. Not re-entrant. */
  #drainBacklog(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      const options = this.#ctx.options;
      while (this.#backlogAt < this.#backlog.length && !this.#ignoring) {
        const event = this.#backlog[this.#backlogAt] as RequestEvent;
        if (
          event.type === 'head' &&
          (this.#queue.length >= options.maxPipelinedRequests || this.#conn.socket.writableNeedDrain)
        ) {
          break;
        }
        this.#backlogAt++;
        this.#event(event);
      }
      if (this.#ignoring || this.#backlogAt === this.#backlog.length) {
        this.#backlog = NO_EVENTS;
        this.#backlogAt = 0;
      }
    } finally {
      this.#draining = false;
    }
  }

  readonly #releaseBatch = (): void => {
    if (!this.#holdingBatch) return;
    this.#holdingBatch = false;
    this.#output.end();
  };

  /** Writes whatever the batch holds now, whoever holds it. */
  #writeHeldNow(): void {
    this.#releaseBatch();
    this.#output.flush();
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
        this.#onParseError(event.error);
        return;
    }
  }

  #onHead(head: RequestHead): void {
    const options = this.#ctx.options;
    this.#requestCount++;
    if (this.#requestCount >= options.maxRequestsPerConnection) this.#ignoring = true;
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
    this.#queue.push(ex);
    if (body !== undefined) this.#receiving = ex;
    if (head.upgrade) this.#upgradeCandidate = ex;
    publishRequestStart(request, this);
    if (head.expect !== undefined) {
      this.#force(ex, statusResponse(417));
      return;
    }
    this.#invoke(ex);
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

  #onBody(data: Uint8Array): void {
    const ex = this.#receiving;
    if (ex === undefined) return;
    if (ex.discarding) {
      ex.discardedBytes += data.byteLength;
      if (ex.discardedBytes > this.#ctx.options.maxDiscardBytes) this.#end();
      return;
    }
    ex.body?.push(data);
  }

  #onBodyEnd(): void {
    const ex = this.#receiving;
    if (ex === undefined) return;
    this.#receiving = undefined;
    ex.bodyDone = true;
    ex.body?.end(ex.request.trailers.raw());
  }

  #onParseError(error: ProtocolError): void {
    this.#ignoring = true;
    const ex = this.#receiving;
    if (ex !== undefined) {
      this.#receiving = undefined;
      ex.body?.error(error);
      if (!ex.writing) this.#force(ex, statusResponse(error.status));
      ex.closeAfter = true;
      return;
    }
    const head = syntheticHead();
    const request = new Request('/', { method: 'GET' });
    const bad = new Exchange(head, request, undefined, timerWheel.now());
    this.#queue.push(bad);
    this.#force(bad, statusResponse(error.status));
  }

  #onEnd(): void {
    if (this.#upgradeSink !== undefined) {
      this.#upgradeSink.onEnd();
      return;
    }
    // The client half-closed: answer what it sent, then close (RFC 9112 §9.6).
    for (const event of this.#parser.finish()) if (event.type === 'error') this.#receiving?.body?.error(event.error);
    this.#ignoring = true;
    if (this.#queue.length === 0) this.#end();
  }

  #onError(error: Error): void {
    this.#upgradeSink?.onError?.(error);
  }

  #onClosed(): void {
    // Nothing more can be read or written: a streamed response finishing later must not re-arm the
    // idle timer (it would keep a dead connection in the wheel for idleTimeoutMs).
    this.#ended = true;
    this.#timer.cancel();
    const gone = new WirekitError('WK_ERR_HTTP_CLIENT_GONE');
    for (const ex of this.#queue) {
      ex.body?.error(gone);
      requestInternals.abort(ex.request, gone);
    }
    this.#queue.length = 0;
  }

  // ---- handlers and responses ----

  #invoke(ex: Exchange): void {
    let result: Response | Promise<Response>;
    try {
      result = this.#ctx.handler(ex.request, this);
    } catch (error) {
      this.#handlerFailed(ex, error);
      return;
    }
    if (result instanceof Response) {
      this.#respond(ex, result);
    } else if (result !== null && typeof (result as Promise<Response>)?.then === 'function') {
      result.then(
        (response) => this.#respond(ex, response),
        (error: unknown) => this.#handlerFailed(ex, error),
      );
    } else {
      this.#handlerFailed(ex, new WirekitError('WK_ERR_HTTP_HANDLER', 'the handler did not return a Response'));
    }
  }

  #respond(ex: Exchange, response: unknown): void {
    if (ex.upgraded || ex.forced) return;
    if (!(response instanceof Response)) {
      this.#handlerFailed(ex, new WirekitError('WK_ERR_HTTP_HANDLER', 'the handler did not return a Response'));
      return;
    }
    ex.response = response;
    this.#flush();
  }

  #handlerFailed(ex: Exchange, thrown: unknown): void {
    if (ex.upgraded) return;
    const error = thrown instanceof Error ? thrown : new WirekitError('WK_ERR_HTTP_HANDLER', String(thrown));
    try {
      this.#ctx.options.onError(error, this);
    } catch {
      // A failing error hook must not take the connection down with it.
    }
    if (ex.forced || ex.writing) return;
    const status = error instanceof ProtocolError && error.status < 500 ? error.status : 500;
    this.#force(ex, statusResponse(status));
  }

  /** The server answers for the handler. */
  #force(ex: Exchange, response: Response): void {
    ex.forced = true;
    ex.response = response;
    this.#flush();
  }

  #sendContinue(): void {
    const ex = this.#receiving;
    if (ex === undefined || !ex.head.expectContinue || ex.continueSent || ex.response !== undefined) return;
    if (this.#queue[0] !== ex || this.#writing) return;
    ex.continueSent = true;
    // Through the batch: answers to earlier pipelined requests may still be held there.
    this.#output.send('HTTP/1.1 100 Continue\r\n\r\n');
    this.#output.flush();
  }

  #flush(): void {
    while (!this.#writing && !this.#ended) {
      const ex = this.#queue[0];
      if (ex?.response === undefined) break;
      if (ex.upgraded) return;
      ex.writing = true;
      const keepAlive = this.#keepAlive(ex);
      let result: ReturnType<typeof writeResponse>;
      try {
        result = writeResponse(this.#output, ex.response, {
          requestVersion: ex.head.version,
          head: ex.head.method === 'HEAD',
          connect: ex.head.method === 'CONNECT',
          keepAlive,
          sendTimeoutMs: this.#ctx.options.sendTimeoutMs,
        });
      } catch (error) {
        // Nothing was sent: the handler's response could not be serialized (an unsafe reason or
        // field, a used body). Answer 500 in its place, as for a handler that threw.
        ex.writing = false;
        if (ex.forced) this.#writeFailed(ex, error);
        else this.#handlerFailed(ex, error);
        return;
      }
      if (result.pending === undefined) {
        this.#finish(ex, result.keepAlive, result.bytes);
        continue;
      }
      this.#writing = true;
      if (this.#ctx.closing) this.#stopStreaming(ex);
      result.pending.then(
        (bytes) => {
          this.#writing = false;
          this.#finish(ex, result.keepAlive, bytes);
          this.#flush();
        },
        (error: unknown) => this.#writeFailed(ex, error),
      );
      return;
    }
  }

  #writeFailed(ex: Exchange, error: unknown): void {
    // Framing is broken mid-response (or the head was invalid after all): nothing sane can follow.
    // A client that went away is no fault of ours: it is told to request.end, not to onError.
    this.#writing = false;
    const gone = clientLeft(error, this.#conn.socket.destroyed);
    if (!gone) {
      try {
        this.#ctx.options.onError(error instanceof Error ? error : new Error(String(error)), this);
      } catch {}
    }
    publishRequestEnd(ex, this, -1, gone);
    // Responses already written for earlier pipelined requests may still be held: let them out
    // before the socket goes, or the client loses answers that were complete.
    this.#writeHeldNow();
    this.#conn.destroy();
  }

  #keepAlive(ex: Exchange): boolean {
    if (!ex.head.keepAlive || ex.closeAfter || ex.head.method === 'CONNECT') return false;
    // Closing (server shutdown, last allowed request, half-closed client): the last owed response says so.
    if (this.#ignoring && this.#queue.length === 1) return false;
    // A handler may ask to close after its answer (`Connection: close`): honour it.
    const connection = ex.response?.headers.get('connection');
    if (connection != null && /(?:^|,)\s*close\s*(?:,|$)/i.test(connection)) {
      this.#ignoring = true;
      return false;
    }
    if (!ex.bodyDone) {
      // The handler answered without reading the body: drop the rest if it is small and was announced.
      if (ex.head.expectContinue && !ex.continueSent) return false;
      const rest = ex.head.framing === 'length' ? ex.head.contentLength : Number.POSITIVE_INFINITY;
      if (rest > this.#ctx.options.maxDiscardBytes) return false;
    }
    return true;
  }

  #finish(ex: Exchange, keepAlive: boolean, bytes: number): void {
    this.#queue.shift();
    if (this.#upgradeCandidate === ex) this.#upgradeCandidate = undefined;
    publishRequestEnd(ex, this, bytes);
    if (!keepAlive) {
      this.#end();
      return;
    }
    if (!ex.bodyDone) {
      ex.discarding = true;
      ex.body?.error(new WirekitError('WK_ERR_BODY_USED', 'the response was sent before the body was read'));
    }
    // A pipelined 100-continue request whose handler began reading while it waited in line gets its 100 now.
    if (this.#receiving?.body?.started) this.#sendContinue();
    if (ex.head.upgrade && this.#parser.state === 'paused') this.#handleEvents(this.#parser.resume());
    if (this.#queue.length === 0) {
      // Every response owed is written: holding them for the next turn would only keep this
      // batch's objects alive (and make V8 grow its young generation under load).
      this.#releaseBatch();
      if (this.#ignoring) this.#end();
    }
    this.#updateTimer();
    this.#applyPause();
  }

  // ---- flow control and timers ----

  #applyPause(): void {
    // While the backlog is being handled, its unhandled tail is not a reason to pause: the caller
    // decides once the whole read is done (a sync handler would otherwise pause and resume per request).
    if (this.#draining) return;
    if (this.#backlogAt < this.#backlog.length) this.#drainBacklog();
    const needDrain = this.#conn.socket.writableNeedDrain;
    const wantPause =
      this.#upgradeSink === undefined &&
      (this.#backlogAt < this.#backlog.length ||
        this.#queue.length >= this.#ctx.options.maxPipelinedRequests ||
        (this.#receiving?.body !== undefined &&
          this.#receiving.body.bufferedBytes > this.#ctx.options.bodyHighWaterBytes) ||
        needDrain);
    if (wantPause && needDrain && !this.#awaitingDrain) {
      // Whatever paused us first, a backed-up socket must wake us when it drains.
      this.#awaitingDrain = true;
      this.#conn.drained().then(
        () => {
          this.#awaitingDrain = false;
          this.#applyPause();
        },
        () => {},
      );
    }
    if (wantPause && this.#pausedFor === 0) {
      this.#pausedFor = 1;
      this.#conn.pause();
    } else if (!wantPause && this.#pausedFor !== 0) {
      this.#pausedFor = 0;
      this.#conn.resume();
    }
  }

  #updateTimer(): void {
    if (this.#ended || this.#upgradeSink !== undefined) return;
    const options = this.#ctx.options;
    if (this.#receiving !== undefined && !this.#receiving.bodyDone) {
      this.#setDeadline(this.#headStart + options.requestTimeoutMs);
    } else if (!this.#parser.idle) {
      this.#setDeadline(this.#headStart + Math.min(options.headerTimeoutMs, options.requestTimeoutMs));
    } else if (this.#queue.length === 0) {
      this.#setDeadline(timerWheel.now() + options.idleTimeoutMs);
    } else {
      this.#setDeadline(0);
    }
  }

  /** Lazy: the wheel entry is only moved when the new deadline is earlier than the armed one. */
  #setDeadline(deadline: number): void {
    this.#deadline = deadline;
    if (deadline !== 0 && (!this.#timer.active || this.#timer.deadline > deadline)) this.#timer.refresh(deadline);
  }

  readonly #onTimer = (): void => {
    if (this.#deadline === 0 || this.#ended) return;
    if (this.#deadline > timerWheel.now()) {
      this.#timer.refresh(this.#deadline);
      return;
    }
    this.#timedOut();
  };

  #timedOut(): void {
    this.#ignoring = true;
    const ex = this.#receiving;
    if (ex !== undefined) {
      const error = new ProtocolError('WK_ERR_HTTP_REQUEST_TIMEOUT', 408);
      ex.body?.error(error);
      if (!ex.writing) this.#force(ex, statusResponse(408));
      ex.closeAfter = true;
    } else if (!this.#parser.idle && this.#queue.length === 0) {
      const bad = new Exchange(syntheticHead(), new Request('/'), undefined, timerWheel.now());
      this.#queue.push(bad);
      this.#force(bad, statusResponse(408));
    } else if (this.#queue.length === 0) {
      this.#end();
    }
  }

  /** Ends our side after what is written, reads and drops the rest for a moment, then lets go. */
  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#ignoring = true;
    this.#timer.cancel();
    // What the batch holds must leave before the FIN.
    this.#output.flush();
    this.#conn.end().catch(() => {});
    if (this.#pausedFor !== 0) {
      this.#pausedFor = 0;
      this.#conn.resume();
    }
    const linger = timerWheel.after(LINGER_MS, () => this.#conn.destroy());
    this.#conn.closed.then(() => linger.cancel());
  }
}

/** The empty backlog; never appended to (only a backlog with events left is). */
const NO_EVENTS: RequestEvent[] = [];

/** True when one read holds more than one request (a head, its body and its end are one request). */
function severalHeads(events: readonly RequestEvent[]): boolean {
  let heads = 0;
  for (const event of events) if (event.type === 'head' && ++heads > 1) return true;
  return false;
}

/** The head an error response answers when no request head was complete. */
function syntheticHead(): RequestHead {
  return {
    type: 'head',
    method: 'GET',
    target: '/',
    version: '1.1',
    headers: [],
    keepAlive: false,
    framing: 'none',
    contentLength: 0,
    expectContinue: false,
    expect: undefined,
    upgrade: false,
  };
}
