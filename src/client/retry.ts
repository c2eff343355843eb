/**
 * The retry interceptor (undici's rules, docs/architecture.md, client): only requests that are safe to repeat
 * (idempotent method or an Idempotency-Key, and a body that can be sent again) are retried, on
 * network failures and on 429/503, with exponential backoff and jitter, honouring `Retry-After` up
 * to a bound. Every wait is cut short by the request's signal.
 */
import { type ErrorCode, isWirekitError } from '../errors.js';
import { abortedError } from '../net/addresses.js';
import { isReplayable } from './body.js';
import { isIdempotent } from './exchange.js';
import type { ClientResponse } from './response.js';
import type { DispatchRequest, Interceptor } from './types.js';

/**
 * Options of {@link retry}; every one has a default.
 *
 * @example
 * ```ts
 * retry({ maxRetries: 3, statusCodes: [429, 502, 503], maxRetryAfterMs: 10_000 });
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** The first backoff step. Default 250 ms. */
  minDelayMs?: number;
  /** The largest backoff step. Default 10 000 ms. */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the response is returned. Default 30 000 ms. */
  maxRetryAfterMs?: number;
  /** Statuses that are retried. Default 429 and 503. */
  statusCodes?: readonly number[];
  /** Error codes that are retried. Default: connect, socket, closed, EOF and headers-timeout failures. */
  errorCodes?: readonly ErrorCode[];
  /** Called before each wait (for logging). */
  onRetry?: (info: { attempt: number; delayMs: number; error?: unknown; status?: number }) => void;
}

/**
 * Defaults of {@link RetryOptions}.
 *
 * @example
 * ```ts
 * retry({ maxRetries: RETRY_DEFAULTS.maxRetries + 1 });
 * ```
 */
export const RETRY_DEFAULTS = Object.freeze({
  maxRetries: 2,
  minDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
  statusCodes: Object.freeze([429, 503]) as readonly number[],
  errorCodes: Object.freeze([
    'WK_ERR_CONNECT',
    'WK_ERR_CONNECT_TIMEOUT',
    'WK_ERR_SOCKET',
    'WK_ERR_SOCKET_CLOSED',
    'WK_ERR_UNEXPECTED_EOF',
    'WK_ERR_HEADERS_TIMEOUT',
  ]) as readonly ErrorCode[],
});

/**
 * Retries safe requests with backoff.
 *
 * @example
 * ```ts
 * const api = withInterceptors(new Agent(), retry({ maxRetries: 3, statusCodes: [429, 502, 503] }));
 * ```
 */
export function retry(options: RetryOptions = {}): Interceptor {
  const o = { ...RETRY_DEFAULTS, ...options };
  return (next) => async (request) => {
    const safe = isIdempotent(request.method, request.headers) && isReplayable(request.body);
    for (let attempt = 0; ; attempt++) {
      let response: ClientResponse;
      try {
        response = await next(request);
      } catch (error) {
        const code = isWirekitError(error) ? error.code : undefined;
        if (!safe || attempt >= o.maxRetries || code === undefined || !o.errorCodes.includes(code)) throw error;
        const delayMs = backoffMs(attempt, o.minDelayMs, o.maxDelayMs);
        o.onRetry?.({ attempt: attempt + 1, delayMs, error });
        await sleep(delayMs, request);
        continue;
      }
      if (!safe || attempt >= o.maxRetries || !o.statusCodes.includes(response.status)) return response;
      const after = retryAfterMs(response.headers.get('retry-after'));
      if (after !== undefined && after > o.maxRetryAfterMs) return response;
      const delayMs = after ?? backoffMs(attempt, o.minDelayMs, o.maxDelayMs);
      o.onRetry?.({ attempt: attempt + 1, delayMs, status: response.status });
      await response.body.dump();
      await sleep(delayMs, request);
    }
  };
}

/**
 * The wait before retry `attempt + 1`: exponential (`min · 2^attempt`, capped at `max`) with
 * "equal jitter" (half fixed, half random), so it never collapses to zero nor exceeds the cap.
 *
 * @example
 * ```ts
 * backoffMs(0, 250, 10_000); // 125 … 250
 * backoffMs(10, 250, 10_000); // 5000 … 10000
 * ```
 */
export function backoffMs(attempt: number, minMs: number, maxMs: number): number {
  const step = Math.min(maxMs, minMs * 2 ** attempt);
  return step / 2 + Math.random() * (step / 2);
}

/**
 * A `Retry-After` value (RFC 9110 §10.2.3: seconds or an HTTP date) in milliseconds from now.
 *
 * @example
 * ```ts
 * retryAfterMs('2'); // 2000
 * ```
 */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(ms: number, request: DispatchRequest): Promise<void> {
  const signal = request.signal;
  if (signal?.aborted) return Promise.reject(abortedError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Why a client connection closes, which decides what becomes of the requests in flight on it:
 * - `raced`: the socket closed or failed under them; those that saw no response byte may be resent;
 * - `failed`: the request at the head of the line failed (or was given up); it gets the error, and
 *   those behind it, which did nothing wrong, may be resent;
 * - `destroyed`: the pool is destroyed; every request fails with the error, none is resent;
 * - `unprocessed`: the server said it did not process the request (HTTP/2: RST_STREAM REFUSED_STREAM,
 *   or a stream above the last one a GOAWAY names, RFC 9113 §8.7): it may be resent even if it went
 *   out on a new connection.
 *
 * @example
 * ```ts
 * const ending: ConnectionEnding = 'raced';
 * ```
 */
export type ConnectionEnding = 'raced' | 'failed' | 'destroyed' | 'unprocessed';

/**
 * What a request left in flight on a closing connection knows about itself.
 *
 * @example
 * ```ts
 * const facts: OrphanFacts = { reused: true, gotBytes: false, resends: 0, idempotent: true, replayable: true };
 * ```
 */
export interface OrphanFacts {
  /** It was written on a connection that had been used before (it may have lost the reuse race). */
  readonly reused: boolean;
  /** Some byte of its response arrived. */
  readonly gotBytes: boolean;
  /** Times it was already sent again after losing the race (at most {@link MAX_REUSE_RESENDS}). */
  readonly resends: number;
  /** Its method is idempotent, or it carries an Idempotency-Key. */
  readonly idempotent: boolean;
  /** Its body can be sent again. */
  readonly replayable: boolean;
}

/**
 * Most resends of one request after reuse races: a request that lost the race on a reused
 * connection goes out again, and again if its next connection was a reused one that closed too
 * (a server draining closes many idle connections at once); a loss on a new connection is final.
 *
 * @example
 * ```ts
 * assert.equal(MAX_REUSE_RESENDS, 3);
 * ```
 */
export const MAX_REUSE_RESENDS = 3;

/**
 * What becomes of a request in flight on a closing connection: `'resend'` (it lost the reuse race
 * and is safe to send once more), `'not-retried'` (it lost the race but may not be resent: its error
 * says why), or `'fail'` (it gets the connection's error as is).
 *
 * A request lost the reuse race when it went out on a reused connection and no byte of its response
 * came back before the connection closed under it (`raced`), or behind the request whose failure
 * closed it (`failed`, `position > 0`). It is resent, only when that is safe (RFC 9110 §9.2.2:
 * idempotent, with a body that can be sent again), and again if its next connection was a reused
 * one that closed too, up to {@link MAX_REUSE_RESENDS} times. A destroyed pool resends nothing.
 *
 * @example
 * ```ts
 * orphanFate('raced', 0, { reused: true, gotBytes: false, resends: 0, idempotent: true, replayable: true }); // 'resend'
 * ```
 */
export function orphanFate(
  ending: ConnectionEnding,
  position: number,
  orphan: OrphanFacts,
): 'resend' | 'not-retried' | 'fail' {
  if (ending === 'destroyed' || (ending === 'failed' && position === 0)) return 'fail';
  if (orphan.gotBytes || (!orphan.reused && ending !== 'unprocessed')) return 'fail';
  return orphan.resends < MAX_REUSE_RESENDS && orphan.idempotent && orphan.replayable ? 'resend' : 'not-retried';
}
