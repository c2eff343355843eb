/** Cookies: parsing, serialization options, refused injections, signed cookies, tampering and key rotation. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCookies, serializeCookie, signCookieValue, unsignCookieValue } from '../../src/http/message/cookies.js';
import { App } from '../../src/web/app.js';

describe('parseCookies', () => {
  test('names, values, quotes, percent-decoding, first wins', () => {
    const cookies = parseCookies('a=1; b="quoted"; c=hello%20world; a=2; bad=%E0%A4%A; empty=; noeq; =x');
    assert.deepEqual({ ...cookies }, { a: '1', b: 'quoted', c: 'hello world', bad: '%E0%A4%A', empty: '' });
  });

  test('__proto__ is just data', () => {
    const cookies = parseCookies('__proto__=x; constructor=y');
    assert.equal(Object.getOwnPropertyDescriptor(cookies, '__proto__')?.value, 'x');
    assert.equal(Object.getPrototypeOf(cookies), null);
    assert.equal(cookies.constructor, 'y');
  });

  test('no header → no cookies', () => {
    assert.deepEqual({ ...parseCookies(null) }, {});
    assert.deepEqual({ ...parseCookies('') }, {});
  });
});

describe('serializeCookie', () => {
  test('defaults: Path=/, HttpOnly, SameSite=Lax', () => {
    assert.equal(serializeCookie('id', '1'), 'id=1; Path=/; HttpOnly; SameSite=Lax');
  });

  test('every option', () => {
    const line = serializeCookie('s', 'a b;c', {
      maxAge: 90.7,
      expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
      path: '/app',
      domain: 'example.com',
      httpOnly: false,
      sameSite: 'None',
      partitioned: true,
      priority: 'High',
    });
    assert.equal(
      line,
      's=a%20b%3Bc; Max-Age=90; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Path=/app; Domain=example.com; Secure; SameSite=None; Partitioned; Priority=High',
    );
  });

  test('SameSite=None and Partitioned imply Secure', () => {
    assert.match(serializeCookie('a', 'b', { sameSite: 'None' }), /; Secure;/);
  });

  const injections: [string, string, Parameters<typeof serializeCookie>[2]][] = [
    ['a;b', 'v', {}],
    ['a b', 'v', {}],
    ['a\r\nSet-Cookie: x', 'v', {}],
    ['', 'v', {}],
    ['ok', 'v', { path: '/;Domain=evil.com' }],
    ['ok', 'v', { domain: 'a.com\r\nX: y' }],
    ['ok', 'v', { maxAge: Number.NaN }],
  ];
  for (const [name, value, options] of injections) {
    test(`refuses ${JSON.stringify([name, options])}`, () => {
      assert.throws(() => serializeCookie(name, value, options), { code: 'WK_ERR_COOKIE' });
    });
  }

  test('a value with CR/LF or ; is encoded, never raw', () => {
    const line = serializeCookie('a', 'x\r\nSet-Cookie: evil=1; Path=/');
    assert.ok(!/[\r\n]/.test(line));
    assert.equal(line.split(';')[0], 'a=x%0D%0ASet-Cookie%3A%20evil%3D1%3B%20Path%3D%2F');
  });
});

describe('signed cookie values', () => {
  test('sign → unsign round trip; any change is refused', () => {
    const signed = signCookieValue('user.42', 'k1');
    assert.equal(unsignCookieValue(signed, ['k1']), 'user.42');
    assert.equal(unsignCookieValue(`${signed}x`, ['k1']), undefined);
    assert.equal(unsignCookieValue(signed.replace('42', '43'), ['k1']), undefined);
    assert.equal(unsignCookieValue('user.42', ['k1']), undefined);
    assert.equal(unsignCookieValue(signed, ['other']), undefined);
    assert.equal(unsignCookieValue('.sig', ['k1']), undefined);
  });

  test('rotation: old signatures verify while the old key is listed', () => {
    const old = signCookieValue('v', 'old');
    assert.equal(unsignCookieValue(old, ['new', 'old']), 'v');
    assert.equal(unsignCookieValue(old, ['new']), undefined);
  });
});

describe('in an app', () => {
  function cookieApp(secrets: string[]): App {
    const app = new App({ secrets });
    app.get('/set', (c) => {
      c.cookie('session', 'user:42', { signed: true });
      c.cookie('theme', 'dark');
      return 'set';
    });
    app.get('/read', (c) => ({
      session: c.req.signedCookie('session') ?? null,
      theme: c.req.cookie('theme') ?? null,
      all: c.req.cookies,
    }));
    return app;
  }

  /** The cookie a browser would send back for a Set-Cookie line. */
  function sentBack(setCookie: string): string {
    return setCookie.split(';')[0] as string;
  }

  test('a signed cookie set by the app reads back; a plain one too', async () => {
    const app = cookieApp(['k1']);
    const set = await app.request('/set');
    const cookie = set.headers.getSetCookie().map(sentBack).join('; ');
    const read = await (await app.request('/read', { headers: { cookie } })).json();
    assert.equal((read as { session: string }).session, 'user:42');
    assert.equal((read as { theme: string }).theme, 'dark');
  });

  test('a tampered signed cookie reads as false', async () => {
    const app = cookieApp(['k1']);
    const line = (await app.request('/set')).headers.getSetCookie()[0] as string;
    const forged = sentBack(line).replace('42', '1');
    const read = await (await app.request('/read', { headers: { cookie: forged } })).json();
    assert.equal((read as { session: unknown }).session, false);
    const unsigned = await (await app.request('/read', { headers: { cookie: 'session=user%3A42' } })).json();
    assert.equal((unsigned as { session: unknown }).session, false);
  });

  test('an absent signed cookie reads as undefined', async () => {
    const read = await (await cookieApp(['k1']).request('/read')).json();
    assert.equal((read as { session: unknown }).session, null);
  });

  test('key rotation: a cookie signed with the old key verifies after a new key is prepended', async () => {
    const before = cookieApp(['old']);
    const cookie = sentBack((await before.request('/set')).headers.getSetCookie()[0] as string);
    const after = cookieApp(['new', 'old']);
    const read = await (await after.request('/read', { headers: { cookie } })).json();
    assert.equal((read as { session: string }).session, 'user:42');
    const resigned = (await after.request('/set')).headers.getSetCookie()[0] as string;
    assert.notEqual(sentBack(resigned), cookie, 'new cookies are signed with the first key');
    const dropped = cookieApp(['new']);
    const stale = await (await dropped.request('/read', { headers: { cookie } })).json();
    assert.equal((stale as { session: unknown }).session, false);
  });

  test('signed cookies without secrets are a server error, not an unsigned cookie', async () => {
    const app = cookieApp([]);
    assert.equal((await app.request('/set')).status, 500);
    assert.equal((await app.request('/read', { headers: { cookie: 'session=x' } })).status, 500);
  });

  test('a cookie value with ; and CR/LF cannot inject a header or attribute', async () => {
    const app = new App();
    app.get('/', (c) => {
      c.cookie('a', 'x; Domain=evil.com\r\nX-Injected: 1');
      return 'ok';
    });
    const res = await app.request('/');
    assert.equal(res.headers.get('x-injected'), null);
    assert.ok(!(res.headers.getSetCookie()[0] ?? '').includes('Domain=evil.com'));
  });
});
