/**
 * One client connection and its upstream connection, joined by two links (one per direction).
 * Ends the pair the way a fault or a failure asks: FIN both sides, RST both sides, or pass a
 * reset on (a client that resets gets its upstream reset too, as it would without the proxy).
 */
import { isWirekitError } from '../../errors.js';
import type { Connection } from '../../net/connection.js';
import type { Direction, Fault } from './faults.js';
import { Link, type LinkOwner } from './link.js';
import type { SeededRandom } from './random.js';

/** How long a closed pair waits for each peer to close its side before destroying the socket. */
const CLOSE_GRACE_MS = 1_000;

function wasReset(error: unknown): boolean {
  const cause = isWirekitError(error) ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

export class ProxiedConnection implements LinkOwner {
  readonly client: Connection;
  readonly upstream: Connection;
  /** Resolves once both sockets are closed. */
  readonly closed: Promise<void>;
  readonly #links: [Link, Link];
  #over = false;

  readonly #counters: Record<Direction, number>;

  constructor(
    ends: { client: Connection; upstream: Connection },
    shared: { random: SeededRandom; maxBufferedBytes: number; counters: Record<Direction, number> },
    faults: readonly Fault[],
  ) {
    const { random, maxBufferedBytes } = shared;
    this.#counters = shared.counters;
    this.client = ends.client;
    this.upstream = ends.upstream;
    this.#links = [
      new Link('upstream', { source: ends.client, dest: ends.upstream }, this, random, maxBufferedBytes),
      new Link('downstream', { source: ends.upstream, dest: ends.client }, this, random, maxBufferedBytes),
    ];
    this.closed = Promise.all([ends.client.closed, ends.upstream.closed]).then(() => this.#stopLinks());
    for (const link of this.#links) link.start(faults);
  }

  /** Bytes held by the proxy for this pair: queued in the links, unread, and unsent. */
  get bufferedBytes(): number {
    let total = 0;
    for (const link of this.#links) total += link.bufferedBytes;
    for (const conn of [this.client, this.upstream]) total += conn.bufferedBytes + conn.socket.writableLength;
    return total;
  }

  refresh(faults: readonly Fault[]): void {
    for (const link of this.#links) link.refresh(faults);
  }

  forwarded(direction: Direction, bytes: number): void {
    this.#counters[direction] += bytes;
  }

  close(): void {
    if (!this.#begin()) return;
    for (const conn of [this.client, this.upstream]) conn.close({ timeoutMs: CLOSE_GRACE_MS }).catch(() => {});
  }

  reset(): void {
    if (!this.#begin()) return;
    this.client.socket.resetAndDestroy();
    this.upstream.socket.resetAndDestroy();
  }

  /** Destroys both sockets now (the proxy is being disabled or closed). */
  destroy(): void {
    if (!this.#begin()) return;
    this.client.destroy();
    this.upstream.destroy();
  }

  fail(error: unknown, from: Connection): void {
    if (!this.#begin()) return;
    const other = from === this.client ? this.upstream : this.client;
    if (wasReset(error)) other.socket.resetAndDestroy();
    else other.destroy();
    from.destroy();
  }

  #begin(): boolean {
    if (this.#over) return false;
    this.#over = true;
    this.#stopLinks();
    return true;
  }

  #stopLinks(): void {
    for (const link of this.#links) link.stop();
  }
}
