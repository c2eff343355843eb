/**
 * Server Name Indication (RFC 6066 §3): picks the certificate for the name a client asked for, from
 * a table of names and `*.` wildcards or from an application callback.
 */
import type { SecureContext, SecureContextOptions } from 'node:tls';
import { WirekitError } from '../../errors.js';
import { secureContextOf } from './credentials.js';
import type { SniOption, TlsCredentials } from './options.js';

type Resolver = (serverName: string) => TlsCredentials | undefined | Promise<TlsCredentials | undefined>;

/** The callback of Node's `SNICallback`. */
type SniDone = (error: Error | null, context?: SecureContext) => void;

/**
 * Secure contexts by server name. Names compare case-insensitively without a trailing dot; a
 * wildcard `*.example.com` stands for exactly one label (`a.example.com`, not `example.com` nor
 * `a.b.example.com`: RFC 6125 §6.4.3), and an exact name wins over a wildcard.
 *
 * @example
 * ```ts
 * const table = new SniTable({ '*.example.com': pair }, base);
 * table.lookup('api.example.com'); // the wildcard's context
 * ```
 */
export class SniTable {
  #exact = new Map<string, SecureContext>();
  #wildcard = new Map<string, SecureContext>();
  readonly #pairs: ReadonlyMap<string, TlsCredentials>;
  readonly #resolver: Resolver | undefined;
  /** Contexts made for pairs the resolver returned, by pair object (rebuilt with the ticket key). */
  #resolved = new WeakMap<TlsCredentials, SecureContext>();
  #base: SecureContextOptions;

  /** Checks every pair of a table (throws `WK_ERR_TLS_CREDENTIALS` naming the server name). */
  constructor(option: SniOption | undefined, base: SecureContextOptions) {
    this.#base = base;
    if (typeof option === 'function') {
      this.#resolver = option;
      this.#pairs = new Map();
    } else {
      this.#resolver = undefined;
      this.#pairs = new Map(Object.entries(option ?? {}).map(([name, pair]) => [checkName(name), pair]));
    }
    this.rebuild(base);
  }

  /** True when there is nothing to look up (no table, no callback). */
  get empty(): boolean {
    return this.#resolver === undefined && this.#pairs.size === 0;
  }

  /** Makes every context again on top of `base` (a new session-ticket key). Throws before changing anything. */
  rebuild(base: SecureContextOptions): void {
    const exact = new Map<string, SecureContext>();
    const wildcard = new Map<string, SecureContext>();
    for (const [name, pair] of this.#pairs) {
      const context = secureContextOf(base, pair, `sni "${name}"`);
      if (name.startsWith('*.')) wildcard.set(name.slice(2), context);
      else exact.set(name, context);
    }
    this.#exact = exact;
    this.#wildcard = wildcard;
    this.#resolved = new WeakMap();
    this.#base = base;
  }

  /** The context for `serverName`, undefined when the name is unknown (the callback may be async). */
  lookup(serverName: string): SecureContext | undefined | Promise<SecureContext | undefined> {
    const name = normalize(serverName);
    if (this.#resolver !== undefined) {
      const pair = this.#resolver(name);
      return pair instanceof Promise ? pair.then((p) => this.#contextFor(p, name)) : this.#contextFor(pair, name);
    }
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    return dot > 0 ? this.#wildcard.get(name.slice(dot + 1)) : undefined;
  }

  /**
   * Answers Node's `SNICallback` from this table: an unknown name gets the default context (`done()`),
   * or with `reject` fails the handshake (`WK_ERR_TLS_HANDSHAKE`).
   */
  select(serverName: string, reject: boolean, done: SniDone): void {
    const settle = (context: SecureContext | undefined): void => {
      if (context === undefined && reject) done(unknownName(serverName));
      else if (context === undefined) done(null);
      else done(null, context);
    };
    let found: SecureContext | undefined | Promise<SecureContext | undefined>;
    try {
      found = this.lookup(serverName);
    } catch (error) {
      done(handshakeError(error, serverName));
      return;
    }
    if (found instanceof Promise) found.then(settle, (error: unknown) => done(handshakeError(error, serverName)));
    else settle(found);
  }

  #contextFor(pair: TlsCredentials | undefined, name: string): SecureContext | undefined {
    if (pair === undefined) return undefined;
    let context = this.#resolved.get(pair);
    if (context === undefined) {
      context = secureContextOf(this.#base, pair, `sni "${name}"`);
      this.#resolved.set(pair, context);
    }
    return context;
  }
}

function normalize(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function checkName(name: string): string {
  const normalized = normalize(name);
  const rest = normalized.startsWith('*.') ? normalized.slice(2) : normalized;
  if (rest.length === 0 || rest.includes('*') || rest.startsWith('.') || rest.includes('..')) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `tls.sni: "${name}" is not a server name or a one-label wildcard (*.example.com)`,
    );
  }
  return normalized;
}

function unknownName(serverName: string): WirekitError {
  return new WirekitError(
    'WK_ERR_TLS_HANDSHAKE',
    `no certificate for server name "${serverName}" (sniUnknown: reject)`,
  );
}

function handshakeError(error: unknown, serverName: string): WirekitError {
  return new WirekitError('WK_ERR_TLS_HANDSHAKE', `the sni callback failed for "${serverName}"`, { cause: error });
}
