import type { RequestEvent } from '../codec/request-parser.js';

/** The empty backlog; never appended to (only a backlog with events left is). */
const NO_EVENTS: RequestEvent[] = [];

/**
 * Parsed events not handled yet. One read can hold hundreds of pipelined requests, and a new one is
 * only started while fewer than `maxPipelinedRequests` wait for their response and our writes are
 * not backed up (docs/architecture.md, Rules). Reading stays paused while any are held, so order holds.
 *
 * @example
 * ```ts
 * const backlog = new EventBacklog();
 * backlog.add(parser.push(chunk));
 * for (let e = backlog.take(); e !== undefined; e = backlog.take()) handle(e);
 * ```
 */
export class EventBacklog {
  #events: RequestEvent[] = NO_EVENTS;
  #at = 0;
  #busy = false;

  /** True while events wait. */
  get pending(): boolean {
    return this.#at < this.#events.length;
  }

  /** True while the events are being handled ({@link enter} to {@link leave}): handling is not re-entrant. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Appends the events of one read (the array is kept, not copied, when nothing else waits). */
  add(events: RequestEvent[]): void {
    if (!this.pending) {
      this.#events = events;
      this.#at = 0;
    } else {
      // Events of a parser resumed while older ones wait (a declined upgrade): after them, in order.
      for (const event of events) this.#events.push(event);
    }
  }

  /** The next event, left in place. */
  peek(): RequestEvent | undefined {
    return this.#events[this.#at];
  }

  /** The next event, removed; the array is let go once the last one is taken. */
  take(): RequestEvent | undefined {
    const event = this.#events[this.#at];
    if (event === undefined) return undefined;
    this.#at++;
    if (this.#at === this.#events.length) this.clear();
    return event;
  }

  /** Drops every waiting event. */
  clear(): void {
    this.#events = NO_EVENTS;
    this.#at = 0;
  }

  /** True when a request head waits (a request already received but not started). */
  hasHead(): boolean {
    const events = this.#events;
    for (let i = this.#at; i < events.length; i++) if ((events[i] as RequestEvent).type === 'head') return true;
    return false;
  }

  /** Starts handling; false when already handling (the caller returns: the running loop goes on). */
  enter(): boolean {
    if (this.#busy) return false;
    this.#busy = true;
    return true;
  }

  leave(): void {
    this.#busy = false;
  }
}

/**
 * True when one read holds more than one request (a head, its body and its end are one request).
 *
 * @example
 * ```ts
 * if (severalHeads(events)) responses.holdUntilNextTurn();
 * ```
 */
export function severalHeads(events: readonly RequestEvent[]): boolean {
  let heads = 0;
  for (const event of events) if (event.type === 'head' && ++heads > 1) return true;
  return false;
}
