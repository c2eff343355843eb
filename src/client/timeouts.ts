/**
 * Per-phase timeouts of a request (docs/architecture.md, Rules: every wait has a limit with a documented
 * default), and the one re-armable deadline a connection keeps on the shared timer wheel.
 *
 * A connection has one wheel entry whatever phase it is in (headers, body, upload, keep-alive idle):
 * moving to a later deadline is a number store, and the entry re-arms itself when it fires early,
 * so a busy connection costs no timer operation per request or per chunk.
 */
import { type ErrorCode, type SocketAddress, TimeoutError, WirekitError } from '../errors.js';
import { type TimerHandle, timerWheel } from '../util/timer-wheel.js';

/**
 * Timeouts of one request, in milliseconds; 0 turns one off.
 *
 * @example
 * ```ts
 * await request(url, { timeouts: { connectTimeoutMs: 2_000, headersTimeoutMs: 5_000, totalTimeoutMs: 30_000 } });
 * ```
 */
export interface Timeouts {
  /**
   * From the call until the request is written: the wait for a free connection (or for the one
   * being opened for it). Default 30 000. Why a limit: a connection whose response body nobody reads
   * stays busy (a paused reader is not timed out), and a request queued behind it would wait forever.
   */
  queueTimeoutMs: number;
  /** DNS lookup plus the TCP handshake (to the proxy, with one). Default 10 000. */
  connectTimeoutMs: number;
  /** The TLS handshake. Default 10 000. */
  tlsTimeoutMs: number;
  /** From the request being written to its complete response head (time to first byte, mostly). Default 30 000. */
  headersTimeoutMs: number;
  /** Longest silence between two response body chunks (or two request body writes). Default 30 000. */
  bodyTimeoutMs: number;
  /**
   * From the call to the end of the response body, queueing and connecting included, for one attempt:
   * a retry or a redirect starts its own (a `signal: AbortSignal.timeout(ms)` spans them all).
   * Default 0 (none): a long download is legitimate, and `bodyTimeoutMs` already catches a stalled one.
   */
  totalTimeoutMs: number;
}

/**
 * The defaults of {@link Timeouts}.
 *
 * @example
 * ```ts
 * const slow = { ...DEFAULT_TIMEOUTS, headersTimeoutMs: 120_000 };
 * ```
 */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({
  queueTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  tlsTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  totalTimeoutMs: 0,
});

const KEYS = Object.keys(DEFAULT_TIMEOUTS) as (keyof Timeouts)[];

/**
 * Fills the timeouts not given from `base`, refusing negative or non-finite values.
 *
 * @example
 * ```ts
 * const t = resolveTimeouts({ headersTimeoutMs: 5_000 }); // the others are the defaults
 * ```
 */
export function resolveTimeouts(
  partial: Partial<Timeouts> | undefined,
  base: Readonly<Timeouts> = DEFAULT_TIMEOUTS,
): Readonly<Timeouts> {
  if (partial === undefined) return base;
  const out = { ...base };
  for (const key of KEYS) {
    const value = partial[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `${key} must be a finite number ≥ 0, got ${String(value)}`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * A timeout error naming its phase, with the socket addresses where there are some.
 *
 * @example
 * ```ts
 * throw timeoutError('WK_ERR_HEADERS_TIMEOUT', 'no response head within 30000 ms', conn);
 * ```
 */
export function timeoutError(
  code: ErrorCode,
  message: string,
  endpoints: { localAddress?: SocketAddress | undefined; remoteAddress?: SocketAddress | undefined } = {},
): TimeoutError {
  return new TimeoutError(code, message, {
    localAddress: endpoints.localAddress,
    remoteAddress: endpoints.remoteAddress,
  });
}

/** What a phase timeout names: the request that was waiting. */
interface Waiting {
  readonly method: string;
  readonly request: { readonly path: string };
  readonly timeouts: Readonly<Timeouts>;
}

/**
 * The timeout error of a connection phase, naming the request it was waiting on.
 *
 * @example
 * ```ts
 * conn.destroy(phaseTimeout('headers', exchange, conn)); // WK_ERR_HEADERS_TIMEOUT: no response head within …
 * ```
 */
export function phaseTimeout(
  phase: 'headers' | 'body' | 'upload',
  waiting: Waiting,
  endpoints: { localAddress?: SocketAddress | undefined; remoteAddress?: SocketAddress | undefined },
): TimeoutError {
  const what = `${waiting.method} ${waiting.request.path}`;
  const t = waiting.timeouts;
  switch (phase) {
    case 'headers':
      return timeoutError(
        'WK_ERR_HEADERS_TIMEOUT',
        `no response head within ${t.headersTimeoutMs} ms of sending ${what}`,
        endpoints,
      );
    case 'body':
      return timeoutError(
        'WK_ERR_BODY_TIMEOUT',
        `the response body of ${what} stalled for ${t.bodyTimeoutMs} ms`,
        endpoints,
      );
    case 'upload':
      return timeoutError(
        'WK_ERR_BODY_TIMEOUT',
        `the request body of ${what} could not be written for ${t.bodyTimeoutMs} ms`,
        endpoints,
      );
  }
}

/**
 * One deadline on the shared timer wheel that can be moved cheaply: later deadlines are a store,
 * the entry re-arms itself when it fires before the current one. `onExpire` runs once per expiry.
 *
 * @example
 * ```ts
 * const deadline = new Deadline(() => conn.destroy(new Error('stalled')));
 * deadline.arm(30_000); // on every chunk
 * deadline.clear(); // done
 * ```
 */
export class Deadline {
  readonly #onExpire: () => void;
  readonly #maxCheckMs: number;
  #handle: TimerHandle | undefined;
  #due = 0;

  /**
   * `maxCheckMs` bounds how far ahead the wheel entry is set: with it at the shortest deadline the
   * owner commonly uses (the keep-alive idle time), moving between deadlines never touches the wheel;
   * the entry just wakes up every `maxCheckMs` while a longer deadline runs.
   */
  constructor(onExpire: () => void, maxCheckMs = Number.POSITIVE_INFINITY) {
    this.#onExpire = onExpire;
    this.#maxCheckMs = maxCheckMs;
  }

  /** True while a deadline is set. */
  get armed(): boolean {
    return this.#due !== 0;
  }

  /** Sets the deadline `ms` from now (0 clears it); `now` (on the wheel's clock) saves a clock read. */
  arm(ms: number, now: number = timerWheel.now()): void {
    if (ms <= 0) {
      this.#due = 0;
      return;
    }
    const due = now + ms;
    this.#due = due;
    const handle = this.#handle;
    const at = Math.min(due, now + this.#maxCheckMs);
    if (handle === undefined) this.#handle = timerWheel.add(at, this.#check);
    else if (!handle.active || handle.deadline > due) handle.refresh(at);
  }

  /** Clears the deadline; the wheel entry is left to lapse (it stops when it next fires). */
  clear(): void {
    this.#due = 0;
  }

  /** Clears the deadline and removes the wheel entry now (when the owner goes away). */
  cancel(): void {
    this.#due = 0;
    this.#handle?.cancel();
  }

  readonly #check = (): void => {
    const due = this.#due;
    if (due === 0) return;
    const now = timerWheel.now();
    if (due > now) {
      this.#handle?.refresh(Math.min(due, now + this.#maxCheckMs));
      return;
    }
    this.#due = 0;
    this.#onExpire();
  };
}
