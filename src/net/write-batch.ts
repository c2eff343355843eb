import type { Connection } from './connection.js';

/** Most bytes a batch holds before it is written anyway. */
const BATCH_BYTES = 64 * 1024;

/**
 * Told when a write leaves the socket over its high-water mark (the peer is not reading fast
 * enough), and when a writer starts waiting for it to drain: the HTTP server then arms its send
 * timeout, which bounds every wait for a peer that reads nothing.
 *
 * @example
 * ```ts
 * const out = new WriteBatch(conn, 'utf8', { writeWaits: () => timer.arm() });
 * ```
 */
export interface WriteWaiter {
  writeWaits(): void;
}

/**
 * The one write-batching mechanism of the HTTP server and the HTTP client: a connection's own write
 * calls, with one twist. While someone holds the batch, writes are collected and leave as one string
 * (or one corked, vectored write) when the last holder lets go, so a burst costs one syscall and no
 * per-chunk stream bookkeeping (docs/architecture.md, The write path).
 *
 * - The server holds it while it handles the requests found in one read, and while answers to a
 *   pipelined batch are still owed: a pipelined batch leaves in one write, whether its handlers
 *   answered synchronously or not.
 * - The client holds it until the end of the event-loop turn in which it wrote a request
 *   (`client/turn-batch.ts`), so requests written from many response callbacks reach the server as
 *   one burst.
 *
 * Strings are encoded with the batch's `encoding`: UTF-8 for the server (its heads are ASCII when
 * they are joined with a text body), latin1 for the client (it only batches strings that are request
 * heads, which may carry obs-text bytes).
 *
 * @example
 * ```ts
 * const out = new WriteBatch(conn);
 * out.begin();
 * out.send('HTTP/1.1 204 No Content\r\n\r\n');
 * out.send('HTTP/1.1 204 No Content\r\n\r\n');
 * out.end(); // one write
 * ```
 */
export class WriteBatch {
  readonly #conn: Connection;
  readonly #encoding: 'utf8' | 'latin1';
  readonly #waiter: WriteWaiter | undefined;
  /** Made when something is collected: an idle connection keeps no array. */
  #parts: (string | Uint8Array)[] | undefined;
  #strings = true;
  #size = 0;
  /** How many holders want writes collected. */
  #holders = 0;

  constructor(conn: Connection, encoding: 'utf8' | 'latin1' = 'utf8', waiter?: WriteWaiter) {
    this.#conn = conn;
    this.#encoding = encoding;
    this.#waiter = waiter;
  }

  /** True once the socket is gone: a writer stops. */
  get destroyed(): boolean {
    return this.#conn.socket.destroyed;
  }

  /** True while writes are collected (someone holds the batch). */
  get holding(): boolean {
    return this.#holders > 0;
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

  /** Writes what was collected now, holders or not (before a FIN, or handing the socket over). */
  flush(): void {
    const parts = this.#parts;
    if (parts === undefined) return;
    this.#parts = undefined;
    const conn = this.#conn;
    let ok: boolean;
    if (parts.length === 1) {
      ok = conn.send(parts[0] as string | Uint8Array, this.#encoding);
    } else if (this.#strings) {
      ok = conn.send((parts as string[]).join(''), this.#encoding);
    } else {
      conn.cork();
      for (const part of parts) conn.send(part, this.#encoding);
      conn.uncork();
      ok = !conn.socket.writableNeedDrain;
    }
    this.#strings = true;
    this.#size = 0;
    if (!ok) this.#waiter?.writeWaits();
  }

  /**
   * Like `Connection.send`. While collecting it keeps the data, up to {@link BATCH_BYTES}: then what
   * was kept leaves at once, so the socket's backpressure (which stops the handling of further
   * pipelined requests, or an upload) still sees a peer that does not read. Returns false, as
   * `Connection.send` does, while the socket's write buffer is over its high-water mark, collected
   * or not: a writer that waits for {@link drained} on false never outruns the peer.
   */
  send(data: string | Uint8Array): boolean {
    if (this.#holders === 0) {
      const ok = this.#conn.send(data, this.#encoding);
      if (!ok) this.#waiter?.writeWaits();
      return ok;
    }
    if (this.#parts === undefined) this.#parts = [data];
    else this.#parts.push(data);
    this.#size += typeof data === 'string' ? data.length : data.byteLength;
    if (typeof data !== 'string') this.#strings = false;
    if (this.#size >= BATCH_BYTES) this.flush();
    return !this.#conn.socket.writableNeedDrain;
  }

  /** `Connection.cork`, unless writes are collected anyway. */
  cork(): void {
    if (this.#holders === 0) this.#conn.cork();
  }

  /** `Connection.uncork`, unless writes are collected anyway. */
  uncork(): void {
    if (this.#holders === 0) this.#conn.uncork();
  }

  /** Resolves when the peer has read enough (the waiter is told: it bounds the wait). */
  drained(): Promise<void> {
    this.#waiter?.writeWaits();
    return this.#conn.drained();
  }

  destroy(error?: Error): void {
    this.#conn.destroy(error);
  }
}
