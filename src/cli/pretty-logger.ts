/**
 * A logger for people at a terminal, with pino's shape (`info/warn/error/debug(objOrMsg, msg?)`,
 * `child`): `wirekit serve --log pretty`. A request record (`request completed` with method, path,
 * status) is one access line, `time method path status bytes duration`; any other record is
 * `time LEVEL msg key=value…`, an error's stack indented under it. Painted by the CLI's painter;
 * control characters in what is logged are shown escaped (see `visible`), so a crafted request
 * path cannot forge a line or drive the terminal.
 */
import type { LogFn, Logger } from '../index.js';
import { humanBytes, type Paint, type Style, statusStyle, visible } from './paint.js';

type Fields = Record<string, unknown>;

/**
 * Options of {@link prettyLogger}.
 *
 * @example
 * ```ts
 * const options: PrettyLoggerOptions = { write: (line) => process.stdout.write(line), paint: painter(false) };
 * ```
 */
export interface PrettyLoggerOptions {
  /** Writes one line (ending with `\n`). */
  write: (line: string) => void;
  paint: Paint;
  /** Records below this level are dropped. Default `'info'`. */
  level?: 'debug' | 'info' | 'warn' | 'error';
  /** The clock of the time column (tests pin it). */
  now?: () => Date;
}

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
type Level = keyof typeof LEVELS;
const LEVEL_STYLE: Readonly<Record<Level, Style>> = { debug: 'gray', info: 'green', warn: 'yellow', error: 'red' };

/** Fields the access line shows itself (or that only a machine needs). */
const ACCESS_FIELDS = new Set(['method', 'path', 'status', 'bytes', 'durationMs', 'incomplete', 'clientGone']);

/**
 * A {@link Logger} writing painted lines.
 *
 * @example
 * ```ts
 * const log = prettyLogger({ write: (line) => io.stdout.write(line), paint: painter(colorEnabled(io.stdout, io.env)) });
 * log.info({ method: 'GET', path: '/', status: 200, bytes: 12, durationMs: 1.5 }, 'request completed');
 * // 03:11:21 GET / 200 12 B 1.5 ms
 * ```
 */
export function prettyLogger(options: PrettyLoggerOptions, bindings: Fields = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const method = (level: Level): LogFn => {
    if (LEVELS[level] < threshold) return () => {};
    return (objOrMsg, msg) => {
      const fields: Fields = typeof objOrMsg === 'string' ? { ...bindings } : { ...bindings, ...objOrMsg };
      const text = typeof objOrMsg === 'string' ? objOrMsg : (msg ?? '');
      options.write(`${formatRecord(level, text, fields, options.paint, now())}\n`);
    };
  };
  return {
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    child: (more) => prettyLogger(options, { ...bindings, ...more }),
  };
}

/**
 * One record as a line (or, with an error's stack, several).
 *
 * @example
 * ```ts
 * formatRecord('warn', 'slow disk', { ms: 900 }, painter(false), new Date()); // '03:11:21 WARN slow disk ms=900'
 * ```
 */
export function formatRecord(level: Level, msg: string, fields: Fields, paint: Paint, at: Date): string {
  const time = paint('dim', at.toTimeString().slice(0, 8));
  if (typeof fields.method === 'string' && typeof fields.path === 'string' && typeof fields.status === 'number') {
    return `${time} ${accessLine(fields, paint)}`;
  }
  const { err, ...rest } = fields;
  const pairs = Object.entries(rest).map(([k, v]) => `${paint('dim', `${visible(k)}=`)}${valueText(v)}`);
  const head = [time, paint(LEVEL_STYLE[level], level.toUpperCase()), visible(msg)];
  const line = [...head, ...pairs].filter((p) => p !== '').join(' ');
  return err instanceof Error || isErrorFields(err) ? `${line}\n${paint('dim', stackOf(err))}` : line;
}

/**
 * `method path status bytes duration`: a response that did not reach its end shows `-` for the
 * bytes and says why, so an abandoned download is not taken for a served one (nor a server fault).
 */
function accessLine(fields: Fields, paint: Paint): string {
  const status = fields.status as number;
  const bytes = typeof fields.bytes === 'number' && fields.incomplete !== true ? fields.bytes : -1;
  const ms = typeof fields.durationMs === 'number' ? `${fields.durationMs.toFixed(1)} ms` : '';
  const cut = fields.incomplete === true || bytes < 0;
  const note = !cut ? '' : fields.clientGone === true ? ' (client went away)' : ' (response failed)';
  const extra = Object.entries(fields)
    .filter(([k]) => !ACCESS_FIELDS.has(k) && k !== 'remoteAddress' && k !== 'reqId')
    .map(([k, v]) => ` ${paint('dim', `${visible(k)}=`)}${valueText(v)}`)
    .join('');
  return `${paint('bold', visible(fields.method as string))} ${visible(fields.path as string)} ${paint(statusStyle(status), String(status))} ${humanBytes(bytes)} ${paint('dim', ms)}${note === '' ? '' : paint('dim', note)}${extra}`;
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return visible(/\s/.test(value) || value === '' ? JSON.stringify(value) : value);
  if (value instanceof Error) return JSON.stringify(value.message);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isErrorFields(value: unknown): value is { stack?: unknown; message?: unknown } {
  return typeof value === 'object' && value !== null && ('stack' in value || 'message' in value);
}

/** The stack (or message) of an error, indented under its record. */
function stackOf(error: { stack?: unknown; message?: unknown }): string {
  const text = typeof error.stack === 'string' ? error.stack : String(error.message);
  return text
    .split('\n')
    .map((l) => `    ${visible(l.trim())}`)
    .join('\n');
}
