/**
 * The server side of the opening handshake, in two steps so a framework can run middleware in
 * between: `prepareUpgrade` checks the request (RFC 6455 §4.2.1), picks the subprotocol, negotiates
 * permessage-deflate and answers a 101 that is only a promise; `commitUpgrade`, given that final
 * response (middleware may have added fields, such as cookies), takes the connection over, writes
 * the 101 and starts the WebSocket. A bare server does both at once (`WebSocketServer.upgrade`).
 */
import { createHash } from 'node:crypto';
import { WirekitError } from '../errors.js';
import { serializeFields } from '../http/codec/serializer.js';
import type { ConnInfo, Upgraded } from '../http/message/conn-info.js';
import type { HeadersInit } from '../http/message/headers.js';
import type { Request } from '../http/message/request.js';
import { Response } from '../http/message/response.js';
import { WEBSOCKET_GUID } from './codec/constants.js';
import { type DeflateParams, negotiateDeflate } from './codec/deflate-params.js';
import { checkUpgradeRequest } from './codec/handshake.js';
import { startConnection, WebSocketConnection } from './connection.js';
import type { WebSocketHandlers } from './handlers.js';
import type { WebSocketHub } from './hub.js';
import type { ResolvedWebSocketOptions } from './options.js';
import { upgradedTransport, type WebSocketTransport } from './transport.js';

/**
 * How an endpoint picks what the handshake leaves open.
 *
 * @example
 * ```ts
 * const choices: HandshakeOptions = { protocol: (offered) => (offered.includes('chat.v2') ? 'chat.v2' : undefined), origins: ['https://app.example'] };
 * ```
 */
export interface HandshakeOptions {
  /**
   * Picks the subprotocol among those the client offered (in its order of preference), or none.
   * Default: none (a client that requires one then fails the connection itself).
   */
  protocol?: (offered: string[], request: Request) => string | undefined;
  /**
   * Allowed `Origin` values (browsers send one; other clients may not), or a function deciding.
   * A refused origin gets 403. Default: every origin (check it if you use cookies for auth: CSWSH).
   */
  origins?: readonly string[] | ((origin: string | undefined, request: Request) => boolean);
}

/**
 * A route's or server's handlers with resolved options: what an upgrade needs.
 *
 * @example
 * ```ts
 * const endpoint: WebSocketEndpoint<undefined> = { handlers: {}, options: resolveWebSocketOptions(), handshake: {} };
 * ```
 */
export interface WebSocketEndpoint<D> {
  readonly handlers: WebSocketHandlers<D>;
  readonly options: ResolvedWebSocketOptions;
  readonly handshake: HandshakeOptions;
}

/**
 * A refused upgrade: the answer it deserves (400, 403 or 426, with the fields RFC 6455 asks for).
 *
 * @example
 * ```ts
 * if (!prepared.ok) return new Response(prepared.message, { status: prepared.status, headers: prepared.headers });
 * ```
 */
export interface UpgradeRefusal {
  ok: false;
  status: number;
  message: string;
  headers: Record<string, string>;
}

/**
 * Per-connection choices of an upgrade.
 *
 * @example
 * ```ts
 * wss.upgrade(req, info, { data: { user }, headers: { 'Set-Cookie': 'seen=1' } });
 * ```
 */
export interface UpgradeInit<D> {
  /** `ws.data` of the new connection. */
  data?: D;
  /** The subprotocol, or how to pick it, overriding the endpoint's `protocol` (must be one the client offered). */
  protocol?: string | ((offered: string[]) => string | undefined) | undefined;
  /** Extra fields of the 101. */
  headers?: HeadersInit;
}

interface PendingUpgrade {
  endpoint: WebSocketEndpoint<unknown>;
  data: unknown;
  protocol: string;
  extensions: string;
  deflate: DeflateParams | undefined;
}

const pending = new WeakMap<Response, PendingUpgrade>();

/**
 * The `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2, item 5.4).
 *
 * @example
 * ```ts
 * acceptKey('dGhlIHNhbXBsZSBub25jZQ=='); // 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='
 * ```
 */
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
}

/**
 * True when the request's `Origin` passes `origins` (a list, or a function given `context`).
 *
 * @example
 * ```ts
 * isOriginAllowed(req, ['https://app.example'], req); // false without that Origin
 * ```
 */
export function isOriginAllowed<T>(
  request: Request,
  origins: readonly string[] | ((origin: string | undefined, context: T) => boolean) | undefined,
  context: T,
): boolean {
  if (origins === undefined) return true;
  const origin = request.headers.get('origin') ?? undefined;
  if (typeof origins === 'function') return origins(origin, context);
  return origin !== undefined && origins.includes(origin);
}

/**
 * Checks an upgrade request and answers it: a 101 to hand to {@link commitUpgrade}, or a refusal.
 * Throws `WK_ERR_INVALID_ARGUMENT` if the chosen subprotocol was not offered (a programming error).
 *
 * @example
 * ```ts
 * const prepared = prepareUpgrade(req, endpoint, { data: { room: '1' } });
 * if (prepared.ok) commitUpgrade(prepared.response, info, hub);
 * ```
 */
export function prepareUpgrade<D>(
  request: Request,
  endpoint: WebSocketEndpoint<D>,
  init: UpgradeInit<D> = {},
): { ok: true; response: Response } | UpgradeRefusal {
  const check = checkUpgradeRequest(request.method, request.version, request.headers);
  if (!check.ok) return check;
  if (!isOriginAllowed(request, endpoint.handshake.origins, request)) {
    return { ok: false, status: 403, message: 'this origin may not open a WebSocket here', headers: {} };
  }
  const choice = init.protocol ?? endpoint.handshake.protocol;
  const protocol = (typeof choice === 'function' ? choice(check.protocols, request) : choice) ?? '';
  if (protocol !== '' && !check.protocols.includes(protocol)) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `subprotocol "${protocol}" was not offered by the client`);
  }
  const deflateOptions = endpoint.options.deflate;
  const accepted = deflateOptions === undefined ? undefined : negotiateDeflate(check.extensions, deflateOptions.wishes);
  const response = new Response(
    null,
    init.headers === undefined ? { status: 101 } : { status: 101, headers: init.headers },
  );
  response.headers.set('Upgrade', 'websocket');
  // The serializer leaves Connection to the server (commitUpgrade writes it); set for in-process clients.
  response.headers.set('Connection', 'Upgrade');
  response.headers.set('Sec-WebSocket-Accept', acceptKey(check.key));
  if (protocol !== '') response.headers.set('Sec-WebSocket-Protocol', protocol);
  if (accepted !== undefined) response.headers.set('Sec-WebSocket-Extensions', accepted.response);
  pending.set(response, {
    endpoint: endpoint as WebSocketEndpoint<unknown>,
    data: init.data,
    protocol,
    extensions: accepted?.response ?? '',
    deflate: accepted?.params,
  });
  return { ok: true, response };
}

/**
 * True for a 101 made by {@link prepareUpgrade} and not committed yet.
 *
 * @example
 * ```ts
 * if (isPendingUpgrade(c.res)) commitUpgrade(c.res, c.info, hub);
 * ```
 */
export function isPendingUpgrade(response: Response | undefined): boolean {
  return response !== undefined && pending.has(response);
}

/** Where an in-process ConnInfo keeps the transport its upgrade hands over (see `inProcessUpgradeInfo`). */
const IN_PROCESS_TRANSPORT: unique symbol = Symbol('wirekit.ws.inProcessTransport');

interface InProcessInfo extends ConnInfo {
  [IN_PROCESS_TRANSPORT]: WebSocketTransport;
}

/**
 * A ConnInfo for a request run without a socket whose upgrade hands over `transport` (one end of a
 * `memoryPipe()`): what `app.connect()` uses to run a WebSocket in process.
 *
 * @example
 * ```ts
 * const [server, client] = memoryPipe();
 * const res = await app.fetch(upgradeRequest, inProcessUpgradeInfo(server));
 * ```
 */
export function inProcessUpgradeInfo(transport: WebSocketTransport): ConnInfo {
  const loopback = { address: '127.0.0.1', port: 0, family: 'IPv4' } as const;
  const info: InProcessInfo = {
    remoteAddress: loopback,
    localAddress: loopback,
    secure: false,
    httpVersion: '1.1',
    requestCount: 1,
    canUpgrade: true,
    upgrade(): Upgraded {
      throw new WirekitError('WK_ERR_HTTP_UPGRADE', 'an in-process connection is upgraded by commitUpgrade only');
    },
    [IN_PROCESS_TRANSPORT]: transport,
  };
  return info;
}

/**
 * Takes the connection over with the final 101 (its fields as middleware left them), writes it,
 * and starts the WebSocket. Returns the new connection, or undefined if `response` is not a
 * pending upgrade. Throws `WK_ERR_HTTP_UPGRADE` when the connection cannot be upgraded.
 *
 * @example
 * ```ts
 * const ws = commitUpgrade(response, info, hub);
 * ```
 */
export function commitUpgrade(response: Response, info: ConnInfo, hub: WebSocketHub): WebSocketConnection | undefined {
  const upgrade = pending.get(response);
  if (upgrade === undefined) return undefined;
  pending.delete(response);
  let transport = (info as Partial<InProcessInfo>)[IN_PROCESS_TRANSPORT];
  if (transport === undefined) {
    const upgraded = info.upgrade();
    transport = upgradedTransport(upgraded);
    // Connection is a framing field the serializer skips: it is written here.
    const head = `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n${serializeFields(response.headers.raw(), false, true)}\r\n`;
    upgraded.connection.send(Buffer.from(head, 'latin1'));
  }
  const { endpoint } = upgrade;
  const ws = new WebSocketConnection(transport, {
    role: 'server',
    options: endpoint.options,
    handlers: endpoint.handlers,
    data: upgrade.data,
    protocol: upgrade.protocol,
    extensions: upgrade.extensions,
    deflate: upgrade.deflate,
    registry: hub.registry,
  });
  startConnection(ws);
  return ws;
}
