/**
 * Which peers are proxies whose forwarding fields we believe (`trustProxy` of `serve()` and `App`).
 * The rule is the one of Express's proxy-addr and Fastify: walk from the socket's peer outwards
 * through the addresses the proxies appended, and stop at the first address that is not trusted;
 * that is the client. A client can write any `X-Forwarded-For` it likes, but it can only add to the
 * left of what the trusted proxies append, so the right-most untrusted address is never its choice.
 */
import { WirekitError } from '../../errors.js';
import { type IpRange, inIpRange, ipBytes, parseIpRange } from '../../util/ip-address.js';

/**
 * Named address ranges usable in a `trustProxy` list: `loopback` (127.0.0.0/8, ::1), `linklocal`
 * (169.254.0.0/16, fe80::/10) and `private` (RFC 1918's 10/8, 172.16/12, 192.168/16 and IPv6
 * unique-local fc00::/7; `uniquelocal` is the same list, Express's name for it).
 *
 * @example
 * ```ts
 * new App({ trustProxy: 'loopback, private' });
 * ```
 */
export const TRUST_PROXY_PRESETS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  loopback: Object.freeze(['127.0.0.0/8', '::1/128']),
  linklocal: Object.freeze(['169.254.0.0/16', 'fe80::/10']),
  private: Object.freeze(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']),
  uniquelocal: Object.freeze(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']),
});

/**
 * Which proxies to trust:
 * - `false` (default): none; forwarding fields are ignored, the client is the socket's peer;
 * - `true`: every hop (the left-most address wins: only when every path to the server is a proxy you run);
 * - a number n: the n hops nearest the server (the peer is hop 0): `1` for one proxy in front;
 * - addresses and ranges (`'10.0.0.0/8'`, `'::1'`, presets of {@link TRUST_PROXY_PRESETS}),
 *   as an array or one comma-separated string;
 * - a function `(address, hop) => boolean`.
 *
 * @example
 * ```ts
 * const spec: TrustProxySpec = ['loopback', '10.0.0.0/8'];
 * ```
 */
export type TrustProxySpec =
  | boolean
  | number
  | string
  | readonly string[]
  | ((address: string, hop: number) => boolean);

/**
 * Which fields carry the forwarding facts: `'x-forwarded'` (default: `X-Forwarded-For`, `-Proto`
 * and `-Host`, what nginx's `$proxy_add_x_forwarded_for` and HAProxy's `option forwardfor` send) or
 * `'forwarded'` (RFC 7239 `Forwarded`). One family only, on purpose: a proxy that writes one and
 * passes the other through from the client would let the client choose its address.
 *
 * @example
 * ```ts
 * new App({ trustProxy: { proxies: 'loopback', header: 'forwarded' } });
 * ```
 */
export type ForwardedHeader = 'x-forwarded' | 'forwarded';

/**
 * The `trustProxy` option of `serve()` and `App`: a {@link TrustProxySpec}, or one with the
 * {@link ForwardedHeader} to read.
 *
 * @example
 * ```ts
 * await serve(handler, { trustProxy: 1 }); // one proxy (nginx) in front
 * ```
 */
export type TrustProxy = TrustProxySpec | { readonly proxies: TrustProxySpec; readonly header?: ForwardedHeader };

/**
 * A compiled `trustProxy`: which hops to believe and which fields to read.
 *
 * @example
 * ```ts
 * const trust = compileTrustProxy('loopback');
 * trust.trusts('127.0.0.1', 0); // true
 * ```
 */
export interface ProxyTrust {
  /** True when the hop `hop` away from the server (the socket's peer is 0), at `address`, is a trusted proxy. */
  trusts(address: string, hop: number): boolean;
  readonly header: ForwardedHeader;
}

/**
 * Checks and compiles a `trustProxy` option; undefined for `false`/undefined (trust nobody).
 * Throws `WK_ERR_INVALID_ARGUMENT` for an address or range that does not parse, or an unknown preset.
 *
 * @example
 * ```ts
 * compileTrustProxy(['loopback', '2001:db8::/32'])?.trusts('2001:db8::7', 0); // true
 * ```
 */
export function compileTrustProxy(option: TrustProxy | undefined): ProxyTrust | undefined {
  if (option === undefined || option === false) return undefined;
  const withHeader = typeof option === 'object' && !Array.isArray(option) && 'proxies' in option;
  const spec = withHeader ? option.proxies : (option as TrustProxySpec);
  const header = withHeader ? (option.header ?? 'x-forwarded') : 'x-forwarded';
  if (header !== 'x-forwarded' && header !== 'forwarded') {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `trustProxy header must be 'x-forwarded' or 'forwarded'`);
  }
  if (spec === false) return undefined;
  return { trusts: trustPredicate(spec), header };
}

function trustPredicate(spec: TrustProxySpec): (address: string, hop: number) => boolean {
  if (spec === true) return () => true;
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 0) {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `trustProxy hop count must be an integer ≥ 0, got ${spec}`);
    }
    return (_address, hop) => hop < spec;
  }
  if (typeof spec !== 'string' && !Array.isArray(spec)) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      'trustProxy must be a boolean, a hop count, addresses or a function',
    );
  }
  const ranges = compileRanges(typeof spec === 'string' ? spec.split(',') : (spec as readonly string[]));
  return (address) => {
    const bytes = ipBytes(address);
    return bytes !== undefined && ranges.some((range) => inIpRange(bytes, range));
  };
}

function compileRanges(items: readonly string[]): IpRange[] {
  const ranges: IpRange[] = [];
  for (const raw of items) {
    const item = String(raw).trim();
    if (item === '') continue;
    for (const text of TRUST_PROXY_PRESETS[item] ?? [item]) {
      const range = parseIpRange(text);
      if (range === undefined) {
        throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `trustProxy: "${item}" is not an address, range or preset`);
      }
      ranges.push(range);
    }
  }
  return ranges;
}
