/**
 * How the HTTP server speaks TLS: the net layer's TLS listener with the ALPN protocols this server
 * offers, and where an engine for another protocol plugs in.
 */
import type { TLSSocket } from 'node:tls';
import type { SecureConnectionOutcome, TlsListenOptions, TlsServerOptions } from '../../net/index.js';

/**
 * ALPN protocols offered, most preferred first (RFC 7301). HTTP/1.1 only: an HTTP/2 engine adds
 * `'h2'` in front and claims those sockets in {@link secureConnectionHook}.
 */
export const ALPN_PROTOCOLS: readonly string[] = ['http/1.1'];

/**
 * The protocol engines besides HTTP/1.1, by ALPN name: each takes over the TLS sockets that
 * negotiated its protocol. Empty until HTTP/2 exists.
 */
export type AlpnEngines = ReadonlyMap<string, (socket: TLSSocket) => void>;

/**
 * The listener's TLS options for `serve()`: the user's options, the ALPN list and, when other
 * engines exist, the dispatcher that hands their sockets over. A client that offers no ALPN (or
 * `http/1.1`) gets our HTTP/1.1 engine.
 *
 * @example
 * ```ts
 * const tls = tlsListenOptions(options.tls, new Map([['h2', (socket) => h2.accept(socket)]]));
 * ```
 */
export function tlsListenOptions(tls: TlsServerOptions, engines: AlpnEngines = new Map()): TlsListenOptions {
  const alpnProtocols = [...engines.keys(), ...ALPN_PROTOCOLS];
  if (engines.size === 0) return { ...tls, alpnProtocols };
  return { ...tls, alpnProtocols, onSecureConnection: secureConnectionHook(engines) };
}

/**
 * Dispatches a TLS socket by its ALPN protocol: to the engine that registered it (`'handled'`),
 * else to the HTTP/1.1 engine (`'connection'`).
 *
 * @example
 * ```ts
 * const hook = secureConnectionHook(new Map([['h2', (socket) => h2.accept(socket)]]));
 * ```
 */
export function secureConnectionHook(engines: AlpnEngines): (socket: TLSSocket) => SecureConnectionOutcome {
  return (socket) => {
    const protocol = socket.alpnProtocol;
    const engine = typeof protocol === 'string' ? engines.get(protocol) : undefined;
    if (engine === undefined) return 'connection';
    engine(socket);
    return 'handled';
  };
}
