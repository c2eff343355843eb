/**
 * The client as a reverse proxy saw it: address, scheme and host from `X-Forwarded-For/Proto/Host`
 * or RFC 7239 `Forwarded`, believed only as far as the proxies are trusted (see trust-proxy.ts).
 */
import { ipBytes } from '../../util/ip-address.js';
import type { ConnInfo } from './conn-info.js';
import type { Headers } from './headers.js';
import type { Request } from './request.js';
import type { ProxyTrust } from './trust-proxy.js';

/**
 * Forwarding entries looked at per request, from the right: a trusted chain longer than this ends
 * at the 32nd entry, which is then taken as the client. Bounds the work a long field can cause.
 *
 * @example
 * ```ts
 * assert.equal(MAX_FORWARDED_HOPS, 32);
 * ```
 */
export const MAX_FORWARDED_HOPS = 32;

/**
 * Who sent a request, as far as the trusted proxies say.
 *
 * @example
 * ```ts
 * const { ip, protocol, host } = forwardedClient(request, info);
 * ```
 */
export interface ForwardedClient {
  /** The client's IP address: the right-most untrusted hop, or the socket's peer. Undefined when unknown (a Unix socket, `for=unknown`, an obfuscated node). */
  readonly ip: string | undefined;
  /** The scheme the client used. */
  readonly protocol: 'http' | 'https';
  /** The host the client asked for (`X-Forwarded-Host`/`host=`, else the `Host` field), or undefined. */
  readonly host: string | undefined;
  /** True when the answer came from forwarding fields (the socket's peer is a trusted proxy). */
  readonly forwarded: boolean;
}

/** One forwarding entry, left (client side) to right (server side). */
interface Hop {
  readonly for: string | undefined;
  readonly proto?: string | undefined;
  readonly host?: string | undefined;
  /** The element did not parse: it stops the walk and gives no facts. */
  readonly malformed?: boolean;
}

/**
 * Resolves the client of a request that came from `peer` (the socket's remote address) over a
 * connection that is TLS or not. Without `trust`, or when the peer is not trusted, the forwarding
 * fields are ignored whatever they say (a client can write them too).
 *
 * @example
 * ```ts
 * const trust = compileTrustProxy('loopback');
 * forwardedClient(request.headers, '127.0.0.1', false, trust); // { ip: '203.0.113.7', protocol: 'https', … }
 * ```
 */
export function forwardedClient(
  headers: Headers,
  peer: string | undefined,
  secure: boolean,
  trust: ProxyTrust | undefined,
): ForwardedClient {
  const direct: ForwardedClient = {
    ip: peer,
    protocol: secure ? 'https' : 'http',
    host: headers.get('host') ?? undefined,
    forwarded: false,
  };
  if (trust === undefined || peer === undefined || !trust.trusts(peer, 0)) return direct;
  const hops = trust.header === 'forwarded' ? forwardedHops(headers) : xForwardedHops(headers);
  const stop = Math.max(0, hops.length - MAX_FORWARDED_HOPS);
  let chosen: Hop | undefined;
  for (let i = hops.length - 1, hop = 1; i >= stop; i--, hop++) {
    chosen = hops[i] as Hop;
    const address = chosen.for;
    if (chosen.malformed === true || address === undefined || !trust.trusts(address, hop)) break;
  }
  if (chosen === undefined) return direct;
  return {
    ip: chosen.for,
    protocol: protocolOf(chosen.proto) ?? direct.protocol,
    host: validHost(chosen.host) ?? direct.host,
    forwarded: true,
  };
}

/**
 * The client of `request`, by the `trustProxy` of the server it came through (`info.trustProxy`)
 * or the one given: the address, scheme and host a handler on the bare server should use behind
 * a proxy (an App offers the same as `c.req.ip`, `c.req.protocol`, `c.req.host`).
 *
 * @example
 * ```ts
 * await serve((req, info) => Response.json({ ip: clientOf(req, info).ip }), { trustProxy: 'loopback' });
 * ```
 */
export function clientOf(request: Request, info: ConnInfo): ForwardedClient {
  return forwardedClient(request.headers, peerIp(info), info.secure, info.trustProxy);
}

/**
 * The IP address of a connection's peer; undefined on a Unix socket.
 *
 * @example
 * ```ts
 * forwardedClient(request.headers, peerIp(info), info.secure, myTrust);
 * ```
 */
export function peerIp(info: ConnInfo): string | undefined {
  const peer = info.remoteAddress;
  return peer === undefined || peer.family === 'unix' ? undefined : peer.address;
}

/** `X-Forwarded-For` entries with the `-Proto`/`-Host` value that belongs to each (see {@link alignedValue}). */
function xForwardedHops(headers: Headers): Hop[] {
  const fors = listOf(headers.get('x-forwarded-for'));
  const protos = listOf(headers.get('x-forwarded-proto'));
  const hosts = listOf(headers.get('x-forwarded-host'));
  return fors.map((text, i) => ({
    for: nodeAddress(text),
    proto: alignedValue(protos, fors.length, i),
    host: alignedValue(hosts, fors.length, i),
  }));
}

/**
 * The `-Proto`/`-Host` value for `X-Forwarded-For` entry `i`: the i-th when every proxy appended one
 * in step with the addresses, else the right-most, which the nearest (trusted) proxy set.
 */
function alignedValue(values: readonly string[], count: number, i: number): string | undefined {
  return values.length === count ? values[i] : values[values.length - 1];
}

function listOf(field: string | null): string[] {
  if (field === null) return [];
  return field
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * RFC 7239 §4 elements. Split at every comma: no valid `for`, `proto` or `host` value contains one,
 * and a quote a client left open must not swallow the elements its proxies appended after it.
 */
function forwardedHops(headers: Headers): Hop[] {
  return listOf(headers.get('forwarded')).map(parseElement);
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** `for=192.0.2.60;proto=http;by=203.0.113.43`: pairs of token = token / quoted-string, each name once. */
function parseElement(element: string): Hop {
  const pairs = new Map<string, string>();
  for (const raw of element.split(';')) {
    const pair = raw.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).toLowerCase();
    const value = eq === -1 ? undefined : unquote(pair.slice(eq + 1));
    if (value === undefined || !TOKEN.test(name) || pairs.has(name)) return { for: undefined, malformed: true };
    pairs.set(name, value);
  }
  const node = pairs.get('for');
  return {
    for: node === undefined ? undefined : nodeAddress(node),
    proto: pairs.get('proto'),
    host: pairs.get('host'),
  };
}

/**
 * A token as is, a quoted-string without its quotes and escapes (RFC 9110 §5.6.4); undefined when
 * neither. (Control characters never get this far: the request parser refuses them in fields.)
 */
function unquote(value: string): string | undefined {
  if (TOKEN.test(value)) return value;
  if (value.length < 2 || value[0] !== '"') return undefined;
  let out = '';
  for (let i = 1; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '"') return i === value.length - 1 ? out : undefined;
    if (ch === '\\') i++;
    out += value[i] ?? '';
  }
  return undefined;
}

/**
 * The IP address of a node (`192.0.2.1`, `192.0.2.1:8080`, `[2001:db8::1]:4711`, `2001:db8::1`),
 * or undefined for `unknown`, an obfuscated `_name`, or anything that is not an address.
 */
function nodeAddress(node: string): string | undefined {
  let text = node.trim();
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end === -1) return undefined;
    text = text.slice(1, end);
  } else if (text.indexOf(':') !== -1 && text.indexOf(':') === text.lastIndexOf(':')) {
    text = text.slice(0, text.indexOf(':')); // IPv4 with a port
  }
  return ipBytes(text) === undefined ? undefined : text;
}

function protocolOf(value: string | undefined): 'http' | 'https' | undefined {
  const lower = value?.toLowerCase();
  return lower === 'http' || lower === 'https' ? lower : undefined;
}

/** A host and optional port (RFC 3986 reg-name or a bracketed IPv6 literal); undefined otherwise. */
function validHost(value: string | undefined): string | undefined {
  if (value === undefined || value.length > 255) return undefined;
  return /^(?:[A-Za-z0-9.\-_~!$&'()*+=%]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/.test(value) ? value : undefined;
}
