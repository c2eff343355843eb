import type { Connection } from '../../net/index.js';

/** Most bytes a batch holds before it is written anyway. */
const BATCH_BYTES = 64 * 1024;

/**
 * What the response writer writes through: the connection's own calls, with one twist. While the
 * connection handles the requests found in one read, writes are collected and leave as one string
 * (or one vectored write) when the read is done: a pipelined batch costs one syscall and no
 * per-chunk stream bookkeeping (DESIGN.md §4).
 */
export class WriteBatch {
  readonly #conn: Connection;
  #parts: (string | Uint8Array)[] = [];
  #strings = true;
  #size = 0;
  #collecting = false;

  constructor(conn: Connection) {
    this.#conn = conn;
  }

  /** True once the socket is gone: a writer stops. */
  get destroyed(): boolean {
    return this.#conn.socket.destroyed;
  }

  /** Starts collecting (a read is being handled). */
  begin(): void {
    this.#collecting = true;
  }

  /** Stops collecting and writes what was collected, at once. */
  end(): void {
    this.#collecting = false;
    this.#flush();
  }

  #flush(): void {
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
    if (!this.#collecting) return this.#conn.send(data);
    this.#parts.push(data);
    this.#size += typeof data === 'string' ? data.length : data.byteLength;
    if (typeof data !== 'string') this.#strings = false;
    if (this.#size < BATCH_BYTES) return true;
    this.#flush();
    return !this.#conn.socket.writableNeedDrain;
  }

  cork(): void {
    if (!this.#collecting) this.#conn.cork();
  }

  uncork(): void {
    if (!this.#collecting) this.#conn.uncork();
  }

  drained(): Promise<void> {
    return this.#conn.drained();
  }

  destroy(error?: Error): void {
    this.#conn.destroy(error);
  }
}
