import { assertNever } from '../../util/assert-never.js';
import type { Reading, Writing } from './conn-state.js';
import type { ResolvedServeOptions } from './options.js';

/**
 * Which of the connection's timeouts applies now (one at a time, one wheel entry per connection).
 * - `head`: a request head is arriving: `headerTimeoutMs` (and `requestTimeoutMs`) from its first byte;
 * - `body`: a request body is arriving (or being dropped): `requestTimeoutMs` from the head's first byte;
 * - `idle`: nothing is owed either way: `idleTimeoutMs` from then;
 * - `none`: handlers are working: the server does not bound them (`close({ timeoutMs })` does).
 */
export type TimeoutKind = 'none' | 'head' | 'body' | 'idle';

/**
 * The timeout that applies to a connection in these states.
 *
 * @example
 * ```ts
 * timeoutKind('head', 'idle', false, 0); // 'head': a head has begun
 * timeoutKind('head', 'idle', true, 1); // 'none': a handler is working
 * ```
 */
export function timeoutKind(reading: Reading, writing: Writing, parserIdle: boolean, queued: number): TimeoutKind {
  if (writing === 'ended' || writing === 'upgraded') return 'none';
  switch (reading) {
    case 'body':
    case 'discard':
      return 'body';
    case 'head':
      if (!parserIdle) return 'head';
      return queued === 0 ? 'idle' : 'none';
    case 'closed':
      return queued === 0 ? 'idle' : 'none';
    case 'upgraded':
      return 'none';
    default:
      return assertNever(reading);
  }
}

/** True for the kinds whose clock starts when they begin to apply (the others count from the head). */
export function countsFromStart(kind: TimeoutKind): boolean {
  return kind === 'idle';
}

/**
 * When a timeout of `kind` expires: `headStart` is when the current request's first byte arrived,
 * `since` when `kind` began to apply. 0 for `none`.
 *
 * @example
 * ```ts
 * deadlineOf('idle', 0, 1_000, resolveServeOptions({})); // 6_000
 * ```
 */
export function deadlineOf(
  kind: TimeoutKind,
  headStart: number,
  since: number,
  options: Pick<ResolvedServeOptions, 'headerTimeoutMs' | 'requestTimeoutMs' | 'idleTimeoutMs'>,
): number {
  switch (kind) {
    case 'none':
      return 0;
    case 'head':
      return headStart + Math.min(options.headerTimeoutMs, options.requestTimeoutMs);
    case 'body':
      return headStart + options.requestTimeoutMs;
    case 'idle':
      return since + options.idleTimeoutMs;
    default:
      return assertNever(kind);
  }
}
