import type { Socket } from 'node:net';
import type { TimerHandle, TimerTarget, TimerWheel } from '../../util/timer-wheel.js';
import { countsFromStart, type DeadlineClock, deadlineOf, type TimeoutKind, wakeAt } from './deadline.js';
import type { ResolvedServeOptions } from './options.js';

/** What a {@link ConnTimer} asks of its connection (the connection itself). */
export interface TimerHost {
  /** The timeout that applies now (deadline.ts `timeoutKind` of the connection's states). */
  timeoutNow(): TimeoutKind;
  /** `kind` expired. */
  timedOut(kind: TimeoutKind): void;
}

/**
 * The deadlines of one connection on one entry of the timer wheel (docs/architecture.md, Timers: no
 * timer per connection). Lazy: the entry is only moved when the deadline that applies now is earlier than
 * the armed one; when it fires, the timeout that applies then is worked out again, and the entry
 * re-armed if its deadline is still ahead.
 *
 * @example
 * ```ts
 * const timer = new ConnTimer(ctx.wheel, ctx.options, connection, socket);
 * timer.headBegins(); // the first byte of a request head arrived
 * timer.arm(); // after every change of the connection's states
 * ```
 */
export class ConnTimer implements DeadlineClock, TimerTarget {
  /** When the first byte of the current request head arrived. */
  headStart = 0;
  /** When the current kind began to apply (for `send`: when the client was last seen reading). */
  since: number;
  /** When the close grace ends (while the server closes). */
  graceEnd = 0;
  readonly #wheel: TimerWheel;
  readonly #options: ResolvedServeOptions;
  readonly #host: TimerHost;
  readonly #socket: Socket;
  readonly #entry: TimerHandle;
  #kind: TimeoutKind = 'idle';
  /** Bytes not yet taken by the client when the `send` timeout last looked. */
  #unsentMark = 0;

  constructor(wheel: TimerWheel, options: ResolvedServeOptions, host: TimerHost, socket: Socket) {
    this.#wheel = wheel;
    this.#options = options;
    this.#host = host;
    this.#socket = socket;
    this.since = wheel.now();
    this.#entry = wheel.after(options.idleTimeoutMs, this);
  }

  /** The wheel's clock. */
  now(): number {
    return this.#wheel.now();
  }

  /** The first byte of a request head arrived: the head and request timeouts count from now. */
  headBegins(): void {
    this.headStart = this.#wheel.now();
  }

  /**
   * A request arrived. The idle timeout counts from the moment the connection is idle again: without
   * this, a request answered at once (the kind stays `idle` from one look to the next) would leave it
   * counting from the first idle moment, and a busy connection would be closed as idle.
   */
  requestArrived(): void {
    if (this.#kind === 'idle') this.#kind = 'none';
  }

  /** Sets the end of the close grace `ms` from now (`Infinity`: none). */
  graceFor(ms: number): void {
    this.graceEnd = this.#wheel.now() + ms;
  }

  get graceOver(): boolean {
    return this.#wheel.now() >= this.graceEnd;
  }

  /** Makes sure the wheel wakes us by the deadline that applies now. */
  arm(): void {
    const deadline = this.#deadline();
    if (deadline === 0) return;
    const wake = this.#kind === 'send' ? wakeAt('send', deadline, this.#wheel.now(), this.#options) : deadline;
    if (!this.#entry.active || this.#entry.deadline > wake) this.#entry.refresh(wake);
  }

  /** Looks again after the reads of this turn of the event loop (its poll phase), not on the wheel. */
  recheckSoon(): void {
    setImmediate(() => this.onTimer());
  }

  cancel(): void {
    this.#entry.cancel();
  }

  /** The deadline of the timeout that applies now; 0 for none. */
  #deadline(): number {
    const kind = this.#host.timeoutNow();
    if (kind !== this.#kind) {
      this.#kind = kind;
      if (countsFromStart(kind)) this.since = this.#wheel.now();
      if (kind === 'send') this.#unsentMark = unsentBytes(this.#socket);
    } else if (kind === 'send') {
      // The client read something since the last look: the wait counts from now.
      const unsent = unsentBytes(this.#socket);
      if (unsent < this.#unsentMark) this.since = this.#wheel.now();
      this.#unsentMark = unsent;
    }
    return deadlineOf(kind, this, this.#options);
  }

  /** @internal The wheel's call: the timeout that applies now is due, or the entry moves on. */
  onTimer(): void {
    const deadline = this.#deadline();
    if (deadline === 0) return;
    const now = this.#wheel.now();
    if (deadline > now) this.#entry.refresh(wakeAt(this.#kind, deadline, now, this.#options));
    else this.#host.timedOut(this.#kind);
  }
}

/**
 * Bytes written and not yet taken by the kernel: Node's buffer, plus what libuv still holds of the
 * write in progress (a large body is one write, and Node's buffer counts it until all of it is
 * sent). It only falls when the client reads; node's own socket timeout watches `writeQueueSize`
 * the same way. Sockets without it (TLS) show progress per completed write.
 */
function unsentBytes(socket: Socket): number {
  const queued = (socket as unknown as { _handle?: { writeQueueSize?: unknown } })._handle?.writeQueueSize;
  return socket.writableLength + (typeof queued === 'number' ? queued : 0);
}
