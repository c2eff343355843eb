/**
 * `udpFaultProxy()`: a UDP proxy that loses, duplicates, reorders and delays datagrams, per
 * direction, with seedable randomness. Each client (address:port) gets its own upstream socket,
 * so replies find their way back; idle ones are dropped after `sessionIdleMs`.
 */
import type { SocketAddress } from '../../errors.js';
import { checkBytes, checkDuration } from '../../net/options.js';
import { bind, type Datagram, type UdpSocket } from '../../net/udp.js';
import { formatHostPort, type HostPort, parseHostPort } from './address.js';
import { checkToxicity, type Direction } from './faults.js';
import { SeededRandom } from './random.js';

/**
 * The faults of one direction: each a probability (0-1) per datagram; `delayMs` ± `jitterMs`
 * applies to the share `delay` of datagrams. A reordered datagram is held until the next one in
 * its direction has gone (or `delayMs` + 100 ms passed), so they swap places.
 *
 * @example
 * ```ts
 * proxy.set('upstream', { loss: 0.1, duplicate: 0.05, reorder: 0.05, delay: 1, delayMs: 50, jitterMs: 10 });
 * ```
 */
export interface DatagramFaults {
  loss?: number;
  duplicate?: number;
  reorder?: number;
  delay?: number;
  delayMs?: number;
  jitterMs?: number;
}

/**
 * Options of {@link udpFaultProxy}.
 *
 * @example
 * ```ts
 * await udpFaultProxy({ upstream: '127.0.0.1:5353', seed: 7, upstreamFaults: { loss: 0.2 } });
 * ```
 */
export interface UdpFaultProxyOptions {
  upstream: string | HostPort;
  /** Default `'127.0.0.1:0'`. */
  listen?: string | HostPort;
  seed?: number;
  upstreamFaults?: DatagramFaults;
  downstreamFaults?: DatagramFaults;
  /** Clients served at once; datagrams of further clients are dropped. Default 1024. */
  maxSessions?: number;
  /** A client silent this long loses its upstream socket. Default 60 s. */
  sessionIdleMs?: number;
}

/** What the proxy did, per direction. */
export interface DatagramCounts {
  received: number;
  sent: number;
  lost: number;
  duplicated: number;
  reordered: number;
  delayed: number;
}

const newCounts = (): DatagramCounts => ({ received: 0, sent: 0, lost: 0, duplicated: 0, reordered: 0, delayed: 0 });

function checkFaults(faults: DatagramFaults): void {
  for (const name of ['loss', 'duplicate', 'reorder', 'delay'] as const) {
    if (faults[name] !== undefined) checkToxicity(faults[name]);
  }
  checkDuration('delayMs', faults.delayMs);
  checkDuration('jitterMs', faults.jitterMs);
}

interface Session {
  readonly client: { address: string; port: number };
  readonly socket: UdpSocket;
  lastSeen: number;
}

/** One direction's pipeline: faults, then `send`. */
class DatagramLane {
  faults: DatagramFaults = {};
  readonly counts = newCounts();
  readonly #random: SeededRandom;
  readonly #timers: Set<NodeJS.Timeout>;
  #held: { send: () => void; timer: NodeJS.Timeout } | undefined;

  constructor(random: SeededRandom, timers: Set<NodeJS.Timeout>) {
    this.#random = random;
    this.#timers = timers;
  }

  pass(send: () => void): void {
    const f = this.faults;
    this.counts.received++;
    if (this.#random.chance(f.loss ?? 0)) {
      this.counts.lost++;
      return;
    }
    const copies = this.#random.chance(f.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) this.counts.duplicated++;
    const out = (): void => {
      for (let i = 0; i < copies; i++) {
        this.counts.sent++;
        send();
      }
    };
    if (this.#held === undefined && this.#random.chance(f.reorder ?? 0)) {
      this.counts.reordered++;
      const timer = this.#later((f.delayMs ?? 0) + 100, () => this.#release());
      this.#held = { send: out, timer };
      return;
    }
    const delay = this.#random.chance(f.delay ?? 0) ? (f.delayMs ?? 0) + this.#jitter() : 0;
    const go = (): void => {
      out();
      this.#release();
    };
    if (delay <= 0) go();
    else {
      this.counts.delayed++;
      this.#later(delay, go);
    }
  }

  #jitter(): number {
    const j = this.faults.jitterMs ?? 0;
    return this.#random.between(-j, j);
  }

  #release(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    clearTimeout(held.timer);
    this.#timers.delete(held.timer);
    held.send();
  }

  #later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }
}

/**
 * Starts a UDP fault proxy in front of `upstream`.
 *
 * @example
 * ```ts
 * const proxy = await udpFaultProxy({ upstream: '127.0.0.1:9000', seed: 1 });
 * proxy.set('downstream', { loss: 0.5 });
 * console.log(proxy.counts.downstream.lost);
 * await proxy.close();
 * ```
 */
export async function udpFaultProxy(options: UdpFaultProxyOptions): Promise<UdpFaultProxy> {
  checkBytes('maxSessions', options.maxSessions);
  checkDuration('sessionIdleMs', options.sessionIdleMs);
  const listenAt = typeof options.listen === 'string' ? parseHostPort(options.listen) : options.listen;
  const socket = await bind({ host: listenAt?.host ?? '127.0.0.1', port: listenAt?.port ?? 0 });
  return new UdpFaultProxy(socket, options);
}

/**
 * A UDP fault proxy made by {@link udpFaultProxy}.
 *
 * @example
 * ```ts
 * const proxy = await udpFaultProxy({ upstream: '127.0.0.1:9000' });
 * proxy.set('upstream', { duplicate: 1 }); // every datagram arrives twice
 * await proxy.close();
 * ```
 */
export class UdpFaultProxy implements AsyncDisposable {
  readonly #socket: UdpSocket;
  readonly #upstream: HostPort;
  readonly #sessions = new Map<string, Session>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #lanes: Record<Direction, DatagramLane>;
  readonly #maxSessions: number;
  readonly #idleMs: number;
  readonly #running: Promise<void>;
  #sweeper: NodeJS.Timeout | undefined;

  /** @internal Use {@link udpFaultProxy}. */
  constructor(socket: UdpSocket, options: UdpFaultProxyOptions) {
    this.#socket = socket;
    this.#upstream = typeof options.upstream === 'string' ? parseHostPort(options.upstream) : options.upstream;
    const random = new SeededRandom(options.seed);
    this.#lanes = {
      upstream: new DatagramLane(random, this.#timers),
      downstream: new DatagramLane(random, this.#timers),
    };
    this.set('upstream', options.upstreamFaults ?? {});
    this.set('downstream', options.downstreamFaults ?? {});
    this.#maxSessions = options.maxSessions ?? 1024;
    this.#idleMs = options.sessionIdleMs ?? 60_000;
    this.#running = this.#serve();
  }

  /** Where the proxy listens. */
  get address(): SocketAddress {
    return this.#socket.address;
  }

  /** The upstream as `HOST:PORT`. */
  get upstream(): string {
    return formatHostPort(this.#upstream);
  }

  /** Clients with an upstream socket now. */
  get sessions(): number {
    return this.#sessions.size;
  }

  /** What happened to the datagrams so far, per direction. */
  get counts(): Readonly<Record<Direction, Readonly<DatagramCounts>>> {
    return { upstream: { ...this.#lanes.upstream.counts }, downstream: { ...this.#lanes.downstream.counts } };
  }

  /** Replaces the faults of one direction (`WK_ERR_INVALID_ARGUMENT` for a bad value). */
  set(direction: Direction, faults: DatagramFaults): void {
    checkFaults(faults);
    this.#lanes[direction].faults = { ...faults };
  }

  /** Closes the proxy and every session; datagrams still delayed are dropped. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await this.#socket.close();
    await Promise.all([...this.#sessions.values()].map((s) => s.socket.close()));
    this.#sessions.clear();
    await this.#running;
  }

  /** Same as {@link UdpFaultProxy.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #serve(): Promise<void> {
    for await (const datagram of this.#socket) {
      const session = await this.#session(datagram);
      if (session === undefined) continue;
      session.lastSeen = performance.now();
      this.#lanes.upstream.pass(() => {
        session.socket.send(datagram.data).catch(() => {});
      });
    }
  }

  async #session(datagram: Datagram): Promise<Session | undefined> {
    const key = `${datagram.address}|${datagram.port}`;
    const known = this.#sessions.get(key);
    if (known !== undefined) return known;
    if (this.#sessions.size >= this.#maxSessions) return undefined;
    const socket = await bind({ host: this.#socket.address.family === 'IPv6' ? '::1' : '127.0.0.1' });
    await socket.connect(this.#upstream.port, this.#upstream.host);
    const session: Session = { client: { address: datagram.address, port: datagram.port }, socket, lastSeen: 0 };
    this.#sessions.set(key, session);
    this.#sweeper ??= setInterval(() => this.#sweep(), Math.max(100, this.#idleMs / 2));
    void this.#replies(session);
    return session;
  }

  async #replies(session: Session): Promise<void> {
    for await (const reply of session.socket) {
      session.lastSeen = performance.now();
      this.#lanes.downstream.pass(() => {
        this.#socket.send(reply.data, session.client.port, session.client.address).catch(() => {});
      });
    }
  }

  #sweep(): void {
    const now = performance.now();
    for (const [key, session] of this.#sessions) {
      if (now - session.lastSeen < this.#idleMs) continue;
      this.#sessions.delete(key);
      void session.socket.close();
    }
    if (this.#sessions.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}
