/**
 * The seam between the load engine and a protocol. The engine decides when a request is due, on
 * which connection, and what its latency is; a driver opens connections, writes what it is told
 * and reports each answer in order. HTTP/1.1 is the driver today (`http-connection.ts`); a
 * WebSocket driver (send a message, the echo is its answer, latency is the round trip) implements
 * the same two interfaces and needs no change to the engine, the recorder or the reports.
 */
import { timeoutError } from '../../client/timeouts.js';
import type { ErrorCode, WirekitError } from '../../errors.js';

/**
 * The phase a failure happened in, as reports group errors.
 * - `connect`: DNS or TCP (refused, unreachable); `tls`: the handshake or certificate;
 * - `headers`: after the request was sent, before its response head was complete (reset, EOF, a bad head);
 * - `body`: inside the response body; `timeout`: any phase that hit its time limit.
 *
 * @example
 * ```ts
 * const phase: ErrorPhase = isWirekitError(error, 'WK_ERR_TLS') ? 'tls' : 'connect';
 * ```
 */
export type ErrorPhase = 'connect' | 'tls' | 'headers' | 'body' | 'timeout';

/** Every phase, in the order reports list them. */
export const ERROR_PHASES: readonly ErrorPhase[] = ['connect', 'tls', 'headers', 'body', 'timeout'];

/**
 * The phase of an error by its code: timeouts, connecting and TLS name themselves; anything else
 * (a reset, an early EOF, a malformed response) is in `during`, the phase the connection was in.
 *
 * @example
 * ```ts
 * phaseOf('WK_ERR_HEADERS_TIMEOUT', 'headers'); // 'timeout'
 * phaseOf('WK_ERR_SOCKET', 'body'); // 'body'
 * ```
 */
export function phaseOf(code: ErrorCode, during: ErrorPhase): ErrorPhase {
  if (code.endsWith('_TIMEOUT')) return 'timeout';
  if (code === 'WK_ERR_DNS' || code === 'WK_ERR_CONNECT') return 'connect';
  if (code === 'WK_ERR_TLS') return 'tls';
  return during;
}

/**
 * The error of a connection whose deadline of `ms` passed while it was `where`: connecting, waiting
 * for a response head, or inside a body that went silent.
 *
 * @example
 * ```ts
 * sink.closed({ error: deadlineError('headers', 10_000), phase: 'timeout' });
 * ```
 */
export function deadlineError(where: 'connecting' | 'headers' | 'body', ms: number): WirekitError {
  if (where === 'connecting') return timeoutError('WK_ERR_CONNECT_TIMEOUT', `no connection within ${ms} ms`);
  if (where === 'body') return timeoutError('WK_ERR_BODY_TIMEOUT', `a response body stalled for ${ms} ms`);
  return timeoutError('WK_ERR_HEADERS_TIMEOUT', `no response head within ${ms} ms`);
}

/**
 * Why a connection failed, and in which phase.
 *
 * @example
 * ```ts
 * sink.closed({ error, phase: 'headers' });
 * ```
 */
export interface LaneFailure {
  readonly error: WirekitError;
  readonly phase: ErrorPhase;
}

/**
 * What a driver's connection tells the engine. Answers come in the order requests were sent.
 *
 * @example
 * ```ts
 * socket.on('connect', () => sink.opened());
 * ```
 */
export interface LaneSink {
  /** The connection is ready for requests. */
  opened(): void;
  /** `bytes` were read from the network at `now` (`performance.now()`; the answers in them arrived then). */
  read(bytes: number, now: number): void;
  /** The oldest request in flight was answered (`status`: the HTTP status; a driver without one passes 0). */
  answered(status: number): void;
  /** Every answer of the last read has been reported: the lane sends what it now has room for, in one write. */
  readDone(): void;
  /**
   * The connection is closed and takes nothing more. With `failure`, every request in flight
   * failed with it (or, with none in flight, the connection attempt did). Without, the requests
   * still in flight were never processed (the server said it would close) and are sent again.
   */
  closed(failure: LaneFailure | undefined): void;
}

/**
 * One connection of a driver.
 *
 * @example
 * ```ts
 * conn.send(0); // writes request 0 of its group
 * ```
 */
export interface DriverConnection {
  /** Queues request `index` of the connection's group (only after `opened`, only while open). */
  send(index: number): void;
  /** Writes the requests queued since the last flush, in one write. */
  flush(): void;
  /** Closes at once; reports nothing more. */
  close(): void;
}

/**
 * Opens connections of one protocol.
 *
 * @example
 * ```ts
 * const conn = driver.open(0, lane); // a connection to the first origin of the mix
 * ```
 */
export interface LoadDriver {
  /** The request mix per origin group: how many requests each group cycles through. */
  readonly groupSizes: readonly number[];
  /** Bytes of request `index` of `group` (for the bytes-written count). */
  requestBytes(group: number, index: number): number;
  /** The position of request `index` of `group` in the whole mix (for per-target counts). */
  targetOf(group: number, index: number): number;
  /** Anything to do once before the first connection (DNS lookups). Never rejects. */
  prepare(): Promise<void>;
  /** Opens a connection to `group`; it reports to `sink`. */
  open(group: number, sink: LaneSink): DriverConnection;
}
