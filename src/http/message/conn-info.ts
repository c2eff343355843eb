import type { SocketAddress } from '../../errors.js';
import type { Connection, ReceiveHandlers, TlsInfo } from '../../net/index.js';
import type { Request } from './request.js';
import type { Response } from './response.js';
import type { ProxyTrust } from './trust-proxy.js';

/** A connection handed over by `info.upgrade()`: the HTTP server no longer reads or writes it. */
export interface Upgraded {
  /** The connection; write the `101` (or the CONNECT `200`) and the new protocol on it. */
  readonly connection: Connection;
  /** Bytes the client sent after the request head: the start of the new protocol. */
  readonly head: Uint8Array;
  /** Receive the connection's next chunks (it is in push mode; `connection.pause()`/`resume()` apply). */
  receive(handlers: ReceiveHandlers): void;
}

/** What a handler knows about the connection a request came on (docs/architecture.md, The Handler seam). */
export interface ConnInfo {
  readonly remoteAddress: SocketAddress | undefined;
  readonly localAddress: SocketAddress | undefined;
  /** True on TLS connections. */
  readonly secure: boolean;
  /**
   * The HTTP version the connection speaks: `'1.1'` for HTTP/1.x (a request's own version is
   * `request.version`), `'2.0'` for HTTP/2.
   */
  readonly httpVersion: '1.1' | '2.0';
  /**
   * With PROXY protocol (`proxyProtocol` of `serve()`), the proxy's own address; `remoteAddress`
   * is then the client's as the proxy reported it. Undefined otherwise.
   */
  readonly proxiedBy?: SocketAddress | undefined;
  /**
   * True once the server drains (`server.drain()`, `close()`, a cluster's reload or shutdown): a
   * readiness check should answer 503 so load balancers stop sending here (`healthCheck()`).
   */
  readonly draining?: boolean;
  /** The server's `trustProxy`, compiled: whose forwarding fields `clientOf()` and an App believe. */
  readonly trustProxy?: ProxyTrust | undefined;
  /**
   * What TLS negotiated on this connection (protocol, cipher, ALPN, server name, the client's
   * certificate with `requestCert`); undefined on plain HTTP.
   */
  readonly tls?: TlsInfo | undefined;
  /** Requests received on this connection so far, this one included. */
  readonly requestCount: number;
  /**
   * True when the current request asks for a protocol change (`Connection: upgrade` with `Upgrade`,
   * or CONNECT) that `upgrade()` can accept. Always false on HTTP/2, which has no upgrade (RFC 9113
   * §8.6; WebSockets over HTTP/2, RFC 8441, is not supported).
   */
  readonly canUpgrade: boolean;
  /**
   * Takes the connection over for another protocol (WebSocket, a CONNECT tunnel). Only for a request
   * with `canUpgrade`, before any response; throws `WK_ERR_HTTP_UPGRADE` otherwise. The handler's
   * returned response is then ignored.
   */
  upgrade(): Upgraded;
}

/** The server/framework seam (docs/architecture.md, The Handler seam): an app is a function from a request to a response. */
export type Handler = (request: Request, info: ConnInfo) => Response | Promise<Response>;
