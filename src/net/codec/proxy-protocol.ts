/**
 * The PROXY protocol (HAProxy's proxy-protocol.txt, versions 1 and 2): the header a load balancer
 * (HAProxy `send-proxy`/`send-proxy-v2`, nginx `proxy_protocol on`, AWS NLB) writes before the
 * client's first byte, carrying the client's address. Pure: bytes in, a header (or an error) out,
 * no sockets or timers; the listener that uses it is net/proxy-header.ts.
 */
import { formatIpv6, ipv4Octets, ipv6Groups } from '../../util/ip-address.js';

/** The 12-byte signature that opens a version 2 header (§2.2). */
const V2_SIGNATURE = Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a);
const V1_PREFIX = 'PROXY ';
/** A version 1 header is at most 107 bytes, CRLF included (§2.1). */
const V1_MAX_BYTES = 107;
const V2_FIXED_BYTES = 16;

/**
 * Default limit of a version 2 header, TLVs included: 4 KiB (HAProxy's SSL TLVs are a few hundred
 * bytes; the format allows 64 KiB).
 *
 * @example
 * ```ts
 * new ProxyHeaderParser({ maxHeaderBytes: DEFAULT_PROXY_HEADER_MAX_BYTES * 4 });
 * ```
 */
export const DEFAULT_PROXY_HEADER_MAX_BYTES = 4096;

/** Most TLVs read from one header (each is a few bytes at least, so the byte limit bounds this too). */
const MAX_TLVS = 64;

/**
 * Type-length-value extensions of a version 2 header (§2.2.7), as registered.
 *
 * @example
 * ```ts
 * header.tlvs.find((t) => t.type === PP2_TYPE.AUTHORITY);
 * ```
 */
export const PP2_TYPE = Object.freeze({
  ALPN: 0x01,
  AUTHORITY: 0x02,
  CRC32C: 0x03,
  NOOP: 0x04,
  UNIQUE_ID: 0x05,
  SSL: 0x20,
  NETNS: 0x30,
});

/**
 * An address of the header: IP and port, or a Unix socket path.
 *
 * @example
 * ```ts
 * const source: ProxyAddress = { address: '192.0.2.1', port: 56324, family: 'IPv4' };
 * ```
 */
export interface ProxyAddress {
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6' | 'unix';
}

/**
 * One TLV of a version 2 header.
 *
 * @example
 * ```ts
 * const tlv: ProxyTlv = { type: PP2_TYPE.AUTHORITY, value: new TextEncoder().encode('example.com') };
 * ```
 */
export interface ProxyTlv {
  readonly type: number;
  readonly value: Uint8Array;
}

/**
 * A parsed PROXY header.
 *
 * @example
 * ```ts
 * if (header.command === 'proxy' && header.source) console.log('client', header.source.address);
 * ```
 */
export interface ProxyHeader {
  readonly version: 1 | 2;
  /**
   * `'proxy'`: the connection relays a client, whose addresses follow. `'local'` (v2 only): the
   * proxy's own connection (a health check); use the socket's real addresses.
   */
  readonly command: 'proxy' | 'local';
  /** Address family; `'unknown'` (v1 `UNKNOWN`, v2 `AF_UNSPEC`): no addresses, use the socket's. */
  readonly family: 'IPv4' | 'IPv6' | 'unix' | 'unknown';
  /** `'stream'` (TCP), `'dgram'` (UDP) or `'unspec'` (v2 only; v1 is always stream). */
  readonly transport: 'stream' | 'dgram' | 'unspec';
  /** The client's address, when the family is known and the command is `'proxy'`. */
  readonly source: ProxyAddress | undefined;
  /** The address the client connected to (the proxy's front end). */
  readonly destination: ProxyAddress | undefined;
  /** Version 2 TLVs, in order (bounded by the header's limit). */
  readonly tlvs: readonly ProxyTlv[];
}

/**
 * The result of {@link ProxyHeaderParser.push}: more bytes needed, a header with the bytes that
 * followed it (the start of the proxied stream), or an error that must close the connection.
 *
 * @example
 * ```ts
 * const result: ProxyParseResult = parser.push(chunk);
 * if (result.kind === 'header') connection.unshift(result.rest);
 * ```
 */
export type ProxyParseResult =
  | { readonly kind: 'more' }
  | { readonly kind: 'header'; readonly header: ProxyHeader; readonly rest: Uint8Array }
  | { readonly kind: 'error'; readonly reason: string };

/**
 * Options of {@link ProxyHeaderParser}.
 *
 * @example
 * ```ts
 * new ProxyHeaderParser({ versions: [2] }); // refuse the text form
 * ```
 */
export interface ProxyHeaderParserOptions {
  /** Largest version 2 header accepted (16 fixed bytes, addresses and TLVs). Default 4 KiB. */
  maxHeaderBytes?: number;
  /** Versions accepted. Default both. */
  versions?: readonly (1 | 2)[];
}

/**
 * Reads a PROXY header at the start of a stream, split across chunks any way. Feed chunks with
 * `push` until it answers `'header'` or `'error'`; after that it is done (further pushes: error).
 *
 * @example
 * ```ts
 * const parser = new ProxyHeaderParser();
 * const result = parser.push(Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\nGET / HTTP/1.1\r\n'));
 * // { kind: 'header', header: { version: 1, source: { address: '192.0.2.1', port: 56324, … }, … }, rest: <GET …> }
 * ```
 */
export class ProxyHeaderParser {
  readonly #maxBytes: number;
  readonly #versions: readonly (1 | 2)[];
  #held: Uint8Array = new Uint8Array(0);
  #done = false;

  constructor(options: ProxyHeaderParserOptions = {}) {
    this.#maxBytes = options.maxHeaderBytes ?? DEFAULT_PROXY_HEADER_MAX_BYTES;
    this.#versions = options.versions ?? [1, 2];
  }

  push(chunk: Uint8Array): ProxyParseResult {
    if (this.#done) return this.#fail('the header was already read');
    this.#held = this.#held.length === 0 ? chunk : concat(this.#held, chunk);
    const result = this.#parse(this.#held);
    if (result.kind !== 'more') {
      this.#done = true;
      this.#held = new Uint8Array(0);
    }
    return result;
  }

  #fail(reason: string): ProxyParseResult {
    this.#done = true;
    return { kind: 'error', reason };
  }

  #parse(bytes: Uint8Array): ProxyParseResult {
    const v2 = prefixMatch(bytes, V2_SIGNATURE);
    const v1 = prefixMatch(bytes, V1_PREFIX_BYTES);
    if (v2 === 'no' && v1 === 'no') return { kind: 'error', reason: 'no PROXY protocol header' };
    if (v2 === 'partial' || v1 === 'partial') return { kind: 'more' };
    if (v2 === 'yes') {
      if (!this.#versions.includes(2)) return { kind: 'error', reason: 'PROXY protocol version 2 is not accepted' };
      return parseV2(bytes, this.#maxBytes);
    }
    if (!this.#versions.includes(1)) return { kind: 'error', reason: 'PROXY protocol version 1 is not accepted' };
    return parseV1(bytes);
  }
}

const V1_PREFIX_BYTES = Uint8Array.from(V1_PREFIX, (ch) => ch.charCodeAt(0));

/** Whether `bytes` starts with `prefix`, is a strict prefix of it, or differs. */
function prefixMatch(bytes: Uint8Array, prefix: Uint8Array): 'yes' | 'partial' | 'no' {
  const n = Math.min(bytes.length, prefix.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== prefix[i]) return 'no';
  return bytes.length >= prefix.length ? 'yes' : 'partial';
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// ---- version 1 (§2.1): "PROXY TCP4 <src> <dst> <sport> <dport>\r\n" ----

function parseV1(bytes: Uint8Array): ProxyParseResult {
  let end = -1;
  // The CR must come early enough for its LF to be the 107th byte at most.
  const limit = Math.min(bytes.length, V1_MAX_BYTES - 1);
  for (let i = V1_PREFIX.length; i < limit; i++) {
    if (bytes[i] === 0x0d) {
      end = i;
      break;
    }
  }
  if (end === -1) {
    return bytes.length >= V1_MAX_BYTES - 1
      ? { kind: 'error', reason: 'PROXY v1 header longer than 107 bytes' }
      : { kind: 'more' };
  }
  if (end + 1 >= bytes.length) return { kind: 'more' };
  if (bytes[end + 1] !== 0x0a) return { kind: 'error', reason: 'PROXY v1 header: CR without LF' };
  const line = String.fromCharCode(...bytes.subarray(V1_PREFIX.length, end));
  const header = v1Header(line);
  if (typeof header === 'string') return { kind: 'error', reason: header };
  return { kind: 'header', header, rest: bytes.subarray(end + 2) };
}

function v1Header(line: string): ProxyHeader | string {
  const parts = line.split(' ');
  const base = { version: 1, command: 'proxy', transport: 'stream', tlvs: [] } as const;
  // UNKNOWN: the receiver ignores whatever follows (§2.1), up to the CRLF.
  if (parts[0] === 'UNKNOWN') return { ...base, family: 'unknown', source: undefined, destination: undefined };
  if (parts.length !== 5 || (parts[0] !== 'TCP4' && parts[0] !== 'TCP6')) {
    return 'PROXY v1 header: expected "TCP4|TCP6 src dst sport dport" or "UNKNOWN"';
  }
  const family = parts[0] === 'TCP4' ? 'IPv4' : 'IPv6';
  const [src, dst] = [parts[1] as string, parts[2] as string];
  const [sport, dport] = [v1Port(parts[3] as string), v1Port(parts[4] as string)];
  const valid = family === 'IPv4' ? isV1Ipv4 : isV1Ipv6;
  if (!valid(src) || !valid(dst)) return `PROXY v1 header: invalid ${family} address`;
  if (sport === undefined || dport === undefined) return 'PROXY v1 header: invalid port';
  return {
    ...base,
    family,
    source: { address: src, port: sport, family },
    destination: { address: dst, port: dport, family },
  };
}

/** A port as the spec writes it: decimal 0–65535 without leading zeros. */
function v1Port(text: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/** Dotted-quad IPv4 (leading zeros refused: the spec prints addresses as the kernel does). */
function isV1Ipv4(text: string): boolean {
  return ipv4Octets(text) !== undefined && !/(^|\.)0[0-9]/.test(text);
}

function isV1Ipv6(text: string): boolean {
  return !text.includes('%') && ipv6Groups(text) !== undefined;
}

// ---- version 2 (§2.2): signature, ver_cmd, fam, len, addresses, TLVs ----

function parseV2(bytes: Uint8Array, maxBytes: number): ProxyParseResult {
  if (bytes.length < V2_FIXED_BYTES) return { kind: 'more' };
  const verCmd = bytes[12] as number;
  if (verCmd >> 4 !== 2) return { kind: 'error', reason: `PROXY v2 header: version ${verCmd >> 4}` };
  const cmd = verCmd & 0x0f;
  if (cmd > 1) return { kind: 'error', reason: `PROXY v2 header: unknown command ${cmd}` };
  const length = ((bytes[14] as number) << 8) | (bytes[15] as number);
  const total = V2_FIXED_BYTES + length;
  if (total > maxBytes) return { kind: 'error', reason: `PROXY v2 header of ${total} bytes exceeds ${maxBytes}` };
  if (bytes.length < total) return { kind: 'more' };
  const body = bytes.subarray(V2_FIXED_BYTES, total);
  const header = v2Header(cmd === 0 ? 'local' : 'proxy', bytes[13] as number, body);
  if (typeof header === 'string') return { kind: 'error', reason: header };
  return { kind: 'header', header, rest: bytes.subarray(total) };
}

/** Bytes of the address block per family nibble (§2.2: INET 12, INET6 36, UNIX 216). */
const V2_ADDRESS_BYTES: Record<number, number> = { 0: 0, 1: 12, 2: 36, 3: 216 };

function v2Header(command: 'proxy' | 'local', fam: number, body: Uint8Array): ProxyHeader | string {
  const familyNibble = fam >> 4;
  const transportNibble = fam & 0x0f;
  const addressBytes = V2_ADDRESS_BYTES[familyNibble];
  if (addressBytes === undefined) return `PROXY v2 header: unknown address family ${familyNibble}`;
  if (transportNibble > 2) return `PROXY v2 header: unknown transport ${transportNibble}`;
  if (body.length < addressBytes) return 'PROXY v2 header: address block shorter than its family needs';
  const transport = (['unspec', 'stream', 'dgram'] as const)[transportNibble] as ProxyHeader['transport'];
  const family = (['unknown', 'IPv4', 'IPv6', 'unix'] as const)[familyNibble] as ProxyHeader['family'];
  const tlvs = parseTlvs(body.subarray(addressBytes));
  if (typeof tlvs === 'string') return tlvs;
  // LOCAL: the proxy speaks for itself (a health check); addresses, if any, are to be ignored (§2.2).
  const addresses = command === 'local' ? undefined : v2Addresses(familyNibble, body);
  return {
    version: 2,
    command,
    family: command === 'local' ? 'unknown' : family,
    transport,
    source: addresses?.[0],
    destination: addresses?.[1],
    tlvs,
  };
}

function v2Addresses(family: number, body: Uint8Array): [ProxyAddress, ProxyAddress] | undefined {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  switch (family) {
    case 1:
      return [
        { address: body.subarray(0, 4).join('.'), port: view.getUint16(8), family: 'IPv4' },
        { address: body.subarray(4, 8).join('.'), port: view.getUint16(10), family: 'IPv4' },
      ];
    case 2:
      return [
        { address: ipv6Text(body.subarray(0, 16)), port: view.getUint16(32), family: 'IPv6' },
        { address: ipv6Text(body.subarray(16, 32)), port: view.getUint16(34), family: 'IPv6' },
      ];
    case 3:
      return [
        { address: unixPath(body.subarray(0, 108)), port: 0, family: 'unix' },
        { address: unixPath(body.subarray(108, 216)), port: 0, family: 'unix' },
      ];
    default:
      return undefined;
  }
}

/** RFC 5952 text of 16 address bytes; an IPv4-mapped address with its dotted tail (`::ffff:192.0.2.1`). */
function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  return formatIpv6(groups);
}

/** A NUL-padded path of the UNIX address block. */
function unixPath(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return new TextDecoder().decode(nul === -1 ? bytes : bytes.subarray(0, nul));
}

function parseTlvs(bytes: Uint8Array): ProxyTlv[] | string {
  const tlvs: ProxyTlv[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 3 > bytes.length) return 'PROXY v2 header: truncated TLV';
    const length = ((bytes[at + 1] as number) << 8) | (bytes[at + 2] as number);
    if (at + 3 + length > bytes.length) return 'PROXY v2 header: TLV longer than the header';
    if (tlvs.length === MAX_TLVS) return `PROXY v2 header: more than ${MAX_TLVS} TLVs`;
    tlvs.push({ type: bytes[at] as number, value: bytes.subarray(at + 3, at + 3 + length) });
    at += 3 + length;
  }
  return tlvs;
}

/**
 * A header as bytes, the way a proxy writes it (for tests, and for a proxy that speaks to a
 * PROXY-protocol backend). Version 1 writes `UNKNOWN` for anything but TCP over IPv4/IPv6.
 *
 * @example
 * ```ts
 * const bytes = serializeProxyHeader({ version: 2, command: 'proxy', family: 'IPv4', transport: 'stream',
 *   source: { address: '192.0.2.1', port: 1234, family: 'IPv4' },
 *   destination: { address: '198.51.100.1', port: 443, family: 'IPv4' }, tlvs: [] });
 * ```
 */
export function serializeProxyHeader(header: ProxyHeader): Uint8Array {
  const { source, destination } = header;
  if (header.version === 1) {
    const tcp = header.family === 'IPv4' || header.family === 'IPv6';
    const line =
      tcp && source !== undefined && destination !== undefined
        ? `PROXY TCP${header.family === 'IPv4' ? 4 : 6} ${source.address} ${destination.address} ${source.port} ${destination.port}\r\n`
        : 'PROXY UNKNOWN\r\n';
    return Uint8Array.from(line, (ch) => ch.charCodeAt(0));
  }
  const familyNibble = { unknown: 0, IPv4: 1, IPv6: 2, unix: 3 }[header.family];
  const transportNibble = { unspec: 0, stream: 1, dgram: 2 }[header.transport];
  const addressBytes = V2_ADDRESS_BYTES[familyNibble] as number;
  const tlvBytes = header.tlvs.reduce((n, t) => n + 3 + t.value.length, 0);
  const out = new Uint8Array(V2_FIXED_BYTES + addressBytes + tlvBytes);
  out.set(V2_SIGNATURE, 0);
  out[12] = 0x20 | (header.command === 'local' ? 0 : 1);
  out[13] = (familyNibble << 4) | transportNibble;
  out[14] = (addressBytes + tlvBytes) >> 8;
  out[15] = (addressBytes + tlvBytes) & 0xff;
  if (source !== undefined && destination !== undefined) writeV2Addresses(out, header.family, source, destination);
  let at = V2_FIXED_BYTES + addressBytes;
  for (const tlv of header.tlvs) {
    out[at] = tlv.type;
    out[at + 1] = tlv.value.length >> 8;
    out[at + 2] = tlv.value.length & 0xff;
    out.set(tlv.value, at + 3);
    at += 3 + tlv.value.length;
  }
  return out;
}

function writeV2Addresses(out: Uint8Array, family: ProxyHeader['family'], src: ProxyAddress, dst: ProxyAddress): void {
  const view = new DataView(out.buffer, out.byteOffset + V2_FIXED_BYTES);
  const at = V2_FIXED_BYTES;
  if (family === 'IPv4') {
    out.set(src.address.split('.').map(Number), at);
    out.set(dst.address.split('.').map(Number), at + 4);
    view.setUint16(8, src.port);
    view.setUint16(10, dst.port);
  } else if (family === 'IPv6') {
    out.set(ipv6Bytes(src.address), at);
    out.set(ipv6Bytes(dst.address), at + 16);
    view.setUint16(32, src.port);
    view.setUint16(34, dst.port);
  } else if (family === 'unix') {
    const encoder = new TextEncoder();
    out.set(encoder.encode(src.address).subarray(0, 108), at);
    out.set(encoder.encode(dst.address).subarray(0, 108), at + 108);
  }
}

/** 16 bytes of an IPv6 address (zeros when it does not parse: the caller gave a header of its own). */
function ipv6Bytes(text: string): Uint8Array {
  const out = new Uint8Array(16);
  (ipv6Groups(text) ?? []).forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}
