import type { Connection } from '../../net/index.js';

/** What a {@link ReadGate} asks of its connection (the connection itself). */
export interface GateHost {
  /** The writes that had backed up have drained: look again at whether reading may go on. */
  writesDrained(): void;
}

/**
 * Pauses and resumes reading one connection (docs/architecture.md, Rules: a slow handler or a client that
 * does not read stops the reading, unread bytes are kept). Whatever made the connection pause, a
 * socket whose writes are backed up must wake it once they drain: the gate waits for that once.
 *
 * @example
 * ```ts
 * gate.set(queue.length >= maxPipelinedRequests || socket.writableNeedDrain);
 * ```
 */
export class ReadGate {
  readonly #conn: Connection;
  readonly #host: GateHost;
  #paused = false;
  /** A `drained()` wait is registered. */
  #awaitingDrain = false;

  constructor(conn: Connection, host: GateHost) {
    this.#conn = conn;
    this.#host = host;
  }

  /** Pauses or resumes reading. */
  set(pause: boolean): void {
    if (pause && !this.#awaitingDrain && this.#conn.socket.writableNeedDrain) {
      this.#awaitingDrain = true;
      this.#conn.drained().then(
        () => {
          this.#awaitingDrain = false;
          this.#host.writesDrained();
        },
        () => {},
      );
    }
    if (pause === this.#paused) return;
    this.#paused = pause;
    if (pause) this.#conn.pause();
    else this.#conn.resume();
  }
}
