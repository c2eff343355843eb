/**
 * The closing handshake (RFC 6455 §7) of one connection: who sent a close frame, what code to
 * report, who closes TCP (the server, §7.1.1; a failed connection closes at once, §7.1.7), and the
 * deadline after which TCP is destroyed anyway.
 */
import { TimeoutError, WirekitError } from '../errors.js';
import { deferred } from '../util/deferred.js';
import { type TimerHandle, timerWheel } from '../util/timer-wheel.js';
import { serializeClosePayload } from './codec/close-payload.js';
import { CloseCode } from './codec/constants.js';
import type { FrameFailure, WebSocketRole } from './codec/frame-parser.js';
import type { Sender } from './sender.js';
import type { WebSocketTransport } from './transport.js';

/**
 * The connection is open: messages go both ways.
 *
 * @example
 * ```ts
 * if (closing.state === OPEN) closing.close(serializeClosePayload(1000));
 * ```
 */
export const OPEN = 1;
/**
 * A close frame went one way or both: no more messages; TCP closes next.
 *
 * @example
 * ```ts
 * closing.state === CLOSING; // a close frame went one way
 * ```
 */
export const CLOSING = 2;
/**
 * TCP is closed.
 *
 * @example
 * ```ts
 * closing.state === CLOSED; // TCP is closed
 * ```
 */
export const CLOSED = 3;

const EMPTY = Buffer.alloc(0);

/**
 * What the handshake tells its connection: one object shared by every connection.
 *
 * @example
 * ```ts
 * const events: ClosingEvents<Conn> = { leftOpen: (c) => c.stopLiveness(), report: (c, e) => c.report(e) };
 * ```
 */
export interface ClosingEvents<O> {
  /** The connection is no longer open (a close frame went either way, or the peer left). */
  leftOpen(owner: O): void;
  /** Something to report (a protocol failure, a timeout of ours, a transport error). */
  report(owner: O, error: Error): void;
}

/**
 * The state of one connection's closing.
 *
 * @example
 * ```ts
 * const closing = new ClosingHandshake(transport, sender, 'server', 10_000, connection, events);
 * closing.close(serializeClosePayload(1000));
 * ```
 */
export class ClosingHandshake<O> {
  /** OPEN, CLOSING or CLOSED. */
  state = OPEN;
  /** The peer's close code, or ours when we failed the connection; undefined: none (1006). */
  code: number | undefined;
  reason = '';
  readonly #transport: WebSocketTransport;
  readonly #sender: Sender<O>;
  readonly #role: WebSocketRole;
  readonly #timeoutMs: number;
  readonly #owner: O;
  readonly #events: ClosingEvents<O>;
  #timer: TimerHandle | undefined;
  #ownError: Error | undefined;
  #closed: Promise<{ code: number; reason: string }> | undefined;
  #resolveClosed: ((value: { code: number; reason: string }) => void) | undefined;

  constructor(
    transport: WebSocketTransport,
    sender: Sender<O>,
    role: WebSocketRole,
    timeoutMs: number,
    owner: O,
    events: ClosingEvents<O>,
  ) {
    this.#transport = transport;
    this.#sender = sender;
    this.#role = role;
    this.#timeoutMs = timeoutMs;
    this.#owner = owner;
    this.#events = events;
  }

  /** Resolves with the code and reason once closed (made on first use). */
  whenClosed(): Promise<{ code: number; reason: string }> {
    if (this.#closed === undefined) {
      const settled = { code: this.code ?? CloseCode.Abnormal, reason: this.reason };
      const d = deferred<{ code: number; reason: string }>();
      this.#closed = this.state === CLOSED ? Promise.resolve(settled) : d.promise;
      this.#resolveClosed = d.resolve;
    }
    return this.#closed;
  }

  /** Our close frame (RFC 6455 §7.1.2), after what was sent before; no effect unless open. */
  close(payload: Uint8Array): void {
    if (this.state !== OPEN) return;
    this.#leaveOpen();
    this.#sender.close(payload);
    this.#armDeadline();
  }

  /** The peer's close frame: answered (echoing its code and reason); the server then closes TCP. */
  peerClosed(code: number, reason: string): void {
    this.code = code;
    this.reason = reason;
    if (this.state === OPEN) {
      this.#leaveOpen();
      this.#sender.close(code === CloseCode.NoStatus ? EMPTY : serializeClosePayload(code, reason));
    }
    // The server closes TCP first; the client waits for it (up to the deadline).
    if (this.#role === 'server') this.#sender.end();
    this.#armDeadline();
  }

  /** Fails the connection (RFC 6455 §7.1.7): our close frame with the code, then TCP closes. */
  fail(failure: FrameFailure, remoteAddress: WebSocketTransport['remoteAddress']): void {
    this.#events.report(this.#owner, new WirekitError(failure.errorCode, failure.message, { remoteAddress }));
    if (this.state === OPEN) {
      this.#leaveOpen();
      this.code = failure.closeCode;
      this.#sender.close(serializeClosePayload(failure.closeCode));
    }
    this.#sender.end();
    this.#armDeadline();
  }

  /** The peer ended its side: the handshake is over, or the peer left without one (1006). */
  peerEnded(): void {
    if (this.state === OPEN) this.#leaveOpen();
    this.#sender.end();
    this.#armDeadline();
  }

  /** Destroys the transport for a reason of ours (a timeout), reported once. */
  destroy(error: Error): void {
    this.#ownError = error;
    this.#events.report(this.#owner, error);
    this.#transport.destroy(error);
  }

  /**
   * The transport closed. Returns the code to report, or undefined if it was already handled.
   * Its own failures (a reset) are reported; the ones we caused were reported when we did.
   */
  transportClosed(error: Error | undefined): number | undefined {
    if (this.state === CLOSED) return undefined;
    if (this.state === OPEN) this.#events.leftOpen(this.#owner);
    this.state = CLOSED;
    this.#timer?.cancel();
    const ours = error === this.#ownError || error?.cause === this.#ownError;
    const closedByUs = error instanceof WirekitError && error.code === 'WK_ERR_SOCKET_CLOSED';
    if (error !== undefined && !ours && !closedByUs) this.#events.report(this.#owner, error);
    const code = this.code ?? CloseCode.Abnormal;
    this.#resolveClosed?.({ code, reason: this.reason });
    return code;
  }

  #leaveOpen(): void {
    this.state = CLOSING;
    this.#events.leftOpen(this.#owner);
  }

  #armDeadline(): void {
    if (this.#timer !== undefined || this.state === CLOSED) return;
    const ms = this.#timeoutMs;
    this.#timer = timerWheel.after(ms, () => {
      if (this.state !== CLOSED) {
        this.destroy(new TimeoutError('WK_ERR_CLOSE_TIMEOUT', `the closing handshake took more than ${ms} ms`));
      }
    });
  }
}
