/**
 * `wirekit/net`: TCP (IPv4, IPv6, Unix sockets, TLS) and UDP with async/await, line and
 * length-prefix framing, and the shared timer wheel. Everything public of the socket layer.
 */

// Every entry point carries the error classes, so `isWirekitError` needs no second import.
export * from '../errors.js';
export {
  type TimerHandle,
  type TimerTarget,
  TimerWheel,
  type TimerWheelOptions,
  timerWheel,
} from '../util/timer-wheel.js';
export type { Endpoints, UnixPaths } from './addresses.js';
export {
  DEFAULT_PROXY_HEADER_MAX_BYTES,
  PP2_TYPE,
  type ProxyAddress,
  type ProxyHeader,
  ProxyHeaderParser,
  type ProxyHeaderParserOptions,
  type ProxyParseResult,
  type ProxyTlv,
  serializeProxyHeader,
} from './codec/proxy-protocol.js';
export { type ConnectOptions, connect, DEFAULT_CONNECT_TIMEOUT_MS } from './connect.js';
export {
  type CloseOptions,
  Connection,
  type ConnectionOptions,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_READ_HIGH_WATER_BYTES,
  DEFAULT_READ_UNTIL_MAX_BYTES,
  type ReadUntilOptions,
  type ReceiveHandlers,
} from './connection.js';
export { frames, lines, writeFrame, writeLine } from './framing/connection-io.js';
export {
  DEFAULT_MAX_FRAME_BYTES,
  encodeFrame,
  type LengthPrefix,
  LengthPrefixDecoder,
  type LengthPrefixOptions,
} from './framing/length-prefix.js';
export { DEFAULT_MAX_LINE_BYTES, encodeLine, LineDecoder, type LineOptions, RawLineDecoder } from './framing/lines.js';
export { DEFAULT_PROXY_HEADER_TIMEOUT_MS, type ProxiedEndpoints, type ProxyProtocolOptions } from './proxy-header.js';
export {
  type ConnectionHandler,
  canReusePort,
  DEFAULT_SERVER_IDLE_TIMEOUT_MS,
  type ListenOptions,
  listen,
  Server,
  type ServerCloseOptions,
} from './tcp-server.js';
export { type HandshakeFailure, tlsChannels } from './tls/diagnostics.js';
export { type DistinguishedName, type PeerCertificate, type TlsInfo, tlsInfoOf } from './tls/info.js';
export {
  DEFAULT_FILE_RELOAD_GRACE_MS,
  DEFAULT_MAX_CONCURRENT_HANDSHAKES,
  DEFAULT_TICKET_KEY_ROTATION_MS,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  type Pem,
  type SecureConnectionOutcome,
  type SniOption,
  type TlsCredentials,
  type TlsListenOptions,
  type TlsServerOptions,
  type TlsVersion,
} from './tls/options.js';
export type { CertificateUpdate, TlsStats } from './tls/tls-acceptor.js';
export {
  type BindOptions,
  bind,
  type Datagram,
  DEFAULT_UDP_QUEUE_LIMIT,
  MAX_UDP4_DATAGRAM_BYTES,
  MAX_UDP6_DATAGRAM_BYTES,
  type ReceiveOptions,
  UdpSocket,
} from './udp.js';
