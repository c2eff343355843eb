import { WirekitError } from '../../errors.js';
import { sameFieldName } from '../codec/field-names.js';
import { isFieldName, isFieldValue } from '../codec/field-validation.js';

/** What a {@link Headers} can be made from. */
export type HeadersInit =
  | Headers
  | Record<string, string | number | readonly string[] | undefined>
  | Iterable<readonly [string, string]>;

/**
 * Wraps fields that are valid by construction (a parser's output, constants), without checking or
 * copying. Internal: every Headers holds only valid fields, which is why a serializer may trust one.
 */
export let adopt: (raw: string[]) => Headers;

/**
 * Adds a field that is valid by construction (a constant) without checking it. Internal, as
 * {@link adopt} is.
 *
 * @example
 * ```ts
 * appendTrusted(response.headers, 'Content-Type', 'text/plain; charset=utf-8');
 * ```
 */
export let appendTrusted: (headers: Headers, name: string, value: string) => void;

/**
 * HTTP fields: case-insensitive lookup, the order and case of names as received or added kept (the
 * echo contract and proxies need them). Stored as one flat `[name, value, …]` array: a parsed request
 * hands over its array without a copy, and lookups over the dozen fields of a typical request are a
 * scan, cheaper than building a map.
 *
 * @example
 * ```ts
 * const headers = new Headers({ 'Content-Type': 'text/plain' });
 * headers.append('Set-Cookie', 'a=1');
 * headers.get('content-type'); // 'text/plain'
 * ```
 */
export class Headers implements Iterable<[string, string]> {
  #raw: string[];

  constructor(init?: HeadersInit) {
    this.#raw = [];
    if (init !== undefined) this.#fill(init);
  }

  /**
   * Wraps a flat `[name, value, …]` array without copying it, after checking every field (throws
   * `WK_ERR_HTTP_INVALID_FIELD` for an unsafe one).
   */
  static fromRaw(raw: string[]): Headers {
    for (let i = 0; i < raw.length; i += 2) checked(raw[i] as string, raw[i + 1] as string);
    return adopt(raw);
  }

  static {
    appendTrusted = (headers, name, value) => {
      headers.#raw.push(name, value);
    };
    adopt = (raw) => {
      const headers = new Headers();
      headers.#raw = raw;
      return headers;
    };
  }

  /** The fields as flat `[name, value, …]`, in order, names as given. Do not mutate. */
  raw(): readonly string[] {
    return this.#raw;
  }

  /** Number of field lines. */
  get size(): number {
    return this.#raw.length / 2;
  }

  /** The value of `name`, several lines joined with `, ` (RFC 9110 §5.3), or null. */
  get(name: string): string | null {
    const raw = this.#raw;
    let found: string | null = null;
    for (let i = 0; i < raw.length; i += 2) {
      if (sameName(raw[i] as string, name)) {
        found = found === null ? (raw[i + 1] as string) : `${found}, ${raw[i + 1] as string}`;
      }
    }
    return found;
  }

  /** Every value of `name`, one per field line (Set-Cookie must never be joined). */
  getAll(name: string): string[] {
    const out: string[] = [];
    const raw = this.#raw;
    for (let i = 0; i < raw.length; i += 2) if (sameName(raw[i] as string, name)) out.push(raw[i + 1] as string);
    return out;
  }

  /** The Set-Cookie lines, as WHATWG `Headers#getSetCookie`. */
  getSetCookie(): string[] {
    return this.getAll('set-cookie');
  }

  has(name: string): boolean {
    const raw = this.#raw;
    for (let i = 0; i < raw.length; i += 2) if (sameName(raw[i] as string, name)) return true;
    return false;
  }

  /** Replaces every line of `name` with one. Throws `WK_ERR_HTTP_INVALID_FIELD` for an unsafe name or value. */
  set(name: string, value: string | number): this {
    const text = checked(name, value);
    const raw = this.#raw;
    let at = -1;
    for (let i = 0; i < raw.length; i += 2) {
      if (!sameName(raw[i] as string, name)) continue;
      if (at === -1) {
        at = i;
        raw[i + 1] = text;
      } else {
        raw.splice(i, 2);
        i -= 2;
      }
    }
    if (at === -1) raw.push(name, text);
    return this;
  }

  /** Adds a line. Throws `WK_ERR_HTTP_INVALID_FIELD` for an unsafe name or value. */
  append(name: string, value: string | number): this {
    this.#raw.push(name, checked(name, value));
    return this;
  }

  delete(name: string): this {
    const raw = this.#raw;
    for (let i = raw.length - 2; i >= 0; i -= 2) if (sameName(raw[i] as string, name)) raw.splice(i, 2);
    return this;
  }

  /** `[name, value]` per field line, in order. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const raw = this.#raw;
    for (let i = 0; i < raw.length; i += 2) yield [raw[i] as string, raw[i + 1] as string];
  }

  entries(): IterableIterator<[string, string]> {
    return this[Symbol.iterator]();
  }

  /** A plain object with lower-cased names; repeated fields joined with `, ` (Set-Cookie kept as an array). */
  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = Object.create(null);
    for (const [name, value] of this) {
      const key = name.toLowerCase();
      const prev = out[key];
      if (key === 'set-cookie') out[key] = [...((prev as string[] | undefined) ?? []), value];
      else out[key] = prev === undefined ? value : `${prev as string}, ${value}`;
    }
    return out;
  }

  /**
   * What `console.log` and `util.inspect` show (undici's Headers does the same): the fields by
   * name, in order, spelled as first received, a repeated field's lines as an array.
   *
   * @example
   * ```ts
   * console.log(new Headers([['Content-Type', 'text/plain'], ['Set-Cookie', 'a=1'], ['set-cookie', 'b=2']]));
   * // Headers { 'Content-Type': 'text/plain', 'Set-Cookie': [ 'a=1', 'b=2' ] }
   * ```
   */
  [Symbol.for('nodejs.util.inspect.custom')](depth: number, options: InspectOptions, inspect?: Inspect): unknown {
    const fields: Record<string, string | string[]> = {};
    const spelling = new Map<string, string>();
    for (const [name, value] of this) {
      const key = name.toLowerCase();
      const first = spelling.get(key);
      if (first === undefined) {
        spelling.set(key, name);
        // defineProperty: a field may be named `__proto__`.
        Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
      } else {
        const prev = fields[first] as string | string[];
        fields[first] = Array.isArray(prev) ? [...prev, value] : [prev, value];
      }
    }
    if (inspect === undefined) return fields;
    if (depth < 0) return '[Headers]';
    return `Headers ${inspect(fields, { ...options, depth: options.depth === null ? null : (options.depth ?? 2) - 1 })}`;
  }

  #fill(init: HeadersInit): void {
    if (init instanceof Headers) {
      this.#raw = [...init.#raw];
    } else if (Symbol.iterator in init) {
      for (const [name, value] of init as Iterable<readonly [string, string]>) this.append(name, value);
    } else {
      for (const [name, value] of Object.entries(init)) {
        if (value === undefined) continue;
        if (Array.isArray(value)) for (const item of value as readonly string[]) this.append(name, item);
        else this.append(name, value as string | number);
      }
    }
  }
}

/** `util.inspect`, as Node passes it to a custom inspect method (no import of node:util needed). */
type Inspect = (value: unknown, options: InspectOptions) => string;

/** The part of `util.InspectOptions` a custom inspect method passes on. */
interface InspectOptions {
  depth?: number | null;
}

/** ASCII case-insensitive name comparison without allocating when the lengths differ. */
function sameName(a: string, b: string): boolean {
  return sameFieldName(a, b);
}

function checked(name: string, value: string | number): string {
  const text = typeof value === 'string' ? value : String(value);
  if (!isFieldName(name)) throw new WirekitError('WK_ERR_HTTP_INVALID_FIELD', `invalid field name "${name}"`);
  if (!isFieldValue(text)) throw new WirekitError('WK_ERR_HTTP_INVALID_FIELD', `invalid value for field ${name}`);
  return text;
}
