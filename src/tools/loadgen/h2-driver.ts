/**
 * The HTTP/2 load driver: one node:http2 session per connection, `pipelining` streams in flight on
 * it. `https:` origins must choose `h2` by ALPN (the client's connector offers it, as `allowH2`
 * does); `http:` origins are spoken to in cleartext with prior knowledge (h2c, RFC 9113 §3.3): the
 * connection preface goes first, no Upgrade. The client's `Pool` speaks h2 over TLS only; the load
 * generator opens its own sessions, so it can load an h2c server too.
 *
 * Streams complete in any order, and the engine takes answers in the order it sent them: a stream
 * that completes early is held until the older ones have, then reported with its own completion
 * time (`sink.read(0, at)` before `answered`), so every latency is the stream's own. What holding
 * costs is a slot: the lane sends its next request when the older streams are done.
 */
import { type ClientHttp2Session, type ClientHttp2Stream, connect, type OutgoingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import { openConnection, type TlsOptions } from '../../client/connector.js';
import { DEFAULT_TIMEOUTS, Deadline, type Timeouts } from '../../client/timeouts.js';
import { NetError, WirekitError } from '../../errors.js';
import { addFields } from '../../http/h2/fields.js';
import type { DriverConnection, ErrorPhase, LaneSink, LoadDriver } from './driver.js';
import { deadlineError, phaseOf } from './driver.js';
import type { LoadTarget } from './options.js';
import type { OriginGroup, WireRequest } from './targets.js';

/** A request ready for `session.request`: its header list and body. */
interface H2Request {
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer | undefined;
}

/**
 * HTTP/2 sessions to the origins of a request mix.
 *
 * @example
 * ```ts
 * const driver = new H2Driver(groupTargets(targets), targets, { timeoutMs: 10_000 });
 * const conn = driver.open(0, sink);
 * ```
 */
export class H2Driver implements LoadDriver {
  readonly groupSizes: readonly number[];
  readonly groups: readonly OriginGroup[];
  readonly timeoutMs: number;
  readonly tls: TlsOptions | undefined;
  readonly timeouts: Readonly<Timeouts>;
  readonly #requests: H2Request[][];

  constructor(
    groups: readonly OriginGroup[],
    targets: readonly (string | LoadTarget)[],
    settings: { timeoutMs: number; tls?: TlsOptions | undefined },
  ) {
    this.groups = groups;
    this.groupSizes = groups.map((g) => g.requests.length);
    this.timeoutMs = settings.timeoutMs;
    this.tls = settings.tls;
    const ms = settings.timeoutMs;
    this.timeouts = { ...DEFAULT_TIMEOUTS, connectTimeoutMs: ms, tlsTimeoutMs: ms };
    this.#requests = groups.map((g) => g.requests.map((r) => h2Request(r, targets[r.index] as string | LoadTarget, g)));
  }

  /** HTTP/2 compresses fields (HPACK) by what came before on the connection: counted here are the bodies. */
  requestBytes(group: number, index: number): number {
    return this.request(group, index).body?.byteLength ?? 0;
  }

  targetOf(group: number, index: number): number {
    return ((this.groups[group] as OriginGroup).requests[index] as WireRequest).index;
  }

  request(group: number, index: number): H2Request {
    return (this.#requests[group] as H2Request[])[index] as H2Request;
  }

  async prepare(): Promise<void> {}

  open(group: number, sink: LaneSink): DriverConnection {
    return new H2LoadConnection(this, group, sink);
  }
}

function h2Request(wire: WireRequest, target: string | LoadTarget, group: OriginGroup): H2Request {
  const init = typeof target === 'string' ? { url: target } : target;
  const url = new URL(init.url);
  const raw: string[] = [];
  const given =
    init.headers === undefined ? [] : Array.isArray(init.headers) ? init.headers : Object.entries(init.headers);
  let authority = group.origin.host;
  for (const [name, value] of given as Iterable<readonly [string, string]>) {
    if (name.toLowerCase() === 'host') authority = value;
    else raw.push(name, value);
  }
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  const headers = addFields(
    {
      ':method': wire.method,
      ':scheme': group.origin.secure ? 'https' : 'http',
      ':authority': authority,
      ':path': `${url.pathname}${url.search}`,
    },
    raw,
    true,
  );
  if (body !== undefined) headers['content-length'] = body.byteLength;
  return { headers, body };
}

type State = 'connecting' | 'open' | 'closed';

/** A stream in flight; `at` is set when it completed (0 until then). */
interface InFlight {
  stream: ClientHttp2Stream;
  status: number;
  at: number;
}

/** One HTTP/2 session of a load test. */
class H2LoadConnection implements DriverConnection {
  readonly #driver: H2Driver;
  readonly #group: number;
  readonly #sink: LaneSink;
  readonly #deadline: Deadline;
  #session: ClientHttp2Session | undefined;
  #socket: Socket | undefined;
  #state: State = 'connecting';
  /** Streams in the order their requests were sent. */
  readonly #inflight: InFlight[] = [];
  readonly #queued: number[] = [];
  #bytesSeen = 0;

  constructor(driver: H2Driver, group: number, sink: LaneSink) {
    this.#driver = driver;
    this.#group = group;
    this.#sink = sink;
    this.#deadline = new Deadline(this.#expired);
    void this.#open();
  }

  send(index: number): void {
    this.#queued.push(index);
    if (this.#inflight.length + this.#queued.length === 1) this.#deadline.arm(this.#driver.timeoutMs);
  }

  flush(): void {
    const session = this.#session;
    if (session === undefined || this.#state !== 'open') return;
    for (const index of this.#queued) {
      const { headers, body } = this.#driver.request(this.#group, index);
      let stream: ClientHttp2Stream;
      try {
        stream = session.request(headers, { endStream: body === undefined });
      } catch (cause) {
        this.#fail(sessionError('could not open a stream', cause), 'headers');
        return;
      }
      if (body !== undefined) stream.end(body);
      const entry: InFlight = { stream, status: 0, at: 0 };
      this.#inflight.push(entry);
      stream.on('response', (fields) => {
        entry.status = Number(fields[':status']);
      });
      stream.on('data', this.#onData);
      stream.on('end', () => this.#completed(entry));
      stream.on('error', (cause: Error) => this.#fail(sessionError('a stream failed', cause), 'body'));
    }
    this.#queued.length = 0;
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#deadline.cancel();
    this.#session?.destroy();
    this.#socket?.destroy();
  }

  async #open(): Promise<void> {
    const driver = this.#driver;
    const origin = (driver.groups[this.#group] as OriginGroup).origin;
    try {
      const connected = await openConnection(origin, { timeouts: driver.timeouts, tls: driver.tls, allowH2: true });
      if (this.#state === 'closed') {
        connected.conn.destroy();
        return;
      }
      if (origin.secure && connected.protocol !== 'h2') {
        connected.conn.destroy();
        this.#fail(
          new WirekitError('WK_ERR_TLS', `${origin.href} did not choose h2 by ALPN (it speaks HTTP/1.1 only)`),
          'tls',
        );
        return;
      }
      const socket = connected.conn.detach();
      this.#socket = socket;
      this.#start(socket, origin.href);
    } catch (error) {
      const failure = error instanceof WirekitError ? error : sessionError('could not connect', error);
      this.#fail(failure, 'connect');
    }
  }

  #start(socket: Socket, href: string): void {
    const session = connect(href, { createConnection: () => socket, settings: { enablePush: false } });
    this.#session = session;
    session.on('error', (cause: Error) => this.#fail(sessionError('the session failed', cause), this.#phase()));
    session.on('close', () => {
      if (this.#state === 'closed') return;
      if (this.#inflight.length === 0 && this.#queued.length === 0) {
        this.close();
        this.#sink.closed(undefined);
      } else this.#fail(sessionError('the server closed the session with requests in flight'), this.#phase());
    });
    // The server's SETTINGS (its stream limit) arrive before any answer; requests wait for none of it.
    this.#state = 'open';
    this.#sink.opened();
  }

  readonly #onData = (): void => {
    if (this.#state === 'open') this.#deadline.arm(this.#driver.timeoutMs);
  };

  /** A stream ended; report it and every completed stream behind it, oldest first, each at its own time. */
  #completed(entry: InFlight): void {
    if (this.#state !== 'open') return;
    entry.at = performance.now();
    const inflight = this.#inflight;
    let reported = false;
    while (inflight.length > 0 && (inflight[0] as InFlight).at > 0) {
      const done = inflight.shift() as InFlight;
      const total = this.#socket?.bytesRead ?? 0;
      this.#sink.read(total - this.#bytesSeen, done.at);
      this.#bytesSeen = total;
      this.#sink.answered(done.status);
      if (this.#state !== 'open') return;
      reported = true;
    }
    if (!reported) return;
    if (inflight.length === 0) this.#deadline.clear();
    else this.#deadline.arm(this.#driver.timeoutMs);
    this.#sink.readDone();
  }

  /** Where the oldest request is: waiting for its head, or in its body. */
  #phase(): 'headers' | 'body' {
    return (this.#inflight[0]?.status ?? 0) > 0 ? 'body' : 'headers';
  }

  readonly #expired = (): void => {
    if (this.#state === 'closed') return;
    const where = this.#state === 'connecting' ? 'connecting' : this.#phase();
    this.#fail(deadlineError(where, this.#driver.timeoutMs), 'timeout');
  };

  #fail(error: WirekitError, during: ErrorPhase): void {
    if (this.#state === 'closed') return;
    this.close();
    this.#sink.closed({ error, phase: phaseOf(error.code, during) });
  }
}

function sessionError(what: string, cause?: unknown): WirekitError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new NetError('WK_ERR_H2_SESSION', `HTTP/2: ${what}${detail}`, { cause });
}
