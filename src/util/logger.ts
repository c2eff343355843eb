/**
 * The logger interface wirekit logs through, and a small built-in JSON logger.
 *
 * The interface is the part of pino's that wirekit uses (`info/warn/error/debug(objOrMsg, msg?)` and
 * `child(bindings)`), so a pino logger (or any logger shaped like it: bunyan-style child loggers)
 * can be passed as is. The built-in one writes one line of JSON per record: `time` (ISO 8601),
 * `level`, `msg`, the bindings of its children, then the record's own fields. A level that is off
 * costs one call to an empty function: the methods below the threshold are no-ops, chosen when the
 * logger is made (as pino does).
 */
import type { OptionSpec } from './options.js';
import { WarningLimiter, type WarningLimiterOptions } from './warning-limiter.js';

/**
 * One logging method: `log.info('listening')`, `log.error({ err, status: 500 }, 'request failed')`.
 *
 * @example
 * ```ts
 * const info: LogFn = log.info.bind(log);
 * info({ port: 3000 }, 'listening');
 * ```
 */
export type LogFn = (objOrMsg: object | string, msg?: string) => void;

/**
 * What wirekit needs from a logger: pino's methods for four levels and `child()`. Pass a pino
 * logger, or `jsonLogger()` (the default where wirekit logs), or your own.
 *
 * @example
 * ```ts
 * const log: Logger = pino();
 * const app = new App({ logger: log });
 * ```
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger whose records all carry `bindings` (pino's `child`). */
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * Levels of the built-in logger, least to most severe; `'silent'` logs nothing.
 *
 * @example
 * ```ts
 * const level: LogLevel = process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info';
 * ```
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * The options spec of a `logger` option (util/options.ts): an object with pino's four methods and
 * `child`.
 *
 * @example
 * ```ts
 * new OptionsSchema<{ logger?: Logger }>('serve()', { logger: loggerSpec() });
 * ```
 */
export function loggerSpec(): OptionSpec {
  return LOGGER_SPEC;
}

const LOGGER_SPEC: OptionSpec = {
  expected: 'a logger (an object with debug, info, warn, error and child methods, as pino has)',
  test: (v) =>
    typeof v === 'object' &&
    v !== null &&
    ['debug', 'info', 'warn', 'error', 'child'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
};

/** Levels as numbers (pino's: debug 20 … error 50). */
const LEVEL_VALUES: Readonly<Record<LogLevel, number>> = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

/**
 * Options of {@link jsonLogger}; every one has a default.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const log = jsonLogger({ level: 'debug', write: (line) => lines.push(line) });
 * ```
 */
export interface JsonLoggerOptions {
  /** Records below this level are dropped. Default `'info'`. */
  level?: LogLevel;
  /** Writes one line (it ends with `\n`). Default: to standard error. */
  write?: (line: string) => void;
  /** Fields every record carries (as a child's bindings). */
  bindings?: Record<string, unknown>;
}

const noop: LogFn = () => {};

/** Standard error, looked up when a line is written (tests and tools swap it). */
function writeStderr(line: string): void {
  process.stderr.write(line);
}

/**
 * The built-in logger: one line of JSON per record (`{"time":…,"level":"info","msg":…,…}`) written
 * to standard error, or to `write`. An `err` field that is an Error is written with its type,
 * message, code and stack (as pino's serializer does), so a server-side log keeps the stack a
 * response never shows.
 *
 * @example
 * ```ts
 * const log = jsonLogger({ level: 'info' });
 * log.child({ reqId: 'a1' }).info({ status: 200 }, 'request completed');
 * // {"time":"2026-01-01T12:00:00.000Z","level":"info","reqId":"a1","status":200,"msg":"request completed"}
 * ```
 */
export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!(level in LEVEL_VALUES)) throw new RangeError(`unknown log level "${String(level)}"`);
  const bindings = options.bindings === undefined ? '' : fieldsJson(options.bindings);
  return new JsonLogger(LEVEL_VALUES[level], options.write ?? writeStderr, bindings);
}

class JsonLogger implements Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
  readonly #threshold: number;
  readonly #write: (line: string) => void;
  /** The bindings, serialized once: `,"k":v,…` (or empty). */
  readonly #bindings: string;

  constructor(threshold: number, write: (line: string) => void, bindings: string) {
    this.#threshold = threshold;
    this.#write = write;
    this.#bindings = bindings;
    this.debug = this.#method('debug');
    this.info = this.#method('info');
    this.warn = this.#method('warn');
    this.error = this.#method('error');
  }

  child(bindings: Record<string, unknown>): Logger {
    return new JsonLogger(this.#threshold, this.#write, this.#bindings + fieldsJson(bindings));
  }

  #method(level: Exclude<LogLevel, 'silent'>): LogFn {
    if (LEVEL_VALUES[level] < this.#threshold) return noop;
    const head = `{"time":"`;
    const tail = `","level":"${level}"${this.#bindings}`;
    return (objOrMsg, msg) => {
      let fields = '';
      let text = msg;
      if (typeof objOrMsg === 'string') text = objOrMsg;
      else fields = fieldsJson(objOrMsg);
      const message = text === undefined ? '' : `,"msg":${JSON.stringify(text)}`;
      this.#write(`${head}${new Date().toISOString()}${tail}${fields}${message}}\n`);
    };
  }
}

/** `,"k":v` for each field whose value JSON can write; Errors as `{type, message, code, stack}`. */
function fieldsJson(fields: object): string {
  let out = '';
  for (const key of Object.keys(fields)) {
    const json = valueJson((fields as Record<string, unknown>)[key]);
    if (json !== undefined) out += `,${JSON.stringify(key)}:${json}`;
  }
  return out;
}

function valueJson(value: unknown): string | undefined {
  if (value instanceof Error) return JSON.stringify(errorFields(value));
  try {
    return JSON.stringify(value, errorReplacer);
  } catch {
    // A cycle or a BigInt: a log line must not throw.
    return JSON.stringify(String(value));
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? errorFields(value) : value;
}

/**
 * An error as a log field: its type, message, code (when it has one), stack and cause.
 *
 * @example
 * ```ts
 * JSON.stringify(errorFields(new TypeError('x'))); // {"type":"TypeError","message":"x","stack":"TypeError: x\n    at …"}
 * ```
 */
export function errorFields(error: Error, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  out.stack = error.stack;
  // Causes are followed a few levels deep: a chain that loops must not loop the logger.
  if (error.cause instanceof Error && depth < 4) out.cause = errorFields(error.cause, depth + 1);
  return out;
}

/**
 * Writes a server-side fault to a logger.
 *
 * @example
 * ```ts
 * const log: FaultLog = faultLog();
 * log(c.log, new Error('db down'), { status: 500 });
 * ```
 */
export type FaultLog = (log: Logger, error: Error, fields?: Record<string, unknown>) => void;

/**
 * Logs server-side faults (an error a client got a 5xx for, a response that failed midway) at error
 * level with the stack in `err`: wirekit's default error reporting when a logger is set, instead of
 * a process warning. Rate-limited per kind like the warnings (util/warning-limiter.ts): the first
 * fault of a kind is logged at once, then at most one per minute, with `suppressed` counting those
 * held back. One budget per App or server, made with it.
 *
 * @example
 * ```ts
 * const log = faultLog();
 * log(c.log, new Error('db down'), { status: 500 });
 * // {"level":"error","reqId":"k3x9a2-1","status":500,"err":{"type":"Error","message":"db down","stack":"…"},"msg":"db down"}
 * ```
 */
export function faultLog(options: Omit<WarningLimiterOptions, 'sink'> = {}): FaultLog {
  // The limiter calls its sink synchronously from warn(): the logger and fields of that call.
  let current: { log: Logger; fields: Record<string, unknown> | undefined } | undefined;
  const limiter = new WarningLimiter({
    ...options,
    sink: (error, suppressed, intervalMs) => {
      if (current === undefined) return;
      const held = suppressed === 0 ? undefined : { suppressed, suppressedIntervalMs: intervalMs };
      current.log.error({ ...current.fields, ...held, err: error }, error.message);
    },
  });
  return (log, error, fields) => {
    current = { log, fields };
    try {
      limiter.warn(error);
    } finally {
      current = undefined;
    }
  };
}
