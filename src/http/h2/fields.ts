/**
 * Header fields between HTTP/2 and wirekit's HTTP/1.1-shaped messages: pseudo-header fields
 * (RFC 9113 §8.3) in and out, cookie crumbs joined (§8.2.3), and the connection-specific fields
 * HTTP/2 forbids (§8.2.2) left out, as Go's net/http does, so a handler written for HTTP/1.1
 * works unchanged.
 */
import type { OutgoingHttpHeaders } from 'node:http2';

/** A header object as node:http2 takes it. */
export type NodeHeaders = OutgoingHttpHeaders;

/**
 * True for a field that only means something to one HTTP/1.1 connection (`Connection`,
 * `Keep-Alive`, `Proxy-Connection`, `Transfer-Encoding`, `Upgrade`, `HTTP2-Settings`, and `TE` other
 * than `trailers`): HTTP/2 has no place for it (RFC 9113 §8.2.2) and node:http2 refuses it.
 *
 * @example
 * ```ts
 * isConnectionSpecific('Connection', 'close'); // true
 * isConnectionSpecific('te', 'trailers'); // false
 * ```
 */
export function isConnectionSpecific(name: string, value: string): boolean {
  // The length check first: most fields are none of these, and it costs no allocation.
  switch (name.length) {
    case 2:
      return name.toLowerCase() === 'te' && value.trim().toLowerCase() !== 'trailers';
    case 7:
      return name.toLowerCase() === 'upgrade';
    case 10: {
      const lower = name.toLowerCase();
      return lower === 'connection' || lower === 'keep-alive';
    }
    case 14:
      return name.toLowerCase() === 'http2-settings';
    case 16:
      return name.toLowerCase() === 'proxy-connection';
    case 17:
      return name.toLowerCase() === 'transfer-encoding';
    default:
      return false;
  }
}

/**
 * Adds flat `[name, value, …]` fields to a node:http2 header object, leaving out connection-specific
 * ones, `Content-Length` (the sender frames the body and says its length itself, as the HTTP/1.1
 * serializer does) and, with `dropHost`, `Host` (HTTP/2 says it in `:authority`). Repeated names
 * become arrays (node:http2 sends one field line per element). Names keep their case: node:http2
 * lower-cases them.
 *
 * @example
 * ```ts
 * addFields({ ':status': 200 }, ['Content-Type', 'text/plain', 'Connection', 'close'], false);
 * // { ':status': 200, 'Content-Type': 'text/plain' }
 * ```
 */
export function addFields(target: NodeHeaders, raw: readonly string[], dropHost: boolean): NodeHeaders {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (isConnectionSpecific(name, value)) continue;
    if (name.length === 14 && name.toLowerCase() === 'content-length') continue;
    if (dropHost && name.length === 4 && name.toLowerCase() === 'host') continue;
    const previous = target[name];
    if (previous === undefined) target[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else target[name] = [String(previous), value];
  }
  return target;
}

/**
 * The fields of a received HTTP/2 header list as flat HTTP/1.1-shaped fields, rewriting `raw` in
 * place (no copy): the pseudo-header fields, which come first (RFC 9113 §8.3), are removed; a `host`
 * field is made from `:authority` when there is none (§8.3.1); several `cookie` fields are joined
 * into one with `"; "` (§8.2.3). Returns undefined when a `host` field names another authority than
 * `:authority` (a malformed request, §8.3.1).
 *
 * @example
 * ```ts
 * toFlatFields([':method', 'GET', ':path', '/', ':authority', 'a.test', 'cookie', 'a=1', 'cookie', 'b=2'], 'a.test');
 * // ['host', 'a.test', 'cookie', 'a=1; b=2']
 * ```
 */
export function toFlatFields(raw: string[], authority: string | undefined): string[] | undefined {
  let pseudo = 0;
  while (pseudo < raw.length && (raw[pseudo] as string).charCodeAt(0) === 0x3a) pseudo += 2;
  let host = -1;
  let cookies = 0;
  for (let i = pseudo; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name === 'host') host = i;
    else if (name === 'cookie') cookies++;
  }
  if (host !== -1) {
    if (authority !== undefined && (raw[host + 1] as string).toLowerCase() !== authority.toLowerCase())
      return undefined;
    if (pseudo > 0) raw.splice(0, pseudo);
  } else if (authority !== undefined && pseudo >= 2) {
    // The last pseudo-field's slot becomes Host, first: where HTTP/1.1 clients put it.
    raw[pseudo - 2] = 'host';
    raw[pseudo - 1] = authority;
    if (pseudo > 2) raw.splice(0, pseudo - 2);
  } else if (pseudo > 0) {
    raw.splice(0, pseudo);
  }
  if (cookies > 1) joinCookies(raw);
  return raw;
}

/** Joins every `cookie` field into the first one, in order (RFC 9113 §8.2.3). */
function joinCookies(raw: string[]): void {
  let first = -1;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i] !== 'cookie') continue;
    if (first === -1) {
      first = i;
      continue;
    }
    raw[first + 1] = `${raw[first + 1] as string}; ${raw[i + 1] as string}`;
    raw.splice(i, 2);
    i -= 2;
  }
}

/**
 * Flat fields of a received header list without its pseudo-header fields (a response's `:status`,
 * trailers have none): a copy, `raw` is left as it is.
 *
 * @example
 * ```ts
 * withoutPseudo([':status', '200', 'content-type', 'text/plain']); // ['content-type', 'text/plain']
 * ```
 */
export function withoutPseudo(raw: readonly string[]): string[] {
  let pseudo = 0;
  while (pseudo < raw.length && (raw[pseudo] as string).charCodeAt(0) === 0x3a) pseudo += 2;
  return raw.slice(pseudo);
}
