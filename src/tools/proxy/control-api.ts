/**
 * The control API: Toxiproxy 2.x's REST API (same routes, JSON shapes, status codes and error
 * bodies) on wirekit's own App, so existing Toxiproxy clients drive wirekit's fault proxies.
 * Default port 8474, as Toxiproxy's.
 */
import { App } from '../../web/app.js';
import type { Context } from '../../web/context.js';
import { HttpError } from '../../web/http-error.js';
import type { AppServer } from '../../web/index.js';
import { type ProxyDefaults, ProxyRegistry, proxyJson } from './registry.js';
import { toxicJson } from './toxics.js';

/**
 * Toxiproxy's default API port.
 *
 * @example
 * ```ts
 * await listenControlApi({ port: TOXIPROXY_PORT });
 * ```
 */
export const TOXIPROXY_PORT = 8474;

/**
 * The version `/version` reports by default: the Toxiproxy API this one follows, tagged wirekit.
 *
 * @example
 * ```ts
 * controlApp(registry, { version: CONTROL_API_VERSION });
 * ```
 */
export const CONTROL_API_VERSION = '2.12.0+wirekit';

/**
 * Options of {@link controlApp}.
 *
 * @example
 * ```ts
 * controlApp(new ProxyRegistry(), { version: '2.12.0' });
 * ```
 */
export interface ControlAppOptions {
  /** What `GET /version` reports. Default {@link CONTROL_API_VERSION}. */
  version?: string;
}

/** Reads a JSON body as Go's decoder would complain about it: 400 "bad request body: …". */
async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new HttpError(400, 'bad request body: EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `bad request body: ${(error as Error).message}`);
  }
}

/**
 * The control API as an App (mount it, or `listen()` it): Toxiproxy's routes over `registry`.
 *
 * @example
 * ```ts
 * const registry = new ProxyRegistry();
 * const app = controlApp(registry);
 * const res = await app.request('/proxies', { method: 'POST', body: JSON.stringify({ name: 'db', upstream: '127.0.0.1:5432' }) });
 * console.log(res.status); // 201
 * ```
 */
export function controlApp(registry: ProxyRegistry, options: ControlAppOptions = {}): App {
  const app = new App();
  const version = options.version ?? CONTROL_API_VERSION;
  // As Toxiproxy does: a web page must not drive the proxies of the developer who opens it.
  app.use((c, next) => {
    if ((c.req.header('user-agent') ?? '').startsWith('Mozilla/')) return c.text('User agent not allowed\n', 403);
    return next();
  });
  app.onError((error, c) => {
    const status = error instanceof HttpError ? error.status : 500;
    const message = error instanceof Error ? error.message : String(error);
    return c.json({ error: message, status }, status);
  });
  app.post('/reset', async (c) => {
    await registry.reset();
    return c.body(null, 204);
  });
  app.get('/proxies', (c) =>
    c.json(Object.fromEntries([...registry.proxies].map(([name, proxy]) => [name, proxyJson(name, proxy)]))),
  );
  app.post('/proxies', async (c) => {
    const body = await jsonBody(c);
    const proxy = await registry.create(body);
    return c.json(proxyJson(String((body as { name: string }).name), proxy), 201);
  });
  app.post('/populate', async (c) => {
    const { proxies, error } = await registry.populate(await jsonBody(c));
    const list = proxies.map(([name, proxy]) => proxyJson(name, proxy));
    if (error === undefined) return c.json({ proxies: list }, 201);
    return c.json({ error: error.message, status: error.status, proxies: list }, error.status ?? 500);
  });
  app.get('/proxies/:proxy', (c) => {
    const name = c.req.param('proxy') ?? '';
    return c.json(proxyJson(name, registry.get(name)));
  });
  app.on(['POST', 'PATCH'], '/proxies/:proxy', async (c) => {
    const name = c.req.param('proxy') ?? '';
    return c.json(proxyJson(name, await registry.update(name, await jsonBody(c))));
  });
  app.delete('/proxies/:proxy', async (c) => {
    await registry.remove(c.req.param('proxy') ?? '');
    return c.body(null, 204);
  });
  app.get('/proxies/:proxy/toxics', (c) => c.json(registry.get(c.req.param('proxy') ?? '').faults.map(toxicJson)));
  app.post('/proxies/:proxy/toxics', async (c) => {
    const fault = registry.addToxic(c.req.param('proxy') ?? '', await jsonBody(c));
    return c.json(toxicJson(fault));
  });
  app.get('/proxies/:proxy/toxics/:toxic', (c) =>
    c.json(toxicJson(registry.toxic(c.req.param('proxy') ?? '', c.req.param('toxic') ?? ''))),
  );
  app.on(['POST', 'PATCH'], '/proxies/:proxy/toxics/:toxic', async (c) => {
    const body = await jsonBody(c);
    return c.json(toxicJson(registry.updateToxic(c.req.param('proxy') ?? '', c.req.param('toxic') ?? '', body)));
  });
  app.delete('/proxies/:proxy/toxics/:toxic', (c) => {
    registry.removeToxic(c.req.param('proxy') ?? '', c.req.param('toxic') ?? '');
    return c.body(null, 204);
  });
  app.get('/version', (c) =>
    // Byte for byte what Toxiproxy writes (a space after the colon, a newline).
    c.body(`{"version": ${JSON.stringify(version)}}\n`, 200, { 'Content-Type': 'application/json;charset=utf-8' }),
  );
  return app;
}

/**
 * Options of {@link listenControlApi}.
 *
 * @example
 * ```ts
 * await listenControlApi({ host: '127.0.0.1', port: 8474, proxies: { seed: 1 } });
 * ```
 */
export interface ControlApiOptions extends ControlAppOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Default {@link TOXIPROXY_PORT} (8474); 0 picks a free port. */
  port?: number;
  /** The proxies to serve. Default: a new, empty registry. */
  registry?: ProxyRegistry;
  /** Options of the proxies a new registry creates. */
  proxies?: ProxyDefaults;
}

/**
 * A running control API.
 *
 * @example
 * ```ts
 * const api = await listenControlApi({ port: 0 });
 * console.log(api.url); // http://127.0.0.1:40123
 * await api.close();     // closes the API and every proxy
 * ```
 */
export interface ControlApi extends AsyncDisposable {
  readonly registry: ProxyRegistry;
  readonly server: AppServer;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the Toxiproxy-compatible control API over a registry of fault proxies.
 *
 * @example
 * ```ts
 * const api = await listenControlApi({ port: 8474 });
 * // toxiproxy-cli, or new Toxiproxy('http://127.0.0.1:8474') from toxiproxy-node-client, drive it now
 * await api.close();
 * ```
 */
export async function listenControlApi(options: ControlApiOptions = {}): Promise<ControlApi> {
  const registry = options.registry ?? new ProxyRegistry(options.proxies);
  const app = controlApp(registry, options.version === undefined ? {} : { version: options.version });
  const server = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? TOXIPROXY_PORT });
  const close = async (): Promise<void> => {
    await server.close({ timeoutMs: 1_000 });
    await registry.close();
  };
  return { registry, server, url: server.url, close, [Symbol.asyncDispose]: close };
}
