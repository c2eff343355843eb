/**
 * `faultProxy()`: a TCP proxy that injects faults per direction (latency, bandwidth, slicing,
 * stalls, closes and resets after N bytes) into live connections, and can refuse connections.
 * Memory stays bounded: a side that stops reading pauses the other side's reads (backpressure
 * end to end), so at most `maxBufferedBytes` per direction per connection sit in the proxy.
 */
import { type SocketAddress, WirekitError } from '../../errors.js';
import { connect } from '../../net/connect.js';
import type { Connection } from '../../net/connection.js';
import { checkBytes, checkDuration } from '../../net/options.js';
import { listen, type Server } from '../../net/tcp-server.js';
import { formatHostPort, type HostPort, parseHostPort } from './address.js';
import { type AddFaultOptions, Fault, type FaultAttributes, type FaultOwner, type FaultType } from './faults.js';
import { ProxiedConnection } from './proxied-connection.js';
import { SeededRandom } from './random.js';

/**
 * Default {@link FaultProxyOptions.maxBufferedBytes}: 1 MiB per direction per connection.
 *
 * @example
 * ```ts
 * await faultProxy({ upstream: '127.0.0.1:8000', maxBufferedBytes: DEFAULT_PROXY_BUFFER_BYTES / 4 });
 * ```
 */
export const DEFAULT_PROXY_BUFFER_BYTES = 1024 * 1024;
/**
 * Default {@link FaultProxyOptions.maxConnections}: 1024.
 *
 * @example
 * ```ts
 * await faultProxy({ upstream: '127.0.0.1:8000', maxConnections: DEFAULT_PROXY_MAX_CONNECTIONS * 4 });
 * ```
 */
export const DEFAULT_PROXY_MAX_CONNECTIONS = 1024;
/**
 * Default {@link FaultProxyOptions.connectTimeoutMs}: 10 seconds to reach the upstream.
 *
 * @example
 * ```ts
 * await faultProxy({ upstream: '127.0.0.1:8000', connectTimeoutMs: DEFAULT_PROXY_CONNECT_TIMEOUT_MS / 10 });
 * ```
 */
export const DEFAULT_PROXY_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Options of {@link faultProxy}.
 *
 * @example
 * ```ts
 * await faultProxy({ upstream: '127.0.0.1:8000', listen: '127.0.0.1:8001', seed: 42 });
 * ```
 */
export interface FaultProxyOptions {
  /** Where connections go: `'HOST:PORT'` or `{ host, port }`. */
  upstream: string | HostPort;
  /** Where the proxy listens. Default `'127.0.0.1:0'` (a free port: read `proxy.address.port`). */
  listen?: string | HostPort;
  /** Seed of the random draws (jitter, slice sizes, toxicity), for repeatable runs. Default: random. */
  seed?: number;
  /** Bytes held per direction per connection before the proxy stops reading that side. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Connections over this many are closed as soon as accepted. Default 1024. */
  maxConnections?: number;
  /** How long to wait for the upstream to accept; the client is closed if it does not. Default 10 s. */
  connectTimeoutMs?: number;
  /** Start listening at once. Default true; false starts disabled (refusing: call `enable()`). */
  enabled?: boolean;
}

/**
 * Options of {@link FaultProxy.disable}.
 *
 * @example
 * ```ts
 * await proxy.disable({ keepConnections: true }); // refuse new connections, keep the live ones
 * ```
 */
export interface DisableOptions {
  /** Keep live connections (only new ones are refused). Default false: they are closed too. */
  keepConnections?: boolean;
}

function toHostPort(value: string | HostPort): HostPort {
  return typeof value === 'string' ? parseHostPort(value) : { host: value.host, port: value.port };
}

/**
 * Starts a TCP fault proxy in front of `upstream`.
 *
 * @example
 * ```ts
 * const proxy = await faultProxy({ upstream: '127.0.0.1:8000' });
 * proxy.add('latency', { ms: 100, jitterMs: 20 });
 * const res = await request(`http://127.0.0.1:${proxy.address.port}/`); // ~100 ms later
 * await proxy.close();
 * ```
 */
export async function faultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new FaultProxy(options);
  if (options.enabled !== false) await proxy.enable();
  return proxy;
}

/**
 * A TCP fault proxy made by {@link faultProxy}. Faults added, updated or removed apply to live
 * connections at once.
 *
 * @example
 * ```ts
 * const proxy = await faultProxy({ upstream: '127.0.0.1:8000' });
 * const cut = proxy.add('reset', { afterBytes: 1024 }, { direction: 'upstream' });
 * cut.remove();
 * await proxy.disable(); // connection refused from now on
 * await proxy.enable();
 * await proxy.close();
 * ```
 */
export class FaultProxy implements FaultOwner, AsyncDisposable {
  readonly #random: SeededRandom;
  readonly #maxBufferedBytes: number;
  readonly #maxConnections: number;
  readonly #connectTimeoutMs: number;
  #listen: HostPort;
  #upstream: HostPort;
  #server: Server | undefined;
  #draining = new Set<Promise<void>>();
  #faults: Fault[] = [];
  readonly #pairs = new Set<ProxiedConnection>();
  readonly #pending = new Set<Connection>();
  #accepted = 0;
  readonly #forwarded = { upstream: 0, downstream: 0 };
  #closed = false;

  /** @internal Use {@link faultProxy}. */
  constructor(options: FaultProxyOptions) {
    checkBytes('maxBufferedBytes', options.maxBufferedBytes);
    checkBytes('maxConnections', options.maxConnections);
    checkDuration('connectTimeoutMs', options.connectTimeoutMs);
    this.#upstream = toHostPort(options.upstream);
    this.#listen = toHostPort(options.listen ?? '127.0.0.1:0');
    this.#random = new SeededRandom(options.seed);
    this.#maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_PROXY_BUFFER_BYTES;
    this.#maxConnections = options.maxConnections ?? DEFAULT_PROXY_MAX_CONNECTIONS;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_PROXY_CONNECT_TIMEOUT_MS;
  }

  /** Where the proxy listens (the port chosen for port 0 stays across disable/enable). */
  get address(): SocketAddress {
    const family = this.#listen.host.includes(':') ? 'IPv6' : 'IPv4';
    return { address: this.#listen.host, port: this.#listen.port, family };
  }

  /** The listen address as `HOST:PORT`. */
  get listen(): string {
    return formatHostPort(this.#listen);
  }

  /** The upstream as `HOST:PORT`. */
  get upstream(): string {
    return formatHostPort(this.#upstream);
  }

  /** True while listening. */
  get enabled(): boolean {
    return this.#server !== undefined;
  }

  /** The seed of this proxy's random draws. */
  get seed(): number {
    return this.#random.seed;
  }

  /** Live proxied connections. */
  get connections(): number {
    return this.#pairs.size;
  }

  /** Connections accepted since the proxy started. */
  get accepted(): number {
    return this.#accepted;
  }

  /** Bytes forwarded so far in each direction, over every connection. */
  get bytes(): Readonly<{ upstream: number; downstream: number }> {
    return { ...this.#forwarded };
  }

  /** Bytes the proxy holds now for all its connections (queued, unread and unsent). */
  get bufferedBytes(): number {
    let total = 0;
    for (const pair of this.#pairs) total += pair.bufferedBytes;
    return total;
  }

  /** The faults in force, in the order they were added. */
  get faults(): readonly Fault[] {
    return this.#faults;
  }

  /**
   * Adds a fault (`WK_ERR_INVALID_ARGUMENT` for a bad attribute or a name already used); it
   * applies to live connections at once.
   */
  add<T extends FaultType>(type: T, attributes: FaultAttributes[T], options: AddFaultOptions = {}): Fault<T> {
    const fault = new Fault(this, type, attributes, options);
    if (this.fault(fault.name) !== undefined) {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `a fault named ${fault.name} already exists`);
    }
    this.#faults = [...this.#faults, fault as Fault];
    this.#refresh();
    return fault;
  }

  /** The fault with this name, if any. */
  fault(name: string): Fault | undefined {
    return this.#faults.find((f) => f.name === name);
  }

  /** Removes a fault by name (false if there is none); what it held goes on at once. */
  removeFault(name: string): boolean {
    const before = this.#faults.length;
    this.#faults = this.#faults.filter((f) => f.name !== name);
    if (this.#faults.length === before) return false;
    this.#refresh();
    return true;
  }

  /** Removes every fault. */
  clearFaults(): void {
    this.#faults = [];
    this.#refresh();
  }

  /** @internal A fault was updated. */
  faultChanged(): void {
    this.#refresh();
  }

  /** Listens again (`WK_ERR_LISTEN` if the address is taken); no effect while enabled. */
  async enable(): Promise<void> {
    if (this.#closed) throw new WirekitError('WK_ERR_SOCKET_CLOSED', 'the proxy is closed');
    if (this.#server !== undefined) return;
    const server = await listen(
      {
        host: this.#listen.host,
        port: this.#listen.port,
        maxConnections: this.#maxConnections,
        allowHalfOpen: true,
        // The proxy is transparent: timeouts are the business of the client and server under test.
        idleTimeoutMs: 0,
      },
      (client) => this.#accept(client),
    );
    this.#server = server;
    // As Toxiproxy does, show the address in use: 'localhost:0' becomes '127.0.0.1:40123'.
    this.#listen = { host: server.address.address, port: server.address.port };
  }

  /**
   * Stops listening, so new connections are refused (ECONNREFUSED), and closes live connections
   * unless `keepConnections`. No effect while disabled.
   */
  async disable(options: DisableOptions = {}): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    const closing = server.close();
    if (options.keepConnections === true) {
      this.#draining.add(closing);
      void closing.then(() => this.#draining.delete(closing));
      return;
    }
    this.#destroyConnections();
    await closing;
  }

  /**
   * Points the proxy somewhere else: a changed address restarts it (live connections are closed,
   * as in Toxiproxy); it stays disabled if it was.
   */
  async reconfigure(addresses: { listen?: string | HostPort; upstream?: string | HostPort }): Promise<void> {
    const wasEnabled = this.enabled;
    await this.disable();
    if (addresses.listen !== undefined) this.#listen = toHostPort(addresses.listen);
    if (addresses.upstream !== undefined) this.#upstream = toHostPort(addresses.upstream);
    if (wasEnabled) await this.enable();
  }

  /** Stops listening, destroys every connection and resolves once all sockets are closed. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.disable();
    this.#destroyConnections();
    await Promise.all([...this.#draining, ...[...this.#pairs].map((pair) => pair.closed)]);
  }

  /** Same as {@link FaultProxy.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #refresh(): void {
    for (const pair of this.#pairs) pair.refresh(this.#faults);
  }

  #destroyConnections(): void {
    for (const pair of this.#pairs) pair.destroy();
    for (const client of this.#pending) client.destroy();
  }

  async #accept(client: Connection): Promise<void> {
    this.#accepted++;
    this.#pending.add(client);
    let upstream: Connection;
    try {
      upstream = await connect({
        host: this.#upstream.host,
        port: this.#upstream.port,
        connectTimeoutMs: this.#connectTimeoutMs,
        allowHalfOpen: true,
      });
    } catch {
      // As Toxiproxy does: the client sees its connection closed.
      this.#pending.delete(client);
      client.close({ timeoutMs: 1_000 }).catch(() => {});
      return;
    }
    this.#pending.delete(client);
    if (client.socket.destroyed) {
      // The client reset (or the proxy was disabled) while the upstream was being reached.
      upstream.socket.resetAndDestroy();
      return;
    }
    const shared = { random: this.#random, maxBufferedBytes: this.#maxBufferedBytes, counters: this.#forwarded };
    const pair = new ProxiedConnection({ client, upstream }, shared, this.#faults);
    this.#pairs.add(pair);
    void pair.closed.then(() => this.#pairs.delete(pair));
  }
}
