/**
 * `app.connect(path)`: a WebSocket to the app in process, through a memory pipe instead of a
 * socket. The upgrade request goes through the same router, middleware and `upgrade` hook as one
 * from the network; the answer is checked as a client checks it (accept key, subprotocol,
 * permessage-deflate parameters), and the client end is a `WebSocketConnection` like any other.
 */
import type { ConnInfo } from '../http/message/conn-info.js';
import type { HeadersInit } from '../http/message/headers.js';
import type { Request } from '../http/message/request.js';
import type { Response } from '../http/message/response.js';
import { anything, listOf, string } from '../util/options.js';
import { checkServerAnswer, clientOffer, startClientEnd } from '../ws/client-end.js';
import type { WebSocketConnection } from '../ws/connection.js';
import { WebSocketHandshakeError } from '../ws/handshake-error.js';
import { memoryPipe } from '../ws/memory-pipe.js';
import { resolveWebSocketOptions, WEBSOCKET_OPTIONS, type WebSocketOptions } from '../ws/options.js';
import { inProcessUpgradeInfo } from '../ws/upgrade.js';
import { inProcessRequest } from './in-process.js';

/**
 * Options of `app.connect()`: the client end's limits and timeouts, and the request's extras.
 *
 * @example
 * ```ts
 * const ws = await app.connect('/chat/1', { headers: { cookie: 'session=abc' }, protocols: ['chat.v2'], perMessageDeflate: true });
 * ```
 */
export interface WebSocketConnectOptions extends WebSocketOptions {
  /** Fields of the upgrade request (cookies, authorization...). */
  headers?: HeadersInit;
  /** Subprotocols to offer, in order of preference. */
  protocols?: string[];
}

const CONNECT_OPTIONS = WEBSOCKET_OPTIONS.extend<WebSocketConnectOptions>('app.connect()', {
  headers: anything(),
  protocols: listOf(string()),
});

/**
 * Runs the upgrade through `handle` and returns the client end of the WebSocket.
 *
 * @example
 * ```ts
 * const ws = await connectInProcess((req, info) => app.fetch(req, info), '/chat', {});
 * ```
 */
export async function connectInProcess(
  handle: (request: Request, info: ConnInfo) => Response | Promise<Response>,
  path: string,
  options: WebSocketConnectOptions,
): Promise<WebSocketConnection<undefined>> {
  const offer = clientOffer(options.protocols ?? [], resolveWebSocketOptions(options, CONNECT_OPTIONS));
  const [serverEnd, clientEnd] = memoryPipe();
  const request = inProcessRequest(path, options.headers === undefined ? {} : { headers: options.headers });
  const fields = request.headers;
  // Fields the caller gave win (a test may send a broken key on purpose); the answer is checked against them.
  if (!fields.has('upgrade')) fields.set('Upgrade', 'websocket');
  if (!fields.has('connection')) fields.set('Connection', 'Upgrade');
  for (const [name, value] of offer.fields) if (!fields.has(name)) fields.set(name, value);
  const response = await handle(request, inProcessUpgradeInfo(serverEnd));
  const answer = checkServerAnswer(response.status, response.headers, offer, fields.get('sec-websocket-key') ?? '');
  if (!answer.ok) {
    serverEnd.destroy();
    throw new WebSocketHandshakeError(`the WebSocket upgrade was refused: ${answer.message}`, response);
  }
  return startClientEnd(clientEnd, offer, answer, {});
}
