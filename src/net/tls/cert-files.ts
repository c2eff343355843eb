/**
 * A key and certificate read from files and read again when they change (a certificate renewal),
 * like Caddy: the renewal tools replace the two files one after the other, so a change is only
 * applied once the key matches the certificate; until then the old pair keeps serving.
 */
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { isWirekitError, type WirekitError } from '../../errors.js';
import { type TimerHandle, timerWheel } from '../../util/timer-wheel.js';
import { checkPair, credentialsError } from './credentials.js';
import type { TlsCredentials } from './options.js';

/** Events in a burst (a rename, then a write) are read once, this long after the last. */
const DEBOUNCE_MS = 100;
/** While the pair disagrees, it is read again this often, until the grace period ends. */
const RETRY_MS = 250;

/**
 * Paths of a key and its certificate chain.
 *
 * @example
 * ```ts
 * const files: CertFilePaths = { keyFile: 'privkey.pem', certFile: 'fullchain.pem' };
 * ```
 */
export interface CertFilePaths {
  keyFile: string;
  certFile: string;
  passphrase?: string | undefined;
}

/**
 * Reads a key/certificate pair from files and checks that they belong together. Rejects
 * `WK_ERR_TLS_CREDENTIALS` (a missing file, not PEM, a mismatch) with the cause.
 *
 * @example
 * ```ts
 * const pair = await readCertFiles({ keyFile: 'key.pem', certFile: 'cert.pem' });
 * ```
 */
export async function readCertFiles(paths: CertFilePaths): Promise<TlsCredentials> {
  const [key, cert] = await Promise.all([readPem(paths.keyFile, 'keyFile'), readPem(paths.certFile, 'certFile')]);
  const pair: TlsCredentials = { key, cert };
  if (paths.passphrase !== undefined) pair.passphrase = paths.passphrase;
  checkPair(pair, `keyFile ${paths.keyFile} / certFile ${paths.certFile}`);
  return pair;
}

async function readPem(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw credentialsError(`${option} ${path} cannot be read`, cause);
  }
}

/**
 * Watches the directories of a key and certificate (a file replaced by rename, or a symlink
 * re-pointed as certbot does, is seen), and applies the new pair once both files agree.
 * A pair that still disagrees after `graceMs` is reported once (`WK_ERR_TLS_CREDENTIALS`) and
 * read again every `graceMs` until it agrees. Nothing here holds the process open.
 *
 * @example
 * ```ts
 * const watcher = new CertFileWatcher(paths, pair, 10_000, (p) => acceptor.setCertificates(p), warn);
 * watcher.close();
 * ```
 */
export class CertFileWatcher {
  readonly #paths: CertFilePaths;
  readonly #graceMs: number;
  readonly #apply: (pair: TlsCredentials) => void;
  readonly #warn: (error: WirekitError) => void;
  readonly #watchers: FSWatcher[] = [];
  readonly #names: Set<string>;
  #current: TlsCredentials;
  #timer: TimerHandle | undefined;
  /** When the files were first seen to disagree (wheel clock), undefined while they agree. */
  #mismatchSince: number | undefined;
  #warned = false;
  #reading = false;
  /** A change was seen while reading: read again after. */
  #again = false;
  #closed = false;

  constructor(
    paths: CertFilePaths,
    current: TlsCredentials,
    graceMs: number,
    apply: (pair: TlsCredentials) => void,
    warn: (error: WirekitError) => void,
  ) {
    this.#paths = paths;
    this.#current = current;
    this.#graceMs = graceMs;
    this.#apply = apply;
    this.#warn = warn;
    this.#names = new Set([basename(paths.keyFile), basename(paths.certFile)]);
    const dirs = new Set([dirname(resolve(paths.keyFile)), dirname(resolve(paths.certFile))]);
    for (const dir of dirs) {
      const watcher = watch(dir, { persistent: false }, (_event, name) => this.#changed(name));
      // A watched directory that goes away ends the watch; the pair in use stays.
      watcher.on('error', (error) => this.#warn(credentialsError(`watching ${dir} failed`, error)));
      this.#watchers.push(watcher);
    }
  }

  /** Stops watching. */
  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
    for (const watcher of this.#watchers) watcher.close();
  }

  #changed(name: string | Buffer | null): void {
    // Unknown names (null on some platforms) count: a symlinked directory may be what changed.
    if (typeof name === 'string' && !this.#names.has(name) && !name.startsWith('..')) return;
    this.#schedule(DEBOUNCE_MS);
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    const deadline = timerWheel.now() + delayMs;
    if (this.#timer === undefined) this.#timer = timerWheel.add(deadline, this.#check);
    else this.#timer.refresh(deadline);
  }

  readonly #check = (): void => {
    if (this.#closed) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    readCertFiles(this.#paths)
      .then((pair) => {
        if (!this.#closed && !samePair(pair, this.#current)) this.#apply(pair);
        this.#current = pair;
        this.#mismatchSince = undefined;
        this.#warned = false;
      })
      .catch((error: unknown) => this.#failed(error))
      .finally(() => {
        this.#reading = false;
        if (this.#again) {
          this.#again = false;
          this.#schedule(DEBOUNCE_MS);
        }
      });
  };

  #failed(error: unknown): void {
    if (this.#closed) return;
    const now = timerWheel.now();
    this.#mismatchSince ??= now;
    const late = now - this.#mismatchSince >= this.#graceMs;
    if (late && !this.#warned) {
      this.#warned = true;
      const detail = isWirekitError(error) ? error.message : String(error);
      this.#warn(
        credentialsError(
          `the new key and certificate still disagree after ${this.#graceMs} ms (${detail}); the old pair keeps serving`,
          error,
        ),
      );
    }
    this.#schedule(late ? this.#graceMs : RETRY_MS);
  }
}

function samePair(a: TlsCredentials, b: TlsCredentials): boolean {
  return a.key === b.key && a.cert === b.cert;
}
