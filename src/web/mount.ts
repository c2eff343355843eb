/**
 * Middleware that answers relative to where it is mounted, as Express's `app.use('/static', …)`
 * does: registered under a path ending in `/*` (`app.use('/static/*', mw)`, `app.get('/static/*', mw)`,
 * or anywhere inside `app.route('/static', sub)`), it sees the request path below that point. Only
 * middleware made with {@link mountAware} does; every other middleware keeps seeing the full path.
 *
 * The mount point is found when the middleware is registered, not per request, so a middleware
 * mounted twice gets two bindings and no shared state can mix them up.
 */
import { WirekitError } from '../errors.js';
import type { Middleware } from './compose.js';

/** The request path below the mount point (`''` for the mount point itself), or the path itself at the root. */
export type PathBelowMount = (path: string) => string;

const MOUNT = Symbol('wirekit.mount');

type MountAware<V extends object> = Middleware<V> & {
  [MOUNT]?: (below: PathBelowMount, mountPoint?: string) => Middleware<V>;
};

const atRoot: PathBelowMount = (path) => path;

/**
 * A middleware that `App#use`, `App#on` and `App#route` bind to its mount point: `make` gets the
 * function that cuts the mount point off the request path. Used as is (not registered under a
 * `/*` path) it sees the whole path.
 *
 * @example
 * ```ts
 * const whereAmI = mountAware((below) => (c) => c.text(below(c.req.path)));
 * app.use('/files/*', whereAmI); // GET /files/a/b → "/a/b"
 * ```
 */
export function mountAware<V extends object>(
  make: (below: PathBelowMount, mountPoint?: string) => Middleware<V>,
): Middleware<V> {
  const handler: MountAware<V> = make(atRoot);
  handler[MOUNT] = make;
  return handler;
}

/**
 * The middleware to run for `handler` registered under `pattern`: bound to the mount point when it
 * is mount-aware and the pattern ends in `/*`, else `handler` itself.
 *
 * @example
 * ```ts
 * const bound = mountAt('/static/*', serveStatic('public')); // serves public/x at /static/x
 * ```
 */
export function mountAt<V extends object>(pattern: string | undefined, handler: Middleware<V>): Middleware<V> {
  const make = (handler as MountAware<V>)[MOUNT];
  if (make === undefined || pattern === undefined || !pattern.endsWith('/*')) return handler;
  const segments = pattern
    .slice(0, -2)
    .split('/')
    .filter((s) => s !== '');
  if (segments.length === 0) return handler;
  if (segments.some((s) => s.includes('*') || s.endsWith('?'))) {
    // Each segment of the mount point must match exactly one segment of the path, or where the
    // mount point ends would depend on the request.
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `cannot mount under "${pattern}": a wildcard or optional segment before the final /*`,
    );
  }
  return make(belowSegments(segments.length), `/${segments.join('/')}`);
}

/** Cuts `depth` path segments off: `/static/a/b` → `/a/b` at depth 1, `/static` → `''`. */
function belowSegments(depth: number): PathBelowMount {
  return (path) => {
    let at = 0;
    for (let i = 0; i < depth; i++) {
      const next = path.indexOf('/', at + 1);
      if (next === -1) return '';
      at = next;
    }
    return path.slice(at);
  };
}

/**
 * `wrap(handler)`, still bound to where it is mounted when `handler` is mount-aware (the wrapper is
 * made anew around each binding), so wrapping never hides the mount point from `handler`.
 *
 * @example
 * ```ts
 * const logged = wrapMountable(serveStatic('public'), (h) => (c, next) => { log(c); return h(c, next); });
 * ```
 */
export function wrapMountable<V extends object>(
  handler: Middleware<V>,
  wrap: (handler: Middleware<V>) => Middleware<V>,
): Middleware<V> {
  const make = (handler as MountAware<V>)[MOUNT];
  return make === undefined ? wrap(handler) : mountAware((below, at) => wrap(make(below, at)));
}
