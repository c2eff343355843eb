/** requestId: generation, trusting a valid incoming id, refusing invalid ones, on every response. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Response } from '../../../src/http/message/response.js';
import { App } from '../../../src/web/app.js';
import {
  isValidRequestId,
  type RequestIdOptions,
  type RequestIdVariables,
  requestId,
} from '../../../src/web/middleware/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function idApp(options?: RequestIdOptions) {
  const app = new App<RequestIdVariables>();
  app.use(requestId(options));
  app.get('/', (c) => c.text(c.var.requestId));
  app.get('/own', (c) => new Response(`own ${c.var.requestId}`));
  app.get('/set', (c) => {
    c.res = new Response('set directly');
  });
  app.get('/boom', () => {
    throw new Error('boom');
  });
  return app;
}

describe('generation', () => {
  test('a request without an id gets a new UUID, in c.var and on the response', async () => {
    const res = await idApp().request('/');
    const id = res.headers.get('x-request-id');
    assert.match(id ?? '', UUID);
    assert.equal(await res.text(), id);
  });

  test('every request gets its own', async () => {
    const app = idApp();
    const ids = new Set<string | null>();
    for (let i = 0; i < 20; i++) ids.add((await app.request('/')).headers.get('x-request-id'));
    assert.equal(ids.size, 20);
  });

  test('a custom header and generator', async () => {
    let n = 0;
    const res = await idApp({ header: 'X-Trace', generator: () => `t-${++n}` }).request('/');
    assert.equal(res.headers.get('x-trace'), 't-1');
    assert.equal(res.headers.get('x-request-id'), null);
    assert.equal(await res.text(), 't-1');
  });

  test('every kind of response carries it: own Response, c.res set directly, 404, 500', async () => {
    const app = idApp({ generator: () => 'fixed' });
    for (const path of ['/own', '/set', '/missing', '/boom']) {
      assert.equal((await app.request(path)).headers.get('x-request-id'), 'fixed', path);
    }
    assert.equal(await (await app.request('/own')).text(), 'own fixed');
  });
});

describe('incoming ids', () => {
  const send = (app: App<RequestIdVariables>, id: string | string[]) =>
    app.request('/', {
      headers: Array.isArray(id) ? id.map((v) => ['x-request-id', v] as [string, string]) : { 'x-request-id': id },
    });

  test('a valid incoming id is reused (trustIncoming defaults to true)', async () => {
    const res = await send(idApp(), 'edge-7f3a:42');
    assert.equal(res.headers.get('x-request-id'), 'edge-7f3a:42');
    assert.equal(await res.text(), 'edge-7f3a:42');
  });

  test('exactly 200 visible characters are accepted, 201 are not', async () => {
    const app = idApp();
    const ok = 'a'.repeat(200);
    assert.equal((await send(app, ok)).headers.get('x-request-id'), ok);
    assert.match((await send(app, 'a'.repeat(201))).headers.get('x-request-id') ?? '', UUID);
  });

  for (const [what, id] of [
    ['a space', 'a b'],
    ['a tab', 'a\tb'],
    ['non-ASCII', 'idé'],
    ['obs-text bytes', 'id\u00ff'],
  ] as const) {
    test(`an id with ${what} is replaced`, async () => {
      const res = await send(idApp(), id);
      assert.match(res.headers.get('x-request-id') ?? '', UUID);
    });
  }

  test('two copies of the field are ambiguous: a new id', async () => {
    const res = await send(idApp(), ['one', 'two']);
    assert.match(res.headers.get('x-request-id') ?? '', UUID);
  });

  test('trustIncoming: false always makes a new id', async () => {
    const res = await send(idApp({ trustIncoming: false }), 'client-chosen');
    assert.match(res.headers.get('x-request-id') ?? '', UUID);
  });

  test('isValidRequestId', () => {
    assert.equal(isValidRequestId('abc-123_~!'), true);
    assert.equal(isValidRequestId(''), false);
    assert.equal(isValidRequestId('a\u0000'), false);
  });
});
