/**
 * One coarse shared timer for many deadlines (idle, connect, header, keep-alive timeouts).
 *
 * Why: a timer per connection, re-armed on every read and write, costs a timer-list operation per
 * chunk. Here a deadline is an entry in a bucket keyed by its slot (`ceil(deadline / resolution)`);
 * one interval ticks every `resolutionMs` while entries exist and fires the buckets whose time has
 * come. Callers that see constant activity (idle timeouts) do not touch the wheel per chunk: they
 * store a timestamp and, when their entry fires, re-arm it for `lastActivity + timeout` if that is
 * still in the future.
 *
 * Granularity: a callback never runs before its deadline, and runs at most about two resolutions
 * after it (≤ 200 ms late with the default 100 ms), plus whatever event-loop lag there is.
 * The interval is `unref()`ed (unless an entry asks for `keepAlive`) and cleared as soon as no
 * entry remains, so an idle wheel keeps no timer and never holds the process open.
 *
 * Uses only the `setInterval`/`clearInterval`/`performance` globals: no Node module import.
 */

/**
 * A scheduled callback of a {@link TimerWheel}.
 *
 * @example
 * ```ts
 * const handle: TimerHandle = timerWheel.after(1_000, onTimeout); handle.cancel();
 * ```
 */
export interface TimerHandle {
  /** The deadline, on the wheel's clock (`wheel.now()`), in milliseconds. */
  readonly deadline: number;
  /** True while the callback is scheduled (not yet fired, not cancelled). */
  readonly active: boolean;
  /** Removes the entry; the callback will not run. Safe to call more than once. */
  cancel(): void;
  /** Moves the deadline (earlier or later), re-arming the entry if it already fired or was cancelled. */
  refresh(deadline: number): void;
}

/**
 * An object the wheel calls instead of a function: a long-lived owner of a timer (one per connection)
 * passes itself and costs no closure.
 *
 * @example
 * ```ts
 * class Deadline implements TimerTarget {
 *   onTimer(): void { console.log('expired'); }
 * }
 * timerWheel.after(5_000, new Deadline());
 * ```
 */
export interface TimerTarget {
  onTimer(): void;
}

/**
 * Options of one entry ({@link TimerWheel.add}).
 *
 * @example
 * ```ts
 * timerWheel.after(5_000, () => server.close(), { keepAlive: true });
 * ```
 */
export interface TimerEntryOptions {
  /**
   * Keep the process alive until this entry fires or is cancelled, like a ref'ed `setTimeout`.
   * Default false: like Node's own socket timeouts, a deadline alone does not hold the process open.
   */
  keepAlive?: boolean;
}

/**
 * Options of {@link TimerWheel}.
 *
 * @example
 * ```ts
 * new TimerWheel({ resolutionMs: 10, now: () => fakeClock.now });
 * ```
 */
export interface TimerWheelOptions {
  /** Tick period, in milliseconds. Default 100. */
  resolutionMs?: number;
  /** The clock, in milliseconds (monotonic). Default `performance.now()`. Injectable for tests. */
  now?: () => number;
}

type Bucket = Set<WheelEntry>;

/** What an entry needs from its wheel, without making those methods public on the wheel. */
interface Scheduler {
  schedule(entry: WheelEntry): void;
  unschedule(entry: WheelEntry): void;
}

class WheelEntry implements TimerHandle {
  deadline: number;
  slot = -1;
  readonly keepAlive: boolean;
  readonly #wheel: Scheduler;
  readonly #callback: (() => void) | TimerTarget;

  constructor(wheel: Scheduler, deadline: number, callback: (() => void) | TimerTarget, keepAlive: boolean) {
    this.#wheel = wheel;
    this.deadline = deadline;
    this.#callback = callback;
    this.keepAlive = keepAlive;
  }

  get active(): boolean {
    return this.slot !== -1;
  }

  cancel(): void {
    this.#wheel.unschedule(this);
  }

  refresh(deadline: number): void {
    this.#wheel.unschedule(this);
    this.deadline = deadline;
    this.#wheel.schedule(this);
  }

  run(): void {
    const callback = this.#callback;
    if (typeof callback === 'function') callback();
    else callback.onTimer();
  }
}

/**
 * A shared coarse timer: add deadlines, cancel or move them; one interval serves them all.
 *
 * @example
 * ```ts
 * const wheel = new TimerWheel({ resolutionMs: 50 });
 * const handle = wheel.after(1000, () => console.log('one second, give or take 100 ms'));
 * handle.refresh(wheel.now() + 2000); // push it back
 * handle.cancel(); // or drop it
 * ```
 */
export class TimerWheel {
  readonly resolutionMs: number;
  readonly #now: () => number;
  #interval: ReturnType<typeof setInterval> | undefined;
  // Every slot up to this one has been fired; new entries go strictly after it.
  #lastSlot = 0;
  #size = 0;
  // Entries that hold the process open: the interval is ref'ed while there is one.
  #keepAlive = 0;
  readonly #buckets = new Map<number, Bucket>();
  readonly #scheduler: Scheduler = {
    schedule: (entry) => this.#schedule(entry),
    unschedule: (entry) => this.#unschedule(entry),
  };

  constructor(options: TimerWheelOptions = {}) {
    const resolutionMs = options.resolutionMs ?? 100;
    if (!(resolutionMs > 0)) throw new RangeError('resolutionMs must be a positive number');
    this.resolutionMs = resolutionMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The wheel's clock, in milliseconds. Deadlines are on this clock. */
  now(): number {
    return this.#now();
  }

  /** Number of scheduled entries. */
  get size(): number {
    return this.#size;
  }

  /** True while the shared interval exists (i.e. while entries exist). */
  get running(): boolean {
    return this.#interval !== undefined;
  }

  /** Schedules `callback` (a function, or a {@link TimerTarget}'s `onTimer`) at `deadline` (on {@link TimerWheel.now}'s clock). */
  add(deadline: number, callback: (() => void) | TimerTarget, options: TimerEntryOptions = {}): TimerHandle {
    const entry = new WheelEntry(this.#scheduler, deadline, callback, options.keepAlive ?? false);
    this.#schedule(entry);
    return entry;
  }

  /** Schedules `callback` `delayMs` from now. */
  after(delayMs: number, callback: (() => void) | TimerTarget, options?: TimerEntryOptions): TimerHandle {
    return this.add(this.#now() + delayMs, callback, options);
  }

  #schedule(entry: WheelEntry): void {
    if (this.#interval === undefined) this.#start();
    const slot = Math.max(Math.ceil(entry.deadline / this.resolutionMs), this.#lastSlot + 1);
    const map = this.#buckets;
    let bucket = map.get(slot);
    if (bucket === undefined) {
      bucket = new Set();
      map.set(slot, bucket);
    }
    bucket.add(entry);
    entry.slot = slot;
    this.#size++;
    if (entry.keepAlive) this.#setKeepAlive(+1);
  }

  #unschedule(entry: WheelEntry): void {
    if (entry.slot === -1) return;
    const map = this.#buckets;
    const bucket = map.get(entry.slot);
    bucket?.delete(entry);
    if (bucket?.size === 0) map.delete(entry.slot);
    this.#forget(entry);
    if (this.#size === 0) this.#stop();
  }

  /** Bookkeeping of an entry leaving the wheel (cancelled or fired). */
  #forget(entry: WheelEntry): void {
    entry.slot = -1;
    this.#size--;
    if (entry.keepAlive) this.#setKeepAlive(-1);
  }

  #setKeepAlive(delta: number): void {
    this.#keepAlive += delta;
    if (this.#keepAlive === 0) this.#interval?.unref();
    else if (this.#keepAlive === 1 && delta > 0) this.#interval?.ref();
  }

  #start(): void {
    this.#lastSlot = Math.floor(this.#now() / this.resolutionMs);
    this.#interval = setInterval(() => this.#tick(), this.resolutionMs);
    if (this.#keepAlive === 0) this.#interval.unref();
  }

  #stop(): void {
    clearInterval(this.#interval);
    this.#interval = undefined;
  }

  #tick(): void {
    const map = this.#buckets;
    const current = Math.floor(this.#now() / this.resolutionMs);
    while (this.#lastSlot < current) {
      const slot = ++this.#lastSlot;
      const bucket = map.get(slot);
      if (bucket === undefined) continue;
      map.delete(slot);
      // An earlier callback of this bucket may have cancelled or moved a later entry: skip those.
      for (const entry of bucket) if (entry.slot === slot) this.#fire(entry);
    }
    if (this.#size === 0) this.#stop();
  }

  #fire(entry: WheelEntry): void {
    this.#forget(entry);
    try {
      entry.run();
    } catch (err) {
      // Same contract as setTimeout: a throwing callback is an uncaught exception, but it must not
      // stop the other callbacks of this tick from running.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

/**
 * The process-wide wheel (100 ms resolution) used by the socket layer for idle and connect
 * timeouts. Other layers reuse it for their own timeouts rather than creating timers.
 *
 * @example
 * ```ts
 * const handle = timerWheel.after(5_000, () => conn.destroy());
 * handle.cancel();
 * ```
 */
export const timerWheel: TimerWheel = new TimerWheel();
