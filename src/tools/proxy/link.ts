/**
 * One direction of one proxied connection: a reader that queues chunks (bounded: past
 * `maxBufferedBytes` it stops reading, so the sender feels backpressure) and a pump that passes
 * each chunk through the faults in force, writing to the other side with backpressure.
 *
 * Faults are looked at again whenever they change, so a change applies to the chunk being held
 * (a removed latency lets it go at once) and nothing is lost: chunks only leave the queue when
 * written. Latency is a pipeline delay: each chunk leaves `ms` after it *arrived*, as in Toxiproxy.
 */
import type { Connection } from '../../net/connection.js';
import { Fifo } from '../../util/fifo.js';
import type { Direction, Fault, FaultAttributes } from './faults.js';
import type { SeededRandom } from './random.js';

/** What a link may do to its whole connection. */
export interface LinkOwner {
  /** Close both sides (FIN after pending writes). */
  close(): void;
  /** Reset both sides (RST). */
  reset(): void;
  /** A socket failed: end the connection accordingly. */
  fail(error: unknown, from: Connection): void;
  /** Counts bytes written on in `direction`. */
  forwarded(direction: Direction, bytes: number): void;
}

interface Item {
  bytes: Uint8Array | null;
  at: number;
  delays?: Map<Fault, { version: number; ms: number }>;
}

interface FaultState {
  readonly fault: Fault;
  version: number;
  applies: boolean;
  /** Bytes forwarded while this fault applied (stall, reset and limitData count them). */
  passed: number;
  timer: NodeJS.Timeout | undefined;
  triggered: boolean;
}

type Step = { wait: number } | { write: number; pauseMs: number } | 'stop';

const FOREVER = Number.POSITIVE_INFINITY;

export class Link {
  readonly direction: Direction;
  readonly #source: Connection;
  readonly #dest: Connection;
  readonly #owner: LinkOwner;
  readonly #random: SeededRandom;
  readonly #maxBufferedBytes: number;
  readonly #queue = new Fifo<Item>();
  #queuedBytes = 0;
  #states = new Map<Fault, FaultState>();
  #pauseUntil = 0;
  #eofAt: number | undefined;
  #stopped = false;
  #wakePump: (() => void) | undefined;
  #sleepTimer: NodeJS.Timeout | undefined;
  #wakeReader: (() => void) | undefined;

  constructor(
    direction: Direction,
    ends: { source: Connection; dest: Connection },
    owner: LinkOwner,
    random: SeededRandom,
    maxBufferedBytes: number,
  ) {
    this.direction = direction;
    this.#source = ends.source;
    this.#dest = ends.dest;
    this.#owner = owner;
    this.#random = random;
    this.#maxBufferedBytes = maxBufferedBytes;
  }

  /** Starts reading and forwarding with `faults` (all directions; this link keeps its own). */
  start(faults: readonly Fault[]): void {
    this.refresh(faults);
    void this.#read();
    void this.#pump();
  }

  /** Bytes read from the source and not yet written on. */
  get bufferedBytes(): number {
    return this.#queuedBytes;
  }

  /** The faults changed: keep state for those still there, draw toxicity for new or updated ones. */
  refresh(faults: readonly Fault[]): void {
    if (this.#stopped) return;
    const next = new Map<Fault, FaultState>();
    for (const fault of faults) {
      if (fault.direction !== this.direction) continue;
      const known = this.#states.get(fault);
      const state = known ?? { fault, version: -1, applies: false, passed: 0, timer: undefined, triggered: false };
      if (state.version !== fault.version) {
        state.version = fault.version;
        state.applies = this.#random.chance(fault.toxicity);
        clearTimeout(state.timer);
        state.timer = undefined;
        state.triggered = false;
      }
      next.set(fault, state);
    }
    for (const [fault, state] of this.#states) if (!next.has(fault)) clearTimeout(state.timer);
    this.#states = next;
    for (const state of next.values()) this.#arm(state);
    this.#wake();
  }

  /** Stops for good: timers cleared, waits released. The owner closes the sockets. */
  stop(): void {
    this.#stopped = true;
    for (const state of this.#states.values()) clearTimeout(state.timer);
    this.#wake();
    this.#wakeReader?.();
  }

  // ---- reading ----

  async #read(): Promise<void> {
    try {
      for (;;) {
        while (this.#queuedBytes >= this.#maxBufferedBytes && !this.#stopped) {
          await new Promise<void>((resolve) => {
            this.#wakeReader = resolve;
          });
        }
        if (this.#stopped) return;
        const bytes = await this.#source.read();
        this.#queue.push({ bytes, at: performance.now() });
        if (bytes === null) break;
        this.#queuedBytes += bytes.byteLength;
        this.#wake();
      }
      this.#wake();
    } catch (error) {
      if (!this.#stopped) this.#owner.fail(error, this.#source);
    }
  }

  // ---- forwarding ----

  async #pump(): Promise<void> {
    for (;;) {
      const item = this.#queue.at(0);
      if (this.#stopped) return;
      if (item === undefined) {
        await this.#sleep(FOREVER);
        continue;
      }
      if (item.bytes === null) {
        await this.#finish();
        return;
      }
      if (!(await this.#forward(item as Item & { bytes: Uint8Array }))) return;
      this.#queue.shift();
      this.#queuedBytes -= item.bytes.byteLength;
      const wake = this.#wakeReader;
      this.#wakeReader = undefined;
      wake?.();
    }
  }

  /** Writes one chunk through the faults; false when the connection ended meanwhile. */
  async #forward(item: Item & { bytes: Uint8Array }): Promise<boolean> {
    let rest = item.bytes;
    while (rest.byteLength > 0) {
      if (this.#stopped) return false;
      const step = this.#plan(rest, item);
      if (step === 'stop') return false;
      if ('wait' in step) {
        await this.#sleep(step.wait);
        continue;
      }
      const piece = rest.subarray(0, step.write);
      try {
        await this.#dest.write(piece);
      } catch (error) {
        if (!this.#stopped) this.#owner.fail(error, this.#dest);
        return false;
      }
      rest = rest.subarray(step.write);
      this.#owner.forwarded(this.direction, step.write);
      this.#pauseUntil = performance.now() + step.pauseMs;
      for (const state of this.#states.values()) if (state.applies) state.passed += step.write;
      if (this.#limitReached()) {
        this.#owner.close();
        return false;
      }
      for (const state of this.#states.values()) this.#arm(state);
    }
    return true;
  }

  /** What to do next with `rest`: wait, write so many bytes (then pause), or stop. */
  #plan(rest: Uint8Array, item: Item): Step {
    const now = performance.now();
    let size = rest.byteLength;
    let pauseMs = 0;
    let pacing = false;
    let wait = 0;
    const slicers: FaultAttributes['slicer'][] = [];
    const rates: number[] = [];
    for (const state of this.#states.values()) {
      if (!state.applies) continue;
      const f = state.fault;
      switch (f.type) {
        case 'stall': {
          const room = stallRoom(f.attributes as FaultAttributes['stall'], state);
          if (room <= 0) return { wait: FOREVER };
          size = Math.min(size, room);
          break;
        }
        case 'reset': {
          if (state.triggered) return { wait: FOREVER };
          const room = resetRoom(f.attributes as FaultAttributes['reset'], state);
          if (room <= 0) {
            this.#trigger(state);
            return { wait: FOREVER };
          }
          size = Math.min(size, room);
          break;
        }
        case 'limitData':
          size = Math.min(size, Math.max(0, (f.attributes as FaultAttributes['limitData']).bytes - state.passed));
          break;
        case 'latency': {
          const due = item.at + this.#delay(item, f as Fault<'latency'>);
          wait = Math.max(wait, due - now);
          break;
        }
        case 'slicer':
          slicers.push(f.attributes as FaultAttributes['slicer']);
          pacing = true;
          break;
        case 'bandwidth': {
          const perSecond = (f.attributes as FaultAttributes['bandwidth']).bytesPerSecond;
          if (perSecond === 0) break;
          // A tenth of a second's worth per write, as Toxiproxy does: the rate holds at any scale.
          size = Math.min(size, Math.max(1, Math.ceil(perSecond / 10)));
          rates.push(perSecond);
          pacing = true;
          break;
        }
        case 'slowClose':
          break;
      }
    }
    if (wait > 0) return { wait };
    if (pacing && this.#pauseUntil > now) return { wait: this.#pauseUntil - now };
    // Slice sizes are drawn only for a write, so a seeded run draws the same numbers however often it waited.
    for (const slicer of slicers) {
      const variation = slicer.variationBytes ?? 0;
      const slice = Math.round(slicer.averageBytes + this.#random.between(-variation, variation));
      size = Math.min(size, Math.max(1, slice));
      pauseMs += slicer.delayMs ?? 0;
    }
    for (const perSecond of rates) pauseMs += (size * 1000) / perSecond;
    if (size === 0) {
      this.#owner.close();
      return 'stop';
    }
    return { write: size, pauseMs };
  }

  /** The end of the stream: held by a stall, turned into a reset, delayed by slowClose; then FIN. */
  async #finish(): Promise<void> {
    this.#eofAt ??= performance.now();
    for (;;) {
      if (this.#stopped) return;
      const wait = this.#eofWait();
      if (wait <= 0) break;
      await this.#sleep(wait);
    }
    try {
      await this.#dest.end();
    } catch (error) {
      if (!this.#stopped) this.#owner.fail(error, this.#dest);
    }
  }

  #eofWait(): number {
    let wait = 0;
    for (const state of this.#states.values()) {
      if (!state.applies) continue;
      const f = state.fault;
      if (f.type === 'stall' && stallRoom(f.attributes as FaultAttributes['stall'], state) <= 0) return FOREVER;
      if (f.type === 'reset') {
        // Toxiproxy's reset_peer fires on the end of stream too.
        this.#trigger(state);
        return FOREVER;
      }
      if (f.type === 'slowClose') {
        const due = (this.#eofAt ?? 0) + (f.attributes as FaultAttributes['slowClose']).delayMs;
        wait = Math.max(wait, due - performance.now());
      }
    }
    return wait;
  }

  #limitReached(): boolean {
    for (const state of this.#states.values()) {
      if (!state.applies || state.fault.type !== 'limitData') continue;
      if (state.passed >= (state.fault.attributes as FaultAttributes['limitData']).bytes) return true;
    }
    return false;
  }

  #delay(item: Item, fault: Fault<'latency'>): number {
    item.delays ??= new Map();
    const known = item.delays.get(fault);
    if (known !== undefined && known.version === fault.version) return known.ms;
    const jitter = fault.attributes.jitterMs ?? 0;
    const ms = Math.max(0, fault.attributes.ms + this.#random.between(-jitter, jitter));
    item.delays.set(fault, { version: fault.version, ms });
    return ms;
  }

  /** Starts the timers a fault runs on its own: a stall's close, a reset's afterMs. */
  #arm(state: FaultState): void {
    if (!state.applies || state.timer !== undefined || state.triggered || this.#stopped) return;
    const f = state.fault;
    if (f.type === 'stall') {
      const a = f.attributes as FaultAttributes['stall'];
      const closeAfterMs = a.closeAfterMs ?? 0;
      if (closeAfterMs > 0 && stallRoom(a, state) <= 0) {
        state.timer = setTimeout(() => this.#owner.close(), closeAfterMs);
      }
    } else if (f.type === 'reset') {
      const afterMs = (f.attributes as FaultAttributes['reset']).afterMs;
      if (afterMs !== undefined) state.timer = setTimeout(() => this.#trigger(state), afterMs);
    }
  }

  #trigger(state: FaultState): void {
    if (state.triggered || this.#stopped) return;
    state.triggered = true;
    clearTimeout(state.timer);
    const delayMs = (state.fault.attributes as FaultAttributes['reset']).delayMs ?? 0;
    state.timer = setTimeout(() => this.#owner.reset(), delayMs);
  }

  /** Resolves after `ms`, or at once when the faults change or the link stops. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wakePump = resolve;
      if (ms !== FOREVER) this.#sleepTimer = setTimeout(() => this.#wake(), Math.max(1, Math.ceil(ms)));
    });
  }

  #wake(): void {
    clearTimeout(this.#sleepTimer);
    this.#sleepTimer = undefined;
    const wake = this.#wakePump;
    this.#wakePump = undefined;
    wake?.();
  }
}

function stallRoom(attributes: FaultAttributes['stall'], state: FaultState): number {
  return (attributes.afterBytes ?? 0) - state.passed;
}

function resetRoom(attributes: FaultAttributes['reset'], state: FaultState): number {
  const afterBytes = attributes.afterBytes ?? (attributes.afterMs === undefined ? 0 : FOREVER);
  return afterBytes - state.passed;
}
