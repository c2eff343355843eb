/**
 * The one options checker of every public entry point (listen, connect, bind, serve, App, the
 * middleware, the client): a small schema per options type, key → what its value may be, checked
 * once at set-up. An unknown key is an error naming the nearest valid one (`prot` → `port`), a value
 * of the wrong kind or out of range says what was expected and what came (`got a string ("3000abc")`).
 * Per-request option objects check only their keys, against a precomputed Set.
 */
import { WirekitError } from '../errors.js';
import { nearest } from './nearest.js';

/**
 * What one option may be: `test` says whether a value fits; `coerce` (optional) turns a value that
 * does not fit into one that does (a numeric string port), or returns undefined.
 *
 * @example
 * ```ts
 * const even: OptionSpec = { expected: 'an even number', test: (v) => typeof v === 'number' && v % 2 === 0 };
 * ```
 */
export interface OptionSpec {
  /** What a valid value is, for the error message: "an integer from 0 to 65535". */
  readonly expected: string;
  test(value: unknown): boolean;
  coerce?(value: unknown): unknown;
}

/**
 * A schema's specs: one per key of the options type `T`, no more and no fewer (TypeScript keeps a
 * schema in step with its interface).
 *
 * @example
 * ```ts
 * const specs: OptionSpecs<{ port?: number; host?: string }> = { port: port(), host: string() };
 * ```
 */
export type OptionSpecs<T> = { readonly [K in keyof Required<T>]: OptionSpec };

const describeNumber = (min: number, max: number, what: string): string => {
  if (max === Number.MAX_SAFE_INTEGER || max === Number.POSITIVE_INFINITY) return `${what} ≥ ${min}`;
  return `${what} from ${min} to ${max}`;
};

/**
 * An integer in [min, max].
 *
 * @example
 * ```ts
 * integer(0, 65535).test(80); // true
 * ```
 */
export function integer(min = 0, max = Number.MAX_SAFE_INTEGER): OptionSpec {
  return {
    expected: describeNumber(min, max, 'an integer'),
    test: (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max,
  };
}

/**
 * A finite number in [min, max].
 *
 * @example
 * ```ts
 * number(0, 1).test(0.5); // true
 * ```
 */
export function number(min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): OptionSpec {
  const expected = min === Number.NEGATIVE_INFINITY ? 'a finite number' : describeNumber(min, max, 'a finite number');
  return {
    expected,
    test: (v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max,
  };
}

/**
 * A duration in milliseconds: a finite number ≥ 0.
 *
 * @example
 * ```ts
 * duration().test(5_000); // true
 * ```
 */
export function duration(): OptionSpec {
  return DURATION;
}
const DURATION = number(0);

/**
 * A TCP or UDP port, 0–65535 (0: any free one). A string of digits (`process.env.PORT`) is taken as
 * its number.
 *
 * @example
 * ```ts
 * checkOption('listen()', 'port', port(), '3000'); // 3000
 * ```
 */
export function port(): OptionSpec {
  return PORT;
}
const PORT_NUMBER = integer(0, 65535);
const PORT: OptionSpec = {
  expected: 'a port: an integer from 0 to 65535 (or a string of its digits)',
  test: PORT_NUMBER.test,
  coerce: (v) => {
    if (typeof v !== 'string' || !/^\d{1,5}$/.test(v)) return undefined;
    const n = Number(v);
    return n <= 65535 ? n : undefined;
  },
};

/**
 * A value `typeof` calls `type` (`'string'`, `'boolean'`, `'function'`).
 *
 * @example
 * ```ts
 * typeOf('boolean').test(true); // true
 * ```
 */
export function typeOf(type: 'string' | 'boolean' | 'function'): OptionSpec {
  return TYPE_SPECS[type];
}
const TYPE_SPECS = {
  string: { expected: 'a string', test: (v: unknown) => typeof v === 'string' },
  boolean: { expected: 'a boolean', test: (v: unknown) => typeof v === 'boolean' },
  function: { expected: 'a function', test: (v: unknown) => typeof v === 'function' },
} as const;

/**
 * A string.
 *
 * @example
 * ```ts
 * const host = string();
 * ```
 */
export function string(): OptionSpec {
  return TYPE_SPECS.string;
}

/**
 * A boolean.
 *
 * @example
 * ```ts
 * const listing = boolean();
 * ```
 */
export function boolean(): OptionSpec {
  return TYPE_SPECS.boolean;
}

/**
 * A function.
 *
 * @example
 * ```ts
 * const onError = func();
 * ```
 */
export function func(): OptionSpec {
  return TYPE_SPECS.function;
}

/**
 * An object (not null, not an array).
 *
 * @example
 * ```ts
 * const headers = object();
 * ```
 */
export function object(): OptionSpec {
  return OBJECT;
}
const OBJECT: OptionSpec = {
  expected: 'an object',
  test: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
};

/**
 * An object whose keys and values `schema` checks (an option holding options: `form`, `requestId`).
 * A problem inside is reported as the inner schema's.
 *
 * @example
 * ```ts
 * const form = nested(new OptionsSchema<FormLimits>('new App() form', { maxFiles: integer(0) }));
 * ```
 */
export function nested<T extends object>(schema: OptionsSchema<T>): OptionSpec {
  return {
    expected: 'an object',
    test: (v) => {
      if (!OBJECT.test(v)) return false;
      schema.check(v as T);
      return true;
    },
  };
}

/**
 * An instance of `type` (`AbortSignal`, `RegExp`, `Uint8Array`), named `name` in errors.
 *
 * @example
 * ```ts
 * const signal = instanceOf(AbortSignal, 'an AbortSignal');
 * ```
 */
export function instanceOf(type: abstract new (...args: never[]) => unknown, name: string): OptionSpec {
  return { expected: name, test: (v) => v instanceof type };
}

/**
 * Any value (an option whose value the code that uses it checks itself).
 *
 * @example
 * ```ts
 * const origin = anything();
 * ```
 */
export function anything(): OptionSpec {
  return ANYTHING;
}
const ANYTHING: OptionSpec = { expected: 'anything', test: () => true };

/**
 * One of `values` (an enum).
 *
 * @example
 * ```ts
 * oneOf('lax', 'strict', 'none').test('lax'); // true
 * ```
 */
export function oneOf(...values: readonly (string | number | boolean)[]): OptionSpec {
  const set = new Set<unknown>(values);
  return { expected: `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, test: (v) => set.has(v) };
}

/**
 * An array whose every element fits `element`; `expected` names it in errors (default: "an array
 * whose elements are …").
 *
 * @example
 * ```ts
 * listOf(oneOf('br', 'zstd', 'gzip'), 'a list of "br", "zstd" and "gzip"').test(['gzip']); // true
 * ```
 */
export function listOf(element: OptionSpec, expected?: string): OptionSpec {
  return {
    expected: expected ?? (element === ANYTHING ? 'an array' : `an array whose elements are ${element.expected}`),
    test: (v) => Array.isArray(v) && v.every((item) => element.test(item)),
  };
}

/**
 * A value that fits any of `specs` (a string or a list or a function).
 *
 * @example
 * ```ts
 * anyOf(string(), listOf(string()), func()).test(['a']); // true
 * ```
 */
export function anyOf(...specs: readonly OptionSpec[]): OptionSpec {
  const expected = specs.map((s) => s.expected);
  const last = expected.pop();
  return {
    expected: expected.length === 0 ? String(last) : `${expected.join(', ')} or ${last}`,
    test: (v) => specs.some((s) => s.test(v)),
  };
}

/**
 * How a value is named in an error: its kind, and the value itself when short (`a string ("3000abc")`).
 *
 * @example
 * ```ts
 * describeValue('3000abc'); // 'a string ("3000abc")'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array (${short(JSON.stringify(value) ?? '[…]')})`;
  switch (typeof value) {
    case 'string':
      return `a string (${short(JSON.stringify(value))})`;
    case 'number':
      return `a number (${String(value)})`;
    case 'boolean':
      return String(value);
    case 'function':
      return 'a function';
    case 'bigint':
      return `a bigint (${String(value)})`;
    case 'object': {
      const name = (value as object).constructor?.name;
      return name !== undefined && name !== 'Object' ? `a ${name}` : 'an object';
    }
    default:
      return typeof value;
  }
}

function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/**
 * Checks one value against `spec` (a function argument, or one option): returns it, or what
 * `spec.coerce` made of it; throws `WK_ERR_INVALID_ARGUMENT` naming `where` (when not empty) and
 * `name` otherwise.
 * Undefined passes (the default applies).
 *
 * @example
 * ```ts
 * const n = checkOption('readExactly()', 'n', integer(0), 4); // 4
 * ```
 */
export function checkOption<T>(where: string, name: string, spec: OptionSpec, value: T): T {
  if (value === undefined || spec.test(value)) return value;
  const coerced = spec.coerce?.(value);
  if (coerced !== undefined) return coerced as T;
  const prefix = where === '' ? '' : `${where}: `;
  throw new WirekitError(
    'WK_ERR_INVALID_ARGUMENT',
    `${prefix}${name} must be ${spec.expected}, got ${describeValue(value)}`,
  );
}

/**
 * The options of one entry point: the key of every option and what its value may be.
 *
 * @example
 * ```ts
 * const LISTEN = new OptionsSchema<{ port?: number; host?: string }>('listen()', { port: port(), host: string() });
 * const options = LISTEN.check({ prot: 3000 }); // throws: unknown option "prot" for listen(); did you mean "port"?
 * ```
 */
export class OptionsSchema<T extends object> {
  /** The entry point, as errors name it: `listen()`, `new App()`. */
  readonly where: string;
  readonly #specs: Readonly<Record<string, OptionSpec>>;
  readonly #keys: ReadonlySet<string>;

  constructor(where: string, specs: OptionSpecs<T>) {
    this.where = where;
    this.#specs = specs as Readonly<Record<string, OptionSpec>>;
    this.#keys = new Set(Object.keys(specs));
  }

  /** The valid keys. */
  get keys(): ReadonlySet<string> {
    return this.#keys;
  }

  /**
   * Checks every key and value of `options`; returns `options`, or a copy with coerced values
   * (a numeric string port). Undefined is no options.
   */
  check<O extends T | undefined>(options: O): O {
    if (options === undefined) return options;
    this.#checkObject(options);
    let out = options as Record<string, unknown>;
    for (const key of Object.keys(options)) {
      const spec = this.#specs[key];
      if (spec === undefined) throw this.#unknown(key);
      const value = out[key];
      const checked = checkOption(this.where, key, spec, value);
      if (checked !== value) {
        if (out === options) out = { ...out };
        out[key] = checked;
      }
    }
    return out as O;
  }

  /** Checks only that every key of `options` is known (for option objects given per request). */
  checkKeys(options: object | undefined): void {
    if (options === undefined) return;
    this.#checkObject(options);
    for (const key in options) {
      if (!this.#keys.has(key) && Object.hasOwn(options, key)) throw this.#unknown(key);
    }
  }

  /** A schema with more keys (options that extend these). */
  extend<U extends T>(where: string, more: Omit<OptionSpecs<U>, keyof T>): OptionsSchema<U> {
    return new OptionsSchema<U>(where, { ...this.#specs, ...more } as OptionSpecs<U>);
  }

  /** A schema with only the keys of `T` that `U` keeps (options that omit some). */
  omit<U extends object>(where: string, keys: readonly Exclude<keyof T, keyof U>[]): OptionsSchema<U> {
    const specs: Record<string, OptionSpec> = { ...this.#specs };
    for (const key of keys) delete specs[key as string];
    return new OptionsSchema<U>(where, specs as OptionSpecs<U>);
  }

  #checkObject(options: unknown): void {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new WirekitError(
        'WK_ERR_INVALID_ARGUMENT',
        `${this.where}: the options must be an object, got ${describeValue(options)}`,
      );
    }
  }

  #unknown(key: string): WirekitError {
    const near = nearest(key, this.#keys);
    const hint =
      near === undefined ? `; valid options: ${[...this.#keys].sort().join(', ')}` : `; did you mean "${near}"?`;
    return new WirekitError('WK_ERR_INVALID_ARGUMENT', `unknown option "${key}" for ${this.where}${hint}`);
  }
}
