/**
 * Liveness without a timer per connection: the connections of one endpoint (one options object)
 * share a sweeper, one entry on the shared timer wheel, that visits them every `periodMs` (a
 * quarter of the shortest of the ping interval, pong timeout and idle timeout, at least the wheel's
 * resolution). A visit costs a few comparisons; a connection holds no timer of its own while open,
 * which keeps an idle connection small.
 */
import { TimeoutError } from '../errors.js';
import { type TimerHandle, timerWheel } from '../util/timer-wheel.js';
import type { ResolvedWebSocketOptions } from './options.js';

/**
 * What a sweeper visits.
 *
 * @example
 * ```ts
 * sweeper.add({ sweep: (now) => console.log('visited at', now) });
 * ```
 */
export interface Sweepable {
  /** Called every `periodMs` with the wheel's clock. */
  sweep(now: number): void;
}

/**
 * One timer for many connections.
 *
 * @example
 * ```ts
 * const sweeper = sweeperFor(options); sweeper?.add(connection); // … sweeper.delete(connection)
 * ```
 */
export class LivenessSweeper {
  readonly periodMs: number;
  readonly #members = new Set<Sweepable>();
  #timer: TimerHandle | undefined;

  constructor(periodMs: number) {
    this.periodMs = periodMs;
  }

  get size(): number {
    return this.#members.size;
  }

  add(member: Sweepable): void {
    this.#members.add(member);
    if (this.#timer === undefined) this.#timer = timerWheel.after(this.periodMs, () => this.#sweep());
    else if (!this.#timer.active) this.#timer.refresh(timerWheel.now() + this.periodMs);
  }

  delete(member: Sweepable): void {
    this.#members.delete(member);
    if (this.#members.size === 0) this.#timer?.cancel();
  }

  #sweep(): void {
    const now = timerWheel.now();
    for (const member of this.#members) member.sweep(now);
    if (this.#members.size > 0) this.#timer?.refresh(now + this.periodMs);
  }
}

const sweepers = new WeakMap<ResolvedWebSocketOptions, LivenessSweeper>();

/**
 * The sweeper of the connections made with `options`, or undefined when they need none (no pings,
 * no idle timeout).
 *
 * @example
 * ```ts
 * sweeperFor(resolveWebSocketOptions({ pingIntervalMs: 0 })); // undefined
 * ```
 */
export function sweeperFor(options: ResolvedWebSocketOptions): LivenessSweeper | undefined {
  const spans = [options.pingIntervalMs, options.pingIntervalMs && options.pongTimeoutMs, options.idleTimeoutMs];
  const shortest = Math.min(...spans.filter((ms) => ms > 0));
  if (!Number.isFinite(shortest)) return undefined;
  let sweeper = sweepers.get(options);
  if (sweeper === undefined) {
    sweeper = new LivenessSweeper(Math.max(shortest / 4, timerWheel.resolutionMs));
    sweepers.set(options, sweeper);
  }
  return sweeper;
}

/**
 * What a connection's liveness asks of it: one object shared by every connection.
 *
 * @example
 * ```ts
 * const events: LivenessEvents<Conn> = { ping: (c) => c.ping(), timedOut: (c, e) => c.destroy(e), idle: (c) => c.close(1001) };
 * ```
 */
export interface LivenessEvents<O> {
  /** Send a ping: nothing was received for `pingIntervalMs`. */
  ping(owner: O): void;
  /** No pong (nor anything else) within `pongTimeoutMs` of a ping. */
  timedOut(owner: O, error: TimeoutError): void;
  /** No message either way for `idleTimeoutMs`. */
  idle(owner: O): void;
}

/**
 * One open connection's liveness, visited by its endpoint's sweeper: a ping after `pingIntervalMs`
 * with nothing received (anything received proves the peer alive), a drop when no answer comes
 * within `pongTimeoutMs`, a close after `idleTimeoutMs` without a message either way.
 *
 * @example
 * ```ts
 * const liveness = new Liveness(options, receiver, connection, events, timerWheel.now());
 * sweeperFor(options)?.add(liveness);
 * ```
 */
export class Liveness<O> implements Sweepable {
  /** When a message last went either way (kept only with an idle timeout). */
  lastActivity: number;
  readonly #options: ResolvedWebSocketOptions;
  readonly #input: { received: boolean };
  readonly #owner: O;
  readonly #events: LivenessEvents<O>;
  #awaitingPong = false;
  #silentSince: number;
  #pongDeadline = 0;

  constructor(
    options: ResolvedWebSocketOptions,
    input: { received: boolean },
    owner: O,
    events: LivenessEvents<O>,
    now: number,
  ) {
    this.#options = options;
    this.#input = input;
    this.#owner = owner;
    this.#events = events;
    this.lastActivity = now;
    this.#silentSince = now;
  }

  sweep(now: number): void {
    const o = this.#options;
    if (o.idleTimeoutMs !== 0 && now - this.lastActivity >= o.idleTimeoutMs) {
      this.#events.idle(this.#owner);
      return;
    }
    if (o.pingIntervalMs === 0) return;
    if (this.#input.received) {
      this.#input.received = false;
      this.#awaitingPong = false;
      this.#silentSince = now;
    } else if (this.#awaitingPong) {
      if (now >= this.#pongDeadline) {
        this.#events.timedOut(
          this.#owner,
          new TimeoutError('WK_ERR_WS_PONG_TIMEOUT', `no pong within ${o.pongTimeoutMs} ms`),
        );
      }
    } else if (now - this.#silentSince >= o.pingIntervalMs) {
      this.#events.ping(this.#owner);
      this.#awaitingPong = true;
      this.#pongDeadline = now + o.pongTimeoutMs;
    }
  }
}
