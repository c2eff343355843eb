import { formatIpv6, ipv6Groups } from '../../../util/ip-address.js';

/**
 * The rate-limit key of a client address: an IPv4 address as it is (an IPv4-mapped IPv6 address,
 * `::ffff:192.0.2.1` as a dual-stack socket reports it, is the IPv4 address), an IPv6 address as
 * its `/subnetBits` prefix. An IPv6 customer gets a whole prefix from the ISP (a /64, often a /56
 * or /48) and can pick a new address in it for every request, so limiting single addresses limits
 * nothing; express-rate-limit made /56 its default for that reason. Undefined (no address, as on a
 * Unix socket) is `unknown`: all such clients share one count.
 *
 * @example
 * ```ts
 * ipKey('2001:db8:1234:5678::1', 56); // '2001:db8:1234:5600::/56'
 * ipKey('::ffff:192.0.2.1', 56); // '192.0.2.1'
 * ```
 */
export function ipKey(address: string | undefined, subnetBits: number): string {
  if (address === undefined || address === '') return 'unknown';
  if (!address.includes(':')) return address;
  const groups = ipv6Groups(address);
  if (groups === undefined) return address;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  const masked = groups.map((group, i) => {
    const bits = Math.max(0, Math.min(16, subnetBits - i * 16));
    return bits === 0 ? 0 : group & (0xffff << (16 - bits)) & 0xffff;
  });
  return `${formatIpv6(masked)}/${subnetBits}`;
}
