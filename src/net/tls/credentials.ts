/**
 * Key/certificate pairs checked before use, and the secure contexts made from them. A pair is
 * refused with `WK_ERR_TLS_CREDENTIALS` before anything changes, so a bad reload never replaces a
 * working certificate.
 */
import { constants, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { WirekitError } from '../../errors.js';
import type { Pem, TlsCredentials, TlsServerOptions } from './options.js';

/**
 * The options every secure context of one server shares: versions, ciphers, CAs, ticket keys.
 *
 * @example
 * ```ts
 * const base = contextBase(options, randomBytes(48));
 * ```
 */
export function contextBase(options: TlsServerOptions, ticketKeys: Buffer): SecureContextOptions {
  const base: SecureContextOptions = {
    minVersion: options.minVersion ?? 'TLSv1.2',
    maxVersion: options.maxVersion ?? 'TLSv1.3',
    sessionTimeout: options.sessionTimeoutSeconds ?? 300,
    ticketKeys,
    // No TLS 1.2 renegotiation: a client could make the server redo the expensive part of a
    // handshake at will (CVE-2011-1473); Node only rate-limits it. TLS 1.3 has none.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  };
  if (options.ciphers !== undefined) base.ciphers = options.ciphers;
  if (options.ecdhCurve !== undefined) base.ecdhCurve = options.ecdhCurve;
  if (options.ca !== undefined) base.ca = pemList(options.ca);
  return base;
}

function pemList(ca: Pem | readonly Pem[]): string | Buffer | (string | Buffer)[] {
  if (typeof ca === 'string' || ca instanceof Uint8Array) return toPem(ca);
  return ca.map(toPem);
}

function toPem(value: Pem): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * Checks that `pair.cert` is a certificate and `pair.key` its private key; returns the parsed leaf.
 * Throws `WK_ERR_TLS_CREDENTIALS` naming `label` and what is wrong.
 *
 * @example
 * ```ts
 * const leaf = checkPair({ key, cert }, 'keyFile/certFile');
 * console.log(leaf.subject, leaf.validTo);
 * ```
 */
export function checkPair(pair: TlsCredentials, label: string): X509Certificate {
  let leaf: X509Certificate;
  try {
    // The first certificate of a chain is the leaf.
    leaf = new X509Certificate(toPem(pair.cert));
  } catch (cause) {
    throw credentialsError(`${label}: the certificate is not a PEM certificate`, cause);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(
      pair.passphrase === undefined ? toPem(pair.key) : { key: toPem(pair.key), passphrase: pair.passphrase },
    );
  } catch (cause) {
    throw credentialsError(
      `${label}: the private key cannot be read (not PEM, or a missing or wrong passphrase)`,
      cause,
    );
  }
  if (!leaf.checkPrivateKey(key)) {
    throw credentialsError(
      `${label}: the private key does not match the certificate (${leaf.subject.replaceAll('\n', ', ')}, sha256 ${leaf.fingerprint256})`,
    );
  }
  return leaf;
}

/**
 * A secure context for `pair` on top of `base`, after {@link checkPair}.
 *
 * @example
 * ```ts
 * const context = secureContextOf(base, { key, cert }, 'sni example.com');
 * ```
 */
export function secureContextOf(base: SecureContextOptions, pair: TlsCredentials, label: string): SecureContext {
  checkPair(pair, label);
  try {
    return createSecureContext(contextOptions(base, pair));
  } catch (cause) {
    throw credentialsError(`${label}: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
  }
}

/**
 * `base` with the pair's key, certificate and passphrase.
 *
 * @example
 * ```ts
 * tlsServer.setSecureContext(contextOptions(base, pair));
 * ```
 */
export function contextOptions(base: SecureContextOptions, pair: TlsCredentials): SecureContextOptions {
  const out: SecureContextOptions = { ...base, key: toPem(pair.key), cert: toPem(pair.cert) };
  if (pair.passphrase !== undefined) out.passphrase = pair.passphrase;
  return out;
}

/**
 * A `WK_ERR_TLS_CREDENTIALS` error.
 *
 * @example
 * ```ts
 * throw credentialsError('certFile: no such file', error);
 * ```
 */
export function credentialsError(message: string, cause?: unknown): WirekitError {
  return new WirekitError('WK_ERR_TLS_CREDENTIALS', message, cause === undefined ? {} : { cause });
}
