/**
 * `connectWebSocket(url)`: the outbound WebSocket. The connection is opened by the HTTP client's
 * connector (DNS, TCP, a CONNECT tunnel through a proxy, TLS for `wss:`), the upgrade request is
 * written and its answer read by the HTTP codec, the answer checked per RFC 6455 §4.1 (the checks
 * `app.connect()` runs too), and the connection handed to the same engine as the server's, in the
 * client role (masking its frames).
 */
import { WirekitError } from '../../errors.js';
import { anyOf, anything, boolean, duration, instanceOf, listOf, object, string } from '../../util/options.js';
import { checkServerAnswer, clientOffer, startClientEnd } from '../../ws/client-end.js';
import { isToken } from '../../ws/codec/extensions.js';
import type { WebSocketConnection } from '../../ws/connection.js';
import type { WebSocketHandlers } from '../../ws/handlers.js';
import { resolveWebSocketOptions, WEBSOCKET_OPTIONS, type WebSocketOptions } from '../../ws/options.js';
import { connectionTransport } from '../../ws/transport.js';
import { type ConnectorOptions, openConnection, type TlsOptions } from '../connector.js';
import { flattenHeaders, type HeadersLike } from '../fields.js';
import { type Origin, parseOrigin } from '../origin.js';
import { type ProxyConfig, type ProxyEnvironment, parseProxy, proxyFromEnvironment } from '../proxy.js';
import { DEFAULT_TIMEOUTS } from '../timeouts.js';
import { exchangeUpgrade, upgradeRequestHead } from './upgrade-exchange.js';

/**
 * Options of {@link connectWebSocket}: the connection's limits and timeouts (as on the server
 * side), the handshake's extras, and how to reach the server.
 *
 * @example
 * ```ts
 * const ws = await connectWebSocket('wss://example.com/feed', {
 *   protocols: ['feed.v2'], headers: { authorization: 'Bearer …' }, perMessageDeflate: true, handshakeTimeoutMs: 5_000,
 * });
 * ```
 */
export interface WebSocketClientOptions extends WebSocketOptions {
  /** Subprotocols to offer, in order of preference (tokens, no repeats). */
  protocols?: string | readonly string[];
  /** Fields of the upgrade request (`Origin`, cookies, authorization); the handshake's own fields are ours. */
  headers?: HeadersLike;
  /** DNS lookup plus the TCP connection (to the proxy, with one). Default 10 s. */
  connectTimeoutMs?: number;
  /** The TLS handshake (`wss:`), then, separately, from writing the upgrade request to its answer. Default 10 s each. */
  handshakeTimeoutMs?: number;
  /** Cancels the opening (`WK_ERR_ABORTED`); it has no effect once the connection is open. */
  signal?: AbortSignal;
  /** TLS settings of `wss:` (node:tls options: `ca`, `servername`, `rejectUnauthorized`…). */
  tls?: TlsOptions;
  /** An HTTP proxy to tunnel through with CONNECT (`http://user:pass@host:port`), as the HTTP client does. */
  proxy?: string | URL | ProxyConfig;
  /** Use the proxy of `HTTP_PROXY`/`HTTPS_PROXY` unless `NO_PROXY` matches (`true`: `process.env`). Ignored with `proxy`. */
  proxyFromEnv?: boolean | ProxyEnvironment;
  /** The local address to connect from. */
  localAddress?: string;
  /** Handlers of the connection (`message`, `close`, `drain`); without `message`, read with `for await`. */
  handlers?: WebSocketHandlers<undefined>;
}

const CLIENT_OPTIONS = WEBSOCKET_OPTIONS.extend<WebSocketClientOptions>('connectWebSocket()', {
  protocols: anyOf(string(), listOf(string())),
  headers: anything(),
  connectTimeoutMs: duration(),
  handshakeTimeoutMs: duration(),
  signal: instanceOf(AbortSignal, 'an AbortSignal'),
  tls: object(),
  proxy: anyOf(string(), instanceOf(URL, 'a URL'), object()),
  proxyFromEnv: anyOf(boolean(), object()),
  localAddress: string(),
  handlers: object(),
});

/** The defaults of the client's own waits. */
const CONNECT_TIMEOUT_MS = DEFAULT_TIMEOUTS.connectTimeoutMs;
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Fields of the opening handshake the client writes itself (RFC 6455 §4.1). */
const OWN_FIELDS = new Set([
  'host',
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
]);

/**
 * A WebSocket target: where to connect and what to ask for.
 *
 * @example
 * ```ts
 * const { origin, target } = parseWebSocketUrl('ws://localhost:8080/chat?room=1');
 * ```
 */
export interface WebSocketTarget {
  readonly url: URL;
  readonly origin: Origin;
  /** The request target: path and query. */
  readonly target: string;
}

/**
 * Parses a `ws:` or `wss:` URL (`http:` and `https:` are taken as their WebSocket twins, as the
 * WHATWG WebSocket does); a fragment is refused.
 *
 * @throws WirekitError `WK_ERR_INVALID_ARGUMENT` for a malformed URL, another scheme, or a fragment.
 * @example
 * ```ts
 * parseWebSocketUrl('wss://example.com/feed').origin.port; // 443
 * ```
 */
export function parseWebSocketUrl(url: string | URL): WebSocketTarget {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch (cause) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `not a URL: ${String(url)}`, { cause });
  }
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `a WebSocket URL is ws: or wss:, not ${parsed.protocol}`);
  }
  if (parsed.hash !== '' || String(url).includes('#')) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'a WebSocket URL has no fragment');
  }
  const http = new URL(parsed.href);
  http.protocol = parsed.protocol === 'wss:' ? 'https:' : 'http:';
  return { url: parsed, origin: parseOrigin(http), target: `${parsed.pathname || '/'}${parsed.search}` };
}

/**
 * The subprotocols of `protocols` as a list, each checked: a token, no repeats (RFC 6455 §4.1).
 *
 * @throws WirekitError `WK_ERR_INVALID_ARGUMENT`
 * @example
 * ```ts
 * subprotocolList('chat'); // ['chat']
 * ```
 */
export function subprotocolList(protocols: string | readonly string[] | undefined): string[] {
  const list = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols];
  for (const protocol of list) {
    if (!isToken(protocol)) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `invalid subprotocol "${protocol}"`);
  }
  if (new Set(list).size !== list.length)
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'a subprotocol is repeated');
  return list;
}

/**
 * Opens a WebSocket to `url` and resolves once the server accepted the upgrade. The connection has
 * the server side's API: `send()` (awaitable backpressure), `sendNow()`, `for await`, `close()`,
 * `closed`. Failures: `WK_ERR_DNS`, `WK_ERR_CONNECT`/`_TIMEOUT`, `WK_ERR_PROXY`, `WK_ERR_TLS`/`_TIMEOUT`,
 * `WK_ERR_WS_HANDSHAKE` (a refusal: `error.status` and `error.response`; or an answer that fails
 * the checks), `WK_ERR_WS_HANDSHAKE_TIMEOUT`, `WK_ERR_ABORTED`.
 *
 * @example
 * ```ts
 * const ws = await connectWebSocket('ws://127.0.0.1:8080/echo', { perMessageDeflate: true });
 * await ws.send('hello');
 * for await (const message of ws) {
 *   console.log(message);
 *   ws.close();
 * }
 * ```
 */
export async function connectWebSocket(
  url: string | URL,
  options: WebSocketClientOptions = {},
): Promise<WebSocketConnection<undefined>> {
  const resolved = resolveWebSocketOptions(options, CLIENT_OPTIONS);
  const { origin, target } = parseWebSocketUrl(url);
  const offer = clientOffer(subprotocolList(options.protocols), resolved);
  const head = upgradeRequestHead(target, origin.host, [...requestFields(options.headers), ...offer.fields.flat()]);
  const handshakeMs = options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  const { conn } = await openConnection(origin, connectorOptions(origin, options, handshakeMs));
  const exchanged = await exchangeUpgrade(conn, { head, timeoutMs: handshakeMs, signal: options.signal });
  const answer = checkServerAnswer(exchanged.response.status, exchanged.response.headers, offer);
  if (!answer.ok) {
    conn.destroy();
    throw exchanged.refused(answer.message);
  }
  return startClientEnd(connectionTransport(conn, exchanged.rest), offer, answer, options.handlers ?? {});
}

function requestFields(headers: HeadersLike | undefined): readonly string[] {
  const flat = flattenHeaders(headers);
  for (let i = 0; i < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase();
    if (OWN_FIELDS.has(name)) {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `${flat[i]} is a field of the handshake: use the options`);
    }
  }
  return flat;
}

function connectorOptions(origin: Origin, options: WebSocketClientOptions, handshakeMs: number): ConnectorOptions {
  return {
    timeouts: {
      ...DEFAULT_TIMEOUTS,
      connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      tlsTimeoutMs: handshakeMs,
    },
    tls: options.tls,
    proxy: proxyFor(origin, options),
    localAddress: options.localAddress,
    signal: options.signal,
  };
}

function proxyFor(origin: Origin, options: WebSocketClientOptions): ProxyConfig | undefined {
  const { proxy, proxyFromEnv: env } = options;
  if (proxy !== undefined) return typeof proxy === 'string' || proxy instanceof URL ? parseProxy(proxy) : proxy;
  if (env === undefined || env === false) return undefined;
  return proxyFromEnvironment(origin, env === true ? process.env : env);
}
