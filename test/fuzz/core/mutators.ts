/**
 * The fuzzers' mutator registry and the byte-level mutators every format shares. A format (HTTP
 * requests, HTTP responses, WebSocket frames) registers its own structure-aware mutators beside
 * these; the registry picks by weight and records what it applied, so a reproducer can say how it
 * was made.
 */
import type { FuzzInput } from './input.js';
import type { Prng } from './prng.js';

/** One way to change an input. `apply` returns the changed input, or undefined when it does not apply. */
export interface Mutator<T> {
  readonly name: string;
  /** Relative frequency among the registry's mutators. */
  readonly weight: number;
  apply(rng: Prng, input: T): T | undefined;
}

/** Mutators of one input type, chosen by weight. */
export class MutatorRegistry<T> {
  readonly #mutators: Mutator<T>[];
  readonly #weights: number[];

  constructor(mutators: readonly Mutator<T>[]) {
    this.#mutators = [...mutators];
    this.#weights = this.#mutators.map((m) => m.weight);
  }

  get names(): string[] {
    return this.#mutators.map((m) => m.name);
  }

  /** Applies `rounds` mutators chosen by weight (a few tries each when one does not apply); appends their names to `applied`. */
  mutate(rng: Prng, input: T, rounds: number, applied: string[]): T {
    let current = input;
    for (let round = 0; round < rounds; round++) {
      for (let attempt = 0; attempt < 4; attempt++) {
        const mutator = this.#mutators[rng.weighted(this.#weights)] as Mutator<T>;
        const next = mutator.apply(rng, current);
        if (next === undefined) continue;
        current = next;
        applied.push(mutator.name);
        break;
      }
    }
    return current;
  }
}

/**
 * Bytes that sit on the edges of text protocols' grammars: controls, whitespace and line ends,
 * delimiters, DEL, the first non-ASCII byte, NEL, NBSP (which `String#trim` removes) and 0xff.
 */
export const INTERESTING_BYTES: readonly number[] = [
  0x00, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x22, 0x2c, 0x2f, 0x30, 0x3a, 0x3b, 0x3d, 0x5c, 0x7f, 0x80, 0x85, 0xa0,
  0xff,
];

/** A byte: usually an interesting one, sometimes any. */
export function oddByte(rng: Prng): number {
  return rng.chance(0.75) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
}

function splice(bytes: Buffer, at: number, remove: number, insert: Uint8Array): Buffer {
  return Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at + remove)]);
}

/**
 * Byte-level mutators over a whole serialized input: flip a bit, set a byte, insert or delete a few
 * bytes, duplicate a range, splice in a range of another input (`donor` gives one).
 */
export function byteMutators(donor: (rng: Prng) => Buffer): Mutator<Buffer>[] {
  return [
    {
      name: 'byte:flip',
      weight: 2,
      apply: (rng, bytes) => {
        if (bytes.length === 0) return undefined;
        const out = Buffer.from(bytes);
        const at = rng.int(out.length);
        out[at] = (out[at] as number) ^ (1 << rng.int(8));
        return out;
      },
    },
    {
      name: 'byte:set',
      weight: 3,
      apply: (rng, bytes) => {
        if (bytes.length === 0) return undefined;
        const out = Buffer.from(bytes);
        out[rng.int(out.length)] = oddByte(rng);
        return out;
      },
    },
    {
      name: 'byte:insert',
      weight: 3,
      apply: (rng, bytes) => splice(bytes, rng.int(bytes.length + 1), 0, Buffer.from([oddByte(rng)])),
    },
    {
      name: 'byte:delete',
      weight: 2,
      apply: (rng, bytes) => {
        if (bytes.length === 0) return undefined;
        const at = rng.int(bytes.length);
        return splice(bytes, at, Math.min(bytes.length - at, rng.range(1, 4)), Buffer.alloc(0));
      },
    },
    {
      name: 'byte:duplicate',
      weight: 1,
      apply: (rng, bytes) => {
        if (bytes.length === 0) return undefined;
        const at = rng.int(bytes.length);
        const piece = bytes.subarray(at, at + rng.range(1, 32));
        return splice(bytes, rng.int(bytes.length + 1), 0, piece);
      },
    },
    {
      name: 'byte:splice',
      weight: 1,
      apply: (rng, bytes) => {
        const other = donor(rng);
        if (other.length === 0) return undefined;
        const from = rng.int(other.length);
        const piece = other.subarray(from, from + rng.range(1, 64));
        const at = rng.int(bytes.length + 1);
        return splice(bytes, at, rng.chance(0.5) ? Math.min(piece.length, bytes.length - at) : 0, piece);
      },
    },
  ];
}

/** How {@link mutatedInput} shapes an input. */
export interface InputShape {
  /** Most grammar-level mutations (at least one, except for the few inputs left as the seed made them). */
  maxRounds: number;
  /** Most cuts into separate reads. */
  maxSplits: number;
}

/**
 * One input from `seed`: 1 to `maxRounds` grammar mutations (none for 5% of inputs), serialized,
 * then byte mutations for a quarter of them (and for every unmutated one), and for 30% cut into
 * up to `maxSplits` + 1 reads.
 */
export function mutatedInput<T>(
  rng: Prng,
  seed: T,
  grammar: MutatorRegistry<T>,
  bytes: MutatorRegistry<Buffer>,
  serialize: (model: T) => Buffer,
  shape: InputShape,
): FuzzInput {
  const applied: string[] = [];
  const rounds = rng.chance(0.05) ? 0 : rng.range(1, shape.maxRounds);
  let out = serialize(grammar.mutate(rng, seed, rounds, applied));
  if (rounds === 0 || rng.chance(0.25)) out = bytes.mutate(rng, out, rng.range(1, 2), applied);
  const splits = new Set<number>();
  if (out.length > 1 && rng.chance(0.3)) {
    const n = rng.range(1, shape.maxSplits);
    for (let i = 0; i < n; i++) splits.add(rng.range(1, out.length - 1));
  }
  return { bytes: out, splits: [...splits].sort((a, b) => a - b), applied };
}
