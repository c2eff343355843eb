/**
 * The router contract as tests: every {@link Router} implementation must pass `routerSuite`
 * (Hono's habit: one suite, many routers). It uses only the public interface, so it cannot lean
 * on how an implementation works; `linear.test.ts` runs it against the reference router to prove it.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ErrorCode, isWirekitError } from '../../../src/errors.js';
import type { Params, RouteResult, Router, RouterOptions } from '../../../src/web/router/index.js';

/** Builds an empty router of the implementation under test. */
export type RouterFactory = (options?: RouterOptions) => Router<string>;

type Route = readonly [method: string, pattern: string];

/** A router whose route values are `"METHOD pattern"`, so a hit names the route it found. */
function routes(factory: RouterFactory, list: readonly Route[], options?: RouterOptions): Router<string> {
  const router = factory(options);
  for (const [method, pattern] of list) router.add(method, pattern, `${method} ${pattern}`);
  return router;
}

/** Asserts a hit on the route `value` with exactly these params (compared as a plain object). */
function hit(router: Router<string>, method: string, path: string, value: string, params: Params = {}): void {
  const result = router.find(method, path);
  assert.equal(result.status, 'found', `${method} ${path}: ${JSON.stringify(result)}`);
  if (result.status !== 'found') return;
  assert.equal(result.value, value, `${method} ${path}`);
  assert.deepEqual({ ...result.params }, params, `${method} ${path}`);
}

function status(router: Router<string>, method: string, path: string): RouteResult<string>['status'] {
  return router.find(method, path).status;
}

function allow(router: Router<string>, method: string, path: string): readonly string[] | undefined {
  const result = router.find(method, path);
  return result.status === 'method-not-allowed' ? result.allow : undefined;
}

function throwsCode(code: ErrorCode, fn: () => void, label: string): void {
  assert.throws(fn, (err: unknown) => isWirekitError(err, code), label);
}

/**
 * Registers the shared router tests under `describe(name)`.
 *
 * @example
 * ```ts
 * routerSuite('RadixRouter', (options) => new RadixRouter(options));
 * ```
 */
export function routerSuite(name: string, factory: RouterFactory): void {
  describe(`${name} (shared router suite)`, () => {
    staticTests(factory);
    paramTests(factory);
    optionalAndWildcardTests(factory);
    regexTests(factory);
    priorityTests(factory);
    methodTests(factory);
    encodingTests(factory);
    pathShapeTests(factory);
    optionTests(factory);
    errorTests(factory);
  });
}

function staticTests(factory: RouterFactory): void {
  test('static routes, including prefixes of one another', () => {
    const r = routes(factory, [
      ['GET', '/'],
      ['GET', '/a'],
      ['GET', '/ab'],
      ['GET', '/a/b'],
      ['GET', '/abc/def'],
      ['GET', '/café'],
    ]);
    for (const path of ['/', '/a', '/ab', '/a/b', '/abc/def', '/café']) hit(r, 'GET', path, `GET ${path}`);
    for (const path of ['/abc', '/a/', '/a/b/c', '/b', '/abc/de', '/abc/defg']) {
      assert.equal(status(r, 'GET', path), 'not-found', path);
    }
  });

  test('a found result carries the pattern as given and the method registered', () => {
    const r = routes(factory, [['GET', '/users/:id']]);
    const result = r.find('GET', '/users/7');
    assert.deepEqual(
      { ...result, params: { ...(result.status === 'found' ? result.params : {}) } },
      {
        status: 'found',
        value: 'GET /users/:id',
        params: { id: '7' },
        pattern: '/users/:id',
        method: 'GET',
      },
    );
  });
}

function paramTests(factory: RouterFactory): void {
  test('params capture one non-empty segment each', () => {
    const r = routes(factory, [
      ['GET', '/users/:id'],
      ['GET', '/users/:id/posts/:postId'],
      ['GET', '/v:version/status'],
    ]);
    hit(r, 'GET', '/users/42', 'GET /users/:id', { id: '42' });
    hit(r, 'GET', '/users/42/posts/7', 'GET /users/:id/posts/:postId', { id: '42', postId: '7' });
    hit(r, 'GET', '/v2/status', 'GET /v:version/status', { version: '2' });
    for (const path of ['/users/', '/users', '/users/42/posts/', '/users/a/b', '/v/status']) {
      assert.equal(status(r, 'GET', path), 'not-found', path);
    }
  });

  test('several params in one segment, separated by static text', () => {
    const r = routes(factory, [
      ['GET', '/flights/:from-:to'],
      ['GET', '/files/:name.:ext'],
      ['GET', '/data/:name.json'],
    ]);
    hit(r, 'GET', '/flights/LHR-JFK', 'GET /flights/:from-:to', { from: 'LHR', to: 'JFK' });
    // Earlier params are lazy: the first separator splits.
    hit(r, 'GET', '/flights/a-b-c', 'GET /flights/:from-:to', { from: 'a', to: 'b-c' });
    hit(r, 'GET', '/files/archive.tar.gz', 'GET /files/:name.:ext', { name: 'archive', ext: 'tar.gz' });
    hit(r, 'GET', '/data/report.json', 'GET /data/:name.json', { name: 'report' });
    for (const path of ['/flights/LHR', '/flights/-JFK', '/flights/LHR-', '/data/report.xml', '/data/.json']) {
      assert.equal(status(r, 'GET', path), 'not-found', path);
    }
  });

  test('params inherit nothing and any name is an own key', () => {
    const r = routes(factory, [['GET', '/:__proto__/:constructor']]);
    const result = r.find('GET', '/x/y');
    assert.equal(result.status, 'found');
    if (result.status !== 'found') return;
    assert.deepEqual(Object.entries(result.params), [
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
    assert.equal(result.params.constructor, 'y');
    assert.equal('toString' in result.params, false);
    assert.equal('hasOwnProperty' in result.params, false);
  });

  test('the same shape may use different param names per method', () => {
    const r = routes(factory, [
      ['GET', '/items/:id'],
      ['DELETE', '/items/:itemId'],
    ]);
    hit(r, 'GET', '/items/1', 'GET /items/:id', { id: '1' });
    hit(r, 'DELETE', '/items/1', 'DELETE /items/:itemId', { itemId: '1' });
  });
}

function optionalAndWildcardTests(factory: RouterFactory): void {
  test('an optional last param matches with and without its segment', () => {
    const r = routes(factory, [
      ['GET', '/posts/:id?'],
      ['GET', '/:lang?'],
      ['GET', '/n/:num{[0-9]+}?'],
    ]);
    hit(r, 'GET', '/posts', 'GET /posts/:id?');
    hit(r, 'GET', '/posts/3', 'GET /posts/:id?', { id: '3' });
    hit(r, 'GET', '/', 'GET /:lang?');
    hit(r, 'GET', '/en', 'GET /:lang?', { lang: 'en' });
    hit(r, 'GET', '/n', 'GET /n/:num{[0-9]+}?');
    hit(r, 'GET', '/n/12', 'GET /n/:num{[0-9]+}?', { num: '12' });
    assert.equal(status(r, 'GET', '/posts/'), 'not-found');
    assert.equal(status(r, 'GET', '/n/x'), 'not-found');
  });

  test('a wildcard captures the rest of the path, possibly empty, as "*"', () => {
    const r = routes(factory, [
      ['GET', '/files/*'],
      ['GET', '/u/:id/*'],
    ]);
    hit(r, 'GET', '/files/a/b/c.txt', 'GET /files/*', { '*': 'a/b/c.txt' });
    hit(r, 'GET', '/files/', 'GET /files/*', { '*': '' });
    hit(r, 'GET', '/files//x/', 'GET /files/*', { '*': '/x/' });
    hit(r, 'GET', '/u/1/x/y', 'GET /u/:id/*', { id: '1', '*': 'x/y' });
    // Like find-my-way: the slash before `*` is part of the pattern.
    assert.equal(status(r, 'GET', '/files'), 'not-found');
  });

  test('a root wildcard catches every path', () => {
    const r = routes(factory, [['ALL', '/*']]);
    hit(r, 'GET', '/', 'ALL /*', { '*': '' });
    hit(r, 'PUT', '/any/thing', 'ALL /*', { '*': 'any/thing' });
  });
}

function regexTests(factory: RouterFactory): void {
  test('a regex param must match the whole segment', () => {
    const r = routes(factory, [
      ['GET', '/n/:id{[0-9]+}'],
      ['GET', '/d/:date{\\d{4}-\\d{2}}'],
      ['GET', '/x/:v{a|b}/end'],
      ['GET', '/c/:k{[^/]{2}}'],
    ]);
    hit(r, 'GET', '/n/123', 'GET /n/:id{[0-9]+}', { id: '123' });
    hit(r, 'GET', '/d/2024-05', 'GET /d/:date{\\d{4}-\\d{2}}', { date: '2024-05' });
    hit(r, 'GET', '/x/b/end', 'GET /x/:v{a|b}/end', { v: 'b' });
    hit(r, 'GET', '/c/zz', 'GET /c/:k{[^/]{2}}', { k: 'zz' });
    for (const path of ['/n/12a', '/n/a12', '/n/', '/d/2024-5', '/x/ab/end', '/x/a', '/c/zzz']) {
      assert.equal(status(r, 'GET', path), 'not-found', path);
    }
  });

  test('regex params are tried before a plain param, whatever the order of registration', () => {
    for (const order of [0, 1]) {
      const list: Route[] = [
        ['GET', '/p/:name'],
        ['GET', '/p/:id{[0-9]+}'],
      ];
      const r = routes(factory, order === 0 ? list : list.slice().reverse());
      hit(r, 'GET', '/p/42', 'GET /p/:id{[0-9]+}', { id: '42' });
      hit(r, 'GET', '/p/bob', 'GET /p/:name', { name: 'bob' });
    }
  });

  test('regex params and multi-param segments see the decoded value', () => {
    const r = routes(factory, [
      ['GET', '/e/:v{[a-z/]+}'],
      ['GET', '/m/:a-:b'],
    ]);
    hit(r, 'GET', '/e/a%2Fb', 'GET /e/:v{[a-z/]+}', { v: 'a/b' });
    hit(r, 'GET', '/m/x%2Fy-z', 'GET /m/:a-:b', { a: 'x/y', b: 'z' });
    hit(r, 'GET', '/m/x%2Dy', 'GET /m/:a-:b', { a: 'x', b: 'y' });
  });
}

function priorityTests(factory: RouterFactory): void {
  test('static beats param beats wildcard, whatever the order of registration', () => {
    const list: Route[] = [
      ['GET', '/users/*'],
      ['GET', '/users/:id'],
      ['GET', '/users/me'],
      ['GET', '/users/:id/posts'],
      ['GET', '/users/me/posts'],
    ];
    for (const order of [list, list.slice().reverse()]) {
      const r = routes(factory, order);
      hit(r, 'GET', '/users/me', 'GET /users/me');
      hit(r, 'GET', '/users/42', 'GET /users/:id', { id: '42' });
      hit(r, 'GET', '/users/me/posts', 'GET /users/me/posts');
      hit(r, 'GET', '/users/42/posts', 'GET /users/:id/posts', { id: '42' });
      hit(r, 'GET', '/users/42/other', 'GET /users/*', { '*': '42/other' });
      hit(r, 'GET', '/users/', 'GET /users/*', { '*': '' });
    }
  });

  test('backtracks from a static branch to a param, and from a param to a wildcard', () => {
    const r = routes(factory, [
      ['GET', '/a/:x/c'],
      ['GET', '/a/b/d'],
      ['GET', '/s/b/c/d'],
      ['GET', '/s/:x/c/e'],
      ['GET', '/w/:id/profile'],
      ['GET', '/w/*'],
      ['GET', '/ab:x'],
      ['GET', '/abc/d'],
    ]);
    hit(r, 'GET', '/a/b/c', 'GET /a/:x/c', { x: 'b' });
    hit(r, 'GET', '/a/b/d', 'GET /a/b/d');
    hit(r, 'GET', '/s/b/c/e', 'GET /s/:x/c/e', { x: 'b' });
    hit(r, 'GET', '/w/1/profile', 'GET /w/:id/profile', { id: '1' });
    hit(r, 'GET', '/w/1/other', 'GET /w/*', { '*': '1/other' });
    hit(r, 'GET', '/abc', 'GET /ab:x', { x: 'c' });
    hit(r, 'GET', '/abc/d', 'GET /abc/d');
  });

  test('a longer static prefix wins at the first position where routes differ', () => {
    const r = routes(factory, [
      ['GET', '/a/:x/c'],
      ['GET', '/a/b/*'],
      ['GET', '/f/:name'],
      ['GET', '/f/file.:ext'],
    ]);
    hit(r, 'GET', '/a/b/c', 'GET /a/b/*', { '*': 'c' });
    hit(r, 'GET', '/a/z/c', 'GET /a/:x/c', { x: 'z' });
    hit(r, 'GET', '/f/file.txt', 'GET /f/file.:ext', { ext: 'txt' });
    hit(r, 'GET', '/f/other.txt', 'GET /f/:name', { name: 'other.txt' });
  });
}

function methodTests(factory: RouterFactory): void {
  test('404 when no path matches, 405 with a sorted Allow when only the method does not', () => {
    const r = routes(factory, [
      ['POST', '/items'],
      ['GET', '/items'],
      ['DELETE', '/items/:id'],
    ]);
    assert.deepEqual(allow(r, 'PUT', '/items'), ['GET', 'HEAD', 'POST']);
    assert.deepEqual(allow(r, 'GET', '/items/1'), ['DELETE']);
    assert.equal(status(r, 'GET', '/nothing'), 'not-found');
    assert.equal(status(r, 'get', '/items'), 'method-not-allowed', 'methods are case-sensitive');
  });

  test('Allow merges every route whose path matches', () => {
    const r = routes(factory, [
      ['GET', '/a/:x'],
      ['POST', '/a/b'],
      ['PUT', '/a/*'],
    ]);
    assert.deepEqual(allow(r, 'PATCH', '/a/b'), ['GET', 'HEAD', 'POST', 'PUT']);
    assert.deepEqual(allow(r, 'PATCH', '/a/c'), ['GET', 'HEAD', 'PUT']);
  });

  test('a method backtracks to a lower-priority route that serves it', () => {
    const r = routes(factory, [
      ['GET', '/a/b/:x'],
      ['POST', '/a/:y/c'],
      ['PUT', '/a/*'],
    ]);
    hit(r, 'GET', '/a/b/c', 'GET /a/b/:x', { x: 'c' });
    hit(r, 'POST', '/a/b/c', 'POST /a/:y/c', { y: 'b' });
    hit(r, 'PUT', '/a/b/c', 'PUT /a/*', { '*': 'b/c' });
  });

  test('HEAD is served by GET (reported as GET) unless a HEAD route exists', () => {
    const r = routes(factory, [
      ['GET', '/page'],
      ['GET', '/both'],
      ['HEAD', '/both'],
      ['GET', '/u/:id'],
    ]);
    const result = r.find('HEAD', '/page');
    assert.equal(result.status === 'found' && result.method, 'GET');
    hit(r, 'HEAD', '/both', 'HEAD /both');
    hit(r, 'HEAD', '/u/1', 'GET /u/:id', { id: '1' });
    assert.deepEqual(allow(r, 'POST', '/both'), ['GET', 'HEAD']);
  });

  test('ALL matches any method; a route for the exact method (or GET for HEAD) wins', () => {
    const r = routes(factory, [
      ['ALL', '/any'],
      ['GET', '/any'],
      ['ALL', '/only'],
    ]);
    hit(r, 'PATCH', '/any', 'ALL /any');
    hit(r, 'GET', '/any', 'GET /any');
    hit(r, 'HEAD', '/any', 'GET /any');
    hit(r, 'M-SEARCH', '/only', 'ALL /only');
    const result = r.find('DELETE', '/only');
    assert.equal(result.status === 'found' && result.method, 'ALL');
  });
}

function encodingTests(factory: RouterFactory): void {
  test('param values are fully decoded, once', () => {
    const r = routes(factory, [['GET', '/p/:v']]);
    hit(r, 'GET', '/p/a%2Fb', 'GET /p/:v', { v: 'a/b' });
    hit(r, 'GET', '/p/a%2fb', 'GET /p/:v', { v: 'a/b' });
    hit(r, 'GET', '/p/%2525', 'GET /p/:v', { v: '%25' });
    hit(r, 'GET', '/p/%25', 'GET /p/:v', { v: '%' });
    hit(r, 'GET', '/p/a%3Fb%23c', 'GET /p/:v', { v: 'a?b#c' });
    hit(r, 'GET', '/p/caf%C3%A9%20%F0%9F%98%80', 'GET /p/:v', { v: 'café 😀' });
    hit(r, 'GET', '/p/café', 'GET /p/:v', { v: 'café' });
  });

  test('an encoded slash never makes a new segment', () => {
    const r = routes(factory, [
      ['GET', '/a/b'],
      ['GET', '/w/*'],
    ]);
    assert.equal(status(r, 'GET', '/a%2Fb'), 'not-found');
    assert.equal(status(r, 'GET', '/a%2fb'), 'not-found');
    hit(r, 'GET', '/w/x%2Fy/z', 'GET /w/*', { '*': 'x/y/z' });
  });

  test('static text matches decoded, in either form of the pattern', () => {
    const r = routes(factory, [
      ['GET', '/café'],
      ['GET', '/a%20b'],
      ['GET', '/100%25'],
      ['GET', '/x%2Fy'],
    ]);
    hit(r, 'GET', '/caf%C3%A9', 'GET /café');
    hit(r, 'GET', '/caf%c3%a9', 'GET /café');
    hit(r, 'GET', '/%63af%C3%A9', 'GET /café');
    hit(r, 'GET', '/a b', 'GET /a%20b');
    hit(r, 'GET', '/a%20b', 'GET /a%20b');
    hit(r, 'GET', '/100%25', 'GET /100%25');
    hit(r, 'GET', '/x%2fy', 'GET /x%2Fy');
    assert.equal(status(r, 'GET', '/x/y'), 'not-found');
  });

  test('malformed percent-encoding is bad-path', () => {
    const r = routes(factory, [
      ['GET', '/p/:v'],
      ['GET', '/*'],
    ]);
    for (const path of [
      '/p/%zz',
      '/p/%',
      '/p/%4',
      '/p/%E0%A4',
      '/p/%C3',
      '/p/%C0%AF',
      '/p/%FF',
      '/%ED%A0%80',
      '/x%2',
    ]) {
      assert.equal(status(r, 'GET', path), 'bad-path', path);
    }
  });
}

function pathShapeTests(factory: RouterFactory): void {
  test('the empty path, relative paths and "*" are not found', () => {
    const r = routes(factory, [['ALL', '/*']]);
    for (const path of ['', 'a', '*', 'a/b']) assert.equal(status(r, 'GET', path), 'not-found', JSON.stringify(path));
  });

  test('double slashes are distinct, empty segments', () => {
    const r = routes(factory, [
      ['GET', '/a/b'],
      ['GET', '/a//c'],
      ['GET', '/p/:x/q'],
    ]);
    assert.equal(status(r, 'GET', '/a//b'), 'not-found');
    hit(r, 'GET', '/a//c', 'GET /a//c');
    assert.equal(status(r, 'GET', '/a/c'), 'not-found');
    assert.equal(status(r, 'GET', '/p//q'), 'not-found', 'a param is never empty');
  });

  test('by default /a and /a/ are different routes', () => {
    const r = routes(factory, [
      ['GET', '/a'],
      ['GET', '/b/'],
      ['POST', '/a/'],
    ]);
    hit(r, 'GET', '/a', 'GET /a');
    hit(r, 'GET', '/b/', 'GET /b/');
    assert.equal(status(r, 'GET', '/b'), 'not-found');
    assert.deepEqual(allow(r, 'GET', '/a/'), ['POST']);
  });

  test('ignoreTrailingSlash: one trailing slash does not matter', () => {
    const options = { ignoreTrailingSlash: true };
    const r = routes(
      factory,
      [
        ['GET', '/'],
        ['GET', '/a'],
        ['GET', '/b/'],
        ['GET', '/u/:id'],
        ['GET', '/files/*'],
        ['POST', '/p'],
      ],
      options,
    );
    hit(r, 'GET', '/', 'GET /');
    hit(r, 'GET', '/a/', 'GET /a');
    hit(r, 'GET', '/b', 'GET /b/');
    hit(r, 'GET', '/u/1/', 'GET /u/:id', { id: '1' });
    hit(r, 'GET', '/files', 'GET /files/*', { '*': '' });
    hit(r, 'GET', '/files/', 'GET /files/*', { '*': '' });
    hit(r, 'GET', '/files/x/', 'GET /files/*', { '*': 'x' });
    assert.deepEqual(allow(r, 'GET', '/p/'), ['POST']);
    assert.equal(status(r, 'GET', '/a//'), 'not-found', 'only one slash');
    throwsCode('WK_ERR_ROUTE_CONFLICT', () => r.add('GET', '/a/', 'x'), '/a/ is /a');
  });
}

function optionTests(factory: RouterFactory): void {
  test('case-sensitive by default; caseSensitive: false folds static text, never params', () => {
    const strict = routes(factory, [['GET', '/About']]);
    assert.equal(status(strict, 'GET', '/about'), 'not-found');
    const r = routes(
      factory,
      [
        ['GET', '/About/:Name'],
        ['GET', '/été'],
        ['GET', '/d/:name.JSON'],
      ],
      { caseSensitive: false },
    );
    hit(r, 'GET', '/ABOUT/Bob', 'GET /About/:Name', { Name: 'Bob' });
    hit(r, 'GET', '/about/bob', 'GET /About/:Name', { Name: 'bob' });
    hit(r, 'GET', '/%C3%89T%C3%89', 'GET /été');
    hit(r, 'GET', '/d/Report.json', 'GET /d/:name.JSON', { name: 'Report' });
    throwsCode('WK_ERR_ROUTE_CONFLICT', () => r.add('GET', '/ÉTÉ', 'x'), 'folded patterns conflict');
  });

  test('maxParamLength: a longer param never matches; wildcards are not limited', () => {
    const long = 'x'.repeat(501);
    const r = routes(factory, [
      ['GET', '/p/:v'],
      ['GET', '/w/*'],
    ]);
    hit(r, 'GET', `/p/${'x'.repeat(500)}`, 'GET /p/:v', { v: 'x'.repeat(500) });
    assert.equal(status(r, 'GET', `/p/${long}`), 'not-found');
    hit(r, 'GET', `/w/${long}`, 'GET /w/*', { '*': long });
    const short = routes(
      factory,
      [
        ['GET', '/p/:v'],
        ['GET', '/r/:v{[a-z]+}'],
        ['GET', '/p/*'],
      ],
      { maxParamLength: 3 },
    );
    hit(short, 'GET', '/p/abc', 'GET /p/:v', { v: 'abc' });
    hit(short, 'GET', '/p/abcd', 'GET /p/*', { '*': 'abcd' });
    assert.equal(status(short, 'GET', '/r/abcd'), 'not-found');
  });

  test('invalid options throw WK_ERR_INVALID_ARGUMENT', () => {
    for (const maxParamLength of [0, -1, 1.5, Number.NaN]) {
      throwsCode('WK_ERR_INVALID_ARGUMENT', () => factory({ maxParamLength }), String(maxParamLength));
    }
  });
}

function errorTests(factory: RouterFactory): void {
  test('a duplicate method and pattern shape throws WK_ERR_ROUTE_CONFLICT', () => {
    const r = routes(factory, [
      ['GET', '/users/:id'],
      ['GET', '/n/:id{[0-9]+}'],
      ['GET', '/opt'],
    ]);
    throwsCode('WK_ERR_ROUTE_CONFLICT', () => r.add('GET', '/users/:id', 'x'), 'same pattern');
    throwsCode('WK_ERR_ROUTE_CONFLICT', () => r.add('GET', '/users/:name', 'x'), 'same shape, other name');
    throwsCode('WK_ERR_ROUTE_CONFLICT', () => r.add('GET', '/n/:n{[0-9]+}', 'x'), 'same regex');
    throwsCode('WK_ERR_ROUTE_CONFLICT', () => r.add('GET', '/opt/:x?', 'x'), 'optional overlaps');
    // The failed add left nothing behind.
    assert.equal(status(r, 'GET', '/opt/1'), 'not-found');
    r.add('POST', '/users/:id', 'post');
    r.add('ALL', '/users/:id', 'all');
    r.add('GET', '/n/:id{[a-z]+}', 'letters');
    r.add('GET', '/opt/:x', 'x');
    hit(r, 'GET', '/opt/1', 'x', { x: '1' });
  });

  test('an invalid pattern throws WK_ERR_ROUTE_PATTERN', () => {
    const r = factory();
    const bad = [
      '',
      'a',
      '/:',
      '/a/:/b',
      '/a/*/b',
      '/a*',
      '/*x',
      '/*?',
      '/:id?/b',
      '/a?',
      '/a/b?c',
      '/:a:b',
      '/:id{',
      '/:id{[}',
      '/:id{(}',
      '/:id{}',
      '/:a/:a',
      '/:a/*/:b',
      '/%zz',
      '/%E0%A4',
      '/a#b',
      '/a{b}',
      '/:a-:b?',
    ];
    for (const pattern of bad) throwsCode('WK_ERR_ROUTE_PATTERN', () => r.add('GET', pattern, 'x'), pattern);
    throwsCode('WK_ERR_INVALID_ARGUMENT', () => r.add('GE T', '/', 'x'), 'method');
    throwsCode('WK_ERR_INVALID_ARGUMENT', () => r.add('', '/', 'x'), 'empty method');
  });
}
