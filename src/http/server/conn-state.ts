import { assertNever } from '../../util/assert-never.js';

/**
 * The states of one HTTP/1.1 connection, on three axes (as hyper's `Reading`, `Writing` and
 * `KeepAlive`): what the input is for, what the output is doing, and whether another request may
 * follow. Each axis changes only through its transition function; a transition that does not apply
 * to the current state leaves it as it is.
 */

/**
 * What the next input bytes are for.
 * - `head`: a request head (between requests, or inside one);
 * - `body`: the body of the request being received;
 * - `discard`: the rest of a body whose response already left: counted and dropped;
 * - `upgraded`: another protocol's (`info.upgrade()`): every byte goes to its receiver;
 * - `closed`: nothing more is read as HTTP (after a malformed request, a timeout, our close).
 */
export type Reading = 'head' | 'body' | 'discard' | 'upgraded' | 'closed';

/** What changes {@link Reading}. */
export type ReadingEvent =
  /** A request head announcing a body was handled. */
  | 'body-start'
  /** The body being received (or discarded) ended. */
  | 'body-end'
  /** The response left before the body was read, and the connection is kept: drop the rest. */
  | 'answered-early'
  /** The handler took the connection. */
  | 'upgrade'
  /** No more input is HTTP. */
  | 'stop';

/**
 * The one transition function of {@link Reading}.
 *
 * @example
 * ```ts
 * nextReading('head', 'body-start'); // 'body'
 * ```
 */
export function nextReading(state: Reading, event: ReadingEvent): Reading {
  switch (event) {
    case 'body-start':
      return state === 'head' ? 'body' : state;
    case 'body-end':
      return state === 'body' || state === 'discard' ? 'head' : state;
    case 'answered-early':
      return state === 'body' ? 'discard' : state;
    case 'upgrade':
      return state === 'closed' ? state : 'upgraded';
    case 'stop':
      return state === 'upgraded' ? state : 'closed';
    default:
      return assertNever(event);
  }
}

/**
 * What the output is doing.
 * - `idle`: nothing is being written: the next response in line may start;
 * - `streaming`: a streamed body is being written; later responses wait for it;
 * - `upgraded`: the socket belongs to another protocol: the server writes nothing more;
 * - `ended`: our side is closed (or the socket is gone).
 */
export type Writing = 'idle' | 'streaming' | 'upgraded' | 'ended';

/** What changes {@link Writing}. */
export type WritingEvent =
  /** A response with a streamed body started. */
  | 'stream'
  /** The streamed body was written to its end. */
  | 'streamed'
  /** The handler took the connection. */
  | 'upgrade'
  /** The server ends its side (an upgraded connection is its new owner's to end). */
  | 'end'
  /** The socket closed. */
  | 'closed';

/**
 * The one transition function of {@link Writing}.
 *
 * @example
 * ```ts
 * nextWriting('idle', 'stream'); // 'streaming'
 * ```
 */
export function nextWriting(state: Writing, event: WritingEvent): Writing {
  switch (event) {
    case 'stream':
      return state === 'idle' ? 'streaming' : state;
    case 'streamed':
      return state === 'streaming' ? 'idle' : state;
    case 'upgrade':
      return state === 'idle' ? 'upgraded' : state;
    case 'end':
      return state === 'upgraded' ? state : 'ended';
    case 'closed':
      return 'ended';
    default:
      return assertNever(event);
  }
}

/**
 * Whether another request may follow the ones in hand.
 * - `open`: yes (HTTP/1.1 keep-alive);
 * - `draining`: the server is closing, or the client half-closed: the requests already handled are
 *   answered (bodies still arriving are read), and so are requests whose head arrives before the
 *   close grace (`closeGraceMs`) ends; the answer to the last one says `Connection: close`, and a
 *   connection left idle ends when the grace does;
 * - `closing`: the grace ended while the connection was idle: a request read before the next turn
 *   of the event loop (one that was already on its way) is still served, as the last; then it ends;
 * - `last`: no request after those already handled: the last allowed request, a request or an
 *   answer that closes, a malformed request, a timeout.
 */
export type KeepAlive = 'open' | 'draining' | 'closing' | 'last';

/** What changes {@link KeepAlive}. */
export type KeepAliveEvent =
  /** `close()` began. */
  | 'shutdown'
  /** The client half-closed: it sends nothing more, what it sent is answered. */
  | 'client-ended'
  /** The close grace ended while the connection was idle. */
  | 'grace-over'
  /** A request was admitted. */
  | 'admit'
  /** No request after the ones already handled. */
  | 'final';

/**
 * The one transition function of {@link KeepAlive}.
 *
 * @example
 * ```ts
 * nextKeepAlive('open', 'shutdown'); // 'draining'
 * ```
 */
export function nextKeepAlive(state: KeepAlive, event: KeepAliveEvent): KeepAlive {
  switch (event) {
    case 'shutdown':
    case 'client-ended':
      return state === 'open' ? 'draining' : state;
    case 'grace-over':
      return state === 'draining' ? 'closing' : state;
    case 'admit':
      return state === 'closing' ? 'last' : state;
    case 'final':
      return 'last';
    default:
      return assertNever(event);
  }
}
