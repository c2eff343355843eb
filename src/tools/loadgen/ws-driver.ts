/**
 * The WebSocket load driver: each connection opens with the client handshake, then sends messages
 * and takes every message that comes back as the answer to the oldest one in flight (an echo
 * server answers in order). Latency is the round trip of one message; a "request" in the result
 * is one message answered.
 *
 * Connections come from the client's connector (the same DNS, TCP, TLS and error codes as every
 * wirekit request) and run wirekit's own WebSocket engine in client role: masking, framing and
 * the closing handshake are the ones the server side is tested against. Errors are reported in the
 * phases of the HTTP driver: connect and TLS as there, the handshake (waiting for the 101) as
 * `headers`, a failure while messages are in flight as `body`.
 */

import { openConnection, type TlsOptions } from '../../client/connector.js';
import { type Origin, parseOrigin } from '../../client/origin.js';
import { DEFAULT_TIMEOUTS, Deadline, type Timeouts, timeoutError } from '../../client/timeouts.js';
import { NetError, WirekitError } from '../../errors.js';
import { clientHandshake } from '../../ws/client-handshake.js';
import { CloseCode } from '../../ws/codec/constants.js';
import type { WebSocketConnection } from '../../ws/connection.js';
import type { WebSocketHandlers } from '../../ws/handlers.js';
import { type ResolvedWebSocketOptions, resolveWebSocketOptions } from '../../ws/options.js';
import type { DriverConnection, ErrorPhase, LaneSink, LoadDriver } from './driver.js';
import { phaseOf } from './driver.js';
import type { LoadTarget } from './options.js';
import type { WireRequest } from './targets.js';

/** Payload bytes of a message when the target gives no body. */
export const DEFAULT_MESSAGE_BYTES = 64;

/**
 * The messages of one WebSocket URL: a connection is bound to its URL (path and query).
 *
 * @example
 * ```ts
 * const [group] = groupWsTargets(['ws://127.0.0.1:8080/echo'], 64);
 * console.log(group.path, group.requests[0].wire.byteLength); // '/echo', 64
 * ```
 */
export interface WsGroup {
  readonly origin: Origin;
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  /** `wire`: the message payload; `noBody` is unused here. */
  readonly requests: readonly WireRequest[];
  /** Text messages (a string body) rather than binary. */
  readonly text: readonly boolean[];
}

/**
 * Groups `ws:`/`wss:` targets by URL; each message is the target's body (a string: a text message)
 * or `messageBytes` bytes of binary payload.
 *
 * @throws WirekitError `WK_ERR_INVALID_ARGUMENT` for a method other than GET.
 * @example
 * ```ts
 * groupWsTargets([{ url: 'ws://127.0.0.1:8080/', body: 'ping' }], 64);
 * ```
 */
export function groupWsTargets(targets: readonly (string | LoadTarget)[], messageBytes: number): WsGroup[] {
  const groups = new Map<
    string,
    { origin: Origin; path: string; headers: [string, string][]; requests: WireRequest[]; text: boolean[] }
  >();
  const filler = Buffer.alloc(messageBytes, 0x61);
  targets.forEach((target, index) => {
    const init = typeof target === 'string' ? { url: target } : target;
    if (init.method !== undefined && init.method.toUpperCase() !== 'GET') {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `a WebSocket opens with GET, not ${init.method} (${init.url})`);
    }
    const url = new URL(init.url);
    const key = url.href;
    let group = groups.get(key);
    if (group === undefined) {
      url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
      const headers =
        init.headers === undefined ? [] : Array.isArray(init.headers) ? init.headers : Object.entries(init.headers);
      group = {
        origin: parseOrigin(url),
        path: `${url.pathname}${url.search}`,
        headers: headers.map(([n, v]) => [n, v] as [string, string]),
        requests: [],
        text: [],
      };
      groups.set(key, group);
    }
    const body = init.body;
    const wire = body === undefined ? filler : typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
    group.requests.push({ method: 'WS', url: init.url, wire, noBody: false, index });
    group.text.push(typeof body === 'string');
  });
  return [...groups.values()];
}

/** Bytes a client frame of `payload` bytes takes on the wire (RFC 6455 §5.2: header, length, mask key). */
function frameBytes(payload: number): number {
  return payload + 2 + 4 + (payload > 0xffff ? 8 : payload > 125 ? 2 : 0);
}

/**
 * WebSocket connections to the URLs of a message mix.
 *
 * @example
 * ```ts
 * const driver = new WsDriver(groupWsTargets(['ws://127.0.0.1:8080/'], 64), { timeoutMs: 10_000 });
 * const conn = driver.open(0, sink);
 * ```
 */
export class WsDriver implements LoadDriver {
  readonly groupSizes: readonly number[];
  readonly groups: readonly WsGroup[];
  readonly timeoutMs: number;
  readonly tls: TlsOptions | undefined;
  readonly timeouts: Readonly<Timeouts>;
  /** The engine's settings for every client end: no pings (the driver's deadline watches the peer). */
  readonly options: ResolvedWebSocketOptions;

  constructor(groups: readonly WsGroup[], settings: { timeoutMs: number; tls?: TlsOptions | undefined }) {
    this.groups = groups;
    this.groupSizes = groups.map((g) => g.requests.length);
    this.timeoutMs = settings.timeoutMs;
    this.tls = settings.tls;
    this.timeouts = { ...DEFAULT_TIMEOUTS, connectTimeoutMs: settings.timeoutMs, tlsTimeoutMs: settings.timeoutMs };
    const largest = Math.max(...groups.flatMap((g) => g.requests.map((r) => r.wire.byteLength)));
    this.options = resolveWebSocketOptions({
      pingIntervalMs: 0,
      perMessageDeflate: false,
      // An echo is as large as its message; leave room for a server that answers with more.
      maxMessageBytes: Math.max(16 * 1024 * 1024, largest * 2),
      closeTimeoutMs: Math.max(1, Math.min(settings.timeoutMs || 1_000, 1_000)),
    });
  }

  requestBytes(group: number, index: number): number {
    return frameBytes(this.#request(group, index).wire.byteLength);
  }

  targetOf(group: number, index: number): number {
    return this.#request(group, index).index;
  }

  #request(group: number, index: number): WireRequest {
    return (this.groups[group] as WsGroup).requests[index] as WireRequest;
  }

  async prepare(): Promise<void> {}

  open(group: number, sink: LaneSink): DriverConnection {
    return new WsLoadConnection(this, group, sink);
  }
}

type State = 'connecting' | 'open' | 'closed';

/** Shared by every connection: `ws.data` is the load connection (no closure per connection). */
const HANDLERS: WebSocketHandlers<WsLoadConnection> = {
  message: (ws, data) => ws.data.answered(ws, typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength),
  close: (ws, code, reason) => ws.data.peerClosed(code, reason),
};

/** One WebSocket of a load test. */
class WsLoadConnection implements DriverConnection {
  readonly #driver: WsDriver;
  readonly #group: WsGroup;
  readonly #sink: LaneSink;
  readonly #deadline: Deadline;
  #ws: WebSocketConnection<WsLoadConnection> | undefined;
  #state: State = 'connecting';
  #pending = 0;
  #bytesSeen = 0;
  readonly #queued: number[] = [];

  constructor(driver: WsDriver, group: number, sink: LaneSink) {
    this.#driver = driver;
    this.#group = driver.groups[group] as WsGroup;
    this.#sink = sink;
    this.#deadline = new Deadline(this.#expired);
    void this.#open();
  }

  send(index: number): void {
    this.#queued.push(index);
    if (++this.#pending === 1) this.#deadline.arm(this.#driver.timeoutMs);
  }

  flush(): void {
    const ws = this.#ws;
    if (ws === undefined || this.#state !== 'open') return;
    const group = this.#group;
    for (const index of this.#queued) {
      const wire = (group.requests[index] as WireRequest).wire;
      ws.sendNow(group.text[index] === true ? wire.toString() : wire);
    }
    this.#queued.length = 0;
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#deadline.cancel();
    this.#ws?.terminate();
  }

  async #open(): Promise<void> {
    const driver = this.#driver;
    const group = this.#group;
    let phase: ErrorPhase = 'connect';
    try {
      const { conn } = await openConnection(group.origin, { timeouts: driver.timeouts, tls: driver.tls });
      if (this.#state === 'closed') {
        conn.destroy();
        return;
      }
      phase = 'headers';
      const request = {
        host: group.origin.host,
        path: group.path,
        headers: group.headers,
        timeoutMs: driver.timeoutMs,
      };
      const ws = await clientHandshake(conn, request, driver.options, HANDLERS, this);
      this.#ws = ws;
      // close() may have run while the handshake was on its way.
      if ((this.#state as State) === 'closed') {
        ws.terminate();
        return;
      }
      this.#state = 'open';
      this.#sink.opened();
    } catch (error) {
      const failure =
        error instanceof WirekitError ? error : new NetError('WK_ERR_SOCKET', String(error), { cause: error });
      this.#fail(failure, phase);
    }
  }

  /** A message came back: the answer to the oldest one in flight. */
  answered(ws: WebSocketConnection<WsLoadConnection>, _bytes: number): void {
    if (this.#state !== 'open' || this.#pending === 0) return;
    const now = performance.now();
    const total = ws.bytesReceived;
    this.#sink.read(total - this.#bytesSeen, now);
    this.#bytesSeen = total;
    this.#pending--;
    this.#sink.answered(0);
    // The run may have stopped on this answer, and closed this connection.
    if (this.#state !== 'open') return;
    if (this.#pending === 0) this.#deadline.clear();
    else this.#deadline.arm(this.#driver.timeoutMs, now);
    this.#sink.readDone();
  }

  /** The WebSocket closed (close frame or not): quietly when nothing was in flight and the close was clean. */
  peerClosed(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    const clean = code === CloseCode.Normal || code === CloseCode.GoingAway;
    if (clean && this.#pending === 0) {
      this.close();
      this.#sink.closed(undefined);
      return;
    }
    const why =
      code === CloseCode.Abnormal ? 'without a close frame (1006)' : `with ${code}${reason ? ` ${reason}` : ''}`;
    this.#fail(new NetError('WK_ERR_SOCKET', `the WebSocket closed ${why}`), 'body');
  }

  readonly #expired = (): void => {
    if (this.#state === 'closed') return;
    const ms = this.#driver.timeoutMs;
    this.#fail(timeoutError('WK_ERR_BODY_TIMEOUT', `no echo within ${ms} ms`), 'timeout');
  };

  #fail(error: WirekitError, during: ErrorPhase): void {
    if (this.#state === 'closed') return;
    this.close();
    this.#sink.closed({ error, phase: phaseOf(error.code, during) });
  }
}
