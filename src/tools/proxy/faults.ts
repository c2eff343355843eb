/**
 * The faults a TCP fault proxy injects, per direction, and their attributes (with units in their
 * names). Each has a Toxiproxy counterpart; the control API translates (see toxics.ts).
 */
import { WirekitError } from '../../errors.js';

/**
 * Which way the bytes flow: `upstream` is client → server, `downstream` server → client.
 *
 * @example
 * ```ts
 * proxy.add('latency', { ms: 100 }, { direction: 'upstream' });
 * ```
 */
export type Direction = 'upstream' | 'downstream';

/**
 * The attributes of each fault type.
 *
 * @example
 * ```ts
 * const slow: FaultAttributes['latency'] = { ms: 100, jitterMs: 20 };
 * ```
 */
export interface FaultAttributes {
  /** Every chunk leaves `ms` ± `jitterMs` after it arrived (a pipeline delay: throughput is kept). */
  latency: { ms: number; jitterMs?: number };
  /** At most `bytesPerSecond` (0 = no limit), sent in pieces of a tenth of a second's worth. */
  bandwidth: { bytesPerSecond: number };
  /** Writes of `averageBytes` ± `variationBytes`, with `delayMs` between them. */
  slicer: { averageBytes: number; variationBytes?: number; delayMs?: number };
  /**
   * Forwards `afterBytes` (default 0) and then nothing: the proxy stops reading, so the sender
   * feels backpressure and nothing is lost; removing the fault delivers what was held. With
   * `closeAfterMs` > 0 the connection is closed that long after the stall began.
   */
  stall: { afterBytes?: number; closeAfterMs?: number };
  /** The end of the stream (FIN) is passed on `delayMs` late. */
  slowClose: { delayMs: number };
  /** Forwards `bytes` in this direction, then closes the connection (both sides). */
  limitData: { bytes: number };
  /**
   * Resets both sides (RST) once more than `afterBytes` bytes came this way, or `afterMs` after the
   * fault applied to the connection, whichever is first (by default: at the first byte), `delayMs`
   * after that moment. Nothing past `afterBytes` is forwarded.
   */
  reset: { afterBytes?: number; afterMs?: number; delayMs?: number };
}

/**
 * A fault's type name.
 *
 * @example
 * ```ts
 * const type: FaultType = 'bandwidth';
 * ```
 */
export type FaultType = keyof FaultAttributes;

/** Every fault type, in the order a chunk meets them. */
export const FAULT_TYPES: readonly FaultType[] = [
  'stall',
  'reset',
  'limitData',
  'latency',
  'slicer',
  'bandwidth',
  'slowClose',
];

/**
 * Options of `proxy.add()`.
 *
 * @example
 * ```ts
 * proxy.add('reset', { afterBytes: 100 }, { direction: 'upstream', name: 'cut', toxicity: 0.5 });
 * ```
 */
export interface AddFaultOptions {
  /** Default `'downstream'` (Toxiproxy's default stream). */
  direction?: Direction;
  /** Unique per proxy. Default `<type>_<direction>`. */
  name?: string;
  /** Probability (0-1) that the fault applies to a given connection. Default 1. */
  toxicity?: number;
}

const REQUIRED: { readonly [T in FaultType]: readonly (keyof FaultAttributes[T])[] } = {
  latency: ['ms'],
  bandwidth: ['bytesPerSecond'],
  slicer: ['averageBytes'],
  stall: [],
  slowClose: ['delayMs'],
  limitData: ['bytes'],
  reset: [],
};

const KNOWN: { readonly [T in FaultType]: readonly (keyof FaultAttributes[T])[] } = {
  latency: ['ms', 'jitterMs'],
  bandwidth: ['bytesPerSecond'],
  slicer: ['averageBytes', 'variationBytes', 'delayMs'],
  stall: ['afterBytes', 'closeAfterMs'],
  slowClose: ['delayMs'],
  limitData: ['bytes'],
  reset: ['afterBytes', 'afterMs', 'delayMs'],
};

function invalid(message: string): WirekitError {
  return new WirekitError('WK_ERR_INVALID_ARGUMENT', message);
}

/**
 * Throws `WK_ERR_INVALID_ARGUMENT` unless `type` is a fault type and `attributes` fit it: known
 * names, finite numbers ≥ 0, required ones present, `averageBytes` ≥ 1.
 *
 * @example
 * ```ts
 * checkFault('latency', { ms: 100 }); // fine
 * checkFault('latency', { ms: -1 });  // throws
 * ```
 */
export function checkFault(type: string, attributes: object): asserts type is FaultType {
  if (!(FAULT_TYPES as readonly string[]).includes(type)) throw invalid(`unknown fault type ${JSON.stringify(type)}`);
  const known = KNOWN[type as FaultType] as readonly string[];
  for (const [name, value] of Object.entries(attributes)) {
    if (!known.includes(name)) throw invalid(`${type} has no attribute ${name} (it has ${known.join(', ')})`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw invalid(`${type}.${name} must be a finite number ≥ 0, got ${String(value)}`);
    }
  }
  for (const name of REQUIRED[type as FaultType] as readonly string[]) {
    if ((attributes as Record<string, unknown>)[name] === undefined) throw invalid(`${type} needs ${name}`);
  }
  if (type === 'slicer' && (attributes as { averageBytes: number }).averageBytes < 1) {
    throw invalid('slicer.averageBytes must be at least 1');
  }
}

/**
 * Throws `WK_ERR_INVALID_ARGUMENT` unless `toxicity` is a probability.
 *
 * @example
 * ```ts
 * checkToxicity(0.5);
 * ```
 */
export function checkToxicity(toxicity: number): void {
  if (!(toxicity >= 0 && toxicity <= 1)) throw invalid(`toxicity must be in [0, 1], got ${toxicity}`);
}

/** Told when a fault changes or goes away, so live connections apply the change at once. */
export interface FaultOwner {
  faultChanged(fault: Fault): void;
  removeFault(name: string): boolean;
}

/**
 * One fault added to a proxy. Changes apply to live connections at once.
 *
 * @example
 * ```ts
 * const slow = proxy.add('latency', { ms: 100 });
 * slow.update({ ms: 500 });
 * slow.remove(); // held chunks go on at once; nothing is lost
 * ```
 */
export class Fault<T extends FaultType = FaultType> {
  readonly name: string;
  readonly type: T;
  readonly direction: Direction;
  #attributes: Readonly<FaultAttributes[T]>;
  #toxicity: number;
  #version = 0;
  readonly #owner: FaultOwner;

  /** @internal Use `proxy.add()`. */
  constructor(owner: FaultOwner, type: T, attributes: FaultAttributes[T], options: AddFaultOptions = {}) {
    checkFault(type, attributes);
    const direction = options.direction ?? 'downstream';
    if (direction !== 'upstream' && direction !== 'downstream') {
      throw invalid(`direction must be upstream or downstream, got ${String(direction)}`);
    }
    const toxicity = options.toxicity ?? 1;
    checkToxicity(toxicity);
    this.#owner = owner;
    this.type = type;
    this.direction = direction;
    this.name = options.name ?? `${type}_${direction}`;
    this.#attributes = Object.freeze({ ...attributes });
    this.#toxicity = toxicity;
  }

  /** The attributes now in force. */
  get attributes(): Readonly<FaultAttributes[T]> {
    return this.#attributes;
  }

  /** The probability that the fault applies to a connection (drawn per connection and update). */
  get toxicity(): number {
    return this.#toxicity;
  }

  /** Grows by one with every update, so connections know to look again. */
  get version(): number {
    return this.#version;
  }

  /** Changes some attributes (and the toxicity); live connections see the change at once. */
  update(attributes: Partial<FaultAttributes[T]>, toxicity: number = this.#toxicity): this {
    const merged = { ...this.#attributes, ...attributes } as FaultAttributes[T];
    checkFault(this.type, merged);
    checkToxicity(toxicity);
    this.#attributes = Object.freeze(merged);
    this.#toxicity = toxicity;
    this.#version++;
    this.#owner.faultChanged(this);
    return this;
  }

  /** Removes the fault from its proxy; bytes it held go on at once. */
  remove(): void {
    this.#owner.removeFault(this.name);
  }
}
