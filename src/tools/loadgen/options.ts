/**
 * The options of a load test, their defaults and their checks: a bad option is a
 * `WK_ERR_INVALID_ARGUMENT` before any connection is opened.
 */
import type { TlsOptions } from '../../client/connector.js';
import { WirekitError } from '../../errors.js';
import { checkDuration, checkInteger } from '../../net/options.js';

/**
 * One request of the mix a load test sends. Bodies are sent with a Content-Length; the Host field
 * comes from the URL unless `headers` has one.
 *
 * @example
 * ```ts
 * const echo: LoadTarget = { url: 'http://127.0.0.1:8080/echo', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' };
 * ```
 */
export interface LoadTarget {
  /**
   * An absolute `http:` or `https:` URL, or a `ws:`/`wss:` URL for WebSocket load (every target of
   * a run then a WebSocket URL; `body` is the message, a string as text, bytes as binary).
   */
  url: string;
  /** Default `GET` (`POST` when a body is given). */
  method?: string;
  /** Request fields, as an object or as `[name, value]` pairs (repeated names allowed). */
  headers?: Readonly<Record<string, string>> | readonly (readonly [string, string])[];
  /** The request body (a string is sent as UTF-8). */
  body?: string | Uint8Array;
}

/**
 * What {@link loadTest} measures, how hard and for how long.
 *
 * @example
 * ```ts
 * const result = await loadTest({ targets: ['http://127.0.0.1:8080/'], connections: 100, durationMs: 10_000 });
 * ```
 */
export interface LoadTestOptions {
  /** The requests to send, in turn on every connection. A string is a GET of that URL. */
  targets: readonly (string | LoadTarget)[];
  /** Connections kept open (split across origins when targets name several). Default 10. */
  connections?: number;
  /** Requests written on a connection before their responses arrive. Default 1 (no pipelining). */
  pipelining?: number;
  /**
   * Stop after this long, in milliseconds. Default 10 000 when `requests` is not given; with
   * `requests`, no time limit unless given (the per-request timeouts still bound every wait).
   */
  durationMs?: number;
  /** Stop after exactly this many requests have been answered or failed. */
  requests?: number;
  /**
   * Constant throughput, in requests per second across all connections. Latency is then measured
   * from the time each request was due, not from when a connection was free to send it, so a
   * stalled server shows in the percentiles (coordinated omission, as wrk2 corrects it).
   */
  rate?: number;
  /** Connect, TLS, response head and body silence limit, each, in milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** TLS settings for `https:` targets (`rejectUnauthorized: false` to accept a self-signed certificate). */
  tls?: TlsOptions;
  /**
   * HTTP/2: `https:` origins must choose `h2` by ALPN, `http:` origins are spoken to in cleartext
   * with prior knowledge (h2c). `pipelining` is then the streams in flight per connection. Default false.
   */
  http2?: boolean;
  /** WebSocket targets without a body: bytes of each binary message. Default 64. */
  messageBytes?: number;
  /** Stops the test early; the result covers what ran. */
  signal?: AbortSignal;
  /** Called once the options are checked, as the first connections open (a banner goes here). */
  onStart?: () => void;
  /** Called every `progressIntervalMs` while the test runs (for a live display). */
  onProgress?: (progress: LoadProgress) => void;
  /** How often `onProgress` is called. Default 250 ms. */
  progressIntervalMs?: number;
}

/**
 * What a load test speaks: HTTP/1.1, HTTP/2 or WebSocket (where a "request" is a message answered).
 *
 * @example
 * ```ts
 * const unit = result.protocol === 'ws' ? 'msg/s' : 'req/s';
 * ```
 */
export type LoadProtocol = 'http/1.1' | 'h2' | 'ws';

/**
 * A live view of a running test, given to `onProgress`.
 *
 * @example
 * ```ts
 * onProgress: (p) => console.log(`${p.elapsedMs} ms: ${p.rps} req/s, p99 ${p.p99} ms`)
 * ```
 */
export interface LoadProgress {
  elapsedMs: number;
  /** The planned length in milliseconds, when the test is bounded by time. */
  durationMs: number | undefined;
  /** The planned number of requests, when the test is bounded by count. */
  plannedRequests: number | undefined;
  /** Responses received so far. */
  requests: number;
  errors: number;
  /** Throughput over the last whole second (over the time so far in the first second). */
  rps: number;
  /** What is counted: HTTP requests, or WebSocket messages (`'ws'`). Absent: HTTP. */
  protocol?: LoadProtocol;
  /** Latency percentiles so far, in milliseconds. */
  p50: number;
  p99: number;
  /** Requests written and not answered yet. */
  inFlight: number;
}

/** The largest `messageBytes`: a WebSocket load test measures round trips, not bulk transfer. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Defaults of {@link LoadTestOptions}. */
export const LOAD_TEST_DEFAULTS = Object.freeze({
  connections: 10,
  pipelining: 1,
  durationMs: 10_000,
  timeoutMs: 10_000,
  progressIntervalMs: 250,
});

/** The options with defaults filled in and everything checked. */
export interface ResolvedLoadOptions {
  readonly connections: number;
  readonly pipelining: number;
  /** `Infinity` when the test is bounded by count alone. */
  readonly durationMs: number;
  /** `Infinity` when the test is bounded by time alone. */
  readonly requests: number;
  /** Requests per second, or 0 for as fast as the server answers (closed loop). */
  readonly rate: number;
  readonly timeoutMs: number;
  readonly progressIntervalMs: number;
}

/**
 * Fills the defaults and checks every option (`WK_ERR_INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * resolveLoadOptions({ targets: ['http://127.0.0.1:8080/'], requests: 1_000 }).durationMs; // Infinity
 * ```
 */
export function resolveLoadOptions(options: LoadTestOptions): ResolvedLoadOptions {
  if (!Array.isArray(options.targets) || options.targets.length === 0) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'targets must name at least one URL');
  }
  checkInteger('connections', options.connections, 1, 100_000);
  checkInteger('pipelining', options.pipelining, 1, 1_000);
  checkInteger('requests', options.requests, 1, Number.MAX_SAFE_INTEGER);
  checkInteger('messageBytes', options.messageBytes, 0, MAX_MESSAGE_BYTES);
  checkDuration('durationMs', options.durationMs);
  checkDuration('timeoutMs', options.timeoutMs);
  checkDuration('progressIntervalMs', options.progressIntervalMs);
  if (options.rate !== undefined && !(options.rate > 0 && Number.isFinite(options.rate))) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `rate must be a number of requests per second > 0, got ${options.rate}`,
    );
  }
  if (options.durationMs === 0) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'durationMs must be > 0');
  const requests = options.requests ?? Number.POSITIVE_INFINITY;
  const durationMs =
    options.durationMs ?? (options.requests === undefined ? LOAD_TEST_DEFAULTS.durationMs : Number.POSITIVE_INFINITY);
  return {
    connections: options.connections ?? LOAD_TEST_DEFAULTS.connections,
    pipelining: options.pipelining ?? LOAD_TEST_DEFAULTS.pipelining,
    durationMs,
    requests,
    rate: options.rate ?? 0,
    timeoutMs: options.timeoutMs ?? LOAD_TEST_DEFAULTS.timeoutMs,
    progressIntervalMs: Math.max(10, options.progressIntervalMs ?? LOAD_TEST_DEFAULTS.progressIntervalMs),
  };
}
