/**
 * Certificates for TLS tests, made once per process with the CLI's own X.509 module (ECDSA P-256,
 * a few milliseconds each): a CA, server certificates for 127.0.0.1/localhost and for SNI names,
 * client certificates from that CA and from a CA the server does not trust.
 */
import { createCa, issueCertificate, type KeyPair } from '../../src/cli/cert/x509.js';

export interface TestPki {
  /** The CA that signs everything below except `strangerClient`. */
  ca: KeyPair;
  /** localhost, 127.0.0.1, ::1. */
  server: KeyPair;
  /** The same names, another key: the "renewed" certificate of reload tests. */
  renewed: KeyPair;
  /** a.test */
  apex: KeyPair;
  /** *.wild.test */
  wildcard: KeyPair;
  /** A client certificate (clientAuth) for CN=alice, signed by `ca`. */
  client: KeyPair;
  /** A client certificate signed by a CA the server does not know. */
  strangerClient: KeyPair;
}

let made: Promise<TestPki> | undefined;

/** The test certificates (made on first call). */
export function testPki(): Promise<TestPki> {
  made ??= make();
  return made;
}

async function make(): Promise<TestPki> {
  const ca = await createCa({ commonName: 'wirekit test CA' });
  const stranger = await createCa({ commonName: 'stranger CA' });
  const local = ['localhost', '127.0.0.1', '::1'];
  return {
    ca,
    server: await issueCertificate(ca, { names: local }),
    renewed: await issueCertificate(ca, { names: local }),
    apex: await issueCertificate(ca, { names: ['a.test'] }),
    wildcard: await issueCertificate(ca, { names: ['*.wild.test'] }),
    client: await issueCertificate(ca, { names: ['alice'], commonName: 'alice', usage: 'client' }),
    strangerClient: await issueCertificate(stranger, { names: ['mallory'], commonName: 'mallory', usage: 'client' }),
  };
}

/** The SHA-256 fingerprint of a PEM certificate, as `getPeerCertificate().fingerprint256` prints it. */
export async function fingerprintOf(pem: string): Promise<string> {
  const { X509Certificate } = await import('node:crypto');
  return new X509Certificate(pem).fingerprint256;
}
