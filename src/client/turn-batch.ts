/**
 * Writes issued during one event-loop turn leave together at its end.
 *
 * Why: on a busy client, responses on many connections are read in one turn and the next requests
 * are written from those callbacks. Written at once, each request wakes the server for one small
 * read; held (corked) until the turn's I/O callbacks have run and then flushed together, they reach
 * the server as a burst it handles in one wake-up. Measured on loopback keep-alive GETs: about 40%
 * less kernel time per request for the client, for a delay of one loop turn (`setImmediate`).
 * A batch is also released as soon as it holds {@link MAX_BATCH} connections, so the server starts
 * on the first requests while the client is still reading responses (no lock-step).
 */

/** Something holding writes until the end of the turn. */
export interface Batched {
  /** Releases what was held. */
  flush(): void;
}

/** Connections whose writes are held before the batch is released early. */
export const MAX_BATCH = 16;

let pending: Batched[] = [];
let spare: Batched[] = [];
let scheduled = false;

/**
 * Calls `item.flush()` at the end of the current event-loop turn, or at once when this makes
 * {@link MAX_BATCH} items waiting (once per call).
 *
 * @example
 * ```ts
 * socket.cork();
 * atTurnEnd({ flush: () => socket.uncork() });
 * socket.write(head);
 * ```
 */
export function atTurnEnd(item: Batched): void {
  pending.push(item);
  if (pending.length >= MAX_BATCH) {
    release();
    return;
  }
  if (scheduled) return;
  scheduled = true;
  setImmediate(flushAll);
}

function flushAll(): void {
  scheduled = false;
  release();
}

function release(): void {
  const items = pending;
  pending = spare;
  for (let i = 0; i < items.length; i++) (items[i] as Batched).flush();
  items.length = 0;
  spare = items;
}
