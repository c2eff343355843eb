/** App: routing by method, 404/405/OPTIONS/HEAD, bad paths, path middleware, handler return values, c.var. */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { Response } from '../../src/http/message/index.js';
import { App } from '../../src/web/app.js';

const JSON_ACCEPT = { accept: 'application/json' };

describe('routing', () => {
  const app = new App();
  app.get('/items', () => 'list');
  app.post('/items', () => 'created');
  app.put('/items/:id', (c) => `put ${c.req.param('id')}`);
  app.patch('/items/:id', (c) => `patch ${c.req.param('id')}`);
  app.delete('/items/:id', (c) => `delete ${c.req.param('id')}`);
  app.on(['GET', 'POST'], '/both', (c) => c.req.method);
  app.all('/any', (c) => `any ${c.req.method}`);
  app.options('/opt', (c) => c.body(null, 204, { 'X-Own': '1' }));
  app.head('/only-head', (c) => c.body(null, 200, { 'X-Head': 'yes' }));
  app.get('/files/*', (c) => c.req.param('*') ?? '');
  app.get('/users/:id{[0-9]+}', (c) => `user ${c.req.param('id')}`);
  app.get('/posts/:slug?', (c) => `post ${c.req.param('slug') ?? 'index'}`);

  const cases: [string, string, number, string][] = [
    ['GET', '/items', 200, 'list'],
    ['POST', '/items', 200, 'created'],
    ['PUT', '/items/7', 200, 'put 7'],
    ['PATCH', '/items/7', 200, 'patch 7'],
    ['DELETE', '/items/7', 200, 'delete 7'],
    ['GET', '/both', 200, 'GET'],
    ['POST', '/both', 200, 'POST'],
    ['PURGE', '/any', 200, 'any PURGE'],
    ['GET', '/files/a/b.txt', 200, 'a/b.txt'],
    ['GET', '/users/42', 200, 'user 42'],
    ['GET', '/posts', 200, 'post index'],
    ['GET', '/posts/hello', 200, 'post hello'],
    ['GET', '/items/%E2%9C%93', 405, 'GET is not allowed here\n'],
  ];
  for (const [method, path, status, body] of cases) {
    test(`${method} ${path} → ${status}`, async () => {
      const res = await app.request(path, { method });
      assert.equal(res.status, status);
      assert.equal(await res.text(), body);
    });
  }

  test('params are percent-decoded once', async () => {
    const res = await app.request('/items/a%2Fb%2520', { method: 'PUT' });
    assert.equal(await res.text(), 'put a/b%20');
  });

  test('a regex-constrained param that does not match is a 404', async () => {
    const res = await app.request('/users/abc');
    assert.equal(res.status, 404);
  });

  test('unknown path → 404 naming the request, JSON when asked', async () => {
    const res = await app.request('/nope', { headers: JSON_ACCEPT });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(await res.json(), { error: 'Cannot GET /nope', status: 404 });
  });

  test('known path, other method → 405 with Allow', async () => {
    const res = await app.request('/items', { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD, POST');
  });

  test('OPTIONS without a route answers 204 with Allow', async () => {
    const res = await app.request('/items', { method: 'OPTIONS' });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('allow'), 'GET, HEAD, POST');
    assert.equal(await res.text(), '');
  });

  test('an explicit OPTIONS route wins over the automatic answer', async () => {
    const res = await app.request('/opt', { method: 'OPTIONS' });
    assert.equal(res.headers.get('x-own'), '1');
  });

  test('HEAD is served by the GET route, without a body', async () => {
    const res = await app.request('/items', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), '');
  });

  test('an explicit HEAD route is used for HEAD', async () => {
    const res = await app.request('/only-head', { method: 'HEAD' });
    assert.equal(res.headers.get('x-head'), 'yes');
  });

  test('malformed percent-encoding in the path → 400', async () => {
    const res = await app.request('/items/%E0%A4%A');
    assert.equal(res.status, 400);
    assert.match(await res.text(), /percent-encoding/);
  });

  test('trailing slash is a different path by default', async () => {
    assert.equal((await app.request('/items/')).status, 404);
  });

  test('ignoreTrailingSlash: true makes /a and /a/ the same route', async () => {
    const lenient = new App({ ignoreTrailingSlash: true });
    lenient.get('/a', () => 'a');
    assert.equal(await (await lenient.request('/a/')).text(), 'a');
  });
});

describe('middleware', () => {
  test('middleware after-parts see every response, error answers included (errors become responses where thrown)', async () => {
    const app = new App();
    app.use(async (c, next) => {
      await next();
      c.header('X-Seen', 'yes');
    });
    app.get('/', () => 'root');
    const ok = await app.request('/');
    assert.equal(ok.headers.get('x-seen'), 'yes');
    // The default not-found answer is a thrown HttpError, mapped where it is thrown: the after-part runs.
    const missing = await app.request('/missing');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-seen'), 'yes');
  });

  test('a middleware sees an error answer after next() and may replace it', async () => {
    const app = new App();
    app.use(async (c, next) => {
      await next();
      if (c.res !== undefined && c.res.status >= 400) c.res = c.text(`caught ${c.res.status}`, 418);
    });
    app.get('/', () => 'root');
    const res = await app.request('/', { method: 'POST' });
    assert.equal(res.status, 418);
    assert.equal(await res.text(), 'caught 405');
  });

  test('path middleware (/api/*) runs for /api and below only', async () => {
    const app = new App();
    const seen: string[] = [];
    app.use('/api/*', async (c, next) => {
      seen.push(c.req.path);
      await next();
    });
    app.get('/api', () => 'api');
    app.get('/api/users', () => 'users');
    app.get('/apiary', () => 'bees');
    app.get('/', () => 'home');
    for (const path of ['/api', '/api/users', '/apiary', '/', '/api/nothing']) await app.request(path);
    assert.deepEqual(seen, ['/api', '/api/users', '/api/nothing']);
  });

  test('path middleware with a param segment, and exact paths', async () => {
    const app = new App();
    const seen: string[] = [];
    app.use('/users/:id', async (c, next) => {
      seen.push(c.req.path);
      await next();
    });
    app.get('/users/:id', () => 'u');
    app.get('/users/:id/posts', () => 'p');
    await app.request('/users/1');
    await app.request('/users/1/posts');
    assert.deepEqual(seen, ['/users/1']);
  });

  test('middleware registered after a route runs after its handlers (registration order)', async () => {
    const app = new App();
    const log: string[] = [];
    app.use(async (_c, next) => {
      log.push('first');
      await next();
    });
    app.get('/', (_c, next) => {
      log.push('handler');
      return next();
    });
    app.use((c) => {
      log.push('late');
      return c.text('from late');
    });
    const res = await app.request('/');
    assert.equal(await res.text(), 'from late');
    assert.deepEqual(log, ['first', 'handler', 'late']);
  });

  test('several handlers on one route chain with next()', async () => {
    const app = new App<{ user: string }>();
    app.get(
      '/me',
      async (c, next) => {
        c.set('user', 'ada');
        await next();
      },
      (c) => c.text(c.var.user),
    );
    assert.equal(await (await app.request('/me')).text(), 'ada');
  });

  test('c.var / c.set / c.get carry typed state from middleware to the handler', async () => {
    const app = new App<{ startedAt: number; role: 'admin' | 'user' }>();
    app.use(async (c, next) => {
      c.set('startedAt', 1);
      c.set('role', 'admin');
      await next();
    });
    app.get('/', (c) => ({ startedAt: c.var.startedAt, role: c.get('role') }));
    assert.deepEqual(await (await app.request('/')).json(), { startedAt: 1, role: 'admin' });
  });

  test('c.var is per request', async () => {
    const app = new App<{ n?: number }>();
    app.get('/:n', (c) => {
      const before = c.var.n;
      c.set('n', Number(c.req.param('n')));
      return { before: before ?? null, n: c.var.n };
    });
    await app.request('/1');
    assert.deepEqual(await (await app.request('/2')).json(), { before: null, n: 2 });
  });
});

describe('handler return values', () => {
  const app = new App();
  app.get('/response', () => new Response('own', { status: 202, headers: { 'X-Own': 'y' } }));
  app.get('/whatwg', () => new globalThis.Response('fetch body', { status: 203, headers: { 'X-Fetch': 'z' } }));
  app.get('/string', () => 'plain');
  app.get('/object', () => ({ a: [1, 2] }));
  app.get('/array', () => [1, 'two']);
  app.get('/nothing', () => undefined);
  app.get('/null', () => null);
  app.get('/async', async () => {
    await Promise.resolve();
    return 'later';
  });

  test('a wirekit Response is sent as is', async () => {
    const res = await app.request('/response');
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('x-own'), 'y');
    assert.equal(await res.text(), 'own');
  });

  test('a WHATWG Response is converted', async () => {
    const res = await app.request('/whatwg');
    assert.equal(res.status, 203);
    assert.equal(res.headers.get('x-fetch'), 'z');
    assert.equal(await res.text(), 'fetch body');
  });

  test('a string is text/plain', async () => {
    const res = await app.request('/string');
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'plain');
  });

  test('an object or array is JSON', async () => {
    const obj = await app.request('/object');
    assert.equal(obj.headers.get('content-type'), 'application/json');
    assert.deepEqual(await obj.json(), { a: [1, 2] });
    assert.deepEqual(await (await app.request('/array')).json(), [1, 'two']);
  });

  test('an async handler may return any of them', async () => {
    assert.equal(await (await app.request('/async')).text(), 'later');
  });

  for (const path of ['/nothing', '/null']) {
    test(`no response (${path}) → 500 saying so`, async () => {
      const res = await app.request(path, { headers: JSON_ACCEPT });
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { error: 'the handler returned no response', status: 500 });
    });
  }

  test('c.header() set before the handler returns its own Response joins it', async () => {
    const a = new App();
    a.use(async (c, next) => {
      c.header('X-Early', '1');
      c.header('X-Own', 'overridden?');
      await next();
    });
    a.get('/', () => new Response('x', { headers: { 'X-Own': 'handler' } }));
    const res = await a.request('/');
    assert.equal(res.headers.get('x-early'), '1');
    assert.equal(res.headers.get('x-own'), 'handler', "the handler's own field wins");
  });
});

describe('custom not-found', () => {
  test('notFound() answers unmatched paths and runs after middleware', async () => {
    const app = new App();
    app.use(async (c, next) => {
      await next();
      c.header('X-Mw', '1');
    });
    app.notFound((c) => c.json({ missing: c.req.path }, 404));
    const res = await app.request('/x/y');
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-mw'), '1');
    assert.deepEqual(await res.json(), { missing: '/x/y' });
  });
});

describe('in-process requests', () => {
  test('app.request builds Host and url from a path or an absolute URL', async () => {
    const app = new App();
    app.get('/where', (c) => ({ url: c.req.url, host: c.req.header('host'), q: c.req.query.getAll('a') }));
    assert.deepEqual(await (await app.request('/where?a=1&a=2')).json(), {
      url: 'http://localhost/where?a=1&a=2',
      host: 'localhost',
      q: ['1', '2'],
    });
    assert.deepEqual(await (await app.request('https://example.test:8443/where')).json(), {
      url: 'https://example.test:8443/where',
      host: 'example.test:8443',
      q: [],
    });
  });

  test('app.handler and app.fetch(wirekit Request) run the same app', async () => {
    const app = new App();
    app.get('/', (c) => `${c.info.remoteAddress?.address}`);
    const { Request } = await import('../../src/http/message/index.js');
    const viaFetch = await app.fetch(new Request('/'));
    assert.equal(await viaFetch.text(), '127.0.0.1');
    const viaHandler = await app.handler(
      new Request('/'),
      (await import('../../src/web/in-process.js')).inProcessInfo(),
    );
    assert.equal(await viaHandler.text(), '127.0.0.1');
  });

  test("aborting a Fetch Request (app.fetch) or app.request's signal aborts c.req.signal", async () => {
    const app = new App();
    const started: AbortSignal[] = [];
    app.get('/slow', (c) => {
      started.push(c.req.signal);
      const stopped = () => c.text(`stopped: ${String(c.req.signal.reason)}`, 503);
      if (c.req.signal.aborted) return stopped();
      return new Promise<Response>((resolve) => c.req.signal.addEventListener('abort', () => resolve(stopped())));
    });
    const controller = new AbortController();
    const viaFetch = app.fetch(new globalThis.Request('http://x/slow', { signal: controller.signal }));
    while (started.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort('client left');
    const fetched = await viaFetch;
    assert.equal(fetched.status, 503);
    assert.equal(await fetched.text(), 'stopped: client left');

    const again = new AbortController();
    const viaRequest = app.request('/slow', { signal: again.signal });
    while (started.length === 1) await new Promise((resolve) => setImmediate(resolve));
    again.abort('test deadline');
    assert.equal(await (await viaRequest).text(), 'stopped: test deadline');
    const already = await app.request('/slow', { signal: AbortSignal.abort('before') });
    assert.equal(await already.text(), 'stopped: before', 'an aborted signal aborts at once');
  });

  test('a signal shared by many requests collects no listener per request', async () => {
    const app = new App();
    app.get('/', () => 'ok');
    const shared = new AbortController().signal;
    for (let i = 0; i < 1000; i++) await app.request('/', { signal: shared });
    assert.equal(getEventListeners(shared, 'abort').length, 0);
  });

  test('an in-process request cannot upgrade', async () => {
    const app = new App();
    app.get('/', (c) => String(c.info.canUpgrade));
    app.get('/up', (c) => {
      c.info.upgrade();
      return 'no';
    });
    assert.equal(await (await app.request('/')).text(), 'false');
    assert.equal((await app.request('/up')).status, 500);
  });
});
