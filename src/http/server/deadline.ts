import { assertNever } from '../../util/assert-never.js';
import type { KeepAlive, Reading, Writing } from './conn-state.js';
import type { ResolvedServeOptions } from './options.js';

/**
 * Which of the connection's timeouts applies now (one at a time, one wheel entry per connection).
 * - `send`: a write waits for a client that does not read: `sendTimeoutMs` without progress;
 * - `head`: a request head is arriving: `headerTimeoutMs` (and `requestTimeoutMs`) from its first byte;
 * - `body`: a request body is arriving (or being dropped): `requestTimeoutMs` from the head's first byte;
 * - `grace`: the server is closing and the connection is idle: until the close grace ends;
 * - `idle`: nothing is owed either way: `idleTimeoutMs` from then;
 * - `none`: handlers are working: the server does not bound them (`close({ timeoutMs })` does).
 */
export type TimeoutKind = 'none' | 'send' | 'head' | 'body' | 'grace' | 'idle';

/**
 * The timeout that applies to a connection in these states. A client that does not read comes
 * first: whatever else is pending, the connection cannot move until it reads.
 *
 * @example
 * ```ts
 * timeoutKind('head', 'idle', 'open', false, 0, false); // 'head': a head has begun
 * timeoutKind('head', 'idle', 'open', true, 1, false); // 'none': a handler is working
 * ```
 */
export function timeoutKind(
  reading: Reading,
  writing: Writing,
  keepAlive: KeepAlive,
  parserIdle: boolean,
  queued: number,
  sendWaiting: boolean,
): TimeoutKind {
  if (writing === 'ended' || writing === 'upgraded') return 'none';
  if (sendWaiting) return 'send';
  switch (reading) {
    case 'body':
    case 'discard':
      return 'body';
    case 'head':
      if (!parserIdle) return 'head';
      break;
    case 'closed':
      break;
    case 'upgraded':
      return 'none';
    default:
      return assertNever(reading);
  }
  if (queued > 0) return 'none';
  return keepAlive === 'draining' || keepAlive === 'closing' ? 'grace' : 'idle';
}

/** How many times per `sendTimeoutMs` a waiting write looks for progress (the client read something). */
export const SEND_CHECKS = 4;

/**
 * When to look at the connection again for a deadline: at the deadline itself, except while a
 * write waits (`send`): then also every `sendTimeoutMs / SEND_CHECKS`, so the wait is measured from
 * the client's last progress within a quarter of the timeout.
 *
 * @example
 * ```ts
 * wakeAt('send', 31_000, 1_000, { sendTimeoutMs: 30_000 }); // 8_500
 * ```
 */
export function wakeAt(
  kind: TimeoutKind,
  deadline: number,
  now: number,
  options: Pick<ResolvedServeOptions, 'sendTimeoutMs'>,
): number {
  return kind === 'send' ? Math.min(deadline, now + options.sendTimeoutMs / SEND_CHECKS) : deadline;
}

/** True for the kinds whose clock starts when they begin to apply (`head` and `body` count from the head). */
export function countsFromStart(kind: TimeoutKind): boolean {
  return kind === 'idle' || kind === 'send';
}

/** What the deadline of each kind is computed from, in milliseconds on the timer wheel's clock. */
export interface DeadlineClock {
  /** When the first byte of the current request head arrived. */
  headStart: number;
  /** When the current kind began to apply (for `send`: when the client was last seen reading). */
  since: number;
  /** When the close grace ends (while the server closes). */
  graceEnd: number;
}

/**
 * When a timeout of `kind` expires; 0 for `none`.
 *
 * @example
 * ```ts
 * deadlineOf('idle', { headStart: 0, since: 1_000, graceEnd: 0 }, resolveServeOptions({})); // 6_000
 * ```
 */
export function deadlineOf(
  kind: TimeoutKind,
  clock: Readonly<DeadlineClock>,
  options: Pick<ResolvedServeOptions, 'headerTimeoutMs' | 'requestTimeoutMs' | 'idleTimeoutMs' | 'sendTimeoutMs'>,
): number {
  switch (kind) {
    case 'none':
      return 0;
    case 'send':
      return clock.since + options.sendTimeoutMs;
    case 'head':
      return clock.headStart + Math.min(options.headerTimeoutMs, options.requestTimeoutMs);
    case 'body':
      return clock.headStart + options.requestTimeoutMs;
    case 'grace':
      return clock.graceEnd;
    case 'idle':
      return clock.since + options.idleTimeoutMs;
    default:
      return assertNever(kind);
  }
}
