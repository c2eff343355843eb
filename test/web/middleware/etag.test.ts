/**
 * etag: tags for text and bytes bodies of 200 GET/HEAD answers, If-None-Match (lists, `*`, the weak
 * comparison of RFC 9110 §13.1.2) → 304 with the fields §15.4.5 keeps, streams left alone.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App } from '../../../src/web/app.js';
import { bodyEtag, compress, etag } from '../../../src/web/middleware/index.js';

const TAG = /^"[A-Za-z0-9_-]{27}"$/;

function etagApp(weak?: boolean) {
  const app = new App();
  const state = { streamFinished: false };
  app.use(etag(weak === undefined ? {} : { weak }));
  app.get('/text', (c) =>
    c.text('hello', 200, {
      'Cache-Control': 'max-age=60',
      Vary: 'Accept',
      'Last-Modified': 'Tue, 01 Jan 2030 00:00:00 GMT',
    }),
  );
  app.get('/bytes', (c) => c.body(new Uint8Array([1, 2, 3]), 200, { 'content-type': 'application/octet-stream' }));
  app.get('/cookie', (c) => {
    c.cookie('seen', '1');
    return c.text('hello');
  });
  app.get('/n/:n', (c) => c.text(`body ${c.req.param('n')}`));
  app.get('/own', (c) => c.text('hello', 200, { ETag: '"v7"' }));
  app.get('/stream', (c) => c.body(stream(state), 200, { 'content-type': 'text/plain' }));
  app.get('/stream-tagged', (c) => c.body(stream(state), 200, { 'content-type': 'text/plain', ETag: '"s1"' }));
  app.get('/created', (c) => c.text('new', 201));
  app.post('/text', (c) => c.text('hello'));
  return { app, state };
}

async function* stream(state: { streamFinished: boolean }): AsyncGenerator<Uint8Array> {
  try {
    yield Buffer.from('streamed');
  } finally {
    state.streamFinished = true;
  }
}

const get = (app: App, path: string, ifNoneMatch?: string, method = 'GET') =>
  app.request(path, { method, headers: ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch } });

describe('tags', () => {
  test('a strong SHA-1 tag from the body, the same for the same body, another for another', async () => {
    const { app } = etagApp();
    const a = (await get(app, '/text')).headers.get('etag');
    assert.match(a ?? '', TAG);
    assert.equal(a, bodyEtag('hello', false));
    assert.equal((await get(app, '/text')).headers.get('etag'), a);
    assert.notEqual((await get(app, '/n/1')).headers.get('etag'), (await get(app, '/n/2')).headers.get('etag'));
  });

  test('bytes bodies are tagged; text and its UTF-8 bytes get the same tag', async () => {
    const { app } = etagApp();
    assert.equal((await get(app, '/bytes')).headers.get('etag'), bodyEtag(new Uint8Array([1, 2, 3]), false));
    assert.equal(bodyEtag('héllo', false), bodyEtag(Buffer.from('héllo'), false));
  });

  test('weak: true makes W/ tags', async () => {
    const { app } = etagApp(true);
    assert.equal((await get(app, '/text')).headers.get('etag'), `W/${bodyEtag('hello', false)}`);
  });

  test('HEAD gets the tag GET gets', async () => {
    const { app } = etagApp();
    const head = await get(app, '/text', undefined, 'HEAD');
    assert.equal(head.headers.get('etag'), bodyEtag('hello', false));
  });

  test('a tag the handler set is kept, not replaced', async () => {
    const { app } = etagApp();
    assert.equal((await get(app, '/own')).headers.get('etag'), '"v7"');
  });

  test('not tagged: POST, a 201, a 404, a streamed body (left untouched)', async () => {
    const { app, state } = etagApp();
    assert.equal((await app.request('/text', { method: 'POST' })).headers.get('etag'), null);
    assert.equal((await get(app, '/created')).headers.get('etag'), null);
    assert.equal((await get(app, '/missing')).headers.get('etag'), null);
    const streamed = await get(app, '/stream');
    assert.equal(streamed.headers.get('etag'), null);
    assert.equal(await streamed.text(), 'streamed');
    assert.equal(state.streamFinished, true);
  });
});

describe('If-None-Match', () => {
  const tag = bodyEtag('hello', false);

  test('a matching tag → 304 without a body, keeping ETag, Cache-Control and Vary (RFC 9110 §15.4.5)', async () => {
    const { app } = etagApp();
    const res = await get(app, '/text', tag);
    assert.equal(res.status, 304);
    assert.equal(await res.text(), '');
    assert.equal(res.headers.get('etag'), tag);
    assert.equal(res.headers.get('cache-control'), 'max-age=60');
    assert.equal(res.headers.get('vary'), 'Accept');
    assert.equal(res.headers.get('content-type'), null, 'representation metadata is left out');
    assert.equal(res.headers.get('content-length'), null);
    assert.equal(res.headers.get('last-modified'), null);
  });

  test('Set-Cookie survives a 304 (it is not about the representation)', async () => {
    const { app } = etagApp();
    const res = await get(app, '/cookie', tag);
    assert.equal(res.status, 304);
    assert.match(res.headers.getSetCookie().join(), /^seen=1;/);
  });

  const cases: [string, number][] = [
    [`W/${tag}`, 304], // weak comparison ignores W/
    [`"nope", ${tag}`, 304],
    [`"nope" ,W/"x",  ${tag} ,`, 304],
    ['*', 304],
    ['"nope"', 200],
    ['"a,b", "c"', 200], // a comma inside an entity-tag is not a separator
    [tag.slice(1, -1), 200], // unquoted: malformed, matches nothing
    ['', 200],
  ];
  for (const [value, status] of cases) {
    test(`If-None-Match: ${value || '(empty)'} → ${status}`, async () => {
      const { app } = etagApp();
      assert.equal((await get(app, '/text', value)).status, status);
    });
  }

  test('a weak tag of ours matches the strong form the client may hold', async () => {
    const { app } = etagApp(true);
    assert.equal((await get(app, '/text', tag)).status, 304);
  });

  test('HEAD revalidates too', async () => {
    const { app } = etagApp();
    assert.equal((await get(app, '/text', tag, 'HEAD')).status, 304);
  });

  test("a streamed body with the handler's own tag: 304, and the stream is released", async () => {
    const { app, state } = etagApp();
    const res = await get(app, '/stream-tagged', '"s1"');
    assert.equal(res.status, 304);
    assert.equal(res.headers.get('etag'), '"s1"');
    const other = await get(app, '/stream-tagged', '"s0"');
    assert.equal(await other.text(), 'streamed');
    assert.equal(state.streamFinished, true);
  });

  test('POST is not answered 304 (If-None-Match on unsafe methods is not ours to judge)', async () => {
    const { app } = etagApp();
    assert.equal((await app.request('/text', { method: 'POST', headers: { 'if-none-match': '*' } })).status, 200);
  });
});

test('with compress outside: the compressed 200 has W/, and revalidating with it → 304 with W/', async () => {
  const app = new App();
  app.use(compress());
  app.use(etag());
  const body = 'x'.repeat(5000);
  app.get('/big', (c) => c.text(body));
  const strong = bodyEtag(body, false);
  const first = await app.request('/big', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(first.headers.get('content-encoding'), 'gzip');
  assert.equal(first.headers.get('etag'), `W/${strong}`);
  const again = await app.request('/big', { headers: { 'accept-encoding': 'gzip', 'if-none-match': `W/${strong}` } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('etag'), `W/${strong}`);
  const plain = await app.request('/big', { headers: { 'if-none-match': strong } });
  assert.equal(plain.status, 304);
  assert.equal(plain.headers.get('etag'), strong);
});
