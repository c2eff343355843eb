/**
 * Toxiproxy's toxics (types, attribute names and units of its 2.x REST API) ⇄ wirekit's faults.
 * latency/jitter in ms, bandwidth `rate` in KB/s (1000 bytes), slicer `delay` in µs, the others in
 * ms or bytes; every attribute is an integer, as Toxiproxy's Go structs (int64) require.
 */
import type { Direction, Fault, FaultAttributes, FaultType } from './faults.js';

/** A toxic as Toxiproxy's API shows it. */
export interface ToxicJson {
  attributes: Record<string, number>;
  name: string;
  type: string;
  stream: Direction;
  toxicity: number;
}

interface Mapping {
  readonly fault: FaultType;
  /** Attribute names, in the order Toxiproxy's structs declare them. */
  readonly fields: readonly string[];
  toFault(a: Readonly<Record<string, number>>): FaultAttributes[FaultType];
  toToxic(f: Readonly<Record<string, number | undefined>>): Record<string, number>;
}

const MAPPINGS: Readonly<Record<string, Mapping>> = {
  latency: {
    fault: 'latency',
    fields: ['latency', 'jitter'],
    toFault: (a) => ({ ms: a.latency ?? 0, jitterMs: a.jitter ?? 0 }),
    toToxic: (f) => ({ latency: f.ms ?? 0, jitter: f.jitterMs ?? 0 }),
  },
  bandwidth: {
    fault: 'bandwidth',
    fields: ['rate'],
    toFault: (a) => ({ bytesPerSecond: (a.rate ?? 0) * 1000 }),
    toToxic: (f) => ({ rate: Math.round((f.bytesPerSecond ?? 0) / 1000) }),
  },
  slow_close: {
    fault: 'slowClose',
    fields: ['delay'],
    toFault: (a) => ({ delayMs: a.delay ?? 0 }),
    toToxic: (f) => ({ delay: f.delayMs ?? 0 }),
  },
  timeout: {
    fault: 'stall',
    fields: ['timeout'],
    toFault: (a) => ({ closeAfterMs: a.timeout ?? 0 }),
    toToxic: (f) => ({ timeout: f.closeAfterMs ?? 0 }),
  },
  reset_peer: {
    fault: 'reset',
    fields: ['timeout'],
    toFault: (a) => ({ delayMs: a.timeout ?? 0 }),
    toToxic: (f) => ({ timeout: f.delayMs ?? 0 }),
  },
  slicer: {
    fault: 'slicer',
    fields: ['average_size', 'size_variation', 'delay'],
    toFault: (a) => ({
      averageBytes: a.average_size ?? 0,
      variationBytes: a.size_variation ?? 0,
      delayMs: (a.delay ?? 0) / 1000,
    }),
    toToxic: (f) => ({
      average_size: f.averageBytes ?? 0,
      size_variation: f.variationBytes ?? 0,
      delay: Math.round((f.delayMs ?? 0) * 1000),
    }),
  },
  limit_data: {
    fault: 'limitData',
    fields: ['bytes'],
    toFault: (a) => ({ bytes: a.bytes ?? 0 }),
    toToxic: (f) => ({ bytes: f.bytes ?? 0 }),
  },
};

/**
 * The Toxiproxy toxic types this API knows.
 *
 * @example
 * ```ts
 * TOXIC_TYPES.includes('latency'); // true
 * ```
 */
export const TOXIC_TYPES: readonly string[] = Object.keys(MAPPINGS);

/** The mapping of a toxic type, or undefined for a type Toxiproxy does not have. */
export function toxicMapping(type: string): Mapping | undefined {
  return Object.hasOwn(MAPPINGS, type) ? MAPPINGS[type] : undefined;
}

/**
 * Reads a toxic's `attributes` object: integers only (Toxiproxy's fields are int64), unknown names
 * ignored as Go's decoder does. Returns an error message for anything else.
 */
export function readAttributes(mapping: Mapping, value: unknown): Record<string, number> | string {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return 'attributes must be an object';
  const out: Record<string, number> = {};
  for (const field of mapping.fields) {
    const v = (value as Record<string, unknown>)[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v)) return `attribute ${field} must be an integer`;
    out[field] = v;
  }
  return out;
}

/** The toxic type a fault shows as in the API. */
export function toxicTypeOf(fault: FaultType): string {
  return Object.entries(MAPPINGS).find(([, m]) => m.fault === fault)?.[0] ?? fault;
}

/** A fault as Toxiproxy shows a toxic: `{ attributes, name, type, stream, toxicity }`. */
export function toxicJson(fault: Fault): ToxicJson {
  const type = toxicTypeOf(fault.type);
  const attributes = MAPPINGS[type]?.toToxic(fault.attributes as Record<string, number>) ?? {};
  return { attributes, name: fault.name, type, stream: fault.direction, toxicity: fault.toxicity };
}
