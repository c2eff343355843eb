/** Context helpers: text/json/html/body/redirect, status, header (before and after a response), cookies. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App } from '../../src/web/app.js';

async function answer(handler: Parameters<App['get']>[1]): Promise<Awaited<ReturnType<App['request']>>> {
  const app = new App({ secrets: ['s1'] });
  app.get('/', handler);
  return app.request('/');
}

test('c.text, c.json, c.html set body, type and status', async () => {
  const text = await answer((c) => c.text('hi', 201, { 'X-A': '1' }));
  assert.equal(text.status, 201);
  assert.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(text.headers.get('x-a'), '1');
  assert.equal(await text.text(), 'hi');

  const json = await answer((c) => c.json({ a: 1 }));
  assert.equal(json.headers.get('content-type'), 'application/json');
  assert.equal(await json.text(), '{"a":1}');

  const undef = await answer((c) => c.json(undefined));
  assert.equal(await undef.text(), 'null', 'a value JSON cannot encode becomes null, not an empty body');

  const html = await answer((c) => c.html('<p>x</p>'));
  assert.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
});

test('c.body sends bytes or streams an async iterable', async () => {
  const bytes = await answer((c) =>
    c.body(new Uint8Array([1, 2, 3]), 200, { 'Content-Type': 'application/octet-stream' }),
  );
  assert.deepEqual([...(await bytes.bytes())], [1, 2, 3]);

  const streamed = await answer((c) =>
    c.body(
      (async function* () {
        yield Buffer.from('a');
        yield Buffer.from('b');
      })(),
    ),
  );
  const chunks: string[] = [];
  for await (const chunk of streamed.body ?? []) chunks.push(Buffer.from(chunk).toString());
  assert.deepEqual(chunks, ['a', 'b'], 'chunks arrive one by one, not buffered');
});

test('c.status sets the status of the next helper', async () => {
  const res = await answer((c) => c.status(418).text('teapot'));
  assert.equal(res.status, 418);
});

test('c.redirect defaults to 302 and sets Location', async () => {
  const res = await answer((c) => c.redirect('/elsewhere'));
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), '/elsewhere');
  const moved = await answer((c) => c.redirect('/x', 301));
  assert.equal(moved.status, 301);
});

test('c.header before a helper is carried into it; after, it edits the response', async () => {
  const app = new App();
  app.use(async (c, next) => {
    c.header('X-Before', 'b');
    await next();
    c.header('X-After', 'a');
    c.header('Vary', 'Accept', { append: true });
  });
  app.get('/', (c) => c.text('x', 200, { Vary: 'Origin' }));
  const res = await app.request('/');
  assert.equal(res.headers.get('x-before'), 'b');
  assert.equal(res.headers.get('x-after'), 'a');
  assert.deepEqual(res.headers.getAll('vary'), ['Origin', 'Accept']);
});

test("a helper's own headers win over ones set earlier with c.header", async () => {
  const res = await answer((c) => {
    c.header('Content-Type', 'text/csv');
    return c.text('a,b');
  });
  assert.equal(res.headers.get('content-type'), 'text/csv', 'c.text keeps a type the handler chose');
});

test('c.header rejects CR/LF in a value (no response splitting)', async () => {
  const res = await answer((c) => {
    c.header('X-Bad', 'a\r\nSet-Cookie: evil=1');
    return 'unreachable';
  });
  assert.equal(res.status, 500);
  assert.equal(res.headers.get('set-cookie'), null);
});

test('c.cookie appends Set-Cookie lines; c.deleteCookie expires one', async () => {
  const res = await answer((c) => {
    c.cookie('a', '1');
    c.cookie('b', 'two words', { maxAge: 60, secure: true, sameSite: 'Strict', httpOnly: false, path: '/x' });
    c.deleteCookie('old', { path: '/x' });
    return c.text('ok');
  });
  assert.deepEqual(res.headers.getSetCookie(), [
    'a=1; Path=/; HttpOnly; SameSite=Lax',
    'b=two%20words; Max-Age=60; Path=/x; Secure; SameSite=Strict',
    'old=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/x; HttpOnly; SameSite=Lax',
  ]);
});

test('cookies set before a handler returns its own Response are kept', async () => {
  const app = new App();
  app.use(async (c, next) => {
    c.cookie('mw', '1');
    await next();
  });
  app.get('/', () => new globalThis.Response('x', { headers: { 'Set-Cookie': 'own=2' } }));
  const res = await app.request('/');
  assert.deepEqual(res.headers.getSetCookie().sort(), ['mw=1; Path=/; HttpOnly; SameSite=Lax', 'own=2']);
});

test('c.req exposes method, path, url, query, headers and the matched pattern', async () => {
  const app = new App();
  app.get('/p/:id', (c) => ({
    method: c.req.method,
    path: c.req.path,
    pattern: c.req.routePattern,
    tags: c.req.query.getAll('t'),
    ua: c.req.header('user-agent'),
    missing: c.req.param('nope') ?? null,
  }));
  const res = await app.request('/p/%20x?t=1&t=2', { headers: { 'User-Agent': 'test' } });
  assert.deepEqual(await res.json(), {
    method: 'GET',
    path: '/p/%20x',
    pattern: '/p/:id',
    tags: ['1', '2'],
    ua: 'test',
    missing: null,
  });
});
