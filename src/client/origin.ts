/** Origins (`scheme://host:port`) as the client needs them: where to connect and what Host to send. */
import { WirekitError } from '../errors.js';

/**
 * A parsed `http:` or `https:` origin.
 *
 * @example
 * ```ts
 * const { hostname, port, secure } = parseOrigin('https://[::1]:8443');
 * ```
 */
export interface Origin {
  /** `http://host:port` normalised by WHATWG URL (default ports dropped, IPv6 in brackets). */
  readonly href: string;
  readonly secure: boolean;
  /** The host to resolve or connect to, without IPv6 brackets. */
  readonly hostname: string;
  readonly port: number;
  /** The Host field value: `host[:port]`, port omitted when it is the scheme's default. */
  readonly host: string;
}

/**
 * Parses an origin (anything else in the URL, such as a path, is ignored).
 *
 * @throws WirekitError `WK_ERR_INVALID_ARGUMENT` for a malformed URL or a scheme other than http/https.
 * @example
 * ```ts
 * parseOrigin('https://example.com').port; // 443
 * ```
 */
export function parseOrigin(origin: string | URL): Origin {
  let url: URL;
  try {
    url = typeof origin === 'string' ? new URL(origin) : origin;
  } catch (cause) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `not a URL: ${String(origin)}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `only http: and https: URLs are supported, not ${url.protocol}`);
  }
  const secure = url.protocol === 'https:';
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    href: url.origin,
    secure,
    hostname,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    host: url.host,
  };
}
