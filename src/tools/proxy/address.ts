/** `HOST:PORT` strings as Toxiproxy and netcat write them: `127.0.0.1:8000`, `[::1]:80`, `:80`, `80`. */
import { isIP } from 'node:net';
import { WirekitError } from '../../errors.js';

/**
 * A host and a port.
 *
 * @example
 * ```ts
 * const where: HostPort = { host: '127.0.0.1', port: 8000 };
 * ```
 */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT` (the last two take `defaultHost`).
 * Throws `WK_ERR_INVALID_ARGUMENT` for anything else, or a port outside 0-65535.
 *
 * @example
 * ```ts
 * parseHostPort('localhost:8000');       // { host: 'localhost', port: 8000 }
 * parseHostPort('[::1]:80');             // { host: '::1', port: 80 }
 * parseHostPort('8001', '127.0.0.1');    // { host: '127.0.0.1', port: 8001 }
 * ```
 */
export function parseHostPort(text: string, defaultHost = '127.0.0.1'): HostPort {
  const match = /^(?:(?:\[([^\]]+)\]|([^:[\]]*)):)?(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || !(port >= 0 && port <= 65535)) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `not HOST:PORT: ${JSON.stringify(text)}`);
  }
  const bracketed = match[1];
  const host = bracketed ?? match[2] ?? '';
  if (bracketed !== undefined && isIP(bracketed) !== 6) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `not an IPv6 address in brackets: ${JSON.stringify(text)}`);
  }
  return { host: host === '' ? defaultHost : host, port };
}

/**
 * Writes a host and port back as `HOST:PORT`, bracketing IPv6 addresses (`[::1]:80`).
 *
 * @example
 * ```ts
 * formatHostPort({ host: '::1', port: 80 }); // '[::1]:80'
 * ```
 */
export function formatHostPort(where: HostPort): string {
  return isIP(where.host) === 6 ? `[${where.host}]:${where.port}` : `${where.host}:${where.port}`;
}
