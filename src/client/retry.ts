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
