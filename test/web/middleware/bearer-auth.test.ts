/**
 * bearerAuth (RFC 6750): 401 without an error code when no token is sent, 400 invalid_request for
 * a malformed field, 401 invalid_token for a wrong token, the accepted forms (one token, a list,
 * named tokens, verify returning a user), option checks, and curl's --oauth2-bearer over a socket.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App } from '../../../src/web/app.js';
import { type BearerAuthOptions, type BearerAuthVariables, bearerAuth } from '../../../src/web/middleware/index.js';
import { curlRequest } from '../../helpers/curl.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { assertRefusedOptions } from './refused-options.js';

const leaks = trackLeaks();
const TOKEN = 'mF_9.B5f-4.1JqM';

function tokenApp<U>(options: BearerAuthOptions<BearerAuthVariables<U>, U>) {
  const app = new App<BearerAuthVariables<U>>();
  const runs = { count: 0 };
  app.use('/api/*', bearerAuth(options));
  app.get('/api/me', (c) => {
    runs.count++;
    return c.json({ user: c.var.user ?? null });
  });
  return { app, runs };
}

/** Any app of this file (its variables' type does not matter to a request). */
type Requester = Pick<App, 'request'>;

const get = (app: Requester, authorization?: string) =>
  app.request('/api/me', { headers: authorization === undefined ? {} : { authorization } });

describe('answers (RFC 6750 §3)', () => {
  test('the right token passes', async () => {
    const { app } = tokenApp({ token: TOKEN });
    const res = await get(app, `Bearer ${TOKEN}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { user: null });
  });

  test('no credentials (or another scheme): 401, a challenge without an error code', async () => {
    const { app, runs } = tokenApp({ token: TOKEN });
    for (const authorization of [undefined, `Basic ${Buffer.from('a:b').toString('base64')}`]) {
      const res = await get(app, authorization);
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="Restricted"');
    }
    assert.equal(runs.count, 0);
  });

  test('a well-formed wrong token: 401 with error="invalid_token"', async () => {
    const { app } = tokenApp({ token: TOKEN });
    for (const token of ['wrong', `${TOKEN}x`, TOKEN.slice(0, -1), 'a==']) {
      const res = await get(app, `Bearer ${token}`);
      assert.equal(res.status, 401, token);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="Restricted", error="invalid_token"');
    }
  });

  test('a malformed field: 400 with error="invalid_request"', async () => {
    const { app, runs } = tokenApp({ token: TOKEN });
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Bearer a b',
      'Bearer tök',
      'Bearer =abc',
      'Bearer a,b',
      'Bearer"x"',
    ]) {
      const res = await get(app, authorization);
      assert.equal(res.status, 400, authorization);
      assert.equal(
        res.headers.get('www-authenticate'),
        'Bearer realm="Restricted", error="invalid_request"',
        authorization,
      );
    }
    const twice = await app.request('/api/me', {
      headers: [
        ['authorization', `Bearer ${TOKEN}`],
        ['authorization', 'Bearer other'],
      ],
    });
    assert.equal(twice.status, 400, 'two Authorization fields');
    assert.equal(runs.count, 0);
  });

  test('the scheme is case-insensitive', async () => {
    const { app } = tokenApp({ token: TOKEN });
    assert.equal((await get(app, `bearer ${TOKEN}`)).status, 200);
    assert.equal((await get(app, `BEARER  ${TOKEN}`)).status, 200);
  });
});

describe('sources of tokens', () => {
  test('a list: any of them passes', async () => {
    const { app } = tokenApp({ tokens: ['one', 'two', 'three'] });
    for (const token of ['one', 'two', 'three']) assert.equal((await get(app, `Bearer ${token}`)).status, 200);
    assert.equal((await get(app, 'Bearer four')).status, 401);
  });

  test('named tokens: the name is c.var.user', async () => {
    const { app } = tokenApp({ tokens: { ci: 'token-ci', grafana: 'token-grafana' } });
    assert.deepEqual(await (await get(app, 'Bearer token-grafana')).json(), { user: 'grafana' });
    assert.deepEqual(await (await get(app, 'Bearer token-ci')).json(), { user: 'ci' });
  });

  test('verify: a user becomes c.var.user, true passes, false/null/undefined refuse', async () => {
    const users = new Map<string, { id: number } | boolean | null | undefined>([
      ['u1', { id: 1 }],
      ['yes', true],
      ['no', false],
      ['null', null],
    ]);
    const { app } = tokenApp<{ id: number }>({
      verify: async (token, c) => (c.req.path === '/api/me' ? users.get(token) : false),
    });
    assert.deepEqual(await (await get(app, 'Bearer u1')).json(), { user: { id: 1 } });
    assert.deepEqual(await (await get(app, 'Bearer yes')).json(), { user: null });
    for (const token of ['no', 'null', 'unknown']) assert.equal((await get(app, `Bearer ${token}`)).status, 401, token);
  });

  test('bad options fail when the middleware is made, never showing a token', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /exactly one of token, tokens, verify/],
      [{ token: 'a', tokens: ['b'] }, /not token and tokens/],
      [{ token: 'has space' }, /^token is not a bearer token/],
      [{ tokens: ['ok', 'bad token'] }, /tokens\[1\] is not/],
      [{ tokens: { ci: 'ok', web: 'tök' } }, /tokens\.web is not/],
      [{ tokens: [] }, /at least one/],
      [{ tokens: 'abc' }, /tokens must be/],
      [{ verify: 1 }, /verify must be a function/],
      [{ token: 'ok', realm: 'a\nb' }, /realm/],
    ];
    assertRefusedOptions(bearerAuth, cases, (message) => !/bad token|tök/.test(message));
  });
});

describe('over a socket, with curl', () => {
  test('curl --oauth2-bearer gets in; a wrong token gets 401 invalid_token', async () => {
    const { app } = tokenApp({ tokens: { ci: TOKEN } });
    const server = await app.listen({ port: 0, host: '127.0.0.1' });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const url = `http://127.0.0.1:${server.address.port}/api/me`;
    const ok = await curlRequest(url, ['--oauth2-bearer', TOKEN]);
    assert.equal(ok.status, 200);
    assert.equal(ok.body, '{"user":"ci"}');
    const wrong = await curlRequest(url, ['--oauth2-bearer', 'nope']);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('www-authenticate'), 'Bearer realm="Restricted", error="invalid_token"');
  });
});
