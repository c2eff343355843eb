/**
 * `app.connect(path)`: a WebSocket to the app in process, through a memory pipe instead of a
 * socket. The upgrade request goes through the same router, middleware and `upgrade` hook as one
 * from the network; the answer is checked as a client checks it (accept key, subprotocol,
 * permessage-deflate parameters), and the client end is a `WebSocketConnection` like any other.
 */
import { randomBytes } from 'node:crypto';
import type { ConnInfo } from '../http/message/conn-info.js';
import type { HeadersInit } from '../http/message/headers.js';
import type { Request } from '../http/message/request.js';
import type { Response } from '../http/message/response.js';
import { anything, listOf, string } from '../util/options.js';
import { acceptDeflateResponse, type DeflateParams, deflateOffer } from '../ws/codec/deflate-params.js';
import { checkUpgradeResponse } from '../ws/codec/handshake.js';
import { startConnection, WebSocketConnection } from '../ws/connection.js';
import { WebSocketHandshakeError } from '../ws/handshake-error.js';
import { memoryPipe } from '../ws/memory-pipe.js';
import { resolveWebSocketOptions, WEBSOCKET_OPTIONS, type WebSocketOptions } from '../ws/options.js';
import { acceptKey, inProcessUpgradeInfo } from '../ws/upgrade.js';
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
  const resolved = resolveWebSocketOptions(options, CONNECT_OPTIONS);
  const [serverEnd, clientEnd] = memoryPipe();
  const key = randomBytes(16).toString('base64');
  const request = inProcessRequest(path, options.headers === undefined ? {} : { headers: options.headers });
  const fields = request.headers;
  if (!fields.has('upgrade')) fields.set('Upgrade', 'websocket');
  if (!fields.has('connection')) fields.set('Connection', 'Upgrade');
  if (!fields.has('sec-websocket-key')) fields.set('Sec-WebSocket-Key', key);
  if (!fields.has('sec-websocket-version')) fields.set('Sec-WebSocket-Version', '13');
  if (options.protocols !== undefined) fields.set('Sec-WebSocket-Protocol', options.protocols.join(', '));
  const wishes = resolved.deflate?.wishes;
  if (wishes !== undefined) fields.set('Sec-WebSocket-Extensions', deflateOffer(wishes));
  const response = await handle(request, inProcessUpgradeInfo(serverEnd));
  const answer = checkUpgradeResponse(response.status, response.headers, {
    accept: acceptKey(fields.get('sec-websocket-key') ?? key),
    protocols: options.protocols ?? [],
  });
  if (!answer.ok) {
    serverEnd.destroy();
    throw new WebSocketHandshakeError(`the WebSocket upgrade was refused: ${answer.message}`, response);
  }
  let deflate: DeflateParams | undefined;
  if (answer.extensions.length > 0) {
    const agreed = wishes === undefined ? 'no extension was offered' : acceptDeflateResponse(answer.extensions, wishes);
    if (typeof agreed === 'string') {
      serverEnd.destroy();
      throw new WebSocketHandshakeError(`invalid Sec-WebSocket-Extensions answer: ${agreed}`, response);
    }
    deflate = agreed;
  }
  const ws = new WebSocketConnection(clientEnd, {
    role: 'client',
    options: resolved,
    handlers: {},
    data: undefined,
    protocol: answer.protocol,
    extensions: response.headers.get('sec-websocket-extensions') ?? '',
    deflate,
  });
  startConnection(ws);
  return ws;
}
