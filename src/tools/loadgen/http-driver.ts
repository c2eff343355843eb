/**
 * The HTTP/1.1 load driver: connections that write precomputed requests and frame the responses.
 *
 * Built on sockets, not on the client's `Pool`: a pooled request costs an exchange object, a
 * promise, a response and a body stream, and measured against a one-core server the pool reached
 * about half the requests per CPU-second of a bare socket loop (docs/benchmarks.md). A load
 * generator must cost less than the server it loads, so:
 * - plain `http:` sockets read into one shared buffer (`onread`: no stream, no allocation per read;
 *   the framer copies the little it keeps), `https:` connections come from the client's connector
 *   (the same DNS, TCP and TLS handling and error codes as every wirekit request);
 * - a request is one `write` of bytes serialized before the test;
 * - one deadline per connection on the shared timer wheel, moved (a number store) on every read.
 */
import { lookup } from 'node:dns/promises';
import { createConnection, type Socket } from 'node:net';
import { openConnection, type TlsOptions } from '../../client/connector.js';
import { DEFAULT_TIMEOUTS, Deadline, type Timeouts } from '../../client/timeouts.js';
import { ProtocolError, type WirekitError } from '../../errors.js';
import { endpoint, netError } from '../../net/addresses.js';
import { asBuffer } from '../../util/bytes.js';
import type { DriverConnection, ErrorPhase, LaneSink, LoadDriver } from './driver.js';
import { deadlineError, phaseOf } from './driver.js';
import { ResponseFramer } from './response-framer.js';
import type { OriginGroup, WireRequest } from './targets.js';

/** Bytes of the read buffer every plain connection of a driver shares. */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Settings of an {@link HttpDriver}.
 *
 * @example
 * ```ts
 * const settings: HttpDriverSettings = { timeoutMs: 10_000, tls: { rejectUnauthorized: false } };
 * ```
 */
export interface HttpDriverSettings {
  /** Connect, TLS, head and body-silence limit, each; 0 = none. */
  readonly timeoutMs: number;
  readonly tls?: TlsOptions | undefined;
}

/**
 * HTTP/1.1 connections to the origins of a request mix.
 *
 * @example
 * ```ts
 * const driver = new HttpDriver(groupTargets(['http://127.0.0.1:8080/']), { timeoutMs: 10_000 });
 * await driver.prepare();
 * const conn = driver.open(0, sink);
 * ```
 */
export class HttpDriver implements LoadDriver {
  readonly groupSizes: readonly number[];
  readonly groups: readonly OriginGroup[];
  readonly settings: HttpDriverSettings;
  readonly timeouts: Readonly<Timeouts>;
  /** Shared by the plain connections: a read is framed before the next read reuses it. */
  readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** The address each plain group connects to, or why it cannot. */
  readonly addresses: (string | WirekitError)[];

  constructor(groups: readonly OriginGroup[], settings: HttpDriverSettings) {
    this.groups = groups;
    this.groupSizes = groups.map((g) => g.requests.length);
    this.settings = settings;
    const ms = settings.timeoutMs;
    this.timeouts = {
      ...DEFAULT_TIMEOUTS,
      connectTimeoutMs: ms,
      tlsTimeoutMs: ms,
      headersTimeoutMs: ms,
      bodyTimeoutMs: ms,
    };
    this.addresses = groups.map((g) => g.origin.hostname);
  }

  requestBytes(group: number, index: number): number {
    return this.#request(group, index).wire.byteLength;
  }

  targetOf(group: number, index: number): number {
    return this.#request(group, index).index;
  }

  #request(group: number, index: number): WireRequest {
    return (this.groups[group] as OriginGroup).requests[index] as WireRequest;
  }

  /** Resolves each plain origin's host once, as wrk does: the test measures the server, not DNS. */
  async prepare(): Promise<void> {
    await Promise.all(
      this.groups.map(async ({ origin }, i) => {
        if (origin.secure) return;
        try {
          this.addresses[i] = (await lookup(origin.hostname)).address;
        } catch (cause) {
          this.addresses[i] = netError('WK_ERR_DNS', cause, { remoteAddress: endpoint(origin.hostname, origin.port) });
        }
      }),
    );
  }

  open(group: number, sink: LaneSink): DriverConnection {
    return new HttpConnection(this, group, sink);
  }
}

type State = 'connecting' | 'open' | 'closed';

/** One HTTP/1.1 connection of a load test. */
class HttpConnection implements DriverConnection {
  readonly #driver: HttpDriver;
  readonly #group: OriginGroup;
  readonly #sink: LaneSink;
  readonly #framer: ResponseFramer;
  readonly #deadline: Deadline;
  #socket: Socket | undefined;
  #destroy: () => void = () => {};
  #state: State = 'connecting';
  readonly #queued: Buffer[] = [];
  /** The server said `Connection: close`: close once the read that carried it is framed. */
  #closing = false;

  constructor(driver: HttpDriver, group: number, sink: LaneSink) {
    this.#driver = driver;
    this.#group = driver.groups[group] as OriginGroup;
    this.#sink = sink;
    this.#framer = new ResponseFramer(this.#onResponse);
    this.#deadline = new Deadline(this.#expired);
    if (this.#group.origin.secure) this.#connectTls();
    else this.#connectPlain(driver.addresses[group] as string | WirekitError);
  }

  send(index: number): void {
    const request = this.#group.requests[index] as WireRequest;
    this.#framer.expect(request.noBody);
    if (this.#framer.pending === 1) this.#deadline.arm(this.#driver.settings.timeoutMs);
    this.#queued.push(request.wire);
  }

  /** One write per flush: pipelined requests leave in one syscall, as the server answers them. */
  flush(): void {
    const queued = this.#queued;
    if (queued.length === 0 || this.#state !== 'open') return;
    (this.#socket as Socket).write(queued.length === 1 ? (queued[0] as Buffer) : Buffer.concat(queued));
    queued.length = 0;
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#deadline.cancel();
    this.#destroy();
  }

  // ---- connecting ----

  #connectPlain(address: string | WirekitError): void {
    const { port } = this.#group.origin;
    if (typeof address !== 'string') {
      // Reported from a later turn, so a lane that reconnects at once does not recurse.
      setImmediate(() => this.#fail(address, 'connect'));
      return;
    }
    const socket = createConnection({
      host: address,
      port,
      noDelay: true,
      onread: { buffer: this.#driver.readBuffer, callback: this.#onRead },
    });
    this.#socket = socket;
    this.#destroy = () => socket.destroy();
    this.#deadline.arm(this.#driver.timeouts.connectTimeoutMs);
    socket.on('error', (error) => {
      const phase: ErrorPhase = this.#state === 'connecting' ? 'connect' : this.#phase();
      const code = this.#state === 'connecting' ? 'WK_ERR_CONNECT' : 'WK_ERR_SOCKET';
      this.#fail(netError(code, error, { remoteAddress: endpoint(address, port) }), phase);
    });
    socket.once('connect', () => this.#opened());
    socket.on('end', this.#onEnd);
    socket.on('close', () => this.#onEnd());
  }

  #connectTls(): void {
    const options = { timeouts: this.#driver.timeouts, tls: this.#driver.settings.tls };
    openConnection(this.#group.origin, options).then(
      ({ conn }) => {
        if (this.#state === 'closed') {
          conn.destroy();
          return;
        }
        this.#socket = conn.socket;
        this.#destroy = () => conn.destroy();
        conn.receive({
          onData: (chunk) => this.#onChunk(asBuffer(chunk)),
          onEnd: this.#onEnd,
          onError: (error) => this.#fail(netError('WK_ERR_SOCKET', error), this.#phase()),
        });
        this.#opened();
      },
      (error: WirekitError) => this.#fail(error, 'connect'),
    );
  }

  #opened(): void {
    if (this.#state !== 'connecting') return;
    this.#state = 'open';
    this.#deadline.clear();
    this.#sink.opened();
  }

  // ---- reading ----

  readonly #onRead = (bytes: number, buffer: Uint8Array): boolean => {
    this.#onChunk(asBuffer(buffer).subarray(0, bytes));
    return true;
  };

  #onChunk(chunk: Buffer): void {
    if (this.#state !== 'open') return;
    const now = performance.now();
    this.#sink.read(chunk.byteLength, now);
    if (this.#framer.pending > 0) this.#deadline.arm(this.#driver.settings.timeoutMs, now);
    const error = this.#framer.push(chunk);
    if (this.#state !== 'open') return;
    if (error !== undefined) this.#fail(error, this.#phase());
    else if (this.#closing) this.#closeQuietly();
    else {
      if (this.#framer.pending === 0) this.#deadline.clear();
      this.#sink.readDone();
    }
  }

  readonly #onResponse = (status: number, keepAlive: boolean): void => {
    // The run may have stopped (and closed this connection) on the response before, in this read.
    if (this.#state !== 'open') return;
    if (!keepAlive) this.#closing = true;
    this.#sink.answered(status);
  };

  readonly #onEnd = (): void => {
    if (this.#state === 'closed') return;
    const error = this.#framer.finish();
    if (error !== undefined) this.#fail(error, 'body');
    else if (this.#closing || this.#framer.pending === 0) this.#closeQuietly();
    else
      this.#fail(
        new ProtocolError('WK_ERR_UNEXPECTED_EOF', 502, 'the server closed the connection before responding'),
        'headers',
      );
  };

  // ---- ending ----

  /** Where an in-flight request is: waiting for its head, or inside its body. */
  #phase(): 'headers' | 'body' {
    return this.#framer.inBody ? 'body' : 'headers';
  }

  readonly #expired = (): void => {
    if (this.#state === 'closed') return;
    const where = this.#state === 'connecting' ? 'connecting' : this.#phase();
    this.#fail(deadlineError(where, this.#driver.settings.timeoutMs), 'timeout');
  };

  #fail(error: WirekitError, during: ErrorPhase): void {
    if (this.#state === 'closed') return;
    this.close();
    this.#sink.closed({ error, phase: phaseOf(error.code, during) });
  }

  #closeQuietly(): void {
    this.close();
    this.#sink.closed(undefined);
  }
}
