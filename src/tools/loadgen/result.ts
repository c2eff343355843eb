/**
 * The result of a load test: what `--json` prints, what `--compare` and `--html` read. Versioned by
 * `schema`; every duration is in milliseconds.
 */
import type { ErrorPhase } from './driver.js';
import type { LatencySummary } from './histogram.js';
import type { LoadProtocol } from './options.js';
import type { TimelineSample } from './recorder.js';

/** The schema name and version of {@link LoadTestResult} (a change that breaks readers bumps it). */
export const RESULT_SCHEMA = 'wirekit-bench/1';

/** Why a run stopped: its time was up, its requests were all settled, or it was stopped from outside. */
export type StopReason = 'duration' | 'requests' | 'signal';

/**
 * Counts of one target of the request mix.
 *
 * @example
 * ```ts
 * for (const t of result.targets) console.log(t.method, t.url, t.requests, t.errors);
 * ```
 */
export interface TargetCounts {
  method: string;
  url: string;
  requests: number;
  errors: number;
}

/**
 * Everything a load test measured.
 *
 * @example
 * ```ts
 * const result = await loadTest({ targets: ['http://127.0.0.1:8080/'], requests: 1_000 });
 * console.log(result.rps, result.latency.p99, result.statusCodes['200']);
 * ```
 */
export interface LoadTestResult {
  schema: typeof RESULT_SCHEMA;
  /** What was measured: HTTP/1.1 or HTTP/2 requests, or WebSocket messages (`'ws'`: `requests` counts echoes, `rps` messages/s). Absent in results written before it. */
  protocol?: LoadProtocol;
  /** When the run started (ISO 8601). */
  startedAt: string;
  /** The settings the run used (`durationMs`/`requests` null when that bound was not set, `rate` null in closed loop). */
  options: {
    connections: number;
    pipelining: number;
    durationMs: number | null;
    requests: number | null;
    rate: number | null;
    timeoutMs: number;
  };
  targets: TargetCounts[];
  stopped: StopReason;
  /** Wall time of the run, from the first connection attempt to the stop. */
  durationMs: number;
  /** Responses received (any status). */
  requests: number;
  /** `requests` per second of `durationMs`. */
  rps: number;
  /** Requests (or connection attempts) that failed, all phases. */
  errors: number;
  errorPhases: Record<ErrorPhase, number>;
  /** Failures by wirekit error code (`WK_ERR_CONNECT`, `WK_ERR_HEADERS_TIMEOUT`, …). */
  errorCodes: Record<string, number>;
  /** Responses by status code (`"200": 1234`). */
  statusCodes: Record<string, number>;
  /** Responses by class (`"2xx"`), only the classes seen. */
  statusClasses: Record<string, number>;
  /** Latency in milliseconds: from sending, or at a fixed rate from when the request was due. */
  latency: LatencySummary;
  bytes: { read: number; written: number; readPerSecond: number };
  connections: { opened: number };
  /** Requests written but not answered when the run stopped (not counted anywhere else). */
  inFlightAtEnd: number;
  /** Fixed-rate runs: requests due by the stop that no connection was free to send. */
  unsent: number;
  /** Per-interval samples (about one per second): throughput and latency over time. */
  timeline: TimelineSample[];
  /** The whole latency histogram: HdrHistogram's compressed base64, microseconds. */
  histogram: string;
}

/** `{ "2xx": n, … }` from counts by status code. */
export function statusClassesOf(codes: Readonly<Record<string, number>>): Record<string, number> {
  const classes: Record<string, number> = {};
  for (const [code, n] of Object.entries(codes)) {
    const name = `${code[0]}xx`;
    classes[name] = (classes[name] ?? 0) + n;
  }
  return classes;
}
