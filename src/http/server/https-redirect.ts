/**
 * The plain-HTTP listener of an HTTPS server: every request is answered with a 308 to the same
 * host, path and query over HTTPS (308, not 301: the method and body are kept, RFC 9110 §15.4.9).
 */
import type { ConnInfo, Handler } from '../message/conn-info.js';
import type { Request } from '../message/request.js';
import { Response } from '../message/response.js';

/**
 * Options of the redirect listener (`serve(handler, { tls, redirectHttp })`).
 *
 * @example
 * ```ts
 * await app.listen({ port: 443, host: '0.0.0.0', tls, redirectHttp: { port: 80 } });
 * ```
 */
export interface RedirectHttpOptions {
  /** The plain-HTTP port (80 in production; 0 picks a free one). */
  port: number;
  /** The address to bind. Default: the HTTPS server's. */
  host?: string;
  /**
   * The HTTPS port to send clients to. Default: the HTTPS server's own port (set it when a proxy or
   * port mapping publishes another one, such as 443 in front of 8443).
   */
  httpsPort?: number;
}

/**
 * A handler that redirects every request to HTTPS on `httpsPort` (the port is left out of the URL
 * when it is 443). The host is the one the client asked for (its Host header, else the address
 * it connected to); the path and query are kept byte for byte.
 *
 * @example
 * ```ts
 * await serve(httpsRedirect(443), { port: 80, host: '0.0.0.0' });
 * ```
 */
export function httpsRedirect(httpsPort: number): Handler {
  const portPart = httpsPort === 443 ? '' : `:${httpsPort}`;
  return (request: Request, info: ConnInfo) => {
    const location = `https://${hostOf(request, info)}${portPart}${pathAndQuery(request)}`;
    const response = Response.text(`Redirecting to ${location}\n`, { status: 308 });
    response.headers.set('location', location);
    return response;
  };
}

function hostOf(request: Request, info: ConnInfo): string {
  const host = request.headers.get('host');
  // The parser admits only a valid Host (RFC 9112 §3.2); URL splits off the port, IPv6 included.
  if (host !== null && host !== '') return new URL(`http://${host}`).hostname;
  const local = info.localAddress;
  if (local === undefined || local.family === 'unix') return 'localhost';
  return local.family === 'IPv6' ? `[${local.address}]` : local.address;
}

function pathAndQuery(request: Request): string {
  const target = request.target;
  if (target.startsWith('/')) return target;
  // Absolute-form (`GET http://host/path`) or `*`: the path and query of the URL.
  if (target === '*') return '/';
  const url = new URL(request.url);
  return `${url.pathname}${url.search}`;
}
