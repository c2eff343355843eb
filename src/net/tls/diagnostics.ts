/**
 * The TLS listener's `node:diagnostics_channel` channel (docs/architecture.md): failed handshakes are
 * counted and published, never thrown or warned per connection (a scanner would flood the log).
 */
import diagnostics from 'node:diagnostics_channel';
import type { SocketAddress, WirekitError } from '../../errors.js';

/**
 * What {@link tlsChannels}.handshakeFailure publishes.
 *
 * @example
 * ```ts
 * diagnostics.subscribe('wirekit:net.tls.handshake.failure', (m) => {
 *   const { error, remoteAddress } = m as HandshakeFailure;
 *   console.log(error.code, remoteAddress?.address);
 * });
 * ```
 */
export interface HandshakeFailure {
  /** `WK_ERR_TLS_HANDSHAKE`, `_TIMEOUT`, `_DROPPED` or `WK_ERR_TLS_CLIENT_CERT`; the TLS error as `cause`. */
  readonly error: WirekitError;
  readonly remoteAddress: SocketAddress | undefined;
  readonly localAddress: SocketAddress | undefined;
}

/**
 * Channels of the TLS listener.
 *
 * @example
 * ```ts
 * import diagnostics from 'node:diagnostics_channel';
 * diagnostics.subscribe('wirekit:net.tls.handshake.failure', (m) => console.log(m));
 * ```
 */
export const tlsChannels = {
  /** A {@link HandshakeFailure} for every handshake that did not complete (the server is not closing). */
  handshakeFailure: diagnostics.channel('wirekit:net.tls.handshake.failure'),
};
