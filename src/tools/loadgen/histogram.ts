/**
 * Latency histograms: the one file that imports `hdr-histogram-js` (see docs/dependencies.md).
 * Values are recorded in microseconds with 3 significant digits (0.1% resolution) from 1 µs to one
 * hour; everything this module returns is in milliseconds. Histograms travel in a result's JSON
 * as HdrHistogram's standard compressed base64 encoding, so a compare (or HdrHistogram's own
 * tools) can read them back.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/** The largest latency kept, in microseconds (one hour); longer ones are recorded as this. */
const HIGHEST_US = 3_600_000_000;

/**
 * Latencies below this many microseconds (65 ms) are counted in a plain array first and handed to
 * the HDR histogram in bulk when it is read. Why: the library's `recordValue` calls `Math.pow` and
 * `Math.log2` for every value, about 2,000 instructions, a sixth of what the load generator spends
 * per request; counting in an array is one increment, and a flush records each distinct value once.
 */
const PENDING_US = 65_536;

/**
 * Percentiles of a latency distribution, in milliseconds.
 *
 * @example
 * ```ts
 * const { p50, p99, max }: LatencySummary = histogram.summary();
 * ```
 */
export interface LatencySummary {
  min: number;
  mean: number;
  stdev: number;
  p50: number;
  p75: number;
  p90: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
}

/**
 * A latency histogram (HdrHistogram, microsecond buckets).
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * h.record(1.25); // ms
 * h.percentile(99); // 1.25
 * ```
 */
export class LatencyHistogram {
  readonly #h: Histogram;
  /** Counts by microsecond below PENDING_US not yet in `#h`, and which entries are non-zero. */
  #pending: Uint32Array | undefined;
  #touched: Uint32Array | undefined;
  #touchedCount = 0;

  constructor(from?: Histogram) {
    this.#h =
      from ??
      build({
        bitBucketSize: 32,
        autoResize: false,
        lowestDiscernibleValue: 1,
        highestTrackableValue: HIGHEST_US,
        numberOfSignificantValueDigits: 3,
        useWebAssembly: false,
      });
  }

  /** Reads a histogram written by {@link LatencyHistogram.encode}. */
  static decode(encoded: string): LatencyHistogram {
    return new LatencyHistogram(decodeFromCompressedBase64(encoded, 32, false));
  }

  /** Values recorded. */
  get count(): number {
    return this.#flushed().totalCount;
  }

  /** Records one latency in milliseconds (negative counts as 0, beyond an hour as an hour). */
  record(ms: number): void {
    const us = ms <= 0 ? 0 : Math.round(ms * 1000);
    if (us >= PENDING_US) {
      this.#h.recordValue(Math.min(us, HIGHEST_US));
      return;
    }
    const pending = this.#pending ?? this.#allocate();
    const n = pending[us] as number;
    pending[us] = n + 1;
    if (n === 0) (this.#touched as Uint32Array)[this.#touchedCount++] = us;
  }

  /** The latency at `percentile` (0–100), in milliseconds; 0 when empty. */
  percentile(percentile: number): number {
    const h = this.#flushed();
    return h.totalCount === 0 ? 0 : h.getValueAtPercentile(percentile) / 1000;
  }

  /** The usual percentiles, mean and spread, in milliseconds. */
  summary(): LatencySummary {
    const h = this.#flushed();
    if (h.totalCount === 0)
      return { min: 0, mean: 0, stdev: 0, p50: 0, p75: 0, p90: 0, p99: 0, p999: 0, p9999: 0, max: 0 };
    return {
      min: h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue / 1000,
      mean: h.mean / 1000,
      stdev: h.stdDeviation / 1000,
      p50: this.percentile(50),
      p75: this.percentile(75),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      p9999: this.percentile(99.99),
      max: h.maxValue / 1000,
    };
  }

  /** Adds every value of `other`. */
  add(other: LatencyHistogram): void {
    this.#flushed().add(other.#flushed());
  }

  /** Forgets every value (for per-interval histograms). */
  reset(): void {
    this.#flushed().reset();
  }

  /** HdrHistogram's compressed base64 encoding (units: microseconds). */
  encode(): string {
    return encodeIntoCompressedBase64(this.#flushed());
  }

  #allocate(): Uint32Array {
    this.#touched = new Uint32Array(PENDING_US);
    this.#pending = new Uint32Array(PENDING_US);
    return this.#pending;
  }

  /** The HDR histogram with the pending counts recorded. */
  #flushed(): Histogram {
    const pending = this.#pending;
    const touched = this.#touched;
    if (pending === undefined || touched === undefined) return this.#h;
    for (let i = 0; i < this.#touchedCount; i++) {
      const us = touched[i] as number;
      this.#h.recordValueWithCount(us, pending[us] as number);
      pending[us] = 0;
    }
    this.#touchedCount = 0;
    return this.#h;
  }
}
