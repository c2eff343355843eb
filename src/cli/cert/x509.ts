/**
 * X.509 certificates for development: a local CA and certificates it signs. The one file that
 * imports pkijs and asn1js (see docs/dependencies.md): they build the ASN.1 structures; every key
 * is made and every signature computed by Node's own crypto (WebCrypto, ECDSA P-256 with SHA-256).
 */
import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { BitString, Integer, OctetString, Utf8String } from 'asn1js';
import {
  AttributeTypeAndValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CryptoEngine,
  Extension,
  ExtKeyUsage,
  GeneralName,
  GeneralNames,
  RelativeDistinguishedNames,
  setEngine,
} from 'pkijs';

type CryptoKey = webcrypto.CryptoKey;

/**
 * A private key (PKCS #8 PEM) and its certificate (PEM).
 *
 * @example
 * ```ts
 * const { key, cert }: KeyPair = await createCa({ commonName: 'dev CA' });
 * ```
 */
export interface KeyPair {
  key: string;
  cert: string;
}

/**
 * Options of {@link createCa}.
 *
 * @example
 * ```ts
 * await createCa({ commonName: 'wirekit development CA', days: 3650 });
 * ```
 */
export interface CaOptions {
  commonName: string;
  /** Default 3650 (ten years). */
  days?: number;
}

/**
 * Options of {@link issueCertificate}.
 *
 * @example
 * ```ts
 * await issueCertificate(ca, { names: ['localhost', '127.0.0.1', '::1'] });
 * ```
 */
export interface IssueOptions {
  /** DNS names (`*.example.test` allowed) and IP addresses, put in subjectAltName. */
  names: readonly string[];
  /** Default: the first name. */
  commonName?: string;
  /** Default 825, the longest that Apple platforms accept for a server certificate. */
  days?: number;
  /** Start of validity. Default: one minute ago (a little clock skew is forgiven). */
  notBefore?: Date;
  /** `'server'` (default: serverAuth) or `'client'` (clientAuth, for mTLS). */
  usage?: 'server' | 'client';
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};
const DAY_MS = 86_400_000;

let engineSet = false;

function useNodeCrypto(): void {
  if (engineSet) return;
  setEngine(
    'node',
    new CryptoEngine({
      name: 'node',
      crypto: webcrypto as unknown as ConstructorParameters<typeof CryptoEngine>[0]['crypto'],
    }),
  );
  engineSet = true;
}

/**
 * A new self-signed CA (ECDSA P-256), allowed to sign end-entity certificates only (pathLen 0).
 *
 * @example
 * ```ts
 * const ca = await createCa({ commonName: 'wirekit development CA' });
 * ```
 */
export async function createCa(options: CaOptions): Promise<KeyPair> {
  useNodeCrypto();
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const name = distinguishedName(options.commonName, 'wirekit development CA');
  const cert = new Certificate();
  await fillCommon(cert, keys.publicKey, name, name, new Date(Date.now() - 60_000), options.days ?? 3650);
  const ski = subjectKeyId(cert);
  cert.extensions = [
    extension(OID.basicConstraints, new BasicConstraints({ cA: true, pathLenConstraint: 0 }).toSchema(), true),
    // keyCertSign (bit 5) and cRLSign (bit 6): RFC 5280 §4.2.1.3.
    extension(OID.keyUsage, new BitString({ valueHex: new Uint8Array([0x06]).buffer, unusedBits: 1 }), true),
    extension(OID.subjectKeyIdentifier, new OctetString({ valueHex: ski })),
  ];
  await cert.sign(keys.privateKey, 'SHA-256');
  return { key: await privateKeyPem(keys.privateKey), cert: certificatePem(cert) };
}

/**
 * A certificate for `names`, signed by `ca`, with a new ECDSA P-256 key.
 *
 * @example
 * ```ts
 * const leaf = await issueCertificate(ca, { names: ['localhost', '127.0.0.1', '::1'] });
 * ```
 */
export async function issueCertificate(ca: KeyPair, options: IssueOptions): Promise<KeyPair> {
  useNodeCrypto();
  const caCert = Certificate.fromBER(new X509Certificate(ca.cert).raw);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(ca.key).export({ format: 'der', type: 'pkcs8' }),
    ALGORITHM,
    false,
    ['sign'],
  );
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const subject = distinguishedName(options.commonName ?? options.names[0] ?? 'localhost');
  const cert = new Certificate();
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  await fillCommon(cert, keys.publicKey, subject, caCert.subject, notBefore, options.days ?? 825);
  const usage = options.usage === 'client' ? OID.clientAuth : OID.serverAuth;
  cert.extensions = [
    extension(OID.basicConstraints, new BasicConstraints({ cA: false }).toSchema(), true),
    // digitalSignature (bit 0): what an ECDSA key does in a TLS handshake.
    extension(OID.keyUsage, new BitString({ valueHex: new Uint8Array([0x80]).buffer, unusedBits: 7 }), true),
    extension(OID.extKeyUsage, new ExtKeyUsage({ keyPurposes: [usage] }).toSchema()),
    extension(OID.subjectAltName, new GeneralNames({ names: options.names.map(generalName) }).toSchema()),
    extension(
      OID.authorityKeyIdentifier,
      new AuthorityKeyIdentifier({ keyIdentifier: new OctetString({ valueHex: subjectKeyId(caCert) }) }).toSchema(),
    ),
  ];
  await cert.sign(caKey, 'SHA-256');
  return { key: await privateKeyPem(keys.privateKey), cert: certificatePem(cert) };
}

async function fillCommon(
  cert: Certificate,
  publicKey: CryptoKey,
  subject: RelativeDistinguishedNames,
  issuer: RelativeDistinguishedNames,
  notBefore: Date,
  days: number,
): Promise<void> {
  cert.version = 2;
  // 16 random bytes, positive (RFC 5280 §4.1.2.2: at most 20 octets).
  const serial = webcrypto.getRandomValues(new Uint8Array(16));
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  cert.serialNumber = new Integer({ valueHex: serial.buffer });
  cert.subject = subject;
  cert.issuer = issuer;
  cert.notBefore.value = notBefore;
  cert.notAfter.value = new Date(notBefore.getTime() + days * DAY_MS);
  await cert.subjectPublicKeyInfo.importKey(publicKey);
}

function distinguishedName(
  commonName: string,
  organization = 'wirekit development certificate',
): RelativeDistinguishedNames {
  return new RelativeDistinguishedNames({
    typesAndValues: [
      new AttributeTypeAndValue({ type: OID.organization, value: new Utf8String({ value: organization }) }),
      new AttributeTypeAndValue({ type: OID.commonName, value: new Utf8String({ value: commonName }) }),
    ],
  });
}

function extension(extnID: string, value: { toBER(sizeOnly?: boolean): ArrayBuffer }, critical = false): Extension {
  return new Extension({ extnID, critical, extnValue: value.toBER(false) });
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function subjectKeyId(cert: Certificate): ArrayBuffer {
  const bits = cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  const digest = createHash('sha1').update(bits).digest();
  return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
}

function generalName(name: string): GeneralName {
  const family = isIP(name);
  if (family === 0) return new GeneralName({ type: 2, value: name });
  const bytes = family === 4 ? ipv4Bytes(name) : ipv6Bytes(name);
  return new GeneralName({ type: 7, value: new OctetString({ valueHex: bytes.buffer as ArrayBuffer }) });
}

function ipv4Bytes(address: string): Uint8Array {
  return new Uint8Array(address.split('.').map(Number));
}

/** The 16 bytes of an IPv6 address (`::` shorthand and a dotted IPv4 tail included). */
function ipv6Bytes(address: string): Uint8Array {
  const [head = '', tail] = address.split('::');
  const groups = (part: string | undefined): number[] => {
    if (part === undefined || part === '') return [];
    return part.split(':').flatMap((g) => {
      if (!g.includes('.')) return [Number.parseInt(g, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(g);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const left = groups(head);
  const right = groups(tail);
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = new Uint8Array(16);
  words.forEach((word, i) => {
    out[i * 2] = word >> 8;
    out[i * 2 + 1] = word & 0xff;
  });
  return out;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
    format: 'pem',
    type: 'pkcs8',
  }) as string;
}

function certificatePem(cert: Certificate): string {
  const der = Buffer.from(cert.toSchema(true).toBER(false));
  return new X509Certificate(der).toString();
}
