/**
 * Everything a load test counts: latencies (one histogram for the run, one per second for the
 * timeline), statuses, errors by phase and code, bytes, and per-target counts. Recording a
 * response is a few stores and two histogram increments: no allocation.
 */
import type { WirekitError } from '../../errors.js';
import { ERROR_PHASES, type ErrorPhase } from './driver.js';
import { LatencyHistogram } from './histogram.js';

/** How long one timeline sample covers, in milliseconds. */
export const SAMPLE_MS = 1000;

/**
 * One interval of a run (about a second; `ms` is its exact length).
 *
 * @example
 * ```ts
 * const rps = sample.requests / (sample.ms / 1000);
 * ```
 */
export interface TimelineSample {
  /** When the interval began, in seconds from the start. */
  t: number;
  /** Its length in milliseconds. */
  ms: number;
  requests: number;
  errors: number;
  bytesRead: number;
  /** Latency percentiles of the responses in this interval, in milliseconds (0 when there were none). */
  p50: number;
  p99: number;
  max: number;
}

/**
 * The counters of one run.
 *
 * @example
 * ```ts
 * const recorder = new Recorder(performance.now(), 1);
 * recorder.answered(1.5, 200, 0);
 * recorder.tick(performance.now());
 * ```
 */
export class Recorder {
  readonly latency = new LatencyHistogram();
  readonly timeline: TimelineSample[] = [];
  /** Responses by status code (index = code, 100–999). */
  readonly statuses = new Float64Array(1000);
  readonly phases: Record<ErrorPhase, number> = { connect: 0, tls: 0, headers: 0, body: 0, timeout: 0 };
  readonly codes = new Map<string, number>();
  readonly targetRequests: Float64Array;
  readonly targetErrors: Float64Array;
  readonly startMs: number;
  requests = 0;
  errors = 0;
  bytesRead = 0;
  bytesWritten = 0;
  readonly #interval = new LatencyHistogram();
  #sampleStart: number;
  #sampleRequests = 0;
  #sampleErrors = 0;
  #sampleBytes = 0;

  constructor(startMs: number, targets: number) {
    this.startMs = startMs;
    this.#sampleStart = startMs;
    this.targetRequests = new Float64Array(targets);
    this.targetErrors = new Float64Array(targets);
  }

  /** A response arrived `latencyMs` after its request was sent (or due, at a fixed rate). */
  answered(latencyMs: number, status: number, target: number): void {
    this.requests++;
    this.#sampleRequests++;
    bump(this.statuses, status);
    bump(this.targetRequests, target);
    this.latency.record(latencyMs);
    this.#interval.record(latencyMs);
  }

  /** A request (or a connection attempt, `target` -1) failed. */
  failed(error: WirekitError, phase: ErrorPhase, target: number): void {
    this.errors++;
    this.#sampleErrors++;
    this.phases[phase]++;
    this.codes.set(error.code, (this.codes.get(error.code) ?? 0) + 1);
    if (target >= 0) bump(this.targetErrors, target);
  }

  read(bytes: number): void {
    this.bytesRead += bytes;
    this.#sampleBytes += bytes;
  }

  /**
   * Closes the current timeline sample once it is a second old. A late tick (a busy event loop)
   * makes a longer sample, never an empty one: `ms` says how long it really was.
   */
  tick(now: number): void {
    if (now - this.#sampleStart >= SAMPLE_MS) this.#closeSample(now);
  }

  /** Closes the last, partial sample at the end of the run (dropped when it is empty and short). */
  finish(now: number): void {
    this.tick(now);
    if (now - this.#sampleStart >= 1 && (this.#sampleRequests > 0 || this.#sampleErrors > 0)) this.#closeSample(now);
  }

  /** Throughput over the last whole sample, or over the run so far within the first. */
  recentRate(now: number): number {
    const last = this.timeline.at(-1);
    if (last !== undefined) return (last.requests * 1000) / last.ms;
    const ms = now - this.startMs;
    return ms > 0 ? (this.requests * 1000) / ms : 0;
  }

  /** Error counts by phase, every phase present. */
  phaseCounts(): Record<ErrorPhase, number> {
    return Object.fromEntries(ERROR_PHASES.map((p) => [p, this.phases[p]])) as Record<ErrorPhase, number>;
  }

  #closeSample(end: number): void {
    const interval = this.#interval;
    this.timeline.push({
      t: (this.#sampleStart - this.startMs) / 1000,
      ms: end - this.#sampleStart,
      requests: this.#sampleRequests,
      errors: this.#sampleErrors,
      bytesRead: this.#sampleBytes,
      p50: interval.percentile(50),
      p99: interval.percentile(99),
      max: interval.percentile(100),
    });
    interval.reset();
    this.#sampleStart = end;
    this.#sampleRequests = 0;
    this.#sampleErrors = 0;
    this.#sampleBytes = 0;
  }
}

function bump(counts: Float64Array, index: number): void {
  counts[index] = (counts[index] as number) + 1;
}
