/**
 * Server-sent events (WHATWG HTML §9.2): a response body that a handler feeds event by event.
 *
 * The body is a pull-driven async iterator: the server (or a test reading `app.request()`'s body)
 * asks for the next chunk only once it has written the previous one, and `send()` resolves when its
 * chunk has been taken, so a slow client slows the handler down (docs/architecture.md, Rules).
 */
import { WirekitError } from '../errors.js';
import { type TimerHandle, timerWheel } from '../util/timer-wheel.js';

/** One event. `data` that is not a string is JSON-encoded; multi-line data becomes several `data:` lines. */
export interface SseMessage {
  data: unknown;
  /** The event type (`addEventListener(event, …)` in the browser); default `message`. */
  event?: string;
  /** The id the browser sends back as `Last-Event-ID` when it reconnects. */
  id?: string;
  /** How long the browser waits before reconnecting, in milliseconds. */
  retry?: number;
}

/** Options of `c.sse()`. */
export interface SseOptions {
  /** A comment line is sent after this long without other output, so proxies keep the connection. Default 15 s; 0 disables. */
  keepAliveMs?: number;
}

/**
 * What an SSE handler writes to.
 *
 * @example
 * ```ts
 * c.sse(async (stream) => {
 *   while (!stream.closed) await stream.send({ data: await nextUpdate(stream.signal) });
 * });
 * ```
 */
export interface SseWriter {
  /** Sends one event; resolves when the writer has taken it. Rejects `WK_ERR_ABORTED` once the stream is closed. */
  send(message: SseMessage): Promise<void>;
  /** Sends a comment line (ignored by browsers); resolves as `send`. */
  comment(text?: string): Promise<void>;
  /** True once the client went away, the handler returned or `close()` was called. */
  readonly closed: boolean;
  /** Aborted when the stream closes: pass it to whatever the handler waits on. */
  readonly signal: AbortSignal;
  /** Ends the stream after what was already sent. */
  close(): void;
}

/** The function `c.sse()` runs once the client starts reading. */
export type SseHandler = (stream: SseWriter) => void | Promise<void>;

/** The default of {@link SseOptions.keepAliveMs}. */
export const DEFAULT_SSE_KEEP_ALIVE_MS = 15_000;

/**
 * The response fields of an event stream: no caching, and no buffering by nginx-style proxies.
 *
 * @example
 * ```ts
 * return new Response(new SseStream(handler, req.signal), { headers: SSE_HEADERS });
 * ```
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
});

const NEWLINE = /\r\n|\r|\n/;
const encoder = new TextEncoder();

/**
 * Serializes one event to its wire form, ending with the blank line that dispatches it.
 * Throws `WK_ERR_INVALID_ARGUMENT` for an `event` or `id` with a line break (it would forge fields).
 *
 * @example
 * ```ts
 * formatSseMessage({ event: 'tick', data: { n: 1 } }); // 'event: tick\ndata: {"n":1}\n\n'
 * ```
 */
export function formatSseMessage(message: SseMessage): string {
  let out = '';
  if (message.event !== undefined) out += `event: ${field('event', message.event)}\n`;
  if (message.id !== undefined) out += `id: ${field('id', message.id)}\n`;
  if (message.retry !== undefined) {
    if (!Number.isSafeInteger(message.retry) || message.retry < 0)
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'SSE retry must be a non-negative integer');
    out += `retry: ${message.retry}\n`;
  }
  const data = typeof message.data === 'string' ? message.data : (JSON.stringify(message.data) ?? 'null');
  for (const line of data.split(NEWLINE)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/**
 * Serializes a comment (`: text`), one `:` line per line of `text`.
 *
 * @example
 * ```ts
 * formatSseComment('keep-alive'); // ': keep-alive\n\n'
 * ```
 */
export function formatSseComment(text = ''): string {
  let out = '';
  for (const line of text.split(NEWLINE)) out += line === '' ? ':\n' : `: ${line}\n`;
  return `${out}\n`;
}

function field(name: string, value: string): string {
  // A line break would end the field early and let the rest be read as other fields; NUL voids an id.
  if (/[\r\n\0]/.test(value))
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `SSE ${name} must not contain CR, LF or NUL`);
  return value;
}

interface Pending {
  readonly chunk: Uint8Array;
  readonly taken: () => void;
}

interface Pull {
  readonly resolve: (result: IteratorResult<Uint8Array>) => void;
  readonly reject: (error: unknown) => void;
}

const DONE: IteratorResult<Uint8Array> = Object.freeze({ done: true, value: undefined });

/**
 * An event stream: the {@link SseWriter} its handler gets and the async iterator the server reads.
 * `c.sse()` makes one; use it directly to serve SSE from a bare `serve()` handler.
 *
 * Lifecycle: the handler starts on the writer's first read (so an unread stream, a HEAD, costs
 * nothing); it ends normally when the handler returns or calls `close()` (queued events still go
 * out), abruptly when the client goes away (`return()` on the iterator, or the request's signal):
 * then `signal` aborts, queued events are dropped and further sends reject. A handler that throws
 * while the stream is open makes the iterator throw after the queued events, so the server cuts
 * the response short (the client sees the stream break) and reports the error.
 *
 * @example
 * ```ts
 * const stream = new SseStream(async (s) => { await s.send({ data: 'hi' }); }, request.signal);
 * return new Response(stream, { headers: SSE_HEADERS });
 * ```
 */
export class SseStream implements SseWriter, AsyncIterableIterator<Uint8Array> {
  readonly #handler: SseHandler;
  readonly #keepAliveMs: number;
  readonly #requestSignal: AbortSignal | undefined;
  readonly #controller = new AbortController();
  readonly #queue: Pending[] = [];
  #pull: Pull | undefined;
  #timer: TimerHandle | undefined;
  #started = false;
  #failure: { error: unknown } | undefined;

  /** `requestSignal` (the request's `signal`) closes the stream when the client goes away. */
  constructor(handler: SseHandler, requestSignal?: AbortSignal, options: SseOptions = {}) {
    this.#handler = handler;
    this.#keepAliveMs = options.keepAliveMs ?? DEFAULT_SSE_KEEP_ALIVE_MS;
    this.#requestSignal = requestSignal;
  }

  get closed(): boolean {
    return this.#controller.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  send(message: SseMessage): Promise<void> {
    return this.#enqueue(formatSseMessage(message));
  }

  comment(text?: string): Promise<void> {
    return this.#enqueue(formatSseComment(text));
  }

  close(): void {
    this.#stop();
    if (this.#queue.length === 0) this.#settlePull();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next chunk for the writer. */
  next(): Promise<IteratorResult<Uint8Array>> {
    if (!this.#started) this.#start();
    const pending = this.#queue.shift();
    if (pending !== undefined) {
      pending.taken();
      return Promise.resolve({ done: false, value: pending.chunk });
    }
    const failure = this.#failure;
    if (failure !== undefined) {
      this.#failure = undefined;
      return Promise.reject(failure.error);
    }
    if (this.closed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.#pull = { resolve, reject };
    });
  }

  /** The writer stopped reading: the client went away, or a test broke out of its loop. */
  return(): Promise<IteratorResult<Uint8Array>> {
    this.#abort();
    return Promise.resolve(DONE);
  }

  #start(): void {
    this.#started = true;
    if (this.#requestSignal?.aborted) {
      this.#abort();
      return;
    }
    this.#requestSignal?.addEventListener('abort', this.#abort, { once: true });
    if (this.#keepAliveMs > 0) this.#timer = timerWheel.after(this.#keepAliveMs, this.#keepAlive);
    void this.#run();
  }

  async #run(): Promise<void> {
    try {
      await this.#handler(this);
    } catch (error) {
      // Sends that reject because the stream closed are the expected way out of a handler's loop.
      if (!this.closed) this.#failure = { error };
    }
    this.close();
  }

  #enqueue(text: string): Promise<void> {
    if (this.closed) return Promise.reject(new WirekitError('WK_ERR_ABORTED', 'the event stream is closed'));
    const chunk = encoder.encode(text);
    this.#touch();
    const pull = this.#pull;
    if (pull !== undefined) {
      this.#pull = undefined;
      pull.resolve({ done: false, value: chunk });
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#queue.push({ chunk, taken: resolve });
    });
  }

  /** Output is flowing: push the keep-alive deadline back (one wheel entry per stream, moved, never re-made). */
  #touch(): void {
    this.#timer?.refresh(timerWheel.now() + this.#keepAliveMs);
  }

  readonly #keepAlive = (): void => {
    if (this.closed) return;
    // Only when the writer is idle: a queued chunk already proves the stream is alive.
    if (this.#queue.length === 0) this.#enqueue(KEEP_ALIVE).catch(() => {});
    else this.#touch();
  };

  /** The client went away: drop what is queued (its sends resolve; the handler sees `closed`). */
  readonly #abort = (): void => {
    this.#stop();
    this.#failure = undefined;
    for (const pending of this.#queue.splice(0)) pending.taken();
    this.#settlePull();
  };

  /** A waiting writer learns the stream ended, or failed. */
  #settlePull(): void {
    const pull = this.#pull;
    if (pull === undefined) return;
    this.#pull = undefined;
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) pull.reject(failure.error);
    else pull.resolve(DONE);
  }

  #stop(): void {
    if (!this.closed) this.#controller.abort(new WirekitError('WK_ERR_ABORTED', 'the event stream is closed'));
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#requestSignal?.removeEventListener('abort', this.#abort);
  }
}

const KEEP_ALIVE = formatSseComment('keep-alive');
