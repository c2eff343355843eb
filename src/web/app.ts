import type { ConnInfo } from '../http/message/conn-info.js';
import { requestFromFetch, responseToFetch } from '../http/message/fetch.js';
import type { FormLimits } from '../http/message/form.js';
import { Request, type RequestInit } from '../http/message/request.js';
import type { Response } from '../http/message/response.js';
import { isStreamed, observeBody, withBody } from '../http/message/response-content.js';
import { compileTrustProxy, type ProxyTrust, type TrustProxy } from '../http/message/trust-proxy.js';
import { type FaultLog, faultLog, type Logger, loggerSpec } from '../util/logger.js';
import { anyOf, boolean, func, integer, listOf, nested, OptionsSchema, object, string } from '../util/options.js';
import { processWarnings } from '../util/warning-limiter.js';
import type { WebSocketConnection } from '../ws/connection.js';
import type { OutgoingMessage } from '../ws/handlers.js';
import { WebSocketHub, type WebSocketHubOptions } from '../ws/hub.js';
import type { TopicBus } from '../ws/topics.js';
import { commitUpgrade, isPendingUpgrade } from '../ws/upgrade.js';
import { type Middleware, runChain } from './compose.js';
import { Context, type ContextConfig } from './context.js';
import { asError, errorResponse, isUnexpected, warnUnexpected, withErrorFields } from './error-response.js';
import { HttpError } from './http-error.js';
import { asSent, inProcessInfo, inProcessRequest } from './in-process.js';
import {
  type AppServer,
  type ClusterListenOptions,
  type ClusterServer,
  type ListenOptions,
  listenApp,
} from './listen.js';
import { mountAt, wrapMountable } from './mount.js';
import { compileMatcher, joinPaths, type PathMatcher } from './path-matcher.js';
import type { RequestIdSource } from './request-ids.js';
import { RadixRouter } from './router/radix-router.js';
import type { Params, Router, RouterOptions } from './router/router.js';
import { WebRequest } from './web-request.js';
import { connectInProcess, type WebSocketConnectOptions } from './ws-connect.js';
import { type WebSocketRoute, webSocketRoute } from './ws-route.js';

/** Options of `new App()`. */
export interface AppOptions extends RouterOptions {
  /** Secrets for signed cookies: the first signs, all verify (rotate by prepending a new one). */
  secrets?: readonly string[];
  /** Default limits of `c.req.form()`. */
  form?: FormLimits;
  /**
   * The WebSocket hub's settings, e.g. `{ topics }` to relay topics between processes
   * (`clusterTopics()`, wirekit/redis's `redisTopics()`). Default: this process only, or every
   * worker's when the app listens with `workers`.
   */
  webSockets?: WebSocketHubOptions;
  /**
   * Where the app logs: a pino logger, `jsonLogger()`, or anything with pino's
   * `error/warn/info/debug(objOrMsg, msg?)` and `child(bindings)`. `c.log` is a child of it per
   * request (with `reqId`); `accessLog()` writes one line per request to it; 5xx errors are logged
   * with their stack (never sent to the client) instead of a process warning; `app.listen()` gives
   * it to the server. Default: none (`c.log` then writes JSON lines to standard error, and errors
   * stay process warnings).
   */
  logger?: Logger;
  /** How `c.requestId` is made: by default a per-process prefix and a counter; see {@link RequestIdSource}. */
  requestId?: RequestIdSource;
  /**
   * Deepest nesting of arrays and objects `c.req.json()` (and `validate()`) accepts in a request
   * body; deeper: 400 `WK_ERR_JSON_TOO_DEEP`. Default 128 (`DEFAULT_MAX_JSON_DEPTH`).
   */
  maxJsonDepth?: number;
  /**
   * Which reverse proxies are trusted to say who the client is, for `c.req.ip`, `c.req.protocol`,
   * `c.req.host` (and so `clientIp()`, the rate limiter's key, the access log's address). Default:
   * the server's `trustProxy` (`app.listen({ trustProxy })`), which defaults to trusting nobody.
   * See the README's "Behind a proxy".
   */
  trustProxy?: TrustProxy;
}

/** Maps an error to a response; the default answers JSON or text by `Accept`, never a stack. */
export type ErrorHandler<V extends object> = (error: unknown, c: Context<V>) => Response | Promise<Response>;

/** What a request gets when the app sets no form limits (shared: none made per request). */
const NO_FORM_LIMITS: FormLimits = Object.freeze({});

interface RouteEntry<V extends object> {
  readonly method: string;
  readonly pattern: string;
  /** As given: `route()` mounts these again elsewhere. */
  readonly handlers: readonly Middleware<V>[];
  /** As run here: mount-aware handlers bound to this pattern (see mount.ts). */
  readonly bound: readonly Middleware<V>[];
  readonly order: number;
  chain: readonly Middleware<V>[] | undefined;
}

interface UseEntry<V extends object> {
  readonly path: string | undefined;
  readonly matcher: PathMatcher;
  /** As given: `route()` mounts it again elsewhere. */
  readonly handler: Middleware<V>;
  /** As run here: bound to `path` when mount-aware (see mount.ts). */
  readonly bound: Middleware<V>;
  readonly order: number;
}

const EMPTY_PARAMS: Params = Object.freeze(Object.create(null)) as Params;

/**
 * A web application: routes, one middleware onion, error mapping, and three ways to run it: on a
 * socket (`listen`), in process without one (`request`), and as a WHATWG Fetch handler (`fetch`).
 *
 * @example
 * ```ts
 * const app = new App();
 * app.get('/hello/:name', (c) => c.text(`Hello, ${c.req.param('name')}!`));
 * app.post('/items', async (c) => c.json(await c.req.json(), 201));
 * const server = await app.listen({ port: 3000 });
 * ```
 */
export class App<V extends object = Record<string, unknown>> {
  readonly #options: AppOptions;
  /** What every Context of this app shares (one object, not one per request). */
  readonly #config: ContextConfig;
  /** Where 5xx errors are logged when the app has a logger (rate-limited per kind). */
  readonly #faults: FaultLog = faultLog();
  readonly #router: Router<RouteEntry<V>>;
  readonly #routes: RouteEntry<V>[] = [];
  readonly #uses: UseEntry<V>[] = [];
  #order = 0;
  #pathMiddleware = false;
  #notFound: Middleware<V> = (c) => {
    throw new HttpError(404, `Cannot ${c.req.method} ${c.req.path}`);
  };
  #onError: ErrorHandler<V> = (error, c) => errorResponse(error, c.req.header('accept'));
  #errorHook: ((error: unknown, c: Context<V>) => void) | undefined;
  #customOnError = false;
  /** The App's own `trustProxy`, or `'server'`: the server's applies. */
  readonly #trust: ProxyTrust | 'server';
  #hub: WebSocketHub | undefined;
  /** Chosen when the app listens as a cluster worker without topics of its own: every worker's. */
  #workerTopics: TopicBus | undefined;

  constructor(given: AppOptions = {}) {
    const options = APP_OPTIONS.check(given);
    this.#options = options;
    this.#trust = 'trustProxy' in options ? (compileTrustProxy(options.trustProxy) ?? TRUST_NOBODY) : 'server';
    this.#config = {
      secrets: options.secrets ?? NO_SECRETS,
      logger: options.logger,
      requestId: options.requestId ?? {},
    };
    this.#router = new RadixRouter<RouteEntry<V>>(options);
  }

  get(path: string, ...handlers: Middleware<V>[]): this {
    return this.on('GET', path, ...handlers);
  }

  post(path: string, ...handlers: Middleware<V>[]): this {
    return this.on('POST', path, ...handlers);
  }

  put(path: string, ...handlers: Middleware<V>[]): this {
    return this.on('PUT', path, ...handlers);
  }

  patch(path: string, ...handlers: Middleware<V>[]): this {
    return this.on('PATCH', path, ...handlers);
  }

  delete(path: string, ...handlers: Middleware<V>[]): this {
    return this.on('DELETE', path, ...handlers);
  }

  head(path: string, ...handlers: Middleware<V>[]): this {
    return this.on('HEAD', path, ...handlers);
  }

  options(path: string, ...handlers: Middleware<V>[]): this {
    return this.on('OPTIONS', path, ...handlers);
  }

  /** A route for every method. */
  all(path: string, ...handlers: Middleware<V>[]): this {
    return this.on('ALL', path, ...handlers);
  }

  /** A route for one method (or several), e.g. `app.on(['GET', 'POST'], '/form', h)`. */
  on(method: string | readonly string[], path: string, ...handlers: Middleware<V>[]): this {
    for (const m of typeof method === 'string' ? [method] : method) {
      const entry: RouteEntry<V> = {
        method: m.toUpperCase(),
        pattern: path,
        handlers,
        bound: handlers.map((handler) => mountAt(path, handler)),
        order: this.#order++,
        chain: undefined,
      };
      this.#router.add(entry.method, path, entry);
      this.#routes.push(entry);
    }
    return this;
  }

  /**
   * A WebSocket route (see the README's WebSockets section): a GET route whose middleware runs
   * before the upgrade; the last argument holds the handlers, options and `upgrade(c)` hook.
   */
  ws<D = undefined>(path: string, ...args: [...Middleware<V>[], WebSocketRoute<V, D>]): this {
    const route = args.pop() as WebSocketRoute<V, D>;
    return this.on('GET', path, ...(args as Middleware<V>[]), webSocketRoute(route));
  }

  /** The app's open WebSockets and topics (`server.close()` sends them 1001). */
  get webSockets(): WebSocketHub {
    if (this.#hub === undefined) {
      const topics = this.#topics();
      this.#hub = new WebSocketHub(topics === undefined ? {} : { topics });
    }
    return this.#hub;
  }

  /**
   * Sends `data` to every WebSocket subscribed to `topic` (framed once); returns how many here took
   * it. With topics that reach other processes (`webSockets.topics`, or a cluster's workers), it
   * reaches their subscribers too.
   */
  publish(topic: string, data: OutgoingMessage): number {
    // Topics that leave the process go out even when no socket here has subscribed yet.
    if (this.#hub === undefined && this.#topics() === undefined) return 0;
    return this.webSockets.publish(topic, data);
  }

  /** The topic bus given, or the one a cluster worker chose when it listened; undefined: local. */
  #topics(): TopicBus | undefined {
    return this.#options.webSockets?.topics ?? this.#workerTopics;
  }

  /**
   * Opens a WebSocket to the app in process (no port): through the same middleware and handlers;
   * rejects with a `WebSocketHandshakeError` (its `response` is the answer) when refused.
   */
  connect(path: string, options: WebSocketConnectOptions = {}): Promise<WebSocketConnection<undefined>> {
    return connectInProcess((request, info) => this.#handle(request, info), path, options);
  }

  /** Middleware for every request, or for requests under `path` (`/api/*`). Runs in registration order. */
  use(...args: [Middleware<V>, ...Middleware<V>[]] | [string, ...Middleware<V>[]]): this {
    const path = typeof args[0] === 'string' ? (args.shift() as string) : undefined;
    for (const handler of args as Middleware<V>[]) {
      const matcher = compileMatcher(path);
      if (matcher !== undefined) this.#pathMiddleware = true;
      this.#uses.push({ path, matcher, handler, bound: mountAt(path, handler), order: this.#order++ });
    }
    for (const route of this.#routes) route.chain = undefined;
    return this;
  }

  /**
   * Mounts `sub`'s routes and middleware under `prefix`, as they are now (later changes to `sub` are
   * not seen). The sub-app's `onError` maps what its own middleware and routes throw; errors of
   * the parent's middleware, before or after them, stay the parent's; not-found is the parent's.
   */
  route(prefix: string, sub: App<V>): this {
    const onError = sub.#customOnError ? sub.#onError : undefined;
    const own = (handler: Middleware<V>): Middleware<V> =>
      onError === undefined ? handler : wrapMountable(handler, (h) => this.#mappedBy(onError, h));
    for (const entry of sub.#mountable()) {
      if ('handler' in entry) {
        const path = entry.path === undefined ? joinPaths(prefix, '/*') : joinPaths(prefix, entry.path);
        this.use(path, own(entry.handler));
      } else {
        this.on(entry.method, joinPaths(prefix, entry.pattern), ...entry.handlers.map(own));
      }
    }
    return this;
  }

  /** The handler of requests no route matches (after middleware). Default: a 404 error response. */
  notFound(handler: Middleware<V>): this {
    this.#notFound = handler;
    return this;
  }

  /** Maps errors thrown anywhere in the chain to a response. */
  onError(handler: ErrorHandler<V>): this {
    this.#onError = handler;
    this.#customOnError = true;
    return this;
  }

  /** Observes every error before it is mapped (logging, metrics); the response is unaffected. */
  reportErrors(hook: (error: unknown, c: Context<V>) => void): this {
    this.#errorHook = hook;
    return this;
  }

  /**
   * Runs the app for one request. With a wirekit Request it is the server's Handler (docs/architecture.md, The Handler seam);
   * with a WHATWG Request it answers a WHATWG Response (Fetch interop: workers, tests, adapters).
   */
  fetch(request: Request, info?: ConnInfo): Response | Promise<Response>;
  fetch(request: globalThis.Request): Promise<globalThis.Response>;
  fetch(request: Request | globalThis.Request, info?: ConnInfo): Response | Promise<Response | globalThis.Response> {
    if (request instanceof Request) return this.#handle(request, info ?? inProcessInfo());
    const handled: Promise<Response> = Promise.resolve(this.#handle(requestFromFetch(request), inProcessInfo()));
    // No server sits behind a Fetch handler to frame the answer: do it here, as `request()` does.
    return handled.then((response) => responseToFetch(asSent(response, request.method)));
  }

  /** The app as a server Handler, bound: `serve(app.handler)`. */
  get handler(): (request: Request, info: ConnInfo) => Response | Promise<Response> {
    return (request, info) => this.#handle(request, info);
  }

  /**
   * Runs the app in process, without a socket (like `fastify.inject`): a path (`/items?x=1`), a URL,
   * or a Request. HEAD responses lose their body, as on the wire.
   *
   * @example
   * ```ts
   * const res = await app.request('/items', { method: 'POST', body: JSON.stringify({ name: 'a' }), headers: { 'content-type': 'application/json' } });
   * assert.equal(res.status, 201);
   * ```
   */
  async request(input: string | Request, init: RequestInit = {}): Promise<Response> {
    const request = typeof input === 'string' ? inProcessRequest(input, init) : input;
    return asSent(await this.#handle(request, inProcessInfo()), request.method);
  }

  /**
   * Serves the app on our HTTP server; resolves with the bound address and a graceful `close()`.
   * With `workers`, on a cluster of processes (see the README's "Scaling out": the main module
   * runs in the primary and in every worker).
   */
  listen(options: ClusterListenOptions): Promise<ClusterServer>;
  listen(options?: ListenOptions): Promise<AppServer>;
  listen(options: ListenOptions | ClusterListenOptions = {}): Promise<AppServer | ClusterServer> {
    return listenApp(this.handler, options, reportedStreamErrors, this.#options.logger, {
      close: () => void this.#hub?.close(),
      inWorker: (make) => this.#inWorker(make),
    });
  }

  /**
   * Listening as a cluster worker: the app's topics reach every worker, unless it was given its own
   * (`webSockets.topics`, such as Redis's, or a `LocalTopicBus` to keep them in this process).
   */
  #inWorker(make: () => TopicBus): void {
    if (this.#topics() !== undefined) return;
    if (this.#hub !== undefined) {
      processWarnings.warn(
        new Error(
          'app.webSockets was used before app.listen({ workers }): its topics stay in this worker; give them with new App({ webSockets: { topics: clusterTopics() } })',
        ),
      );
      return;
    }
    this.#workerTopics = make();
  }

  #handle(request: Request, info: ConnInfo): Response | Promise<Response> {
    const path = request.path;
    const found = this.#router.find(request.method, path);
    let chain: readonly Middleware<V>[];
    let params = EMPTY_PARAMS;
    let pattern: string | undefined;
    switch (found.status) {
      case 'found':
        chain = this.#chainFor(found.value, path);
        params = found.params;
        pattern = found.pattern;
        break;
      case 'method-not-allowed':
        chain = this.#fallbackChain(path, methodNotAllowed(request.method, found.allow));
        break;
      case 'not-found':
        chain = this.#fallbackChain(path, this.#notFound);
        break;
      case 'bad-path':
        chain = this.#fallbackChain(path, badPath);
        break;
    }
    if (this.#options.maxJsonDepth !== undefined) request.maxJsonDepth = this.#options.maxJsonDepth;
    const c = new Context<V>(
      new WebRequest(
        request,
        params,
        pattern,
        this.#options.form ?? NO_FORM_LIMITS,
        this.#options.secrets ?? NO_SECRETS,
        info,
        this.#trust,
      ),
      info,
      this.#config,
    );
    return this.#run(c, chain);
  }

  #run(c: Context<V>, chain: readonly Middleware<V>[]): Response | Promise<Response> {
    let pending: Promise<void> | undefined;
    try {
      pending = runChain(c, chain, this.#catch);
    } catch (error) {
      return this.#fail(error, c);
    }
    if (pending === undefined) return this.#result(c);
    return pending.then(
      () => this.#result(c),
      (error: unknown) => this.#fail(error, c),
    );
  }

  /** Errors become responses where they are thrown (see compose). */
  readonly #catch = (error: unknown, c: Context<V>): Promise<void> | undefined => {
    return settle(c, this.#fail(error, c));
  };

  #result(c: Context<V>): Response | Promise<Response> {
    const response = c.res;
    if (response === undefined) return this.#fail(new HttpError(500, 'the handler returned no response'), c);
    if (isPendingUpgrade(response)) return this.#upgrade(response, c);
    const hook = this.#errorHook;
    const content = response.peekContent();
    if (hook === undefined || !isStreamed(content)) return response;
    // A stream fails after its head went out: no answer can change, but the hook must still hear of it.
    const body = observeBody(content, {
      end: (outcome) => {
        if (outcome.kind !== 'failed') return;
        const error = outcome.error;
        if (error !== null && typeof error === 'object') reportedStreamErrors.add(error);
        try {
          hook(error, c);
        } catch {
          // An observer must not change the outcome.
        }
      },
    });
    response.takeContent();
    return withBody(response, body);
  }

  /** The onion has run and answered 101: the connection becomes a WebSocket (ws-route.ts). */
  #upgrade(response: Response, c: Context<V>): Response | Promise<Response> {
    try {
      commitUpgrade(response, c.info, this.webSockets);
      return response;
    } catch (error) {
      return this.#fail(error, c);
    }
  }

  #fail(error: unknown, c: Context<V>): Response | Promise<Response> {
    return this.#failWith(this.#onError, error, c);
  }

  #failWith(onError: ErrorHandler<V>, error: unknown, c: Context<V>): Response | Promise<Response> {
    try {
      if (this.#errorHook !== undefined) this.#errorHook(error, c);
      else if (this.#options.logger === undefined) warnUnexpected(error);
      else if (isUnexpected(error)) this.#faults(c.log, asError(error), { status: 500 });
    } catch {
      // An observer must not change the answer.
    }
    try {
      const mapped = onError(error, c);
      if (mapped instanceof Promise)
        return mapped.then(
          (response) => withPendingFields(c, withErrorFields(error, response)),
          (again: unknown) => withPendingFields(c, errorResponse(again, c.req.header('accept'))),
        );
      return withPendingFields(c, withErrorFields(error, mapped));
    } catch (again) {
      return withPendingFields(c, errorResponse(again, c.req.header('accept')));
    }
  }

  /** The chain of a route: matching middleware and the route's handlers in registration order. */
  #chainFor(entry: RouteEntry<V>, path: string): readonly Middleware<V>[] {
    if (!this.#pathMiddleware) {
      entry.chain ??= this.#merge(this.#uses, entry.order, entry.bound);
      return entry.chain;
    }
    return this.#merge(this.#matching(path), entry.order, entry.bound);
  }

  #fallbackChain(path: string, last: Middleware<V>): readonly Middleware<V>[] {
    return [...this.#matching(path).map((u) => u.bound), last];
  }

  #matching(path: string): UseEntry<V>[] {
    return this.#pathMiddleware ? this.#uses.filter((u) => u.matcher === undefined || u.matcher(path)) : this.#uses;
  }

  #merge(uses: readonly UseEntry<V>[], order: number, handlers: readonly Middleware<V>[]): Middleware<V>[] {
    const before = uses.filter((u) => u.order < order).map((u) => u.bound);
    const after = uses.filter((u) => u.order > order).map((u) => u.bound);
    return [...before, ...handlers, ...after];
  }

  /**
   * A mounted sub-app's handler whose own throws are mapped by the sub-app's `onError` right there.
   * What the rest of the chain throws inside its `next()` was mapped where it was thrown already
   * (see compose), so only this handler's own errors, or ones it rethrows, land here.
   */
  #mappedBy(onError: ErrorHandler<V>, handler: Middleware<V>): Middleware<V> {
    const sink = (error: unknown, c: Context<V>) => settle(c, this.#failWith(onError, error, c));
    // The same dispatch as every chain, with the sub-app's sink; its last step is the outer next().
    return (c, next) => runChain(c, [handler, () => next()], sink);
  }

  #mountable(): (RouteEntry<V> | UseEntry<V>)[] {
    return [...this.#routes, ...this.#uses].sort((a, b) => a.order - b.order);
  }
}

/**
 * The error response gets the fields set with `c.header()` that no response took yet, as its
 * contract says ("else on the next" response): a request id or CORS fields set by middleware before
 * `next()` must reach error answers too, or a browser cannot even read a 404 cross-origin.
 */
function withPendingFields<V extends object>(c: Context<V>, response: Response): Response {
  c.adopt(response);
  return c.res ?? response;
}

/** Errors of streamed bodies an app told its `reportErrors` hook of (its server does not warn again). */
const reportedStreamErrors = new WeakSet<object>();

/** Makes an error's mapped response the request's response, now or once it is ready. */
function settle<V extends object>(c: Context<V>, mapped: Response | Promise<Response>): Promise<void> | undefined {
  if (!(mapped instanceof Promise)) {
    c.res = mapped;
    return undefined;
  }
  return mapped.then((response) => {
    c.res = response;
  });
}

/** An App's `trustProxy: false`: the server's option does not apply either. */
const TRUST_NOBODY: ProxyTrust = Object.freeze({ trusts: () => false, header: 'x-forwarded' as const });

const NO_SECRETS: readonly string[] = Object.freeze([]);

/** The options of `new App()` (util/options.ts: unknown keys and bad values fail at set-up). */
const APP_OPTIONS = new OptionsSchema<AppOptions>('new App()', {
  ignoreTrailingSlash: boolean(),
  caseSensitive: boolean(),
  maxParamLength: integer(1),
  secrets: listOf(string()),
  form: nested(
    new OptionsSchema<FormLimits>('new App() form', {
      maxBodyBytes: integer(0),
      maxFileBytes: integer(0),
      maxFieldBytes: integer(0),
      maxFiles: integer(0),
      maxFields: integer(0),
    }),
  ),
  maxJsonDepth: integer(0),
  trustProxy: anyOf(boolean(), integer(0), string(), listOf(string()), func(), object()),
  webSockets: nested(new OptionsSchema<WebSocketHubOptions>('new App() webSockets', { topics: object() })),
  logger: loggerSpec(),
  requestId: nested(
    new OptionsSchema<RequestIdSource>('new App() requestId', {
      header: string(),
      trustIncoming: boolean(),
      generator: func(),
    }),
  ),
});

function methodNotAllowed<V extends object>(method: string, allow: readonly string[]): Middleware<V> {
  return (c) => {
    if (method === 'OPTIONS') return c.body(null, 204, { Allow: allow.join(', ') });
    throw new HttpError(405, `${method} is not allowed here`, { headers: { Allow: allow.join(', ') } });
  };
}

function badPath(): never {
  throw new HttpError(400, 'malformed percent-encoding in the path');
}
