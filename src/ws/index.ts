/** WebSockets (RFC 6455, RFC 7692): the codec, the connection engine, the server side and topics. */
// Every entry point carries the error classes, so `isWirekitError` needs no second import.
export * from '../errors.js';
export {
  type AcceptedAnswer,
  type ClientOffer,
  checkServerAnswer,
  clientOffer,
  startClientEnd,
} from './client-end.js';
export * from './codec/index.js';
export { WebSocketConnection } from './connection.js';
export { compressMessage, type InflateResult, PerMessageDeflate, ZLIB_CONCURRENCY } from './deflate.js';
export { type WebSocketCloseMessage, webSocketChannels } from './diagnostics.js';
export type {
  ConnectionRegistry,
  OutgoingMessage,
  SharedMessage,
  WebSocketHandlers,
  WebSocketInit,
} from './handlers.js';
export { WebSocketHandshakeError } from './handshake-error.js';
export { WebSocketHub, type WebSocketHubOptions } from './hub.js';
export type { ReceivedMessage } from './inbox.js';
export { nextMaskKey } from './mask-keys.js';
export { memoryPipe } from './memory-pipe.js';
export {
  type BackpressurePolicy,
  type PerMessageDeflateOptions,
  type ResolvedDeflateOptions,
  type ResolvedWebSocketOptions,
  resolveWebSocketOptions,
  WEBSOCKET_DEFAULTS,
  type WebSocketOptions,
} from './options.js';
export { WebSocketServer, type WebSocketServerOptions } from './server.js';
export { LocalTopicBus, type LocalTopicBusHooks, type PublishOptions, type TopicBus } from './topics.js';
export {
  connectionTransport,
  type TransportHandlers,
  upgradedTransport,
  type WebSocketTransport,
} from './transport.js';
export {
  acceptKey,
  commitUpgrade,
  type HandshakeOptions,
  inProcessUpgradeInfo,
  isOriginAllowed,
  isPendingUpgrade,
  prepareUpgrade,
  type UpgradeInit,
  type UpgradeRefusal,
  type WebSocketEndpoint,
} from './upgrade.js';
