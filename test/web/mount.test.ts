/** app.route(prefix, sub): prefixes join, sub middleware stays under the prefix, sub onError, nesting. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App } from '../../src/web/app.js';
import { HttpError } from '../../src/web/http-error.js';

async function text(app: App, path: string, method = 'GET'): Promise<string> {
  const res = await app.request(path, { method });
  return `${res.status} ${await res.text()}`;
}

describe('prefix joining', () => {
  const sub = new App();
  sub.get('/', () => 'sub root');
  sub.get('/users', () => 'users');
  sub.get('/users/:id', (c) => `user ${c.req.param('id')}`);

  for (const prefix of ['/api', '/api/']) {
    test(`route('${prefix}', sub)`, async () => {
      const app = new App().route(prefix, sub);
      assert.equal(await text(app, '/api'), '200 sub root');
      assert.equal(await text(app, '/api/users'), '200 users');
      assert.equal(await text(app, '/api/users/7'), '200 user 7');
      assert.equal((await app.request('/users')).status, 404, 'not at the root');
    });
  }

  test('a prefix with params gives both levels of params', async () => {
    const repos = new App();
    repos.get('/repos/:repo', (c) => c.req.params);
    const app = new App().route('/orgs/:org', repos);
    assert.deepEqual(await (await app.request('/orgs/acme/repos/web')).json(), { org: 'acme', repo: 'web' });
  });

  test('mounting at / keeps the paths', async () => {
    const app = new App().route('/', sub);
    assert.equal(await text(app, '/users'), '200 users');
  });

  test('405 and automatic OPTIONS work on mounted routes', async () => {
    const app = new App().route('/api', sub);
    const res = await app.request('/api/users', { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });
});

describe('middleware', () => {
  test("the sub-app's middleware runs under its prefix only; the parent's runs everywhere", async () => {
    const log: string[] = [];
    const sub = new App();
    sub.use(async (c, next) => {
      log.push(`sub ${c.req.path}`);
      await next();
    });
    sub.use('/admin/*', async (c, next) => {
      log.push(`admin ${c.req.path}`);
      await next();
    });
    sub.get('/admin/panel', () => 'panel');
    sub.get('/open', () => 'open');
    const app = new App();
    app.use(async (c, next) => {
      log.push(`parent ${c.req.path}`);
      await next();
    });
    app.route('/api', sub);
    app.get('/home', () => 'home');
    app.get('/admin/panel', () => 'root panel');

    await app.request('/api/admin/panel');
    await app.request('/api/open');
    await app.request('/home');
    await app.request('/admin/panel');
    assert.deepEqual(log, [
      'parent /api/admin/panel',
      'sub /api/admin/panel',
      'admin /api/admin/panel',
      'parent /api/open',
      'sub /api/open',
      'parent /home',
      'parent /admin/panel',
    ]);
  });

  test('changes to the sub-app after mounting are not seen', async () => {
    const sub = new App();
    sub.get('/a', () => 'a');
    const app = new App().route('/s', sub);
    sub.get('/b', () => 'b');
    assert.equal((await app.request('/s/a')).status, 200);
    assert.equal((await app.request('/s/b')).status, 404);
  });
});

describe('errors', () => {
  function apps(): App {
    const sub = new App();
    sub.onError((error, c) => c.json({ from: 'sub', status: (error as HttpError).status }, 599));
    sub.get('/fail', () => {
      throw new HttpError(409);
    });
    const app = new App();
    app.onError((_error, c) => c.json({ from: 'parent' }, 598));
    app.route('/sub', sub);
    app.get('/fail', () => {
      throw new HttpError(409);
    });
    return app;
  }

  test("a sub-app's onError handles its routes' errors", async () => {
    const res = await apps().request('/sub/fail');
    assert.equal(res.status, 599);
    assert.deepEqual(await res.json(), { from: 'sub', status: 409 });
  });

  test("the parent's onError handles its own routes and not-found under the prefix", async () => {
    const app = apps();
    assert.deepEqual(await (await app.request('/fail')).json(), { from: 'parent' });
    assert.deepEqual(await (await app.request('/sub/missing')).json(), { from: 'parent' });
  });

  test("the sub-app's own middleware errors go to the sub-app's onError, sync or async", async () => {
    const sub = new App();
    sub.onError((error, c) => c.json({ from: 'sub', message: (error as Error).message }, 599));
    sub.use('/guarded/*', (c) => {
      if (c.req.header('x-sync') === '1') throw new Error('sync guard');
      return Promise.reject(new Error('async guard'));
    });
    sub.get('/guarded/x', () => 'unreachable');
    const app = new App();
    app.onError((_error, c) => c.json({ from: 'parent' }, 598));
    app.route('/sub', sub);
    const asyncRes = await app.request('/sub/guarded/x');
    assert.deepEqual(await asyncRes.json(), { from: 'sub', message: 'async guard' });
    const syncRes = await app.request('/sub/guarded/x', { headers: { 'x-sync': '1' } });
    assert.deepEqual(await syncRes.json(), { from: 'sub', message: 'sync guard' });
  });

  test("parent middleware failing after a sub-app route ran is the parent's error, and wraps the sub's answer", async () => {
    const sub = new App();
    sub.onError((_error, c) => c.json({ from: 'sub' }, 599));
    sub.get('/ok', () => 'fine');
    sub.get('/fail', () => {
      throw new HttpError(409);
    });
    const app = new App();
    app.onError((_error, c) => c.json({ from: 'parent' }, 598));
    const seen: number[] = [];
    app.use(async (c, next) => {
      await next();
      seen.push(c.res?.status ?? 0);
      if (c.req.header('x-after') === '1') throw new Error('after next');
    });
    app.route('/sub', sub);
    const res = await app.request('/sub/ok', { headers: { 'x-after': '1' } });
    assert.equal(res.status, 598);
    assert.deepEqual(await res.json(), { from: 'parent' });
    assert.equal((await app.request('/sub/fail')).status, 599);
    assert.deepEqual(seen, [200, 599], "the parent's middleware saw the sub-app's mapped error answer");
  });

  test('a sub-app without onError leaves its errors to the parent', async () => {
    const sub = new App();
    sub.get('/x', () => {
      throw new HttpError(410, 'gone');
    });
    const app = new App().route('/s', sub);
    assert.equal(await text(app, '/s/x'), '410 gone\n');
  });
});

test('nested mounting: a → b → c', async () => {
  const c = new App();
  c.get('/leaf/:id', (ctx) => `leaf ${ctx.req.param('id')}`);
  const b = new App().route('/c', c);
  const a = new App().route('/b', b);
  assert.equal(await text(a, '/b/c/leaf/1'), '200 leaf 1');
});
