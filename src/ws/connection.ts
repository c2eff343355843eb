/**
 * `WebSocketConnection`: one WebSocket, either end (the role is a parameter), over any
 * {@link WebSocketTransport}. It is the public face of four parts: the {@link Receiver} (parser,
 * inflation, the `for await` queue), the {@link Sender} (framing, batching, backpressure), the
 * {@link ClosingHandshake} and the {@link Liveness} checks; this class ties them to the
 * application's handlers, the topics and the diagnostics channels.
 *
 * Memory (see docs/websockets.md): the parts reach this object through tables shared by all connections (no
 * closure per callback), liveness through a sweeper shared by the endpoint (no timer per
 * connection); queues, topics and promises exist only once used.
 */
import { WirekitError } from '../errors.js';
import { timerWheel } from '../util/timer-wheel.js';
import { CLOSED, type ClosingEvents, ClosingHandshake, OPEN } from './closing.js';
import { serializeClosePayload } from './codec/close-payload.js';
import { CloseCode, Opcode } from './codec/constants.js';
import type { WebSocketRole } from './codec/frame-parser.js';
import { setConnectionInternals, TransportEvents } from './connection-events.js';
import { PerMessageDeflate } from './deflate.js';
import { type WebSocketCloseMessage, webSocketChannels } from './diagnostics.js';
import { callHandler } from './handler-calls.js';
import type {
  ConnectionRegistry,
  OutgoingMessage,
  SharedMessage,
  WebSocketHandlers,
  WebSocketInit,
} from './handlers.js';
import type { ReceivedMessage } from './inbox.js';
import { Liveness, type LivenessEvents, type LivenessSweeper, sweeperFor } from './liveness.js';
import type { ResolvedWebSocketOptions } from './options.js';
import { PAUSE_USER, Receiver, type ReceiverEvents } from './receiver.js';
import { OVER_LIMIT, SENT, Sender, type SenderEvents } from './sender.js';
import { Subscriptions } from './subscriptions.js';
import type { WebSocketTransport } from './transport.js';

type AnyConnection = WebSocketConnection<unknown>;

const TRUE = Promise.resolve(true);
const FALSE = Promise.resolve(false);
const EMPTY = Buffer.alloc(0);

// What the parts tell a connection: tables the class fills in, shared by every connection.
let SENDER_EVENTS: SenderEvents<AnyConnection>;
let RECEIVER_EVENTS: ReceiverEvents<AnyConnection>;
let LIVENESS_EVENTS: LivenessEvents<AnyConnection>;
let CLOSING_EVENTS: ClosingEvents<AnyConnection>;
let HANDLER_FAILED: (ws: AnyConnection, error: unknown) => void;

/**
 * Delivers a shared message to one connection (the topic registry's side door).
 *
 * @example
 * ```ts
 * deliverShared(ws, preparedMessage); // false when refused
 * ```
 */
export let deliverShared: (ws: AnyConnection, message: SharedMessage) => boolean;
/**
 * Starts a connection made with `new`: registers it, runs `open`, starts reading.
 *
 * @example
 * ```ts
 * const ws = new WebSocketConnection(transport, init);
 * startConnection(ws);
 * ```
 */
export let startConnection: (ws: AnyConnection) => void;

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
  readonly #receiver: Receiver<AnyConnection>;
  readonly #sender: Sender<AnyConnection>;
  readonly #closing: ClosingHandshake<AnyConnection>;
  readonly #deflate: PerMessageDeflate | undefined;
  readonly #sweeper: LivenessSweeper | undefined;
  #liveness: Liveness<AnyConnection> | undefined;
  #topics: Subscriptions | undefined;
  #openedAt = 0;

  static {
    deliverShared = (ws, message) => ws.#deliverShared(message);
    startConnection = (ws) => ws.#start();
    setConnectionInternals({
      data: (ws, chunk) => ws.#onData(chunk),
      end: (ws) => ws.#closing.peerEnded(),
      closed: (ws, error) => ws.#onClosed(error),
    });
    SENDER_EVENTS = { drained: (ws) => ws.#call(ws.#handlers.drain, undefined, undefined) };
    RECEIVER_EVENTS = {
      message: (ws, data, isText) => ws.#deliver(data, isText),
      ping: (ws, payload) => {
        if (ws.#closing.state === OPEN) ws.#sender.control(Opcode.Pong, payload);
      },
      closeFrame: (ws, code, reason) => ws.#closing.peerClosed(code, reason),
      fail: (ws, failure) => ws.#closing.fail(failure, ws.remoteAddress),
    };
    LIVENESS_EVENTS = {
      ping: (ws) => ws.ping(),
      timedOut: (ws, error) => ws.#closing.destroy(error),
      idle: (ws) => ws.close(CloseCode.GoingAway, 'idle timeout'),
    };
    HANDLER_FAILED = (ws, error) => ws.#handlerFailed(error);
    CLOSING_EVENTS = {
      leftOpen: (ws) => ws.#stopLiveness(),
      report: (ws, error) => ws.#report(error, false),
    };
  }

  constructor(transport: WebSocketTransport, init: WebSocketInit<D>) {
    const { options, role } = init;
    const self = this as AnyConnection;
    this.#transport = transport;
    this.#options = options;
    this.#handlers = init.handlers;
    this.#registry = init.registry;
    this.data = init.data;
    this.role = role;
    this.protocol = init.protocol ?? '';
    this.extensions = init.extensions ?? '';
    const agreed = init.deflate;
    this.#deflate =
      agreed === undefined || options.deflate === undefined
        ? undefined
        : new PerMessageDeflate(agreed, role, options.deflate);
    this.#receiver = new Receiver(transport, options, role, this.#deflate, self, RECEIVER_EVENTS);
    this.#sender = new Sender(transport, options, role, this.#deflate, self, SENDER_EVENTS);
    this.#closing = new ClosingHandshake(transport, this.#sender, role, options.closeTimeoutMs, self, CLOSING_EVENTS);
    this.#sweeper = sweeperFor(options);
  }

  // ---- state ----

  /** 1 OPEN, 2 CLOSING (a close frame went either way), 3 CLOSED. */
  get readyState(): 0 | 1 | 2 | 3 {
    return this.#closing.state as 1 | 2 | 3;
  }

  get remoteAddress() {
    return this.#transport.remoteAddress;
  }

  get localAddress() {
    return this.#transport.localAddress;
  }

  /** Bytes sent but not yet handed to the kernel (or waiting for compression). */
  get bufferedAmount(): number {
    return this.#sender.bufferedAmount;
  }

  /** The close code once closed (the peer's; ours when we failed the connection; 1006 without one). */
  get closeCode(): number | undefined {
    return this.#closing.state === CLOSED ? (this.#closing.code ?? CloseCode.Abnormal) : undefined;
  }

  get closeReason(): string {
    return this.#closing.reason;
  }

  /** Resolves with `{ code, reason }` when the connection has closed (never rejects). */
  get closed(): Promise<{ code: number; reason: string }> {
    return this.#closing.whenClosed();
  }

  /** Messages not sent because of the `'drop'` backpressure policy. */
  get droppedMessages(): number {
    return this.#sender.dropped;
  }

  /** Bytes of frames received. */
  get bytesReceived(): number {
    return this.#receiver.bytesReceived;
  }

  /** Bytes of frames sent. */
  get bytesSent(): number {
    return this.#sender.bytesSent;
  }

  // ---- sending ----

  /**
   * Sends a message (string: text, bytes: binary). Resolves `true` once `bufferedAmount` is at most
   * `sendHighWaterBytes` (at once while the peer keeps up), `false` if the message was refused or
   * the connection closed before that (see `readyState`, `droppedMessages`). Never rejects.
   */
  send(data: OutgoingMessage): Promise<boolean> {
    if (!this.#send(data)) return FALSE;
    return this.#sender.overHighWater ? this.#sender.drained() : TRUE;
  }

  /**
   * Sends without a promise, for hot loops: true when sent and `bufferedAmount` is still at most
   * `sendHighWaterBytes`; false when over it (wait for the `drain` handler or `send()`) or refused.
   */
  sendNow(data: OutgoingMessage): boolean {
    return this.#send(data) && !this.#sender.overHighWater;
  }

  /** Sends a ping (payload ≤ 125 bytes). False when not open. */
  ping(data: OutgoingMessage = EMPTY): boolean {
    if (this.#closing.state !== OPEN) return false;
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    if (payload.length > 125) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'a ping payload is at most 125 bytes');
    this.#sender.control(Opcode.Ping, payload);
    return true;
  }

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2): sends a close frame after what was sent before,
   * then waits up to `closeTimeoutMs` for the peer's; the server end then closes TCP. No effect
   * unless open. Throws `WK_ERR_INVALID_ARGUMENT` for a code that may not be sent or a reason over
   * 123 bytes.
   */
  close(code: number = CloseCode.Normal, reason = ''): void {
    this.#closing.close(serializeClosePayload(code, reason));
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
    const inbox = this.#receiver.inbox();
    return { next: () => inbox.next(), return: () => Promise.resolve({ done: true, value: undefined }) };
  }

  /** Stops reading from the peer (messages, pings) until {@link WebSocketConnection.resume}. */
  pause(): void {
    this.#receiver.setPaused(PAUSE_USER, true);
  }

  resume(): void {
    this.#receiver.setPaused(PAUSE_USER, false);
  }

  // ---- topics ----

  /** Receives what is published to `topic` (on this server, see `WebSocketHub`). */
  subscribe(topic: string): void {
    const registry = this.#requireRegistry();
    if (this.#closing.state === CLOSED) return;
    this.#topics ??= new Subscriptions(registry, this);
    this.#topics.add(topic);
  }

  unsubscribe(topic: string): void {
    this.#topics?.delete(topic);
  }

  isSubscribed(topic: string): boolean {
    return this.#topics?.has(topic) ?? false;
  }

  /** The topics this connection is subscribed to. */
  get topics(): string[] {
    return this.#topics?.list() ?? [];
  }

  /** Publishes to every subscriber of `topic` but this connection; returns how many got it. */
  publish(topic: string, data: OutgoingMessage): number {
    return this.#requireRegistry().publish?.(topic, data, this) ?? 0;
  }

  // ---- internals ----

  #start(): void {
    this.#openedAt = timerWheel.now();
    this.#registry?.opened(this);
    if (webSocketChannels.open.hasSubscribers) webSocketChannels.open.publish({ ws: this });
    if (this.#sweeper !== undefined && this.#closing.state === OPEN) {
      this.#liveness = new Liveness(this.#options, this.#receiver, this, LIVENESS_EVENTS, this.#openedAt);
      this.#sweeper.add(this.#liveness);
    }
    this.#call(this.#handlers.open, undefined, undefined);
    this.#transport.start(new TransportEvents(this));
  }

  #onData(chunk: Buffer): void {
    // Frames this read causes us to send leave together, in one write (see Sender).
    this.#sender.beginRead();
    try {
      this.#receiver.push(chunk);
    } finally {
      this.#sender.endRead();
    }
  }

  #onClosed(error: Error | undefined): void {
    const code = this.#closing.transportClosed(error);
    if (code === undefined) return;
    const reason = this.#closing.reason;
    this.#sender.closed();
    this.#deflate?.close();
    this.#receiver.closed();
    this.#topics?.clear();
    this.#registry?.closed(this);
    if (webSocketChannels.close.hasSubscribers) {
      const message: WebSocketCloseMessage = {
        ws: this,
        code,
        reason,
        bytesIn: this.#receiver.bytesReceived,
        bytesOut: this.#sender.bytesSent,
        durationMs: timerWheel.now() - this.#openedAt,
      };
      webSocketChannels.close.publish(message);
    }
    this.#call(this.#handlers.close, code, reason);
  }

  #stopLiveness(): void {
    if (this.#liveness === undefined) return;
    this.#sweeper?.delete(this.#liveness);
    this.#liveness = undefined;
  }

  /** A message either way, for the idle timeout. */
  #touch(): void {
    if (this.#liveness !== undefined && this.#options.idleTimeoutMs !== 0)
      this.#liveness.lastActivity = timerWheel.now();
  }

  /** A message for the handler; false when there is none (the receiver queues it for `for await`). */
  #deliver(message: ReceivedMessage, isText: boolean): boolean {
    this.#touch();
    const handlers = this.#handlers;
    if (handlers.message === undefined) return false;
    this.#call(handlers.message, message, !isText);
    return true;
  }

  /** True when the message went out (or is queued in order); false when refused. */
  #send(data: OutgoingMessage): boolean {
    if (this.#closing.state !== OPEN) return false;
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'send() takes a string or bytes');
    }
    this.#touch();
    return this.#sent(this.#sender.message(data));
  }

  #deliverShared(message: SharedMessage): boolean {
    if (this.#closing.state !== OPEN) return false;
    const sent = this.#sender.shared(message);
    if (sent !== undefined) return this.#sent(sent);
    // Framed for this connection alone (a client's mask, a compressor with context).
    return this.#send(message.opcode === Opcode.Text ? Buffer.from(message.data).toString() : message.data);
  }

  /** What the sender did: true when sent; under the 'close' policy a peer too far behind gets 1013. */
  #sent(result: number): boolean {
    if (result === SENT) return true;
    if (result === OVER_LIMIT) {
      const message = `more than ${this.#options.maxBufferedBytes} bytes buffered for a peer that does not read`;
      this.#report(new WirekitError('WK_ERR_WS_BACKPRESSURE', message), false);
      this.close(CloseCode.TryAgainLater, 'too slow');
    }
    return false;
  }

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
    callHandler(
      handler,
      this.#handlers,
      this,
      a,
      b,
      HANDLER_FAILED as (ws: WebSocketConnection<D>, e: unknown) => void,
    );
  }

  #handlerFailed(thrown: unknown): void {
    const message = `a WebSocket handler failed: ${String(thrown)}`;
    this.#report(new WirekitError('WK_ERR_WS_HANDLER', message, { cause: thrown }), true);
    if (this.#closing.state === OPEN) this.close(CloseCode.InternalError);
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
