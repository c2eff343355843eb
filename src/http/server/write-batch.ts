import type { Connection } from '../../net/index.js';

/** Most bytes a batch holds before it is written anyway. */
const BATCH_BYTES = 64 * 1024;

/**
 * Told when a write leaves the socket waiting for the client to read (over its high-water mark),
 * or when a writer waits for it to drain: the connection then arms its send timeout.
 *
 * @example
 * ```ts
 * const waiter: WriteWaiter = { writeWaits: () => connection.armTimer() };
 * ```
 */
export interface WriteWaiter {
  writeWaits(): void;
}

/**
 * What the response writer writes through: the connection's own calls, with one twist. While the
 * connection handles the requests found in one read, and while answers to a pipelined batch are
 * still owed, writes are collected and leave as one string (or one vectored write) when the last
 * holder lets go: a pipelined batch costs one syscall and no per-chunk stream bookkeeping, whether
 * its handlers answered synchronously or not (docs/architecture.md, The write path).
 */
export class WriteBatch {
  readonly #conn: Connection;
  #parts: (string | Uint8Array)[] = [];
  #strings = true;
  #size = 0;
  /** How many holders want writes collected (the read being handled, a pipelined batch owed). */
  #holders = 0;
  /** One of the holders is the pipelined batch, released on the next turn at the latest. */
  #heldForTurn = false;
  readonly #releaseTurn = (): void => this.releaseTurn();
  readonly #waiter: WriteWaiter;

  constructor(conn: Connection, waiter: WriteWaiter) {
    this.#conn = conn;
    this.#waiter = waiter;
  }

  /** True once the socket is gone: a writer stops. */
  get destroyed(): boolean {
    return this.#conn.socket.destroyed;
  }

  /** One more holder: writes are collected until every holder has called {@link end}. */
  begin(): void {
    this.#holders++;
  }

  /** One holder fewer; the last one writes what was collected, at once. */
  end(): void {
    if (this.#holders > 0) this.#holders--;
    if (this.#holders === 0) this.flush();
  }

  /**
   * Several requests came in one read: their answers leave in one write (docs/architecture.md, The write path), as soon as
   * {@link releaseTurn} is called (the last of them is written) or, if a handler takes longer, on
   * the next turn of the event loop. Holding twice is holding once.
   */
  holdUntilNextTurn(): void {
    if (this.#heldForTurn) return;
    this.#heldForTurn = true;
    this.begin();
    setImmediate(this.#releaseTurn);
  }

  /** Lets go of the hold of {@link holdUntilNextTurn}, if it is still held. */
  releaseTurn(): void {
    if (!this.#heldForTurn) return;
    this.#heldForTurn = false;
    this.end();
  }

  /** Writes what was collected now, holders or not (before a FIN, or handing the socket over). */
  flush(): void {
    const parts = this.#parts;
    if (parts.length === 0) return;
    this.#parts = [];
    let ok: boolean;
    if (parts.length === 1) {
      ok = this.#conn.send(parts[0] as string | Uint8Array);
    } else if (this.#strings) {
      ok = this.#conn.send((parts as string[]).join(''));
    } else {
      this.#conn.cork();
      for (const part of parts) this.#conn.send(part);
      this.#conn.uncork();
      ok = !this.#conn.socket.writableNeedDrain;
    }
    this.#strings = true;
    this.#size = 0;
    if (!ok) this.#waiter.writeWaits();
  }

  /**
   * Like `Connection.send`. While collecting it keeps the data, up to {@link BATCH_BYTES}: then what
   * was kept leaves at once, so the socket's backpressure (which stops the handling of further
   * pipelined requests) still sees a client that does not read.
   */
  send(data: string | Uint8Array): boolean {
    if (this.#holders === 0) {
      const ok = this.#conn.send(data);
      if (!ok) this.#waiter.writeWaits();
      return ok;
    }
    this.#parts.push(data);
    this.#size += typeof data === 'string' ? data.length : data.byteLength;
    if (typeof data !== 'string') this.#strings = false;
    if (this.#size < BATCH_BYTES) return true;
    this.flush();
    return !this.#conn.socket.writableNeedDrain;
  }

  cork(): void {
    if (this.#holders === 0) this.#conn.cork();
  }

  uncork(): void {
    if (this.#holders === 0) this.#conn.uncork();
  }

  /** Resolves when the client has read enough; the connection's send timeout bounds the wait. */
  drained(): Promise<void> {
    this.#waiter.writeWaits();
    return this.#conn.drained();
  }

  destroy(error?: Error): void {
    this.#conn.destroy(error);
  }
}
