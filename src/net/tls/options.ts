/**
 * Options of a TLS listener (`listen({ tls })`, `serve(handler, { tls })`) and their defaults.
 * Defaults follow Go's `crypto/tls` server: TLS 1.2 at least, the runtime's modern cipher list,
 * session tickets on.
 */
import type { TLSSocket } from 'node:tls';
import { WirekitError } from '../../errors.js';
import {
  anyOf,
  boolean,
  duration,
  func,
  instanceOf,
  integer,
  listOf,
  OptionsSchema,
  object,
  oneOf,
  string,
} from '../../util/options.js';
import { checkBytes, checkDuration, checkInteger } from '../options.js';

/** PEM text (or its bytes). */
export type Pem = string | Uint8Array;

/**
 * A private key and its certificate chain (leaf first), both PEM.
 *
 * @example
 * ```ts
 * const pair: TlsCredentials = { key: readFileSync('key.pem'), cert: readFileSync('fullchain.pem') };
 * ```
 */
export interface TlsCredentials {
  key: Pem;
  /** The leaf certificate, then any intermediates (a Let's Encrypt `fullchain.pem`). */
  cert: Pem;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
}

/**
 * Certificates by server name (SNI): a map whose keys are names or `*.example.com` wildcards (one
 * label, RFC 6125 §6.4.3), or a function from the name the client asked for to the credentials
 * (undefined: unknown name, see `sniUnknown`; a throw or rejection fails that handshake).
 *
 * @example
 * ```ts
 * const sni: SniOption = { 'example.com': apex, '*.example.com': wildcard };
 * ```
 */
export type SniOption =
  | Readonly<Record<string, TlsCredentials>>
  | ((serverName: string) => TlsCredentials | undefined | Promise<TlsCredentials | undefined>);

/** A TLS protocol version as Node names it. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/**
 * TLS options of a server: its certificates, client-certificate checks and the limits that protect
 * the expensive part, the handshake.
 *
 * @example
 * ```ts
 * const tls: TlsServerOptions = { certFile: '/etc/letsencrypt/live/example.com/fullchain.pem',
 *   keyFile: '/etc/letsencrypt/live/example.com/privkey.pem' };
 * ```
 */
export interface TlsServerOptions {
  /** The default private key (PEM). With `cert`; or use `keyFile`/`certFile`. */
  key?: Pem;
  /** The default certificate chain (PEM, leaf first). */
  cert?: Pem;
  /** Passphrase of an encrypted `key`. */
  passphrase?: string;
  /**
   * Paths of the key and certificate chain, read at start and read again when either file changes
   * (a certificate renewal), without dropping a connection. See {@link DEFAULT_FILE_RELOAD_GRACE_MS}.
   */
  keyFile?: string;
  certFile?: string;
  /** Certificates by server name. Default: the default pair for every name. */
  sni?: SniOption;
  /**
   * A server name the `sni` table does not know: `'default'` serves the default pair (a client that
   * checks names then refuses it), `'reject'` fails the handshake. Default `'default'`. A client that
   * sends no name (it connected to an IP address) always gets the default pair.
   */
  sniUnknown?: 'default' | 'reject';
  /** CA certificates that sign acceptable client certificates (mTLS). Default: Node's root store. */
  ca?: Pem | readonly Pem[];
  /** Ask clients for a certificate (mTLS). Default false. */
  requestCert?: boolean;
  /**
   * With `requestCert`: close connections whose client sent no certificate or one `ca` does not
   * vouch for (`WK_ERR_TLS_CLIENT_CERT`). Default true. False lets them in and lets the application
   * decide from `info.tls.peerCertificate.authorized` and `authorizationError`.
   */
  rejectUnauthorized?: boolean;
  /** Oldest protocol accepted. Default `'TLSv1.2'` (1.0 and 1.1 are deprecated, RFC 8996). */
  minVersion?: TlsVersion;
  /** Newest protocol accepted. Default `'TLSv1.3'`. */
  maxVersion?: TlsVersion;
  /** OpenSSL cipher list for TLS 1.2 (and TLS 1.3 suites). Default: Node's (`tls.DEFAULT_CIPHERS`), forward-secret AEADs first. */
  ciphers?: string;
  /** Key-exchange groups, OpenSSL syntax (`'X25519:P-256'`). Default: Node's (`'auto'`). */
  ecdhCurve?: string;
  /**
   * A handshake not finished this long after the connection was accepted is dropped
   * (`WK_ERR_TLS_HANDSHAKE_TIMEOUT`). Default {@link DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS} (10 s).
   */
  handshakeTimeoutMs?: number;
  /**
   * Handshakes in progress at once. When a new connection would exceed it, the **oldest** handshake
   * in progress is dropped (`WK_ERR_TLS_HANDSHAKE_DROPPED`) and the new one starts: an honest client
   * finishes in a few round trips, a flood of stalled handshakes cannot lock everyone out until
   * the timeout. Default {@link DEFAULT_MAX_CONCURRENT_HANDSHAKES}.
   */
  maxConcurrentHandshakes?: number;
  /** How long a session ticket can resume a session. Default 300 s (Node's). */
  sessionTimeoutSeconds?: number;
  /**
   * How often the session-ticket key is replaced by a fresh random one (forward secrecy of resumed
   * sessions); a ticket issued under the old key then gets a full handshake. 0 = never (Node's
   * behaviour). Default {@link DEFAULT_TICKET_KEY_ROTATION_MS} (1 hour).
   */
  ticketKeyRotationMs?: number;
  /**
   * With `keyFile`/`certFile`: how long a changed key and certificate may disagree (one replaced,
   * the other not yet) before a warning. The old pair serves meanwhile. Default
   * {@link DEFAULT_FILE_RELOAD_GRACE_MS} (10 s).
   */
  fileReloadGraceMs?: number;
}

/**
 * What a protocol engine does with a TLS socket after its handshake: `'connection'` hands it on as a
 * `Connection` to the listener's handler; `'handled'` means the engine took the socket over (an
 * HTTP/2 session for ALPN `h2`); the server still tracks it for `close()`.
 */
export type SecureConnectionOutcome = 'connection' | 'handled';

/**
 * TLS options of {@link listen}: the server options plus what the protocol on top decides.
 *
 * @example
 * ```ts
 * await listen({ tls: { key, cert, alpnProtocols: ['http/1.1'] } }, handler);
 * ```
 */
export interface TlsListenOptions extends TlsServerOptions {
  /** ALPN protocols offered, in order of preference (RFC 7301). Default: none. */
  alpnProtocols?: readonly string[];
  /**
   * Called with every socket whose handshake succeeded, before it is wrapped in a `Connection`:
   * return `'handled'` to take it over (see {@link SecureConnectionOutcome}). Default: every socket
   * becomes a `Connection`.
   */
  onSecureConnection?: (socket: TLSSocket) => SecureConnectionOutcome;
}

/**
 * Default handshake timeout: 10 seconds.
 *
 * @example
 * ```ts
 * await listen({ tls: { key, cert, handshakeTimeoutMs: DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS / 2 } }, handler);
 * ```
 */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Default cap on handshakes in progress: 512. A stalled handshake costs memory, not CPU: about
 * 55 KiB of RSS each (OpenSSL's state and buffers; measured, see docs/benchmarks.md), so 512 of them
 * hold under 30 MiB. With the oldest dropped first, shutting out an honest client whose handshake
 * takes 100 ms (a slow mobile link) takes over 5,000 new connections a second. The CPU cost of
 * handshakes is paid one at a time on the event loop whatever the cap.
 *
 * @example
 * ```ts
 * await listen({ tls: { key, cert, maxConcurrentHandshakes: DEFAULT_MAX_CONCURRENT_HANDSHAKES * 4 } }, handler);
 * ```
 */
export const DEFAULT_MAX_CONCURRENT_HANDSHAKES = 512;

/**
 * Default rotation of the session-ticket key: 1 hour.
 *
 * @example
 * ```ts
 * await listen({ tls: { key, cert, ticketKeyRotationMs: DEFAULT_TICKET_KEY_ROTATION_MS * 24 } }, handler);
 * ```
 */
export const DEFAULT_TICKET_KEY_ROTATION_MS = 60 * 60_000;

/**
 * Default grace for a key and certificate file replaced one after the other: 10 seconds.
 *
 * @example
 * ```ts
 * await listen({ tls: { keyFile, certFile, fileReloadGraceMs: DEFAULT_FILE_RELOAD_GRACE_MS * 3 } }, handler);
 * ```
 */
export const DEFAULT_FILE_RELOAD_GRACE_MS = 10_000;

const VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** A PEM: text or bytes. */
const PEM = anyOf(string(), instanceOf(Uint8Array, 'a Uint8Array'));

/** The keys and kinds of the TLS options (util/options.ts); how they fit together is checked below. */
const TLS_OPTIONS = new OptionsSchema<TlsListenOptions>('tls', {
  key: PEM,
  cert: PEM,
  passphrase: string(),
  keyFile: string(),
  certFile: string(),
  sni: anyOf(object(), func()),
  sniUnknown: oneOf('default', 'reject'),
  ca: anyOf(PEM, listOf(PEM, 'a list of PEMs')),
  requestCert: boolean(),
  rejectUnauthorized: boolean(),
  minVersion: oneOf(...VERSIONS),
  maxVersion: oneOf(...VERSIONS),
  ciphers: string(),
  ecdhCurve: string(),
  handshakeTimeoutMs: duration(),
  maxConcurrentHandshakes: integer(1),
  sessionTimeoutSeconds: integer(0, 2 ** 31 - 1),
  ticketKeyRotationMs: duration(),
  fileReloadGraceMs: duration(),
  alpnProtocols: listOf(string(), 'a list of strings'),
  onSecureConnection: func(),
});

/**
 * Throws `WK_ERR_INVALID_ARGUMENT` for an inconsistent or out-of-range TLS option.
 *
 * @example
 * ```ts
 * checkTlsOptions({ key, cert, handshakeTimeoutMs: -1 }); // throws
 * ```
 */
export function checkTlsOptions(options: TlsListenOptions): void {
  TLS_OPTIONS.check(options);
  const hasPem = options.key !== undefined || options.cert !== undefined;
  const hasFiles = options.keyFile !== undefined || options.certFile !== undefined;
  if (hasPem && hasFiles) invalid('give key/cert or keyFile/certFile, not both');
  if (hasPem && (options.key === undefined || options.cert === undefined)) invalid('key and cert go together');
  if (hasFiles && (options.keyFile === undefined || options.certFile === undefined)) {
    invalid('keyFile and certFile go together');
  }
  if (!hasPem && !hasFiles && options.sni === undefined) invalid('tls needs key/cert, keyFile/certFile or sni');
  if (options.sniUnknown !== undefined && options.sniUnknown !== 'default' && options.sniUnknown !== 'reject') {
    invalid(`sniUnknown must be 'default' or 'reject', got ${String(options.sniUnknown)}`);
  }
  for (const name of ['minVersion', 'maxVersion'] as const) {
    const version = options[name];
    if (version !== undefined && !VERSIONS.includes(version)) invalid(`${name} must be one of ${VERSIONS.join(', ')}`);
  }
  checkDuration('handshakeTimeoutMs', options.handshakeTimeoutMs);
  checkBytes('maxConcurrentHandshakes', options.maxConcurrentHandshakes, 1);
  checkInteger('sessionTimeoutSeconds', options.sessionTimeoutSeconds, 0, 2 ** 31 - 1);
  checkDuration('ticketKeyRotationMs', options.ticketKeyRotationMs);
  checkDuration('fileReloadGraceMs', options.fileReloadGraceMs);
  for (const protocol of options.alpnProtocols ?? []) {
    if (protocol.length === 0 || protocol.length > 255) invalid('ALPN protocol names are 1 to 255 bytes');
  }
}

function invalid(message: string): never {
  throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `tls: ${message}`);
}
