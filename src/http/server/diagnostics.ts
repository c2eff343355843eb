import diagnostics from 'node:diagnostics_channel';
import { timerWheel } from '../../util/timer-wheel.js';
import type { ConnInfo } from '../message/conn-info.js';
import type { Request } from '../message/request.js';
import type { Response } from '../message/response.js';
import type { Exchange } from './exchange.js';

/**
 * `node:diagnostics_channel` channels of the HTTP server (docs/architecture.md, Observing): subscribe to observe
 * without a logger in the core. Messages are published only when someone subscribes.
 *
 * @example
 * ```ts
 * import diagnostics from 'node:diagnostics_channel';
 * diagnostics.subscribe('wirekit:http.server.request.end', (m) => console.log(m));
 * ```
 */
export const channels = {
  /** `{ request, info }` when a request head has been parsed. */
  requestStart: diagnostics.channel('wirekit:http.server.request.start'),
  /**
   * `{ request, response, info, status, bytes, durationMs, clientGone }` when its response was handed
   * to the socket: `bytes` of body (-1 when the response failed midway), `durationMs` since the head
   * arrived, `clientGone` true when it failed because the client went away (closed or reset).
   */
  requestEnd: diagnostics.channel('wirekit:http.server.request.end'),
  /** `{ info }` when a connection is accepted. */
  connectionOpen: diagnostics.channel('wirekit:http.server.connection.open'),
  /** `{ info }` when it has closed. */
  connectionClose: diagnostics.channel('wirekit:http.server.connection.close'),
};

export function publishRequestStart(request: Request, info: ConnInfo): void {
  if (channels.requestStart.hasSubscribers) channels.requestStart.publish({ request, info });
}

/** The message of `wirekit:http.server.request.end`. */
export interface RequestEndMessage {
  request: Request;
  response: Response | undefined;
  info: ConnInfo;
  status: number;
  bytes: number;
  durationMs: number;
  /** The response failed midway because the client went away (`bytes` is then -1). */
  clientGone: boolean;
}

export function publishRequestEnd(exchange: Exchange, info: ConnInfo, bytes: number, clientGone = false): void {
  publishEnd(exchange.request, exchange.response, info, exchange.startedAt, bytes, clientGone);
}

/** `wirekit:http.server.request.end` for a request that started at `startedAt` (the timer wheel's clock). */
export function publishEnd(
  request: Request,
  response: Response | undefined,
  info: ConnInfo,
  startedAt: number,
  bytes: number,
  clientGone: boolean,
): void {
  if (!channels.requestEnd.hasSubscribers) return;
  const durationMs = timerWheel.now() - startedAt;
  const status = response?.status ?? 0;
  const message: RequestEndMessage = { request, response, info, status, bytes, durationMs, clientGone };
  channels.requestEnd.publish(message);
}

/**
 * Whether a connection's close is watched now (so a connection handed to another protocol keeps
 * the info to publish it with).
 *
 * @example
 * ```ts
 * const info = connectionCloseWatched() ? conn : undefined;
 * ```
 */
export function connectionCloseWatched(): boolean {
  return channels.connectionClose.hasSubscribers;
}

export function publishConnection(kind: 'open' | 'close', info: ConnInfo): void {
  const channel = kind === 'open' ? channels.connectionOpen : channels.connectionClose;
  if (channel.hasSubscribers) channel.publish({ info });
}
