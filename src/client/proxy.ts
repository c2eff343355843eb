/**
 * HTTP proxies: the CONNECT tunnel (RFC 9110 §9.3.6) over a connected socket, and the proxy a URL
 * should use according to `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY`.
 *
 * Every request through a proxy goes through a tunnel, plain HTTP included: the proxy then sees
 * only `host:port`, and one code path serves both schemes.
 */
import type { Socket } from 'node:net';
import { NetError, WirekitError } from '../errors.js';
import { serializeRequestHead } from '../http/codec/request-serializer.js';
import { type ResponseEvent, ResponseParser } from '../http/codec/response-parser.js';
import { endpointsOf } from '../net/addresses.js';
import { type Origin, parseOrigin } from './origin.js';

/**
 * A proxy to tunnel through.
 *
 * @example
 * ```ts
 * new Pool('https://example.com', { proxy: parseProxy('http://proxy.internal:3128') });
 * ```
 */
export interface ProxyConfig {
  /** Where the proxy listens (`http://proxy:3128`). */
  readonly origin: Origin;
  /** The Proxy-Authorization value, from the URL's user info (Basic) or given. */
  readonly authorization?: string | undefined;
}

/**
 * Environment variables the proxy choice reads (`process.env` or an injected object).
 *
 * @example
 * ```ts
 * proxyFromEnvironment(origin, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'localhost' });
 * ```
 */
export type ProxyEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * A proxy URL (`http://user:pass@proxy:3128`) as a {@link ProxyConfig}; user info becomes Basic auth.
 *
 * @example
 * ```ts
 * const proxy = parseProxy('http://user:secret@127.0.0.1:3128');
 * proxy.authorization; // 'Basic dXNlcjpzZWNyZXQ='
 * ```
 */
export function parseProxy(url: string | URL): ProxyConfig {
  const parsed = typeof url === 'string' ? safeUrl(url) : url;
  if (parsed.protocol !== 'http:') {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `only http: proxies are supported, not ${parsed.protocol}`);
  }
  const origin = parseOrigin(parsed);
  if (parsed.username === '' && parsed.password === '') return { origin };
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  return { origin, authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

/**
 * The proxy for `target` per the usual variables (lower case first, as curl reads them):
 * `https_proxy`/`HTTPS_PROXY` for https, `http_proxy`/`HTTP_PROXY` for http (never the upper-case
 * one in a CGI context, where `HTTP_PROXY` comes from a request header: `REQUEST_METHOD` set), and
 * `no_proxy`/`NO_PROXY` (comma-separated hosts, `.suffix` or `suffix` matching subdomains too,
 * `host:port`, or `*`) to skip it.
 *
 * @example
 * ```ts
 * proxyFromEnvironment(parseOrigin('http://api.internal'), { HTTP_PROXY: 'http://proxy:3128', NO_PROXY: '.internal' }); // undefined
 * ```
 */
export function proxyFromEnvironment(target: Origin, env: ProxyEnvironment): ProxyConfig | undefined {
  const cgi = env.REQUEST_METHOD !== undefined;
  const url = target.secure
    ? (env.https_proxy ?? env.HTTPS_PROXY)
    : (env.http_proxy ?? (cgi ? undefined : env.HTTP_PROXY));
  if (url === undefined || url === '') return undefined;
  if (bypassed(target, env.no_proxy ?? env.NO_PROXY ?? '')) return undefined;
  return parseProxy(url.includes('://') ? url : `http://${url}`);
}

function bypassed(target: Origin, noProxy: string): boolean {
  const host = target.hostname.toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const colon = entry.lastIndexOf(':');
    const hasPort = colon > 0 && !entry.includes(']') && entry.indexOf(':') === colon;
    const name = (hasPort ? entry.slice(0, colon) : entry).replace(/^\[|\]$/g, '');
    if (hasPort && Number(entry.slice(colon + 1)) !== target.port) continue;
    const bare = name.startsWith('.') ? name.slice(1) : name.startsWith('*.') ? name.slice(2) : name;
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/** Most bytes of the proxy's answer head we read. */
const MAX_PROXY_HEAD_BYTES = 16 * 1024;

/**
 * Asks the proxy on `socket` for a tunnel to `target` and resolves once it answered 2xx; the socket
 * is then paused with nothing read past the proxy's head. Any other answer is `WK_ERR_PROXY` with
 * the status on the error.
 *
 * @example
 * ```ts
 * await tunnel(socket, parseOrigin('https://example.com'), proxy);
 * const secure = tls.connect({ socket, servername: 'example.com' });
 * ```
 */
export function tunnel(socket: Socket, target: Origin, proxy: ProxyConfig): Promise<void> {
  const authority = `${target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname}:${target.port}`;
  const head = serializeRequestHead({
    method: 'CONNECT',
    target: authority,
    host: authority,
    headers: proxy.authorization === undefined ? [] : ['Proxy-Authorization', proxy.authorization],
    bodyLength: 'none',
  });
  const parser = new ResponseParser({ maxHeadBytes: MAX_PROXY_HEAD_BYTES });
  parser.expect('CONNECT');
  return new Promise((resolve, reject) => {
    const done = (error: Error | undefined): void => {
      socket.off('data', onData);
      socket.off('error', onFail);
      socket.off('close', onFail);
      socket.pause();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      for (const event of parser.push(chunk)) {
        const outcome = judge(event);
        if (outcome === 'wait') continue;
        done(outcome);
        return;
      }
    };
    const judge = (event: ResponseEvent): Error | undefined | 'wait' => {
      if (event.type === 'error')
        return proxyError(socket, `bad answer to CONNECT ${authority}`, undefined, event.error);
      if (event.type !== 'head' || event.interim) return 'wait';
      if (event.status < 200 || event.status > 299) {
        const answer = `${event.status} ${event.reason ?? ''}`.trim();
        return proxyError(socket, `the proxy answered ${answer} to CONNECT ${authority}`, event.status);
      }
      if (parser.takeHeld().byteLength > 0)
        return proxyError(socket, 'the proxy sent bytes before the tunnel was used');
      return undefined;
    };
    const onFail = (cause?: unknown): void =>
      done(proxyError(socket, `the proxy closed the connection during CONNECT ${authority}`, undefined, cause));
    socket.on('data', onData);
    socket.once('error', onFail);
    socket.once('close', onFail);
    socket.write(head, 'latin1');
  });
}

function proxyError(socket: Socket, message: string, status?: number, cause?: unknown): NetError {
  return new NetError('WK_ERR_PROXY', message, {
    ...endpointsOf(socket),
    ...(status === undefined ? {} : { status }),
    ...(cause === undefined || typeof cause === 'boolean' ? {} : { cause }),
  });
}

function safeUrl(url: string): URL {
  try {
    return new URL(url);
  } catch (cause) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `not a proxy URL: ${url}`, { cause });
  }
}
