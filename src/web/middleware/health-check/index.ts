import type { Middleware } from '../../compose.js';
import type { Context } from '../../context.js';

/** Options of {@link healthCheck}. */
export interface HealthCheckOptions<V extends object = Record<string, unknown>> {
  /**
   * Whether the app can serve (a database reachable, a cache warm); false answers 503 too.
   * Default: always ready unless the server drains.
   */
  ready?: (c: Context<V>) => boolean | Promise<boolean>;
}

/**
 * A readiness handler for load balancers: `200 ok`, or `503 draining` (with `Connection: close`)
 * once the server drains (`server.drain()`, a cluster's reload or SIGTERM), so HAProxy, nginx
 * Plus, Kubernetes or an AWS target group stop sending here before connections close. Mount it
 * on the path your balancer probes.
 *
 * @example
 * ```ts
 * app.get('/healthz', healthCheck());
 * // haproxy: option httpchk GET /healthz
 * ```
 */
export function healthCheck<V extends object = Record<string, unknown>>(
  options: HealthCheckOptions<V> = {},
): Middleware<V> {
  const ready = options.ready;
  return async (c) => {
    const draining = c.info.draining === true;
    const ok = !draining && (ready === undefined || (await ready(c)));
    if (ok) return c.text('ok', 200, { 'Cache-Control': 'no-store' });
    const fields: Record<string, string> = { 'Cache-Control': 'no-store' };
    // A draining server closes this connection after the answer: a prober's next check opens a new one elsewhere.
    if (draining) fields.Connection = 'close';
    return c.text(draining ? 'draining' : 'not ready', 503, fields);
  };
}
