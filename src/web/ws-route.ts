/**
 * `app.ws(path, ...middleware, route)`: a GET route whose last handler checks the upgrade request,
 * runs the route's `upgrade(c)` hook (after the app's and route's middleware: auth, cookies and
 * `c.var` are there, and any of them may answer instead) and answers a 101 that the App turns into
 * a WebSocket once the whole middleware onion has run (see `commitUpgrade`).
 */
import { Response } from '../http/message/response.js';
import { anyOf, func, listOf, string } from '../util/options.js';
import { checkUpgradeRequest } from '../ws/codec/handshake.js';
import type { WebSocketHandlers } from '../ws/handlers.js';
import { resolveWebSocketOptions, WEBSOCKET_OPTIONS, type WebSocketOptions } from '../ws/options.js';
import { isOriginAllowed, prepareUpgrade, type WebSocketEndpoint } from '../ws/upgrade.js';
import type { Middleware } from './compose.js';
import type { Context } from './context.js';
import { HttpError } from './http-error.js';

/**
 * A WebSocket route: handlers, options (limits, timeouts, compression) and handshake hooks.
 *
 * @example
 * ```ts
 * app.ws('/chat/:room', requireUser, {
 *   upgrade: (c) => ({ user: c.var.user, room: c.req.param('room') ?? '' }),
 *   open: (ws) => ws.subscribe(ws.data.room),
 *   message: (ws, text) => ws.publish(ws.data.room, `${ws.data.user}: ${text}`),
 * });
 * ```
 */
export interface WebSocketRoute<V extends object, D> extends WebSocketHandlers<D>, WebSocketOptions {
  /**
   * Runs after the middleware, for a valid upgrade request: returns `ws.data` of the connection, or
   * a Response to answer instead of upgrading (throwing an HttpError works too).
   */
  upgrade?(c: Context<V>): D | Response | globalThis.Response | Promise<D | Response | globalThis.Response>;
  /** Picks the subprotocol among those offered (in the client's order), or none (default). */
  protocol?(offered: string[], c: Context<V>): string | undefined;
  /** Allowed `Origin` values, or a function deciding; others get 403. Default: any. */
  origins?: readonly string[] | ((origin: string | undefined, c: Context<V>) => boolean);
}

const ROUTE_OPTIONS = WEBSOCKET_OPTIONS.extend<WebSocketRoute<object, unknown>>('app.ws()', {
  open: func(),
  message: func(),
  close: func(),
  drain: func(),
  upgrade: func(),
  protocol: func(),
  origins: anyOf(listOf(string()), func()),
});

/**
 * The route's last handler.
 *
 * @example
 * ```ts
 * app.get('/live', auth, webSocketRoute({ message: (ws, data) => void ws.send(data) }));
 * ```
 */
export function webSocketRoute<V extends object, D>(route: WebSocketRoute<V, D>): Middleware<V> {
  const options = resolveWebSocketOptions(route as WebSocketRoute<object, unknown>, ROUTE_OPTIONS);
  const endpoint: WebSocketEndpoint<D> = { handlers: route, options, handshake: {} };
  const prepare = (c: Context<V>, data: D): Response => {
    const choose = route.protocol;
    const protocol = choose === undefined ? undefined : (offered: string[]) => choose.call(route, offered, c);
    const prepared = prepareUpgrade(c.req.raw, endpoint, { data, protocol });
    if (!prepared.ok) throw new HttpError(prepared.status, prepared.message, { headers: prepared.headers });
    return prepared.response;
  };
  return (c) => {
    const refusal = refuse(c, route);
    if (refusal !== undefined) throw refusal;
    if (route.upgrade === undefined) return prepare(c, undefined as D);
    const data = route.upgrade(c);
    if (data instanceof Promise) return data.then((value) => answer(c, value, prepare));
    return answer(c, data, prepare);
  };
}

function answer<V extends object, D>(
  c: Context<V>,
  data: D | Response | globalThis.Response,
  prepare: (c: Context<V>, data: D) => Response,
): Response | globalThis.Response {
  if (data instanceof Response || data instanceof globalThis.Response) return data;
  return prepare(c, data);
}

/** Why this request cannot be upgraded here, as the HttpError to answer with, if it cannot. */
function refuse<V extends object, D>(c: Context<V>, route: WebSocketRoute<V, D>): HttpError | undefined {
  const request = c.req.raw;
  // The RFC 6455 checks come before any hook: a plain GET gets 426, a broken handshake 400.
  const check = checkUpgradeRequest(request.method, request.version, request.headers);
  if (!check.ok) return new HttpError(check.status, check.message, { headers: check.headers });
  if (!isOriginAllowed(request, route.origins, c))
    return new HttpError(403, 'this origin may not open a WebSocket here');
  if (!c.info.canUpgrade) {
    return new HttpError(426, 'this request cannot be upgraded here (in process, use app.connect())', {
      headers: { Upgrade: 'websocket' },
    });
  }
  return undefined;
}
