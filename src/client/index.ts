/** The HTTP client: `Client` → `Pool` → `Agent`, `request()`, `fetch()`, interceptors. */
// Every entry point carries the error classes, so `isWirekitError` needs no second import.
export * from '../errors.js';
export {
  Agent,
  type AgentOptions,
  DEFAULT_POOL_IDLE_TIMEOUT_MS,
  getGlobalDispatcher,
  setGlobalDispatcher,
} from './agent.js';
export { isReplayable, type PreparedBody, prepareBody, type RequestBodyInit } from './body.js';
export { Client, type ClientOptions } from './client.js';
export { withInterceptors } from './compose.js';
export type { ConnectTimings, TlsOptions } from './connector.js';
export { contentCodings, decompress } from './decompress.js';
export { type ConnectionMessage, clientChannels } from './diagnostics.js';
export { isIdempotent } from './exchange.js';
export { type FetchInit, fetch } from './fetch.js';
export { flattenHeaders, type HeadersLike } from './fields.js';
export { type Origin, parseOrigin } from './origin.js';
export { Pool } from './pool.js';
export { checkPoolOptions, POOL_DEFAULTS, type PoolOptions, type PoolStats } from './pool-options.js';
export { type ProxyConfig, type ProxyEnvironment, parseProxy, proxyFromEnvironment } from './proxy.js';
export { type RedirectOptions, redirect } from './redirect.js';
export { type RequestInit as ClientRequestInit, request } from './request.js';
export type { RequestOptions, TargetedRequestOptions } from './request-options.js';
export { ClientResponse, type ClientResponseInit, type Timings } from './response.js';
export {
  type BodyEnd,
  type BodySource,
  DEFAULT_DUMP_BYTES,
  DEFAULT_MAX_BUFFERED_BYTES,
  ResponseBody,
} from './response-body.js';
export { backoffMs, RETRY_DEFAULTS, type RetryOptions, retry, retryAfterMs } from './retry.js';
export { DEFAULT_TIMEOUTS, Deadline, resolveTimeouts, type Timeouts } from './timeouts.js';
export type { Dispatch, DispatchBody, Dispatcher, DispatchRequest, Interceptor } from './types.js';
export {
  connectWebSocket,
  parseWebSocketUrl,
  subprotocolList,
  type WebSocketClientOptions,
  type WebSocketTarget,
} from './websocket/connect.js';
export { CloseEvent, type CloseEventInit, WebSocketErrorEvent } from './websocket/events.js';
export { type BinaryType, WebSocket, type WebSocketData, type WebSocketInitArg } from './websocket/websocket.js';
