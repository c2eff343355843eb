/**
 * What `wirekit serve` writes to stdout, by `--log`: `pretty` (a person's terminal: coloured access
 * lines and plain announcements), `json` (one JSON record per line, announcements included, for a
 * log collector), or `off` (announcements only). The default follows stdout: pretty on a terminal,
 * JSON when piped. The logger is also the App's, so a 5xx fault is logged with its stack there.
 */
import { networkInterfaces } from 'node:os';
import { jsonLogger, type Logger } from '../index.js';
import type { CliIo } from './io.js';
import { colorEnabled, painter } from './paint.js';
import { prettyLogger } from './pretty-logger.js';
import { subscribeRequestLog } from './request-log.js';
import { UsageError } from './usage-error.js';

/**
 * A `--log` format.
 *
 * @example
 * ```ts
 * const format: LogFormat = 'json';
 * ```
 */
export type LogFormat = 'json' | 'pretty' | 'off';

const FORMATS: readonly LogFormat[] = ['json', 'pretty', 'off'];

/**
 * The format from `--log` (and `-q`, which is `--log off`); by stdout when neither is given.
 *
 * @example
 * ```ts
 * logFormat(undefined, false, io); // 'pretty' on a terminal, 'json' piped
 * ```
 */
export function logFormat(text: string | undefined, quiet: boolean, io: CliIo): LogFormat {
  if (quiet) {
    if (text !== undefined && text !== 'off') throw new UsageError(`-q is --log off; it cannot go with --log ${text}`);
    return 'off';
  }
  if (text === undefined) return io.stdout.isTTY === true ? 'pretty' : 'json';
  if (!FORMATS.includes(text as LogFormat)) {
    throw new UsageError(`--log: json, pretty or off, not ${JSON.stringify(text)}`, { flag: '--log' });
  }
  return text as LogFormat;
}

/**
 * Where serve's output goes.
 *
 * @example
 * ```ts
 * const out = serveOutput('pretty', io);
 * out.say('listening', { url }, `Serving . at ${url}/`);
 * ```
 */
export interface ServeOutput {
  /** The logger (the App's too), or undefined with `--log off`. */
  readonly logger: Logger | undefined;
  /** An announcement: `text` for people, or the record `msg` with `fields` in JSON. */
  say(msg: string, fields: Record<string, unknown>, text: string): void;
  /**
   * Starts the log: every request, and the process's warnings (an app module's unexpected errors
   * among them: its own App has no logger of ours); nothing with `--log off`. Returns its stop.
   */
  startLog(): () => void;
}

/**
 * The output for `format` on `io.stdout`.
 *
 * @example
 * ```ts
 * const out = serveOutput(logFormat(flags.log, flags.quiet, io), io);
 * const app = new App(out.logger === undefined ? {} : { logger: out.logger });
 * ```
 */
export function serveOutput(format: LogFormat, io: CliIo): ServeOutput {
  const write = (line: string): void => {
    io.stdout.write(line);
  };
  const logger =
    format === 'json'
      ? jsonLogger({ write })
      : format === 'pretty'
        ? prettyLogger({ write, paint: painter(colorEnabled(io.stdout, io.env)) })
        : undefined;
  return {
    logger,
    say(msg, fields, text) {
      if (format === 'json') logger?.info(fields, msg);
      else write(`${text}\n`);
    },
    startLog() {
      if (logger === undefined) return () => {};
      const stopRequests = subscribeRequestLog(logger);
      const restoreWarnings = io.warnings((warning) => {
        // A Warning (deprecation, listeners) is a warning; an Error emitted as one is a fault.
        if (/Warning$/.test(warning.name)) logger.warn({ type: warning.name }, warning.message);
        else logger.error({ err: warning }, warning.message);
      });
      return () => {
        stopRequests();
        restoreWarnings();
      };
    },
  };
}

/**
 * Where a browser reaches the server: its URL, or for a wildcard bind (0.0.0.0, ::), which no
 * browser can open, the loopback URL first and then one per external IPv4 address.
 *
 * @example
 * ```ts
 * reachableUrls('http://0.0.0.0:8080', '0.0.0.0'); // ['http://127.0.0.1:8080', 'http://192.168.1.20:8080']
 * ```
 */
export function reachableUrls(url: string, bound: string): string[] {
  if (bound !== '0.0.0.0' && bound !== '::') return [url];
  const at = (host: string): string => url.replace(/\/\/(\[[^\]]*\]|[^/:]+)/, `//${host}`);
  // IPv4 only: an IPv6 bind of :: takes IPv4 too, and link-local IPv6 needs a zone id in a URL.
  const external = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && !i.internal && i.family === 'IPv4')
    .map((i) => at(i?.address as string));
  return [at(bound === '::' ? '[::1]' : '127.0.0.1'), ...external];
}
