/**
 * Keep-alive and the reuse race (docs/architecture.md, client): a server that closes an idle connection just as
 * the next request goes out; idle connections retired before the server's Keep-Alive timeout.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pool, PoolOptions } from '../../src/client/index.js';
import { isWirekitError, NetError } from '../../src/errors.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, sleep } from '../helpers/wait.js';
import { rawServer, reply, trackedPool } from './helpers.js';

const leaks = trackLeaks();

const pool = (url: string, options?: PoolOptions): Pool => trackedPool(leaks, url, options);

/** Answers the first request on each connection; on the second, closes without a byte (the race). */
async function racingServer(how: 'close' | 'reset') {
  return rawServer(leaks, (req, socket) => {
    if (req.index === 0) socket.write(reply(`answer ${req.connection}`));
    else if (how === 'close') socket.end();
    else socket.resetAndDestroy();
  });
}

describe('the reuse race', () => {
  for (const how of ['close', 'reset'] as const) {
    test(`an idempotent request that meets a ${how} on a reused connection is sent again, silently`, async () => {
      const server = await racingServer(how);
      const p = pool(server.url);
      assert.equal(await (await p.request({ path: '/' })).body.text(), 'answer 0');
      const res = await p.request({ path: '/again' });
      assert.equal(await res.body.text(), 'answer 1');
      assert.equal(res.reused, false, 'answered on a new connection');
      assert.equal(server.accepted, 2);
    });
  }

  test('a PUT with a string body is retried too (idempotent, replayable)', async () => {
    const server = await racingServer('close');
    const p = pool(server.url);
    await (await p.request({ path: '/' })).body.dump();
    const res = await p.request({ path: '/', method: 'PUT', body: 'data' });
    assert.equal(res.status, 200);
    assert.equal(server.requests.at(-1)?.body.toString(), 'data');
  });

  test('a POST gets a clear error instead of a silent retry', async () => {
    const server = await racingServer('close');
    const p = pool(server.url);
    await (await p.request({ path: '/' })).body.dump();
    await assert.rejects(p.request({ path: '/orders', method: 'POST', body: '{}' }), (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_SOCKET_CLOSED'), String(error));
      assert.ok(error instanceof NetError, 'the class of the original error is kept');
      assert.match(
        error.message,
        /POST \/orders was sent on a reused connection and was not retried: POST is not idempotent/,
      );
      assert.equal(error.remoteAddress?.port, server.port);
      return true;
    });
    assert.equal(server.accepted, 1, 'no second connection: nothing was resent');
  });

  test('a POST with an Idempotency-Key is retried', async () => {
    const server = await racingServer('close');
    const p = pool(server.url);
    await (await p.request({ path: '/' })).body.dump();
    const res = await p.request({ path: '/', method: 'POST', body: '{}', headers: { 'idempotency-key': 'k1' } });
    assert.equal(res.status, 200);
  });

  test('a GET with a streamed body is not replayable: clear error', async () => {
    const server = await racingServer('close');
    const p = pool(server.url);
    await (await p.request({ path: '/' })).body.dump();
    async function* once() {
      yield Buffer.from('x');
    }
    await assert.rejects(p.request({ path: '/', method: 'PUT', body: once() }), /cannot be sent again/);
  });

  test('it is retried once only: a server that keeps racing surfaces the error', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      if (req.connection === 0 && req.index === 0) socket.write(reply('first'));
      else socket.end();
    });
    const p = pool(server.url);
    await (await p.request({ path: '/' })).body.dump();
    await assert.rejects(p.request({ path: '/' }), { code: 'WK_ERR_SOCKET_CLOSED' });
    assert.equal(server.accepted, 2);
  });

  test('a request that races on several reused connections in a row is resent until a new one answers', async () => {
    // A draining server closes all its idle connections at once: each resend may meet another one.
    const server = await rawServer(leaks, (req, socket) => {
      if (req.connection < 3 && req.index === 0) socket.write(reply('first'));
      else if (req.connection < 3) socket.end();
      else socket.write(reply('fresh'));
    });
    const p = pool(server.url, { connections: 3 });
    await Promise.all([0, 1, 2].map(async () => (await p.request({ path: '/' })).body.dump()));
    assert.equal(server.accepted, 3);
    const res = await p.request({ path: '/' });
    assert.equal(await res.body.text(), 'fresh');
    assert.equal(server.accepted, 4);
  });

  test('a first request on a fresh connection that is closed unanswered is not retried', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.end());
    const p = pool(server.url);
    await assert.rejects(p.request({ path: '/' }), (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_SOCKET_CLOSED'));
      assert.match(error.message, /before responding/);
      return true;
    });
    assert.equal(server.accepted, 1);
  });
});

describe('idle retirement', () => {
  test('an idle connection is closed after keepAliveTimeoutMs (default when the server names none)', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('ok')));
    const p = pool(server.url, { keepAliveTimeoutMs: 150 });
    await (await p.request({ path: '/' })).body.dump();
    assert.equal(p.stats.connections, 1);
    await eventually(() => p.stats.connections === 0, 'the idle connection retired');
    await eventually(() => server.sockets.size === 0, 'the server saw it close');
    const res = await p.request({ path: '/' });
    assert.equal(res.reused, false);
  });

  test("the server's Keep-Alive: timeout=N is honoured, minus the threshold", async () => {
    const server = await rawServer(leaks, (_req, socket) =>
      socket.write(reply('ok', 200, { 'Keep-Alive': 'timeout=2' })),
    );
    // 2 s − 1.8 s = 200 ms of idle life, although keepAliveTimeoutMs would allow a minute.
    const p = pool(server.url, { keepAliveTimeoutMs: 60_000, keepAliveTimeoutThresholdMs: 1_800 });
    await (await p.request({ path: '/' })).body.dump();
    await eventually(() => p.stats.connections === 0, 'retired before the server would close it');
  });

  test('a Keep-Alive timeout at or under the threshold means the connection is not reused', async () => {
    const server = await rawServer(leaks, (_req, socket) =>
      socket.write(reply('ok', 200, { 'Keep-Alive': 'timeout=1' })),
    );
    const p = pool(server.url);
    await (await p.request({ path: '/' })).body.dump();
    await (await p.request({ path: '/' })).body.dump();
    assert.equal(server.accepted, 2);
  });

  test('a server that closes an idle connection: the pool notices and opens a new one', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      socket.write(reply(`c${req.connection}`));
      if (req.connection === 0) setTimeout(() => socket.end(), 10);
    });
    const p = pool(server.url);
    await (await p.request({ path: '/' })).body.dump();
    await eventually(() => p.stats.connections === 0, 'the closed connection left the pool');
    await sleep(10);
    assert.equal(await (await p.request({ path: '/' })).body.text(), 'c1');
  });

  test('unsolicited bytes on an idle connection retire it (never read as a response)', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      socket.write(reply(`c${req.connection}`));
      if (req.connection === 0) setTimeout(() => socket.write(reply('poison', 408)), 10);
    });
    const p = pool(server.url);
    await (await p.request({ path: '/' })).body.dump();
    await eventually(() => p.stats.connections === 0, 'retired');
    assert.equal(await (await p.request({ path: '/' })).body.text(), 'c1');
  });
});
