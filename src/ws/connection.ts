/**
 * `WebSocketConnection`: one WebSocket, either end (the role is a parameter), over any
 * {@link WebSocketTransport}. The parser turns bytes into messages; this class answers pings,
 * runs the closing handshake, keeps the peer alive or drops it, and applies backpressure both ways.
 *
 * Hot path (DESIGN.md §4): a read is parsed in place and every frame it causes us to send is
 * written under one cork (one syscall); a small message is framed into one buffer; `send()` returns
 * a shared, already settled promise unless the peer is behind; no timer per connection (one entry
 * on the shared wheel serves pings, idle and close deadlines).
 */
import { TimeoutError, WirekitError } from '../errors.js';
import { deferred } from '../util/deferred.js';
import { type TimerHandle, timerWheel } from '../util/timer-wheel.js';
import { CloseCode, Opcode } from './codec/constants.js';
import type { DeflateParams } from './codec/deflate-params.js';
import { type FrameFailure, FrameParser, type FrameParserSink, type WebSocketRole } from './codec/frame-parser.js';
import { frameBytes, serializeClosePayload, serializeFrameHeader, textFrameBytes } from './codec/frame-serializer.js';
import { type InflateResult, PerMessageDeflate } from './deflate.js';
import { type WebSocketCloseMessage, webSocketChannels } from './diagnostics.js';
import { Inbox, type ReceivedMessage } from './inbox.js';
import { nextMaskKey } from './mask-keys.js';
import type { ResolvedWebSocketOptions } from './options.js';
import { Outbox } from './outbox.js';
import type { TransportHandlers, WebSocketTransport } from './transport.js';

/**
 * What the application sends: a string goes as a text message, bytes as a binary one.
 *
 * @example
 * ```ts
 * const message: OutgoingMessage = JSON.stringify({ hello: 'world' });
 * ```
 */
export type OutgoingMessage = string | Uint8Array;

/**
 * The application's callbacks. All optional; a handler may be async (a rejection is handled like
 * a throw: reported to `onError`, and the connection is closed with 1011).
 *
 * @example
 * ```ts
 * const handlers: WebSocketHandlers<{ user: string }> = {
 *   open: (ws) => ws.subscribe('chat'),
 *   message: (ws, data) => ws.publish('chat', `${ws.data.user}: ${data}`),
 * };
 * ```
 */
export interface WebSocketHandlers<D = unknown> {
  /** The connection is open (after the 101 was written). */
  open?(ws: WebSocketConnection<D>): void | Promise<void>;
  /**
   * A message: text as a string, binary as a Buffer. Without this handler, messages are queued
   * for `for await (const msg of ws)`.
   */
  message?(ws: WebSocketConnection<D>, data: ReceivedMessage, isBinary: boolean): void | Promise<void>;
  /** The connection has closed: the peer's close code (1005: none given; 1006: no close frame). */
  close?(ws: WebSocketConnection<D>, code: number, reason: string): void | Promise<void>;
  /** `bufferedAmount` went back to `sendHighWaterBytes` or below after being above it. */
  drain?(ws: WebSocketConnection<D>): void | Promise<void>;
}

/**
 * What a connection needs besides its transport; made by the server upgrade, `app.connect` and
 * the client.
 *
 * @example
 * ```ts
 * const ws = new WebSocketConnection(transport, { role: 'client', options: resolveWebSocketOptions(), handlers: {}, data: undefined });
 * ```
 */
export interface WebSocketInit<D> {
  role: WebSocketRole;
  options: ResolvedWebSocketOptions;
  handlers: WebSocketHandlers<D>;
  data: D;
  /** The subprotocol agreed on (`''`: none). */
  protocol?: string;
  /** The `Sec-WebSocket-Extensions` value agreed on (`''`: none). */
  extensions?: string;
  /** The permessage-deflate parameters agreed on, if any. */
  deflate?: DeflateParams | undefined;
  /** The registry that tracks open connections and their topics (servers). */
  registry?: ConnectionRegistry | undefined;
}

/**
 * Where a server's connections are tracked (open set, topics); see `WebSocketHub`.
 *
 * @example
 * ```ts
 * const registry: ConnectionRegistry = { opened: (ws) => set.add(ws), closed: (ws) => set.delete(ws), subscribe() {}, unsubscribe() {} };
 * ```
 */
export interface ConnectionRegistry {
  opened(ws: WebSocketConnection<unknown>): void;
  closed(ws: WebSocketConnection<unknown>): void;
  subscribe(topic: string, ws: WebSocketConnection<unknown>): void;
  unsubscribe(topic: string, ws: WebSocketConnection<unknown>): void;
  publish?(topic: string, data: OutgoingMessage, except: WebSocketConnection<unknown>): number;
}

/**
 * A message prepared once for many connections (topics): the plain frame, and compressed frames
 * shared by connections without context takeover.
 */
export interface SharedMessage {
  readonly opcode: number;
  readonly data: Uint8Array;
  /** The unmasked, uncompressed frame. */
  readonly frame: Buffer;
  /** The compressed frame for a connection's settings (memoized per window and level). */
  compressedFrame(deflate: PerMessageDeflate): Buffer;
}

/** First-byte bits: a final frame, and RSV1 (a compressed message). */
const FIN = 0x80;
const RSV1 = 0x40;

const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Binary payloads from this size are written after their header without being copied. */
const COPY_LIMIT_BYTES = 64 * 1024;
/** Pause reasons (a bit each): an async inflate, the inbox over its mark, the application. */
const PAUSE_INFLATE = 1;
const PAUSE_INBOX = 2;
const PAUSE_USER = 4;

const TRUE = Promise.resolve(true);
const FALSE = Promise.resolve(false);
/** `#enqueue` results. */
const SENT = 0;
const REFUSED = 1;

const EMPTY = Buffer.alloc(0);

/** Delivers a shared message to one connection (the topic registry's side door). */
export let deliverShared: (ws: WebSocketConnection<unknown>, message: SharedMessage) => boolean;
/** Starts a connection made with `new`: registers it, runs `open`, starts reading. */
export let startConnection: (ws: WebSocketConnection<unknown>) => void;

/**
 * One WebSocket connection, server or client end.
 *
 * @example
 * ```ts
 * app.ws('/echo', {
 *   async message(ws, data) {
 *     await ws.send(data); // resolves once the peer keeps up
 *   },
 * });
 * const ws = await app.connect('/echo');
 * ws.sendNow('hi');
 * for await (const msg of ws) { console.log(msg); ws.close(); }
 * ```
 */
export class WebSocketConnection<D = unknown> implements AsyncIterable<ReceivedMessage> {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  /** Application data: what the upgrade set (route params, the user...). */
  data: D;
  /** The subprotocol agreed on, or `''`. */
  readonly protocol: string;
  /** The extensions agreed on (`Sec-WebSocket-Extensions` of the 101), or `''`. */
  readonly extensions: string;
  readonly role: WebSocketRole;
  readonly #transport: WebSocketTransport;
  readonly #options: ResolvedWebSocketOptions;
  readonly #handlers: WebSocketHandlers<D>;
  readonly #registry: ConnectionRegistry | undefined;
  readonly #parser: FrameParser;
  readonly #deflate: PerMessageDeflate | undefined;
  readonly #outbox: Outbox;
  readonly #mask: boolean;
  /** Our send mark is below the transport's: check after every write, not only when it answers false. */
  readonly #lowMark: boolean;
  #state = OPEN;
  #code: number | undefined;
  #reason = '';
  #paused = 0;
  #overHighWater = false;
  #drainWatched = false;
  #drainWait: ((sent: boolean) => void) | undefined;
  #drainPromise: Promise<boolean> | undefined;
  #inbox: Inbox | undefined;
  #topics: Set<string> | undefined;
  #closedPromise: Promise<{ code: number; reason: string }> | undefined;
  #resolveClosed: ((value: { code: number; reason: string }) => void) | undefined;
  // Liveness and deadlines: one entry on the shared timer wheel.
  #timer: TimerHandle | undefined;
  #received = false;
  #awaitingPong = false;
  #nextPing = 0;
  #pongDeadline = 0;
  #lastActivity = 0;
  #closeDeadline = 0;
  #openedAt = 0;
  #bytesIn = 0;
  #bytesOut = 0;
  #dropped = 0;
  #ownError: Error | undefined;
  // Frames written while a read is being handled, sent when it is done.
  #reading = false;
  #held: Buffer | Buffer[] | undefined;
  #heldBytes = 0;

  static {
    deliverShared = (ws, message) => ws.#deliverShared(message);
    startConnection = (ws) => ws.#start();
  }

  constructor(transport: WebSocketTransport, init: WebSocketInit<D>) {
    this.#transport = transport;
    this.#options = init.options;
    this.#handlers = init.handlers;
    this.#registry = init.registry;
    this.data = init.data;
    this.role = init.role;
    this.protocol = init.protocol ?? '';
    this.extensions = init.extensions ?? '';
    this.#mask = init.role === 'client';
    this.#lowMark = init.options.sendHighWaterBytes < transport.writableHighWaterMark;
    const deflateOptions = init.options.deflate;
    this.#deflate =
      init.deflate === undefined || deflateOptions === undefined
        ? undefined
        : new PerMessageDeflate(init.deflate, init.role, deflateOptions);
    this.#parser = new FrameParser(this.#sink(), {
      role: init.role,
      maxMessageBytes: init.options.maxMessageBytes,
      maxFrameBytes: init.options.maxFrameBytes,
      maxFragments: init.options.maxFragments,
      compression: this.#deflate !== undefined,
    });
    this.#outbox = new Outbox({
      write: (head, payload) => this.#write(head, payload),
      maskKey: () => (this.#mask ? nextMaskKey() : undefined),
      progressed: () => this.#checkDrain(),
    });
  }

  // ---- state ----

  /** 1 OPEN, 2 CLOSING (a close frame went either way), 3 CLOSED. */
  get readyState(): 0 | 1 | 2 | 3 {
    return this.#state as 1 | 2 | 3;
  }

  get remoteAddress() {
    return this.#transport.remoteAddress;
  }

  get localAddress() {
    return this.#transport.localAddress;
  }

  /** Bytes sent but not yet handed to the kernel (or waiting for compression). */
  get bufferedAmount(): number {
    return this.#transport.writableLength + this.#outbox.bytes + this.#heldBytes;
  }

  /** The close code once closed (the peer's; ours when we failed the connection; 1006 without one). */
  get closeCode(): number | undefined {
    return this.#state === CLOSED ? (this.#code ?? CloseCode.Abnormal) : undefined;
  }

  get closeReason(): string {
    return this.#reason;
  }

  /** Resolves with `{ code, reason }` when the connection has closed (never rejects). */
  get closed(): Promise<{ code: number; reason: string }> {
    if (this.#closedPromise === undefined) {
      if (this.#state === CLOSED) {
        this.#closedPromise = Promise.resolve({ code: this.closeCode as number, reason: this.#reason });
      } else {
        const d = deferred<{ code: number; reason: string }>();
        this.#closedPromise = d.promise;
        this.#resolveClosed = d.resolve;
      }
    }
    return this.#closedPromise;
  }

  /** Messages not sent because of the `'drop'` backpressure policy. */
  get droppedMessages(): number {
    return this.#dropped;
  }

  /** Bytes of frames received and sent. */
  get bytesReceived(): number {
    return this.#bytesIn;
  }

  get bytesSent(): number {
    return this.#bytesOut;
  }

  // ---- sending ----

  /**
   * Sends a message (string: text, bytes: binary). Resolves `true` once `bufferedAmount` is at most
   * `sendHighWaterBytes` (at once while the peer keeps up), `false` if the message was refused or
   * the connection closed before that (see `readyState`, `droppedMessages`). Never rejects.
   */
  send(data: OutgoingMessage): Promise<boolean> {
    if (this.#enqueue(data) === REFUSED) return FALSE;
    if (!this.#overHighWater) return TRUE;
    if (this.#drainPromise === undefined) {
      this.#drainPromise = new Promise<boolean>((resolve) => {
        this.#drainWait = resolve;
      });
    }
    return this.#drainPromise;
  }

  /**
   * Sends without a promise, for hot loops: true when sent and `bufferedAmount` is still at most
   * `sendHighWaterBytes`; false when over it (wait for the `drain` handler or `send()`) or refused.
   */
  sendNow(data: OutgoingMessage): boolean {
    return this.#enqueue(data) === SENT && !this.#overHighWater;
  }

  /** Sends a ping (payload ≤ 125 bytes). False when not open. */
  ping(data: OutgoingMessage = EMPTY): boolean {
    if (this.#state !== OPEN) return false;
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    if (payload.length > 125) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'a ping payload is at most 125 bytes');
    this.#write(frameBytes(FIN | Opcode.Ping, payload, this.#maskKey()), undefined);
    return true;
  }

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2): sends a close frame after what was sent before,
   * then waits up to `closeTimeoutMs` for the peer's; the server end then closes TCP. No effect
   * unless open. Throws `WK_ERR_INVALID_ARGUMENT` for a code that may not be sent or a reason over
   * 123 bytes.
   */
  close(code: number = CloseCode.Normal, reason = ''): void {
    const payload = serializeClosePayload(code, reason);
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    this.#outbox.frame(frameBytes(FIN | Opcode.Close, payload, this.#maskKey()));
    this.#armCloseDeadline();
  }

  /** Destroys the connection now, without a closing handshake (reported as 1006). */
  terminate(): void {
    this.#transport.destroy();
  }

  // ---- receiving ----

  /**
   * The messages not taken by a `message` handler, until the connection closes. Single consumer;
   * leaving the loop does not close the connection (messages queue again, up to
   * `receiveHighWaterBytes`, then reading pauses).
   */
  [Symbol.asyncIterator](): AsyncIterator<ReceivedMessage, undefined> {
    const inbox = this.#inboxOf();
    return { next: () => inbox.next(), return: () => Promise.resolve({ done: true, value: undefined }) };
  }

  /** Stops reading from the peer (messages, pings) until {@link WebSocketConnection.resume}. */
  pause(): void {
    this.#setPaused(PAUSE_USER, true);
  }

  resume(): void {
    this.#setPaused(PAUSE_USER, false);
  }

  // ---- topics ----

  /** Receives what is published to `topic` (on this server, see `WebSocketHub`). */
  subscribe(topic: string): void {
    const registry = this.#requireRegistry();
    if (this.#state === CLOSED) return;
    this.#topics ??= new Set();
    if (this.#topics.has(topic)) return;
    this.#topics.add(topic);
    registry.subscribe(topic, this);
  }

  unsubscribe(topic: string): void {
    if (this.#topics?.delete(topic)) this.#registry?.unsubscribe(topic, this);
  }

  isSubscribed(topic: string): boolean {
    return this.#topics?.has(topic) ?? false;
  }

  /** The topics this connection is subscribed to. */
  get topics(): string[] {
    return [...(this.#topics ?? [])];
  }

  /** Publishes to every subscriber of `topic` but this connection; returns how many got it. */
  publish(topic: string, data: OutgoingMessage): number {
    return this.#requireRegistry().publish?.(topic, data, this) ?? 0;
  }

  // ---- internals: lifecycle ----

  #start(): void {
    this.#openedAt = timerWheel.now();
    this.#lastActivity = this.#openedAt;
    this.#registry?.opened(this);
    if (webSocketChannels.open.hasSubscribers) webSocketChannels.open.publish({ ws: this });
    this.#armLiveness();
    this.#call(this.#handlers.open, undefined, undefined);
    const handlers: TransportHandlers = {
      onData: (chunk) => this.#onData(chunk),
      onEnd: () => this.#onEnd(),
      onClose: (error) => this.#onClosed(error),
    };
    this.#transport.start(handlers);
  }

  #onData(chunk: Buffer): void {
    this.#bytesIn += chunk.length;
    this.#received = true;
    // Frames this read causes us to send are held and leave together (one write): cheaper than
    // corking the socket for the usual single answer, and one syscall for a pipelined burst.
    this.#reading = true;
    try {
      this.#parser.push(chunk);
    } finally {
      this.#reading = false;
      if (this.#held !== undefined) this.#flushHeld();
    }
  }

  /** The peer ended its side: the handshake is over, or the peer left without one (1006). */
  #onEnd(): void {
    if (this.#state === OPEN) this.#state = CLOSING;
    this.#outbox.afterQueued(() => this.#endTransport());
    this.#armCloseDeadline();
  }

  #onClosed(error: Error | undefined): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.#timer?.cancel();
    this.#outbox.clear();
    this.#deflate?.close();
    this.#inbox?.end();
    const code = this.#code ?? CloseCode.Abnormal;
    this.#settleDrain(false);
    if (this.#topics !== undefined && this.#registry !== undefined) {
      for (const topic of this.#topics) this.#registry.unsubscribe(topic, this);
    }
    this.#registry?.closed(this);
    // Failures of the transport itself (a reset); the ones we caused were reported when we did.
    if (error !== undefined && error !== this.#ownError && error.cause !== this.#ownError) {
      if (!(error instanceof WirekitError && error.code === 'WK_ERR_SOCKET_CLOSED')) this.#report(error, false);
    }
    if (webSocketChannels.close.hasSubscribers) {
      const message: WebSocketCloseMessage = {
        ws: this,
        code,
        reason: this.#reason,
        bytesIn: this.#bytesIn,
        bytesOut: this.#bytesOut,
        durationMs: timerWheel.now() - this.#openedAt,
      };
      webSocketChannels.close.publish(message);
    }
    this.#resolveClosed?.({ code, reason: this.#reason });
    this.#call(this.#handlers.close, code, this.#reason);
  }

  // ---- internals: the parser's events ----

  #sink(): FrameParserSink {
    return {
      onMessage: (payload, isText, compressed) => {
        if (compressed) this.#inflate(payload, isText);
        else this.#deliver(isText ? payload.toString() : payload, isText);
      },
      onPing: (payload) => {
        if (this.#state === OPEN) this.#write(frameBytes(FIN | Opcode.Pong, payload, this.#maskKey()), undefined);
      },
      onPong: () => {},
      onClose: (code, reason) => this.#onCloseFrame(code, reason),
      onFail: (failure) => this.#fail(failure),
    };
  }

  #deliver(message: ReceivedMessage, isText: boolean): void {
    if (this.#options.idleTimeoutMs !== 0) this.#lastActivity = timerWheel.now();
    const handlers = this.#handlers;
    if (handlers.message === undefined) {
      this.#inboxOf().push(message);
      return;
    }
    try {
      const result = handlers.message(this, message, !isText);
      if (result !== undefined) this.#watch(result);
    } catch (error) {
      this.#handlerFailed(error);
    }
  }

  #inflate(payload: Buffer, isText: boolean): void {
    const deflate = this.#deflate as PerMessageDeflate;
    const limit = this.#options.maxMessageBytes;
    if (deflate.syncInflate) {
      this.#inflated(deflate.decompressSync(payload, limit, isText), isText);
      return;
    }
    this.#setPaused(PAUSE_INFLATE, true);
    deflate.decompress(payload, limit, isText, (result) => {
      if (this.#state === CLOSED) return;
      this.#inflated(result, isText);
      this.#setPaused(PAUSE_INFLATE, false);
    });
  }

  #inflated(result: InflateResult, isText: boolean): void {
    if (!result.ok) this.#fail({ closeCode: result.closeCode, errorCode: result.errorCode, message: result.message });
    else this.#deliver(isText ? result.data.toString() : result.data, isText);
  }

  /** The peer's close frame: answer it (echoing its code and reason), then close TCP as the role says (§7.1.1). */
  #onCloseFrame(code: number, reason: string): void {
    this.#code = code;
    this.#reason = reason;
    if (this.#state === OPEN) {
      this.#state = CLOSING;
      const payload = code === CloseCode.NoStatus ? EMPTY : serializeClosePayload(code, reason);
      this.#outbox.frame(frameBytes(FIN | Opcode.Close, payload, this.#maskKey()));
    }
    // The server closes TCP first; the client waits for it (up to the deadline).
    if (this.role === 'server') this.#outbox.afterQueued(() => this.#endTransport());
    this.#armCloseDeadline();
  }

  /** Fails the connection (RFC 6455 §7.1.7): our close frame with the code, then TCP closes. */
  #fail(failure: FrameFailure): void {
    const error = new WirekitError(failure.errorCode, failure.message, { remoteAddress: this.remoteAddress });
    this.#report(error, false);
    if (this.#state === OPEN) {
      this.#state = CLOSING;
      this.#code = failure.closeCode;
      this.#outbox.frame(frameBytes(FIN | Opcode.Close, serializeClosePayload(failure.closeCode), this.#maskKey()));
    }
    this.#outbox.afterQueued(() => this.#endTransport());
    this.#armCloseDeadline();
  }

  // ---- internals: sending ----

  #maskKey(): Buffer | undefined {
    return this.#mask ? nextMaskKey() : undefined;
  }

  #enqueue(data: OutgoingMessage): number {
    const result = this.#frameMessage(data);
    // Direct writes noted it already (#transportWrite); held and queued bytes are noted here.
    if (result === SENT && (this.#heldBytes > this.#options.sendHighWaterBytes || this.#outbox.bytes > 0)) {
      this.#noteBuffered();
    }
    return result;
  }

  #frameMessage(data: OutgoingMessage): number {
    if (this.#state !== OPEN) return REFUSED;
    // Under the send mark means under the hard limit (resolveWebSocketOptions: mark ≤ limit).
    if (this.#overHighWater && this.bufferedAmount > this.#options.maxBufferedBytes) return this.#overLimit();
    if (this.#options.idleTimeoutMs !== 0) this.#lastActivity = timerWheel.now();
    const deflate = this.#deflate;
    if (typeof data === 'string') {
      if (deflate !== undefined && data.length * 3 >= deflate.options.thresholdBytes) {
        const bytes = Buffer.from(data);
        if (bytes.length >= deflate.options.thresholdBytes) return this.#compressAndSend(Opcode.Text, bytes, deflate);
      }
      this.#outbox.frame(textFrameBytes(FIN | Opcode.Text, data, this.#maskKey()));
      return SENT;
    }
    if (!(data instanceof Uint8Array))
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'send() takes a string or bytes');
    if (deflate !== undefined && data.length >= deflate.options.thresholdBytes) {
      return this.#compressAndSend(Opcode.Binary, data, deflate);
    }
    if (this.#mask || data.length < COPY_LIMIT_BYTES)
      this.#outbox.frame(frameBytes(FIN | Opcode.Binary, data, this.#maskKey()));
    else this.#outbox.frame(serializeFrameHeader(Opcode.Binary, data.length), data);
    return SENT;
  }

  #compressAndSend(opcode: number, data: Uint8Array, deflate: PerMessageDeflate): number {
    if (deflate.syncCompress) {
      this.#outbox.frame(frameBytes(FIN | RSV1 | opcode, deflate.compressSync(data), this.#maskKey()));
    } else {
      this.#outbox.compress(opcode, data, deflate);
    }
    return SENT;
  }

  #deliverShared(message: SharedMessage): boolean {
    if (this.#state !== OPEN) return false;
    const deflate = this.#deflate;
    const compress = deflate !== undefined && message.data.length >= deflate.options.thresholdBytes;
    if (this.#mask || (compress && !deflate.syncCompress)) {
      // A client frame needs its own mask; a compressor with context needs its own stream.
      const data = message.opcode === Opcode.Text ? Buffer.from(message.data).toString() : message.data;
      return this.#enqueue(data) === SENT;
    }
    if (this.bufferedAmount > this.#options.maxBufferedBytes) return this.#overLimit() === SENT;
    this.#outbox.frame(compress ? message.compressedFrame(deflate) : message.frame);
    this.#noteBuffered();
    return true;
  }

  /** The peer is too far behind: drop this message and count it, or close with 1013. */
  #overLimit(): number {
    if (this.#options.backpressure === 'drop') {
      this.#dropped++;
      return REFUSED;
    }
    const limit = this.#options.maxBufferedBytes;
    this.#report(
      new WirekitError('WK_ERR_WS_BACKPRESSURE', `more than ${limit} bytes buffered for a peer that does not read`),
      false,
    );
    this.close(CloseCode.TryAgainLater, 'too slow');
    return REFUSED;
  }

  #write(head: Buffer, payload: Uint8Array | undefined): void {
    if (payload === undefined) {
      this.#bytesOut += head.length;
      if (!this.#reading) {
        this.#transportWrite(head);
        return;
      }
      this.#heldBytes += head.length;
      if (this.#held === undefined) this.#held = head;
      else if (Array.isArray(this.#held)) this.#held.push(head);
      else this.#held = [this.#held, head];
      return;
    }
    // A large payload goes after its header without a copy: what is held goes first.
    if (this.#held !== undefined) this.#flushHeld();
    this.#bytesOut += head.length + payload.length;
    const transport = this.#transport;
    transport.cork();
    transport.write(head);
    this.#transportWrite(payload);
    transport.uncork();
  }

  /** Sends the frames held during a read: one buffer, or several under one cork if large. */
  #flushHeld(): void {
    const held = this.#held as Buffer | Buffer[];
    const bytes = this.#heldBytes;
    this.#held = undefined;
    this.#heldBytes = 0;
    if (!Array.isArray(held)) {
      this.#transportWrite(held);
    } else if (bytes <= COPY_LIMIT_BYTES) {
      this.#transportWrite(Buffer.concat(held, bytes));
    } else {
      const transport = this.#transport;
      transport.cork();
      for (const frame of held) transport.write(frame);
      transport.uncork();
      this.#noteBuffered();
    }
    // Over the mark while held: now that the bytes are out, see whether that still holds.
    if (this.#overHighWater) this.#checkDrain();
  }

  /** Ends our side after every frame written so far (held ones included). */
  #endTransport(): void {
    if (this.#held !== undefined) this.#flushHeld();
    this.#transport.end();
  }

  #transportWrite(bytes: Uint8Array): void {
    // Past our mark only if past the transport's, unless ours is the lower one.
    if (!this.#transport.write(bytes) || this.#lowMark) this.#noteBuffered();
  }

  #noteBuffered(): void {
    if (!this.#overHighWater) {
      if (this.bufferedAmount <= this.#options.sendHighWaterBytes) return;
      this.#overHighWater = true;
    }
    this.#watchDrain();
  }

  #watchDrain(): void {
    if (this.#drainWatched || this.#transport.writableLength === 0) return;
    this.#drainWatched = true;
    this.#transport.onDrain(() => {
      this.#drainWatched = false;
      this.#checkDrain();
    });
  }

  /** Called when bytes left (transport drain, outbox progress): back under the mark? */
  #checkDrain(): void {
    if (!this.#overHighWater || this.#state === CLOSED) return;
    if (this.bufferedAmount > this.#options.sendHighWaterBytes) {
      this.#watchDrain();
      return;
    }
    this.#overHighWater = false;
    this.#settleDrain(true);
    this.#call(this.#handlers.drain, undefined, undefined);
  }

  #settleDrain(sent: boolean): void {
    const resolve = this.#drainWait;
    this.#drainWait = undefined;
    this.#drainPromise = undefined;
    resolve?.(sent);
  }

  // ---- internals: flow control ----

  #inboxOf(): Inbox {
    if (this.#inbox === undefined) {
      this.#inbox = new Inbox(this.#options.receiveHighWaterBytes, (full) => this.#setPaused(PAUSE_INBOX, full));
      if (this.#state === CLOSED) this.#inbox.end();
    }
    return this.#inbox;
  }

  #setPaused(reason: number, on: boolean): void {
    const before = this.#paused;
    this.#paused = on ? before | reason : before & ~reason;
    if (before === 0 && this.#paused !== 0) {
      this.#parser.pause();
      this.#transport.pause();
    } else if (before !== 0 && this.#paused === 0) {
      this.#transport.resume();
      this.#parser.resume();
    }
  }

  // ---- internals: timers ----

  #armLiveness(): void {
    const o = this.#options;
    if (o.pingIntervalMs === 0 && o.idleTimeoutMs === 0) return;
    this.#nextPing = this.#openedAt + o.pingIntervalMs;
    this.#schedule(Math.min(o.pingIntervalMs || Infinity, o.idleTimeoutMs || Infinity) + this.#openedAt);
  }

  #armCloseDeadline(): void {
    if (this.#closeDeadline !== 0) return;
    this.#closeDeadline = timerWheel.now() + this.#options.closeTimeoutMs;
    this.#schedule(this.#closeDeadline);
  }

  /** Lazy: the wheel entry only moves when the new deadline is earlier than the armed one. */
  #schedule(deadline: number): void {
    const timer = this.#timer;
    if (timer === undefined) this.#timer = timerWheel.add(deadline, () => this.#onTimer());
    else if (!timer.active || timer.deadline > deadline) timer.refresh(deadline);
  }

  #onTimer(): void {
    if (this.#state === CLOSED) return;
    const now = timerWheel.now();
    if (this.#closeDeadline !== 0) {
      if (now < this.#closeDeadline) {
        this.#schedule(this.#closeDeadline);
        return;
      }
      const ms = this.#options.closeTimeoutMs;
      this.#destroy(new TimeoutError('WK_ERR_CLOSE_TIMEOUT', `the closing handshake took more than ${ms} ms`));
      return;
    }
    const next = this.#liveness(now);
    if (next !== undefined) this.#schedule(next);
  }

  /** Pings a silent peer, drops one that does not answer, closes an idle one; the next deadline. */
  #liveness(now: number): number | undefined {
    const o = this.#options;
    let next = Number.POSITIVE_INFINITY;
    if (o.idleTimeoutMs !== 0) {
      const due = this.#lastActivity + o.idleTimeoutMs;
      if (now >= due) {
        this.close(CloseCode.GoingAway, 'idle timeout');
        return undefined;
      }
      next = due;
    }
    if (o.pingIntervalMs === 0) return next;
    if (this.#awaitingPong) {
      if (this.#received) {
        this.#awaitingPong = false;
        this.#received = false;
        this.#nextPing = now + o.pingIntervalMs;
      } else if (now >= this.#pongDeadline) {
        const error = new TimeoutError('WK_ERR_WS_PONG_TIMEOUT', `no pong within ${o.pongTimeoutMs} ms`);
        this.#destroy(error);
        return undefined;
      } else {
        return Math.min(next, this.#pongDeadline);
      }
    }
    if (now >= this.#nextPing) {
      if (this.#received) {
        // Something arrived since the last check: the peer is alive, no ping needed.
        this.#received = false;
        this.#nextPing = now + o.pingIntervalMs;
      } else {
        this.ping();
        this.#awaitingPong = true;
        this.#pongDeadline = now + o.pongTimeoutMs;
        return Math.min(next, this.#pongDeadline);
      }
    }
    return Math.min(next, this.#nextPing);
  }

  // ---- internals: handlers and errors ----

  #requireRegistry(): ConnectionRegistry {
    if (this.#registry === undefined) {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'topics are a server feature: this connection has no registry');
    }
    return this.#registry;
  }

  /** Calls a handler; a throw or rejection is reported and closes the connection with 1011. */
  #call<A, B>(
    handler: ((ws: WebSocketConnection<D>, a: A, b: B) => void | Promise<void>) | undefined,
    a: A,
    b: B,
  ): void {
    if (handler === undefined) return;
    try {
      const result = handler.call(this.#handlers, this, a, b);
      if (result !== undefined) this.#watch(result);
    } catch (error) {
      this.#handlerFailed(error);
    }
  }

  /** An async handler's promise: a rejection is a handler failure. */
  #watch(result: unknown): void {
    if (typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(undefined, (error: unknown) => this.#handlerFailed(error));
    }
  }

  #handlerFailed(thrown: unknown): void {
    const error = new WirekitError('WK_ERR_WS_HANDLER', `a WebSocket handler failed: ${String(thrown)}`, {
      cause: thrown,
    });
    this.#report(error, true);
    if (this.#state === OPEN) this.close(CloseCode.InternalError);
  }

  /** Destroys the transport for a reason of ours (a timeout), reported once. */
  #destroy(error: Error): void {
    this.#ownError = error;
    this.#report(error, false);
    this.#transport.destroy(error);
  }

  #report(error: Error, toApplication: boolean): void {
    if (webSocketChannels.error.hasSubscribers) webSocketChannels.error.publish({ ws: this, error });
    if (!toApplication) return;
    try {
      this.#options.onError(error);
    } catch {
      // A failing error hook must not take the connection down with it.
    }
  }
}
