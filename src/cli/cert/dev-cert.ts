/**
 * `wirekit cert`'s engine, like mkcert: a local CA kept in the user's config directory and a
 * certificate it signs for localhost (and any extra names). Idempotent: the CA is reused, the
 * certificate is reused while it covers the names, is signed by that CA and has 30 days left.
 */
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCertificate, type KeyPair } from './x509.js';

/** The names every development certificate covers. */
export const DEFAULT_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** A certificate closer than this to its end is issued again. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/**
 * Where the files of {@link ensureDevCertificate} are, and what it did.
 *
 * @example
 * ```ts
 * const dev: DevCertificate = await ensureDevCertificate({ dir: defaultCertDir(process.env) });
 * await app.listen({ tls: { certFile: dev.certFile, keyFile: dev.keyFile } });
 * ```
 */
export interface DevCertificate {
  readonly dir: string;
  /** The CA certificate to trust. */
  readonly caFile: string;
  /** The CA's private key (mode 0600): whoever has it can make certificates this machine trusts. */
  readonly caKeyFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly names: readonly string[];
  readonly createdCa: boolean;
  readonly createdCert: boolean;
  /** When the certificate expires. */
  readonly validTo: Date;
}

/**
 * Options of {@link ensureDevCertificate}.
 *
 * @example
 * ```ts
 * await ensureDevCertificate({ dir: '/tmp/certs', names: ['app.test'], force: true });
 * ```
 */
export interface DevCertificateOptions {
  /** Default: {@link defaultCertDir}. */
  dir: string;
  /** Names besides localhost, 127.0.0.1 and ::1. */
  names?: readonly string[];
  /** Make a new CA and certificate even if usable ones exist (the new CA must be trusted again). */
  force?: boolean;
}

/**
 * `$XDG_CONFIG_HOME/wirekit`, else `$HOME/.config/wirekit`.
 *
 * @example
 * ```ts
 * defaultCertDir({ XDG_CONFIG_HOME: '/etc/xdg' }); // '/etc/xdg/wirekit'
 * ```
 */
export function defaultCertDir(env: Readonly<Record<string, string | undefined>>): string {
  const config = env.XDG_CONFIG_HOME;
  return join(config !== undefined && config !== '' ? config : join(env.HOME ?? homedir(), '.config'), 'wirekit');
}

/**
 * Makes (or reuses) the development CA and a certificate for localhost and `names` in `dir`.
 *
 * @example
 * ```ts
 * const dev = await ensureDevCertificate({ dir: defaultCertDir(process.env) });
 * console.log(`trust ${dev.caFile}`);
 * ```
 */
export async function ensureDevCertificate(options: DevCertificateOptions): Promise<DevCertificate> {
  const dir = options.dir;
  const files = {
    caFile: join(dir, 'ca.pem'),
    caKeyFile: join(dir, 'ca-key.pem'),
    certFile: join(dir, 'localhost.pem'),
    keyFile: join(dir, 'localhost-key.pem'),
  };
  const names = [...new Set([...DEFAULT_NAMES, ...(options.names ?? [])])];
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const force = options.force === true;
  let ca = force ? undefined : await readPair(files.caKeyFile, files.caFile);
  const createdCa = ca === undefined;
  if (ca === undefined) {
    ca = await createCa({ commonName: 'wirekit development CA' });
    await writePair(files.caKeyFile, files.caFile, ca);
  }
  let leaf = createdCa ? undefined : await readPair(files.keyFile, files.certFile);
  if (leaf !== undefined && !stillGood(leaf, ca, names)) leaf = undefined;
  const createdCert = leaf === undefined;
  if (leaf === undefined) {
    leaf = await issueCertificate(ca, { names });
    await writePair(files.keyFile, files.certFile, leaf);
  }
  const validTo = new Date(new X509Certificate(leaf.cert).validTo);
  return { dir, ...files, names, createdCa, createdCert, validTo };
}

async function readPair(keyFile: string, certFile: string): Promise<KeyPair | undefined> {
  try {
    const [key, cert] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')]);
    return { key, cert };
  } catch {
    return undefined;
  }
}

async function writePair(keyFile: string, certFile: string, pair: KeyPair): Promise<void> {
  await writeFile(keyFile, pair.key, { mode: 0o600 });
  // An existing file keeps its mode on write: make sure the key is private.
  await chmod(keyFile, 0o600);
  await writeFile(certFile, pair.cert, { mode: 0o644 });
}

function stillGood(leaf: KeyPair, ca: KeyPair, names: readonly string[]): boolean {
  let cert: X509Certificate;
  let issuer: X509Certificate;
  try {
    cert = new X509Certificate(leaf.cert);
    issuer = new X509Certificate(ca.cert);
  } catch {
    return false;
  }
  if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false;
  if (new Date(cert.validTo).getTime() - Date.now() < RENEW_BEFORE_MS) return false;
  const sans = (cert.subjectAltName ?? '').split(', ');
  return names.every((name) => {
    if (isIP(name) !== 0) return cert.checkIP(name) !== undefined;
    // A wildcard must be in the certificate as such (checkHost would match it against itself as a host).
    if (name.startsWith('*.')) return sans.includes(`DNS:${name}`);
    return cert.checkHost(name) !== undefined;
  });
}
