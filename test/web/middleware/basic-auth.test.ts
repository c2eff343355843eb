/**
 * basicAuth (RFC 7617): the challenge, every kind of failure answered 401 with it, UTF-8
 * credentials, passwords holding ':', `verify`, the user on c.var, option checks, the
 * timing-safe matcher looking at every entry, and curl (--anyauth reads our challenge) over a socket.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App } from '../../../src/web/app.js';
import { type BasicAuthOptions, type BasicAuthVariables, basicAuth } from '../../../src/web/middleware/index.js';
import { digest, matchingEntry } from '../../../src/web/middleware/shared/credentials.js';
import { curlRequest } from '../../helpers/curl.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { assertRefusedOptions } from './refused-options.js';

const leaks = trackLeaks();
const CHALLENGE = 'Basic realm="Restricted", charset="UTF-8"';

function authApp(
  options: BasicAuthOptions<BasicAuthVariables> = { users: { ada: 'lovelace', 'grace hopper': 'cobol:1959' } },
) {
  const app = new App<BasicAuthVariables>();
  const runs = { count: 0 };
  app.use('/admin/*', basicAuth(options));
  app.get('/admin/whoami', (c) => {
    runs.count++;
    return c.text(`hello ${c.var.user}`);
  });
  app.get('/public', (c) => c.text('public'));
  return { app, runs };
}

const basic = (userPass: string) => `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;
const get = (app: App<BasicAuthVariables>, authorization?: string) =>
  app.request('/admin/whoami', { headers: authorization === undefined ? {} : { authorization } });

describe('basicAuth', () => {
  test('the right name and password reach the route, with the name in c.var.user', async () => {
    const { app } = authApp();
    const res = await get(app, basic('ada:lovelace'));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello ada');
    const grace = await get(app, basic('grace hopper:cobol:1959'));
    assert.equal(await grace.text(), 'hello grace hopper', "the password may hold ':' (only the first one splits)");
  });

  test('no credentials, another scheme, a wrong password or user, malformed base64: 401 with the challenge', async () => {
    const { app, runs } = authApp();
    const cases: (string | undefined)[] = [
      undefined,
      'Bearer abc',
      basic('ada:wrong'),
      basic('bob:lovelace'),
      basic('ada'),
      basic('ada:lovelace '),
      'Basic',
      'Basic !!!not-base64',
      `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`,
      'Basic=abc',
    ];
    for (const authorization of cases) {
      const res = await get(app, authorization);
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.headers.get('www-authenticate'), CHALLENGE, String(authorization));
    }
    assert.equal(runs.count, 0);
    assert.equal((await app.request('/public')).status, 200, 'routes outside the mount are open');
  });

  test('the scheme is case-insensitive and several spaces may follow it (RFC 9110 §11.1, §11.4)', async () => {
    const { app } = authApp();
    const encoded = Buffer.from('ada:lovelace').toString('base64');
    for (const authorization of [`basic ${encoded}`, `BASIC   ${encoded}`]) {
      assert.equal((await get(app, authorization)).status, 200, authorization);
    }
  });

  test('two Authorization fields are refused, even if one is right', async () => {
    const { app } = authApp();
    const res = await app.request('/admin/whoami', {
      headers: [
        ['authorization', basic('ada:lovelace')],
        ['authorization', basic('bob:x')],
      ],
    });
    assert.equal(res.status, 401);
  });

  test('UTF-8 names and passwords (RFC 7617 §2.1 charset)', async () => {
    const { app } = authApp({ users: { zoë: 'pässwörd✓' } });
    const res = await get(app, basic('zoë:pässwörd✓'));
    assert.equal(await res.text(), 'hello zoë');
  });

  test('verify decides (sync or async) and gets the request; a realm with quotes is escaped', async () => {
    const seen: string[] = [];
    const { app } = authApp({
      realm: 'Admin "zone"',
      verify: async (username, password, c) => {
        seen.push(`${username}/${password}/${c.req.path}`);
        return password === `${username}!`;
      },
    });
    assert.equal((await get(app, basic('x:x!'))).status, 200);
    const refused = await get(app, basic('x:nope'));
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Basic realm="Admin \\"zone\\"", charset="UTF-8"');
    assert.deepEqual(seen, ['x/x!//admin/whoami', 'x/nope//admin/whoami']);
  });

  test('verify must answer true: a truthy non-boolean refuses', async () => {
    const { app } = authApp({ verify: () => 'yes' as unknown as boolean });
    assert.equal((await get(app, basic('a:b'))).status, 401);
  });

  test('bad options fail when the middleware is made', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /exactly one of users, verify/],
      [{ users: { a: 'b' }, verify: () => true }, /not users and verify/],
      [{ users: {} }, /at least one/],
      [{ users: { 'a:b': 'c' } }, /users\["a:b"\]/],
      [{ users: { a: 1 } }, /users\["a"\]/],
      [{ users: 'a:b' }, /users must be/],
      [{ verify: 'yes' }, /verify must be a function/],
      [{ users: { a: 'b' }, realm: 'x\r\ny' }, /realm/],
    ];
    assertRefusedOptions(basicAuth, cases);
  });

  test('the error message never names the password', () => {
    assert.throws(
      () => basicAuth({ users: { 'a:b': 'hunter2' } }),
      (e) => !String(e).includes('hunter2'),
    );
  });
});

describe('the timing-safe matcher', () => {
  test('finds the secret whose digest matches, whatever the length of the guess', () => {
    const secrets = [digest('ada:pw1'), digest('bob:pw2')];
    assert.equal(matchingEntry(secrets, digest('bob:pw2')), 1);
    assert.equal(matchingEntry(secrets, digest('bob:pw1')), -1, "another user's password");
    assert.equal(matchingEntry(secrets, digest('ada:pw1')), 0);
    assert.equal(matchingEntry(secrets, digest('x'.repeat(10_000))), -1, 'any length compares as 32 bytes');
    assert.equal(matchingEntry([digest('same'), digest('same')], digest('same')), 0, 'the first match');
  });
});

describe('over a socket, with curl', () => {
  test('curl --anyauth reads the challenge, picks Basic and gets in; a wrong password stays out', async () => {
    const { app } = authApp();
    const server = await app.listen({ port: 0, host: '127.0.0.1' });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const url = `http://127.0.0.1:${server.address.port}/admin/whoami`;
    const ok = await curlRequest(url, ['--anyauth', '--user', 'ada:lovelace']);
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'hello ada');
    const wrong = await curlRequest(url, ['--user', 'ada:nope']);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('www-authenticate'), CHALLENGE);
  });
});
