import type { Context } from './context.js';

/**
 * The client's IP address as the app sees it, or undefined (a Unix socket has none). Today that is
 * the connection's peer, `c.info.remoteAddress`; behind a reverse proxy it is the proxy's address.
 * Everything in the framework that needs the client's address (the rate limiter's default key)
 * asks here, so trusting a proxy's `Forwarded`/`X-Forwarded-For` later changes this one function.
 *
 * @example
 * ```ts
 * app.get('/ip', (c) => c.text(clientIp(c) ?? 'unknown'));
 * ```
 */
export function clientIp<V extends object>(c: Context<V>): string | undefined {
  return c.info.remoteAddress?.address;
}
