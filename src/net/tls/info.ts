/**
 * What a TLS connection negotiated, read from the socket when asked (nothing is computed for a
 * request that does not look).
 */
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

/**
 * A distinguished name as fields (`CN`, `O`, `OU`, ...); a field that appears several times is an array.
 *
 * @example
 * ```ts
 * const name: DistinguishedName = { CN: 'alice', O: 'Example' };
 * ```
 */
export type DistinguishedName = Readonly<Record<string, string | readonly string[]>>;

/**
 * The certificate the peer presented (the client's, on a server with `requestCert`).
 *
 * @example
 * ```ts
 * const cert = info.tls?.peerCertificate;
 * if (cert?.authorized) console.log('hello', cert.subject.CN);
 * else console.log('refused:', cert?.authorizationError ?? 'no certificate');
 * ```
 */
export interface PeerCertificate {
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  /** `DNS:a.example, IP Address:127.0.0.1, email:...`, as OpenSSL prints it. */
  readonly subjectAltName: string | undefined;
  /** Hex, upper case. */
  readonly serialNumber: string;
  /** SHA-256 of the DER certificate, `AB:CD:...`. */
  readonly fingerprint256: string;
  readonly validFrom: Date;
  readonly validTo: Date;
  /** The DER bytes. */
  readonly raw: Uint8Array;
  /** True when the server's (or client's) CAs vouch for it and it is within its validity. */
  readonly authorized: boolean;
  /** Why not, as OpenSSL names it (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `CERT_HAS_EXPIRED`, ...). */
  readonly authorizationError: string | undefined;
}

/**
 * The negotiated facts of a TLS connection (`info.tls`, `conn.tls`).
 *
 * @example
 * ```ts
 * app.get('/whoami', (c) => c.json({ tls: c.info.tls?.protocol, cipher: c.info.tls?.cipher }));
 * ```
 */
export interface TlsInfo {
  /** `'TLSv1.3'`, `'TLSv1.2'`. */
  readonly protocol: string | undefined;
  /** The cipher suite, IANA name (`'TLS_AES_128_GCM_SHA256'`, `'ECDHE-ECDSA-AES128-GCM-SHA256'` for 1.2 in OpenSSL's). */
  readonly cipher: string | undefined;
  /** The ALPN protocol agreed (`'http/1.1'`), undefined when the client offered none. */
  readonly alpnProtocol: string | undefined;
  /** The server name the client asked for (SNI), undefined when it sent none. */
  readonly serverName: string | undefined;
  /** True when the session was resumed (a ticket), without a full handshake. */
  readonly sessionReused: boolean;
  /** The peer's certificate, when it sent one. */
  readonly peerCertificate: PeerCertificate | undefined;
}

/**
 * The {@link TlsInfo} of a socket whose handshake has finished; fields are read on first access.
 *
 * @example
 * ```ts
 * tlsServer.on('secureConnection', (socket) => console.log(tlsInfoOf(socket).protocol));
 * ```
 */
export function tlsInfoOf(socket: TLSSocket): TlsInfo {
  return new SocketTlsInfo(socket);
}

class SocketTlsInfo implements TlsInfo {
  readonly #socket: TLSSocket;
  #peer: PeerCertificate | undefined | null = null;

  constructor(socket: TLSSocket) {
    this.#socket = socket;
  }

  get protocol(): string | undefined {
    return this.#socket.getProtocol() ?? undefined;
  }

  get cipher(): string | undefined {
    const cipher = this.#socket.getCipher() as { name?: string; standardName?: string } | undefined;
    return cipher?.standardName ?? cipher?.name;
  }

  get alpnProtocol(): string | undefined {
    const protocol = this.#socket.alpnProtocol;
    return typeof protocol === 'string' ? protocol : undefined;
  }

  get serverName(): string | undefined {
    const name = (this.#socket as { servername?: string | false | null }).servername;
    return typeof name === 'string' && name.length > 0 ? name : undefined;
  }

  get sessionReused(): boolean {
    return this.#socket.isSessionReused();
  }

  get peerCertificate(): PeerCertificate | undefined {
    if (this.#peer === null) this.#peer = peerCertificateOf(this.#socket);
    return this.#peer;
  }

  toJSON(): object {
    const { protocol, cipher, alpnProtocol, serverName, sessionReused, peerCertificate } = this;
    return { protocol, cipher, alpnProtocol, serverName, sessionReused, peerCertificate };
  }
}

function peerCertificateOf(socket: TLSSocket): PeerCertificate | undefined {
  const cert = socket.getPeerCertificate(false) as DetailedPeerCertificate | Record<string, never> | null;
  if (cert === null || !('raw' in cert) || cert.raw === undefined) return undefined;
  const error = socket.authorizationError as Error | string | null | undefined;
  return {
    subject: nameOf(cert.subject),
    issuer: nameOf(cert.issuer),
    subjectAltName: cert.subjectaltname,
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    validFrom: new Date(cert.valid_from),
    validTo: new Date(cert.valid_to),
    raw: new Uint8Array(cert.raw),
    authorized: socket.authorized,
    authorizationError: error === null || error === undefined ? undefined : String(error),
  };
}

function nameOf(fields: Readonly<Record<string, string | string[] | undefined>> | undefined): DistinguishedName {
  const out: Record<string, string | readonly string[]> = {};
  for (const [key, value] of Object.entries(fields ?? {})) if (value !== undefined) out[key] = value;
  return out;
}
