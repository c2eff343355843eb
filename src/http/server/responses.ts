import { ProtocolError, WirekitError } from '../../errors.js';
import type { Connection } from '../../net/index.js';
import { WriteBatch, type WriteWaiter } from '../../net/write-batch.js';
import type { ConnInfo } from '../message/conn-info.js';
import { requestInternals } from '../message/request.js';
import { Response } from '../message/response.js';
import { statusResponse } from '../message/status-response.js';
import { clientLeft } from './client-left.js';
import { nextWriting, type Writing } from './conn-state.js';
import { publishRequestEnd } from './diagnostics.js';
import { type Exchange, nextAnswer } from './exchange.js';
import { writeResponse } from './response-writer.js';
import type { ServerContext } from './server-context.js';

/**
 * What a {@link ResponseQueue} asks of its connection (the connection itself; not part of `ConnInfo`).
 */
export interface ResponseHost extends ConnInfo, WriteWaiter {
  /** The keep-alive decision for `ex`'s response, taken as it starts to go out. */
  keepAliveFor(ex: Exchange): boolean;
  /** `ex`'s response was handed to the socket in full (and left the queue); `keepAlive` as it was sent. */
  written(ex: Exchange, keepAlive: boolean): void;
}

/**
 * The requests of one connection that wait for their response, in request order: runs each
 * handler, takes its answer (or the server's, for errors), and writes the answers strictly in
 * order whatever order handlers finish in (pipelining, RFC 9112 §9.3.2). Owns the output side of
 * the connection: its {@link Writing} state and the write batch.
 *
 * @example
 * ```ts
 * const responses = new ResponseQueue(ctx, connection, socketConnection);
 * responses.add(exchange);
 * responses.invoke(exchange); // the answer is written once every earlier one has been
 * ```
 */
export class ResponseQueue {
  readonly #ctx: ServerContext;
  readonly #host: ResponseHost;
  readonly #conn: Connection;
  readonly #line: Exchange[] = [];
  /** What the response writer writes through (collects the answers to a pipelined read). */
  readonly output: WriteBatch;
  #writing: Writing = 'idle';
  /** The output is held for the answers to a read of several requests (holdUntilNextTurn). */
  #heldForTurn = false;

  constructor(ctx: ServerContext, host: ResponseHost, conn: Connection) {
    this.#ctx = ctx;
    this.#host = host;
    this.#conn = conn;
    this.output = new WriteBatch(conn, 'utf8', host);
  }

  get writing(): Writing {
    return this.#writing;
  }

  /** Requests waiting for (or in the middle of) their response. */
  get length(): number {
    return this.#line.length;
  }

  /** The request whose response goes out next. */
  get first(): Exchange | undefined {
    return this.#line[0];
  }

  /** Queues a request; its answer comes from {@link invoke} or {@link force}. */
  add(ex: Exchange): void {
    this.#line.push(ex);
  }

  /** Runs the handler; an answer returned synchronously costs no promise. */
  invoke(ex: Exchange): void {
    let result: Response | Promise<Response>;
    try {
      result = this.#ctx.handler(ex.request, this.#host);
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

  /** The server answers for the handler (a malformed request, a timeout); a later handler answer is dropped. */
  force(ex: Exchange, response: Response): void {
    ex.answer = nextAnswer(ex.answer, 'server-answered');
    ex.response = response;
    this.flush();
  }

  /** Sends `100 Continue` for `ex` if it is next in line and nothing is being written. */
  sendContinue(ex: Exchange): void {
    if (ex.continueSent || ex.answer !== 'pending' || this.#line[0] !== ex || this.#writing !== 'idle') return;
    ex.continueSent = true;
    // Through the batch: answers to earlier pipelined requests may still be held there.
    this.output.send('HTTP/1.1 100 Continue\r\n\r\n');
    this.output.flush();
  }

  /** Writes the answers that are ready, in order, until one is missing or a stream is being written. */
  flush(): void {
    while (this.#writing === 'idle') {
      const ex = this.#line[0];
      if (ex === undefined || !ex.ready) break;
      const byServer = ex.answer === 'server';
      ex.answer = nextAnswer(ex.answer, 'write');
      let result: ReturnType<typeof writeResponse>;
      try {
        result = writeResponse(this.output, ex.response as Response, {
          requestVersion: ex.head.version,
          head: ex.head.method === 'HEAD',
          connect: ex.head.method === 'CONNECT',
          keepAlive: this.#host.keepAliveFor(ex),
        });
      } catch (error) {
        // Nothing was sent: the handler's response could not be serialized (an unsafe reason or
        // field, a used body). Answer 500 in its place, as for a handler that threw.
        ex.answer = nextAnswer(ex.answer, 'unwritable');
        if (byServer) this.#writeFailed(ex, error);
        else this.#handlerFailed(ex, error);
        return;
      }
      if (result.pending === undefined) {
        this.#written(ex, result.keepAlive, result.bytes);
        continue;
      }
      this.#writing = nextWriting(this.#writing, 'stream');
      if (this.#ctx.closing) this.stopStreaming();
      result.pending.then(
        (bytes) => {
          this.#writing = nextWriting(this.#writing, 'streamed');
          this.#written(ex, result.keepAlive, bytes);
          this.flush();
        },
        (error: unknown) => this.#writeFailed(ex, error),
      );
      return;
    }
  }

  /**
   * A stream (an event stream, a long poll answered chunk by chunk) may never end on its own: while
   * the server closes, its request's signal aborts, so a producer watching it (as `c.sse()` does)
   * finishes the body cleanly and close() can resolve.
   */
  stopStreaming(): void {
    const ex = this.#line[0];
    if (this.#writing === 'streaming' && ex !== undefined) {
      requestInternals.abort(ex.request, new WirekitError('WK_ERR_SERVER_CLOSING'));
    }
  }

  /**
   * Several requests came in one read: their answers leave in one write (docs/architecture.md, The
   * write path), as soon as {@link releaseTurn} is called (the last of them is written) or, if a
   * handler takes longer, on the next turn of the event loop. Holding twice is holding once.
   */
  holdUntilNextTurn(): void {
    if (this.#heldForTurn) return;
    this.#heldForTurn = true;
    this.output.begin();
    setImmediate(releaseTurnOf, this);
  }

  /** Lets go of the hold of {@link holdUntilNextTurn}, if it is still held. */
  releaseTurn(): void {
    if (!this.#heldForTurn) return;
    this.#heldForTurn = false;
    this.output.end();
  }

  /** Writes whatever the batch holds now, whoever holds it. */
  writeHeldNow(): void {
    this.releaseTurn();
    this.output.flush();
  }

  /** The handler took the connection: nothing more is written; answers already made leave first. */
  handOver(): void {
    this.#writing = nextWriting(this.#writing, 'upgrade');
    this.#line.length = 0;
    this.writeHeldNow();
  }

  /** Our side ends: what the batch holds leaves first. False when it had already ended. */
  end(): boolean {
    if (this.#writing === 'ended') return false;
    this.#writing = nextWriting(this.#writing, 'end');
    this.output.flush();
    return true;
  }

  /** The socket closed: every request still waiting learns that its client is gone. */
  closed(): void {
    this.#writing = nextWriting(this.#writing, 'closed');
    const gone = new WirekitError('WK_ERR_HTTP_CLIENT_GONE');
    for (const ex of this.#line) {
      ex.body?.error(gone);
      requestInternals.abort(ex.request, gone);
    }
    this.#line.length = 0;
  }

  #respond(ex: Exchange, response: unknown): void {
    // Upgraded, or answered by the server meanwhile (a malformed body, a timeout): dropped.
    if (ex.answer !== 'pending') return;
    if (!(response instanceof Response)) {
      this.#handlerFailed(ex, new WirekitError('WK_ERR_HTTP_HANDLER', 'the handler did not return a Response'));
      return;
    }
    ex.response = response;
    ex.answer = nextAnswer(ex.answer, 'handler-answered');
    this.flush();
  }

  #handlerFailed(ex: Exchange, thrown: unknown): void {
    if (ex.answer === 'upgraded') return;
    const error = thrown instanceof Error ? thrown : new WirekitError('WK_ERR_HTTP_HANDLER', String(thrown));
    try {
      this.#ctx.options.onError(error, this.#host);
    } catch {
      // A failing error hook must not take the connection down with it.
    }
    if (ex.answer !== 'pending' && ex.answer !== 'handler') return;
    const status = error instanceof ProtocolError && error.status < 500 ? error.status : 500;
    this.force(ex, statusResponse(status));
  }

  #written(ex: Exchange, keepAlive: boolean, bytes: number): void {
    ex.answer = nextAnswer(ex.answer, 'written');
    const line = this.#line;
    // Emptied by length, not shift(): an idle connection keeps no spare backing store.
    if (line.length === 1) line.length = 0;
    else line.shift();
    publishRequestEnd(ex, this.#host, bytes);
    this.#host.written(ex, keepAlive);
  }

  #writeFailed(ex: Exchange, error: unknown): void {
    // Framing is broken mid-response (or the head was invalid after all): nothing sane can follow.
    // A client that went away is no fault of ours: it is told to request.end, not to onError.
    this.#writing = nextWriting(this.#writing, 'streamed');
    const gone = clientLeft(error, this.#conn.socket.destroyed);
    if (!gone) {
      try {
        this.#ctx.options.onError(error instanceof Error ? error : new Error(String(error)), this.#host);
      } catch {}
    }
    publishRequestEnd(ex, this.#host, -1, gone);
    // Responses already written for earlier pipelined requests may still be held: let them out
    // before the socket goes, or the client loses answers that were complete.
    this.writeHeldNow();
    this.#conn.destroy();
  }
}

/** The end of the turn that {@link ResponseQueue.holdUntilNextTurn} waits for (one function for every queue). */
function releaseTurnOf(queue: ResponseQueue): void {
  queue.releaseTurn();
}
