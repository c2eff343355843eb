/**
 * The TLS side of a listener: turns accepted TCP sockets into TLS sockets through a `tls.Server`
 * that never listens itself (so its session tickets, SNI, ALPN and client-certificate checks are
 * Node's own), and adds what Node leaves out: a cap on handshakes in progress, a handshake timeout
 * that also closes the socket, counted and published failures, certificate reload without dropping
 * a connection, and session-ticket key rotation.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { createServer, type SecureContextOptions, type TLSSocket, type Server as TlsNodeServer } from 'node:tls';
import { isWirekitError, WirekitError } from '../../errors.js';
import { type TimerHandle, timerWheel } from '../../util/timer-wheel.js';
import { type Endpoints, endpointsOf } from '../addresses.js';
import { CertFileWatcher, readCertFiles } from './cert-files.js';
import { contextBase, contextOptions, secureContextOf } from './credentials.js';
import { type HandshakeFailure, tlsChannels } from './diagnostics.js';
import {
  DEFAULT_FILE_RELOAD_GRACE_MS,
  DEFAULT_MAX_CONCURRENT_HANDSHAKES,
  DEFAULT_TICKET_KEY_ROTATION_MS,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  type SniOption,
  type TlsCredentials,
  type TlsListenOptions,
} from './options.js';
import { SniTable } from './sni.js';

/**
 * Handshake counters of a TLS listener (`server.tlsStats`).
 *
 * @example
 * ```ts
 * const { handshakes, failed, timedOut, dropped } = server.tlsStats!;
 * ```
 */
export interface TlsStats {
  /** Handshakes that completed. */
  readonly handshakes: number;
  /** Of those, sessions resumed from a ticket. */
  readonly resumed: number;
  /** Handshakes in progress now. */
  readonly inProgress: number;
  /** Handshakes that failed, for any reason (the three below included). */
  readonly failed: number;
  /** Failed by `handshakeTimeoutMs`. */
  readonly timedOut: number;
  /** Dropped as the oldest when `maxConcurrentHandshakes` were in progress. */
  readonly dropped: number;
  /** Closed because the client certificate was missing or not vouched for. */
  readonly clientCertRefused: number;
}

/**
 * New certificates for a running server: the default pair, the SNI table, or both.
 *
 * @example
 * ```ts
 * server.setCertificates({ key: newKey, cert: newCert });
 * ```
 */
export interface CertificateUpdate {
  key?: TlsCredentials['key'];
  cert?: TlsCredentials['cert'];
  passphrase?: string;
  sni?: SniOption;
}

/** Node refuses a handshake timeout of 0 (it means its 120 s default): this is "never". */
const NO_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * TLS for one listener. Made by `listen({ tls })`; not used directly.
 *
 * @example
 * ```ts
 * const acceptor = await TlsAcceptor.create(options, (socket) => adopt(socket), report);
 * netServer.on('connection', (raw) => acceptor.accept(raw));
 * ```
 */
export class TlsAcceptor {
  readonly #options: TlsListenOptions;
  readonly #server: TlsNodeServer;
  readonly #onSecure: (socket: TLSSocket) => void;
  readonly #report: (error: Error) => void;
  /** Raw sockets whose handshake is in progress, oldest first (a Set keeps insertion order). */
  readonly #pending = new Set<Socket>();
  /** Why we ended a handshake ourselves (dropped), and where it came from, by raw socket. */
  readonly #reasons = new WeakMap<Socket, { error: WirekitError; endpoints: Endpoints }>();
  readonly #maxPending: number;
  #base: SecureContextOptions;
  #default: TlsCredentials | undefined;
  #sni: SniTable;
  #watcher: CertFileWatcher | undefined;
  #rotation: TimerHandle | undefined;
  #closed = false;
  #stats = { handshakes: 0, resumed: 0, failed: 0, timedOut: 0, dropped: 0, clientCertRefused: 0 };

  /** Reads and checks every certificate (rejects `WK_ERR_TLS_CREDENTIALS`) before anything listens. */
  static async create(
    options: TlsListenOptions,
    onSecure: (socket: TLSSocket) => void,
    report: (error: Error) => void,
  ): Promise<TlsAcceptor> {
    let pair: TlsCredentials | undefined;
    if (options.keyFile !== undefined && options.certFile !== undefined) {
      pair = await readCertFiles({
        keyFile: options.keyFile,
        certFile: options.certFile,
        passphrase: options.passphrase,
      });
    } else if (options.key !== undefined && options.cert !== undefined) {
      pair = { key: options.key, cert: options.cert };
      if (options.passphrase !== undefined) pair.passphrase = options.passphrase;
    }
    return new TlsAcceptor(options, pair, onSecure, report);
  }

  private constructor(
    options: TlsListenOptions,
    pair: TlsCredentials | undefined,
    onSecure: (socket: TLSSocket) => void,
    report: (error: Error) => void,
  ) {
    this.#options = options;
    this.#onSecure = onSecure;
    this.#report = report;
    this.#maxPending = options.maxConcurrentHandshakes ?? DEFAULT_MAX_CONCURRENT_HANDSHAKES;
    this.#base = contextBase(options, randomBytes(48));
    this.#default = pair;
    // Checked first: a bad pair is a WK_ERR_TLS_CREDENTIALS naming it, not an OpenSSL error later.
    if (pair !== undefined) secureContextOf(this.#base, pair, 'key/cert');
    this.#sni = new SniTable(options.sni, this.#base);
    this.#server = this.#createServer();
    this.#watchFiles(pair);
    this.#scheduleRotation();
  }

  /** Handshake counters. */
  get stats(): TlsStats {
    return { ...this.#stats, inProgress: this.#pending.size };
  }

  /**
   * Starts the handshake of an accepted socket. At the cap, the oldest handshake in progress is
   * dropped first (see `maxConcurrentHandshakes`).
   */
  accept(raw: Socket): void {
    if (this.#pending.size >= this.#maxPending) {
      const oldest = this.#pending.values().next().value as Socket;
      this.#end(oldest, new WirekitError('WK_ERR_TLS_HANDSHAKE_DROPPED', 'dropped: maxConcurrentHandshakes reached'));
    }
    this.#pending.add(raw);
    // The tls.Server wraps it in a TLSSocket and reports back through its events.
    this.#server.emit('connection', raw);
  }

  /**
   * Replaces the default pair and/or the SNI table for new handshakes; connections already
   * established keep theirs. Everything is checked first: a bad pair throws
   * `WK_ERR_TLS_CREDENTIALS` and nothing changes.
   */
  setCertificates(update: CertificateUpdate): void {
    if (this.#closed) throw new WirekitError('WK_ERR_SERVER_CLOSING', 'the server is closed');
    if ((update.key === undefined) !== (update.cert === undefined)) {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'setCertificates: key and cert go together');
    }
    let pair = this.#default;
    if (update.key !== undefined && update.cert !== undefined) {
      pair = { key: update.key, cert: update.cert };
      if (update.passphrase !== undefined) pair.passphrase = update.passphrase;
      secureContextOf(this.#base, pair, 'setCertificates key/cert');
    }
    const sni = update.sni === undefined ? this.#sni : new SniTable(update.sni, this.#base);
    this.#install(pair, sni, this.#base);
  }

  /** Ends the handshakes in progress and stops watching files and rotating keys. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watcher?.close();
    this.#rotation?.cancel();
    for (const raw of this.#pending) raw.destroy();
    this.#pending.clear();
  }

  #createServer(): TlsNodeServer {
    const options = this.#options;
    const base = this.#default === undefined ? this.#base : contextOptions(this.#base, this.#default);
    const server = createServer({
      ...base,
      requestCert: options.requestCert ?? false,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      handshakeTimeout: timeoutOf(options.handshakeTimeoutMs),
      ...(options.alpnProtocols === undefined ? {} : { ALPNProtocols: [...options.alpnProtocols] }),
      SNICallback: (name, done) => this.#sni.select(name, options.sniUnknown === 'reject', done),
    });
    server.on('secureConnection', (socket: TLSSocket) => this.#secured(socket));
    server.on('tlsClientError', (error: Error, socket: TLSSocket) => this.#failed(error, socket));
    return server;
  }

  #secured(socket: TLSSocket): void {
    this.#pending.delete(rawOf(socket));
    this.#stats.handshakes++;
    if (socket.isSessionReused()) this.#stats.resumed++;
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#onSecure(socket);
  }

  #failed(cause: Error, socket: TLSSocket): void {
    const raw = rawOf(socket);
    const known = this.#pending.delete(raw);
    const reason = this.#reasons.get(raw);
    if (this.#closed || (!known && reason === undefined)) {
      socket.destroy();
      return;
    }
    const error = reason?.error ?? classify(cause, socket, this.#options);
    this.#count(error);
    if (tlsChannels.handshakeFailure.hasSubscribers) {
      // Read before destroy(): a destroyed socket no longer knows its addresses.
      const message: HandshakeFailure = { error, ...(reason?.endpoints ?? endpointsOf(raw)) };
      tlsChannels.handshakeFailure.publish(message);
    }
    socket.destroy();
  }

  #count(error: WirekitError): void {
    this.#stats.failed++;
    if (error.code === 'WK_ERR_TLS_HANDSHAKE_TIMEOUT') this.#stats.timedOut++;
    else if (error.code === 'WK_ERR_TLS_HANDSHAKE_DROPPED') this.#stats.dropped++;
    else if (error.code === 'WK_ERR_TLS_CLIENT_CERT') this.#stats.clientCertRefused++;
  }

  /** Ends a handshake in progress; its tlsClientError then reports `reason`. */
  #end(raw: Socket, reason: WirekitError): void {
    this.#pending.delete(raw);
    this.#reasons.set(raw, { error: reason, endpoints: endpointsOf(raw) });
    raw.destroy();
  }

  #install(pair: TlsCredentials | undefined, sni: SniTable, base: SecureContextOptions): void {
    if (pair !== undefined) this.#server.setSecureContext(contextOptions(base, pair));
    this.#default = pair;
    this.#sni = sni;
    this.#base = base;
  }

  #watchFiles(pair: TlsCredentials | undefined): void {
    const { keyFile, certFile, passphrase } = this.#options;
    if (keyFile === undefined || certFile === undefined || pair === undefined) return;
    this.#watcher = new CertFileWatcher(
      { keyFile, certFile, passphrase },
      pair,
      this.#options.fileReloadGraceMs ?? DEFAULT_FILE_RELOAD_GRACE_MS,
      (next) => this.setCertificates(next),
      this.#report,
    );
  }

  #scheduleRotation(): void {
    const every = this.#options.ticketKeyRotationMs ?? DEFAULT_TICKET_KEY_ROTATION_MS;
    if (every === 0) return;
    this.#rotation = timerWheel.after(every, () => {
      this.#rotateTicketKey();
      this.#rotation?.refresh(timerWheel.now() + every);
    });
  }

  /**
   * A fresh session-ticket key for the default context and every SNI context (one key, so a ticket
   * resumes whichever certificate the name picks). Tickets under the old key get a full handshake.
   */
  #rotateTicketKey(): void {
    const base = contextBase(this.#options, randomBytes(48));
    try {
      this.#sni.rebuild(base);
      this.#install(this.#default, this.#sni, base);
    } catch (error) {
      // The pairs were checked when installed; a failure here is reported, and the old key stays.
      this.#report(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function timeoutOf(ms: number | undefined): number {
  const timeout = ms ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS;
  return timeout === 0 ? NO_TIMEOUT_MS : Math.min(timeout, NO_TIMEOUT_MS);
}

/**
 * The TCP socket a server-side TLSSocket wraps. Node keeps it as `_parent` (since 0.11; tools that
 * tag raw sockets, proxy-protocol parsers among them, read it the same way); the tls.Server events
 * name only the TLS socket.
 */
function rawOf(socket: TLSSocket): Socket {
  return (socket as unknown as { _parent?: Socket })._parent ?? socket;
}

function classify(cause: Error, socket: TLSSocket, options: TlsListenOptions): WirekitError {
  if (isWirekitError(cause)) return cause;
  const code = (cause as { code?: string }).code;
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
    return new WirekitError('WK_ERR_TLS_HANDSHAKE_TIMEOUT', 'the TLS handshake did not finish in time', { cause });
  }
  const refused = socket.authorizationError as Error | string | null | undefined;
  if (options.requestCert === true && (refused != null || /peer did not return a certificate/i.test(cause.message))) {
    const why = refused == null ? 'no client certificate' : String(refused);
    return new WirekitError('WK_ERR_TLS_CLIENT_CERT', `client certificate refused: ${why}`, { cause });
  }
  return new WirekitError('WK_ERR_TLS_HANDSHAKE', `TLS handshake failed: ${cause.message}`, { cause });
}
