import type { Connection } from '../../net/index.js';

/** Most bytes a batch holds before it is written anyway. */
const BATCH_BYTES = 64 * 1024;

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

  constructor(conn: Connection) {
    this.#conn = conn;
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

  /** Writes what was collected now, holders or not (before a FIN, or handing the socket over). */
  flush(): void {
    const parts = this.#parts;
    if (parts.length === 0) return;
    this.#parts = [];
    if (parts.length === 1) {
      this.#conn.send(parts[0] as string | Uint8Array);
    } else if (this.#strings) {
      this.#conn.send((parts as string[]).join(''));
    } else {
      this.#conn.cork();
      for (const part of parts) this.#conn.send(part);
      this.#conn.uncork();
    }
    this.#strings = true;
    this.#size = 0;
  }

  /**
   * Like `Connection.send`. While collecting it keeps the data, up to {@link BATCH_BYTES}: then what
   * was kept leaves at once, so the socket's backpressure (which stops the handling of further
   * pipelined requests) still sees a client that does not read.
   */
  send(data: string | Uint8Array): boolean {
    if (this.#holders === 0) return this.#conn.send(data);
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

  drained(): Promise<void> {
    return this.#conn.drained();
  }

  destroy(error?: Error): void {
    this.#conn.destroy(error);
  }
}
