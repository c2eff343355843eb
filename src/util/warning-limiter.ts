/**
 * Rate limiting for warnings that can repeat once per request. A server fault that every request
 * hits (a database down, a bug on a hot route) or that a client can trigger at will must not turn
 * the log into a flood: the first warning of a kind goes out at once, with its stack; the same kind
 * again within `intervalMs` is only counted, and the next one after the interval goes out saying
 * how many were held back. No timer runs: a count is told with the next warning of its kind, so a
 * flood that stops leaves its last count untold (the first line already said what happened).
 */

/** How a warning line is written: the error, and how many of its kind were held back before it. */
export type WarningSink = (error: Error, suppressed: number, intervalMs: number) => void;

/** Options of {@link WarningLimiter}. */
export interface WarningLimiterOptions {
  /** At most one line per kind per this many milliseconds. Default 60,000. */
  intervalMs?: number;
  /** Kinds tracked at once; beyond it new kinds share one budget (so varied messages stay bounded). Default 100. */
  maxKinds?: number;
  /** The clock, in milliseconds (tests drive it by hand). Default `Date.now`. */
  now?: () => number;
  /** Writes a line. Default: `process.emitWarning`, with the count in the message when some were held back. */
  sink?: WarningSink;
}

/** Default interval of {@link WarningLimiter}: one line per kind per minute. */
export const DEFAULT_WARNING_INTERVAL_MS = 60_000;

interface KindState {
  /** When the last line of this kind went out. */
  shownAt: number;
  /** Warnings of this kind held back since then. */
  suppressed: number;
}

/** The kind a budget is kept by once `maxKinds` are tracked. */
const OVERFLOW_KIND = '\0overflow';

/**
 * Lets the first warning of a kind through, then at most one line per `intervalMs` per kind, each
 * saying how many of that kind were held back since the previous one. A kind is the error's name,
 * its `code` (when it has one) and its message.
 *
 * @example
 * ```ts
 * const warnings = new WarningLimiter({ intervalMs: 10_000 });
 * for (let i = 0; i < 1000; i++) warnings.warn(new Error('db down')); // one line now
 * // …ten seconds later, the next one: "db down (999 more like it in the last 10 s were not shown)"
 * ```
 */
export class WarningLimiter {
  readonly #intervalMs: number;
  readonly #maxKinds: number;
  readonly #now: () => number;
  readonly #sink: WarningSink;
  readonly #kinds = new Map<string, KindState>();

  constructor(options: WarningLimiterOptions = {}) {
    this.#intervalMs = options.intervalMs ?? DEFAULT_WARNING_INTERVAL_MS;
    this.#maxKinds = options.maxKinds ?? 100;
    this.#now = options.now ?? Date.now;
    this.#sink = options.sink ?? emitProcessWarning;
  }

  /** Writes `error` now, or counts it if a warning of its kind went out less than `intervalMs` ago. */
  warn(error: Error): void {
    const now = this.#now();
    const kind = this.#kindOf(error, now);
    const state = this.#kinds.get(kind);
    if (state !== undefined && now - state.shownAt < this.#intervalMs) {
      state.suppressed++;
      return;
    }
    const suppressed = state?.suppressed ?? 0;
    this.#kinds.set(kind, { shownAt: now, suppressed: 0 });
    this.#sink(error, suppressed, this.#intervalMs);
  }

  #kindOf(error: Error, now: number): string {
    const code = (error as { code?: unknown }).code;
    const kind = `${error.name}\0${typeof code === 'string' ? code : ''}\0${error.message}`;
    if (this.#kinds.has(kind)) return kind;
    if (this.#kinds.size < this.#maxKinds) return kind;
    // Full: forget kinds whose interval is over (their next warning is shown anyway), else share a budget.
    for (const [key, state] of this.#kinds) {
      if (now - state.shownAt >= this.#intervalMs && state.suppressed === 0) this.#kinds.delete(key);
    }
    return this.#kinds.size < this.#maxKinds ? kind : OVERFLOW_KIND;
  }
}

/**
 * The default sink: the error itself (with its stack) when nothing was held back, else its message
 * with the count, under the error's name and code.
 */
function emitProcessWarning(error: Error, suppressed: number, intervalMs: number): void {
  if (suppressed === 0) {
    process.emitWarning(error);
    return;
  }
  const code = (error as { code?: unknown }).code;
  const seconds = Math.round(intervalMs / 1000);
  const message = `${error.message} (${suppressed} more like it in the last ${seconds} s were not shown)`;
  process.emitWarning(message, { type: error.name, ...(typeof code === 'string' ? { code } : {}) });
}

/**
 * The process-wide limiter behind wirekit's default error reporting (the server's and the app's
 * `onError` defaults, the TCP server's handler failures): one log, one budget.
 *
 * @example
 * ```ts
 * processWarnings.warn(new Error('cache unreachable')); // shown once, then once a minute with a count
 * ```
 */
export const processWarnings = new WarningLimiter();
