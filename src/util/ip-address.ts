/**
 * IP addresses as numbers, for the rate limiter's keys and the trust-proxy address ranges. Pure:
 * imports nothing (node:net's `isIP` would do for checks but not for prefixes).
 */

/**
 * The four octets of a dotted-quad IPv4 address (`192.0.2.1`, no leading zeros beyond one digit
 * group of up to three), or undefined.
 *
 * @example
 * ```ts
 * ipv4Octets('192.0.2.1'); // [192, 0, 2, 1]
 * ipv4Octets('192.0.2'); // undefined
 * ```
 */
export function ipv4Octets(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    octets.push(octet);
  }
  return octets;
}

/**
 * The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2 text forms, an embedded IPv4 tail
 * included; a zone id `%eth0` is ignored), or undefined.
 *
 * @example
 * ```ts
 * ipv6Groups('2001:db8::1'); // [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]
 * ipv6Groups('::ffff:192.0.2.1'); // [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]
 * ```
 */
export function ipv6Groups(address: string): number[] | undefined {
  let text = address.split('%')[0] as string;
  const last = text.lastIndexOf(':');
  if (last === -1) return undefined;
  const tail = text.slice(last + 1);
  if (tail.includes('.')) {
    // An embedded IPv4 address in the last 32 bits (`::ffff:192.0.2.1`) becomes two hex groups.
    const octets = ipv4Octets(tail);
    if (octets === undefined) return undefined;
    const [a, b, c, d] = octets as [number, number, number, number];
    text = `${text.slice(0, last + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const left = hexGroups(halves[0] as string);
  const right = halves.length === 2 ? hexGroups(halves[1] as string) : [];
  if (left === undefined || right === undefined) return undefined;
  if (halves.length === 1) return left.length === 8 ? left : undefined;
  const missing = 8 - left.length - right.length;
  return missing < 1 ? undefined : [...left, ...new Array<number>(missing).fill(0), ...right];
}

/** `1:2:ab` as numbers; undefined when a group is not 1–4 hex digits. */
function hexGroups(part: string): number[] | undefined {
  if (part === '') return [];
  const groups: number[] = [];
  for (const group of part.split(':')) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
}

/**
 * An address as 16 bytes: IPv6 as it is, IPv4 as its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`), so
 * one range check serves both families and a dual-stack socket's `::ffff:127.0.0.1` is 127.0.0.1.
 * Undefined when `text` is not an IP address.
 *
 * @example
 * ```ts
 * ipBytes('127.0.0.1'); // [0, …, 0, 0xff, 0xff, 127, 0, 0, 1]
 * ipBytes('localhost'); // undefined
 * ```
 */
export function ipBytes(text: string): Uint8Array | undefined {
  const octets = ipv4Octets(text);
  if (octets !== undefined) return Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...octets);
  const groups = ipv6Groups(text);
  if (groups === undefined) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/**
 * True when 16-byte `bytes` is an IPv4-mapped IPv6 address (`::ffff:0:0/96`).
 *
 * @example
 * ```ts
 * isIpv4Mapped(ipBytes('10.0.0.1') as Uint8Array); // true
 * ```
 */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * An address range: 16-byte `base` and the number of leading bits that must match (an IPv4
 * range `/n` is stored as the mapped `/96 + n`).
 *
 * @example
 * ```ts
 * const range: IpRange = parseIpRange('10.0.0.0/8') as IpRange; // { base, bits: 104 }
 * ```
 */
export interface IpRange {
  readonly base: Uint8Array;
  readonly bits: number;
}

/**
 * `10.0.0.0/8`, `2001:db8::/32`, or a single address (all its bits), as an {@link IpRange};
 * undefined when malformed (a prefix length beyond the family's bits included).
 *
 * @example
 * ```ts
 * parseIpRange('192.168.0.0/16'); // { base: ipBytes('192.168.0.0'), bits: 112 }
 * ```
 */
export function parseIpRange(text: string): IpRange | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const base = ipBytes(address);
  if (base === undefined) return undefined;
  const v4 = ipv4Octets(address) !== undefined;
  const max = v4 ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const prefix = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(prefix) || Number(prefix) > max) return undefined;
    bits = Number(prefix);
  }
  return { base, bits: v4 ? 96 + bits : bits };
}

/**
 * True when 16-byte `address` lies in `range`.
 *
 * @example
 * ```ts
 * inIpRange(ipBytes('10.1.2.3') as Uint8Array, parseIpRange('10.0.0.0/8') as IpRange); // true
 * ```
 */
export function inIpRange(address: Uint8Array, range: IpRange): boolean {
  const whole = range.bits >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== range.base[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((address[whole] as number) & mask) === ((range.base[whole] as number) & mask);
}

/**
 * Eight 16-bit groups in RFC 5952 text form: lower-case hex, the longest run of two or more zero
 * groups as `::`.
 *
 * @example
 * ```ts
 * formatIpv6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]); // '2001:db8::1'
 * ```
 */
export function formatIpv6(groups: readonly number[]): string {
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}
