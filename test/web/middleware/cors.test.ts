/**
 * CORS: allowed and refused origins, credentials (never `*`), Vary, exposed headers, preflights
 * answered without reaching the routes, error responses, and a preflight over a real socket.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWirekitError } from '../../../src/errors.js';
import { App } from '../../../src/web/app.js';
import { HttpError } from '../../../src/web/http-error.js';
import { type CorsOptions, cors } from '../../../src/web/middleware/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { header, saysClose } from '../../helpers/response-reader.js';

const leaks = trackLeaks();
const A = 'https://a.example';
const EVIL = 'https://evil.example';

/** An app behind `cors(options)` that counts how often its routes ran. */
function corsApp(options: CorsOptions = {}) {
  const app = new App();
  const calls = { count: 0 };
  app.use(cors(options));
  app.get('/data', (c) => {
    calls.count++;
    return c.json({ ok: true }, 200, { 'X-Total': '3' });
  });
  app.put('/data', (c) => {
    calls.count++;
    return c.text('put');
  });
  app.options('/own', (c) => {
    calls.count++;
    return c.text('own options');
  });
  app.get('/vary', (c) => c.text('v', 200, { Vary: 'Accept' }));
  app.get('/teapot', () => {
    throw new HttpError(418, 'short and stout');
  });
  app.get('/crash', () => {
    throw new Error('secret');
  });
  return { app, calls };
}

const get = (app: App, path: string, headers: Record<string, string> = {}) => app.request(path, { headers });
const preflight = (app: App, path: string, origin: string, extra: Record<string, string> = {}) =>
  app.request(path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'PUT', ...extra },
  });

describe('actual requests', () => {
  test("origin '*' (the default): `*`, no credentials, no Vary", async () => {
    const { app } = corsApp();
    const res = await get(app, '/data', { origin: A });
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
    assert.equal(res.headers.get('vary'), null, 'the answer does not depend on the origin');
    assert.deepEqual(await res.json(), { ok: true });
  });

  test('a request without Origin gets no CORS field', async () => {
    const { app } = corsApp();
    const res = await get(app, '/data');
    assert.equal(res.status, 200);
    for (const [name] of res.headers) assert.ok(!name.toLowerCase().startsWith('access-control-'), name);
    assert.equal(res.headers.get('vary'), null);
  });

  test('a list of origins: an allowed origin is echoed with Vary: Origin', async () => {
    const { app } = corsApp({ origin: [A, 'https://b.example'] });
    const res = await get(app, '/data', { origin: A });
    assert.equal(res.headers.get('access-control-allow-origin'), A);
    assert.equal(res.headers.get('vary'), 'Origin');
  });

  test('a refused origin gets no allow field, still Vary: Origin, and the route still answers', async () => {
    const { app, calls } = corsApp({ origin: [A] });
    const res = await get(app, '/data', { origin: EVIL });
    assert.equal(res.status, 200, 'CORS is enforced by the browser; the server only withholds the allow field');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('vary'), 'Origin');
    assert.equal(calls.count, 1);
  });

  test('without Origin, a response whose CORS answer depends on the origin still says Vary: Origin', async () => {
    const { app } = corsApp({ origin: [A] });
    const res = await get(app, '/data');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('vary'), 'Origin', 'else a cache may serve this answer to a CORS request');
  });

  test("credentials with origin '*' is refused when configured: it would let any site read users' data", () => {
    assert.throws(() => cors({ credentials: true }), { code: 'WK_ERR_INVALID_ARGUMENT' });
    assert.throws(() => cors({ credentials: true, origin: '*' }), /explicit origin/);
  });

  test('credentials with an explicit origin: that origin is echoed (never `*`), others and `null` get nothing', async () => {
    const { app } = corsApp({ credentials: true, origin: [A] });
    const res = await get(app, '/data', { origin: A });
    assert.equal(res.headers.get('access-control-allow-origin'), A);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(res.headers.get('vary'), 'Origin');
    for (const origin of ['https://evil.example', 'null']) {
      const refused = await get(app, '/data', { origin });
      assert.equal(refused.headers.get('access-control-allow-origin'), null, origin);
    }
  });

  test('credentials with origin: () => true echoes any origin, because the app said so', async () => {
    const { app } = corsApp({ credentials: true, origin: () => true });
    const res = await get(app, '/data', { origin: 'https://anyone.example' });
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://anyone.example');
  });

  test("a CORS field the handler set itself wins over the middleware's", async () => {
    const app = new App();
    app.use(cors({ origin: [A], exposeHeaders: ['X-Id'] }));
    app.get('/narrow', (c) => c.text('x', 200, { 'Access-Control-Expose-Headers': 'X-Only-This' }));
    const res = await get(app, '/narrow', { origin: A });
    assert.equal(res.headers.get('access-control-expose-headers'), 'X-Only-This');
    assert.equal(res.headers.get('access-control-allow-origin'), A);
  });

  test('a single origin string allows exactly that origin', async () => {
    const { app } = corsApp({ origin: A });
    assert.equal((await get(app, '/data', { origin: A })).headers.get('access-control-allow-origin'), A);
    const other = await get(app, '/data', { origin: `${A}.evil.example` });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('a RegExp (even a /g one, whose lastIndex moves) judges every request alike', async () => {
    const { app } = corsApp({ origin: /^https:\/\/[a-z]+\.example$/g });
    for (let i = 0; i < 3; i++) {
      const res = await get(app, '/data', { origin: A });
      assert.equal(res.headers.get('access-control-allow-origin'), A, `request ${i}`);
    }
    assert.equal(
      (await get(app, '/data', { origin: 'http://a.example' })).headers.get('access-control-allow-origin'),
      null,
    );
  });

  test('a function may allow (true), refuse (false) or name the value to send (string)', async () => {
    const seen: string[] = [];
    const { app } = corsApp({
      origin: (origin, req) => {
        seen.push(req.path);
        if (origin === A) return true;
        if (origin === 'https://alias.example') return 'https://canonical.example';
        return false;
      },
    });
    assert.equal((await get(app, '/data', { origin: A })).headers.get('access-control-allow-origin'), A);
    const alias = await get(app, '/data', { origin: 'https://alias.example' });
    assert.equal(alias.headers.get('access-control-allow-origin'), 'https://canonical.example');
    assert.equal((await get(app, '/data', { origin: EVIL })).headers.get('access-control-allow-origin'), null);
    assert.deepEqual(seen, ['/data', '/data', '/data']);
  });

  test('exposeHeaders lists the fields scripts may read', async () => {
    const { app } = corsApp({ exposeHeaders: ['X-Total', 'X-Request-Id'] });
    const res = await get(app, '/data', { origin: A });
    assert.equal(res.headers.get('access-control-expose-headers'), 'X-Total, X-Request-Id');
  });

  test("Vary joins the handler's own Vary instead of replacing it", async () => {
    const { app } = corsApp({ origin: [A] });
    const res = await get(app, '/vary', { origin: A });
    assert.equal(res.headers.get('vary'), 'Accept, Origin');
  });

  test('error responses carry the CORS fields too (a browser could not read them otherwise)', async () => {
    const { app } = corsApp({ origin: [A], credentials: true });
    for (const [path, status] of [
      ['/missing', 404],
      ['/teapot', 418],
      ['/crash', 500],
    ] as const) {
      const res = await get(app, path, { origin: A });
      assert.equal(res.status, status, path);
      assert.equal(res.headers.get('access-control-allow-origin'), A, path);
      assert.equal(res.headers.get('access-control-allow-credentials'), 'true', path);
      assert.equal(res.headers.get('vary'), 'Origin', path);
    }
  });
});

describe('preflight', () => {
  test('answered 204 with methods, echoed headers and max-age, without running the route', async () => {
    const { app, calls } = corsApp({ origin: [A] });
    const res = await preflight(app, '/data', A, { 'access-control-request-headers': 'content-type, x-token' });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), A);
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, HEAD, PUT, PATCH, POST, DELETE');
    assert.equal(res.headers.get('access-control-allow-headers'), 'content-type, x-token');
    assert.equal(res.headers.get('access-control-max-age'), '600');
    assert.equal(res.headers.get('vary'), 'Origin, Access-Control-Request-Headers');
    assert.equal(await res.text(), '');
    assert.equal(calls.count, 0, 'the route never ran');
  });

  test('configured methods, headers and max-age; a configured header list is not echoed', async () => {
    const { app } = corsApp({ allowMethods: ['GET', 'PUT'], allowHeaders: ['Content-Type'], maxAgeSeconds: 60 });
    const res = await preflight(app, '/data', A, { 'access-control-request-headers': 'x-other' });
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, PUT');
    assert.equal(res.headers.get('access-control-allow-headers'), 'Content-Type');
    assert.equal(res.headers.get('access-control-max-age'), '60');
    assert.equal(res.headers.get('vary'), null, 'neither the origin nor the requested headers change this answer');
  });

  test('credentials: the origin is echoed and Allow-Credentials sent; no request headers, no allow-headers', async () => {
    const { app } = corsApp({ credentials: true, origin: [A] });
    const res = await preflight(app, '/data', A);
    assert.equal(res.headers.get('access-control-allow-origin'), A);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(res.headers.get('access-control-allow-headers'), null);
  });

  test('a refused origin gets a 204 without any allow field, and the route does not run', async () => {
    const { app, calls } = corsApp({ origin: [A] });
    const res = await preflight(app, '/data', EVIL, { 'access-control-request-headers': 'x-token' });
    assert.equal(res.status, 204);
    for (const [name] of res.headers) assert.ok(!name.toLowerCase().startsWith('access-control-'), name);
    assert.equal(calls.count, 0);
  });

  test('OPTIONS without Access-Control-Request-Method is an ordinary request for the routes', async () => {
    const { app, calls } = corsApp();
    const res = await app.request('/own', { method: 'OPTIONS', headers: { origin: A } });
    assert.equal(await res.text(), 'own options');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(calls.count, 1);
  });

  test('preflights reach no route even where none matches the path', async () => {
    const { app } = corsApp();
    assert.equal((await preflight(app, '/nowhere', A)).status, 204);
  });
});

test('a bad maxAgeSeconds fails when the middleware is made', () => {
  assert.throws(
    () => cors({ maxAgeSeconds: -1 }),
    (e) => isWirekitError(e, 'WK_ERR_INVALID_ARGUMENT'),
  );
  assert.throws(
    () => cors({ maxAgeSeconds: 1.5 }),
    (e) => isWirekitError(e, 'WK_ERR_INVALID_ARGUMENT'),
  );
});

describe('over a socket', () => {
  test('preflight then the credentialed request on the same connection', async () => {
    const { app, calls } = corsApp({ origin: [A], credentials: true, exposeHeaders: ['X-Total'] });
    const server = await startServer(leaks, app.handler);
    const client = await server.client();
    await client.write(
      'OPTIONS /data HTTP/1.1\r\nHost: test\r\nOrigin: https://a.example\r\n' +
        'Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type\r\n\r\n',
    );
    const [pre] = await client.read(1);
    assert.ok(pre !== undefined);
    assert.equal(pre.status, 204);
    assert.equal(header(pre, 'access-control-allow-origin'), A);
    assert.equal(header(pre, 'access-control-allow-credentials'), 'true');
    assert.equal(header(pre, 'access-control-allow-headers'), 'content-type');
    assert.equal(header(pre, 'content-length'), undefined, 'a 204 has no body framing');
    assert.ok(!saysClose(pre));
    await client.write('GET /data HTTP/1.1\r\nHost: test\r\nOrigin: https://a.example\r\nCookie: s=1\r\n\r\n');
    const [, actual] = await client.read(2);
    assert.ok(actual !== undefined);
    assert.equal(actual.status, 200);
    assert.equal(header(actual, 'access-control-allow-origin'), A);
    assert.equal(header(actual, 'access-control-expose-headers'), 'X-Total');
    assert.equal(header(actual, 'vary'), 'Origin');
    assert.equal(actual.body.toString(), '{"ok":true}');
    assert.equal(calls.count, 1, 'only the actual request reached the route');
  });
});
