import type { Context } from './context.js';

/**
 * The client's IP address as the app sees it, or undefined (a Unix socket has none): `c.req.ip`,
 * the connection's peer, or behind proxies trusted with `trustProxy` (App or server option) the
 * right-most address of `X-Forwarded-For`/`Forwarded` that they did not vouch for. Everything in
 * the framework that needs the client's address (the rate limiter's default key, the access log)
 * asks here.
 *
 * @example
 * ```ts
 * app.get('/ip', (c) => c.text(clientIp(c) ?? 'unknown'));
 * ```
 */
export function clientIp<V extends object>(c: Context<V>): string | undefined {
  return c.req.ip;
}
