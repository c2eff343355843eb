/**
 * Pools and agents: the queue bound, FIFO order, connection limit, aborts at every stage, graceful
 * close, Agent pools by origin and their retirement, and backpressure from a slow body reader.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Agent, Client, type Pool, type PoolOptions } from '../../src/client/index.js';
import { isWirekitError } from '../../src/errors.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, sleep } from '../helpers/wait.js';
import { rawServer, reply, trackedPool } from './helpers.js';

const leaks = trackLeaks();

const pool = (url: string, options?: PoolOptions): Pool => trackedPool(leaks, url, options);

/** A server that holds every request until `release()`. */
async function holdingServer() {
  const held: (() => void)[] = [];
  const server = await rawServer(leaks, (req, socket) => held.push(() => socket.write(reply(req.path))));
  return {
    server,
    held,
    release: () => {
      for (const send of held.splice(0)) send();
    },
  };
}

describe('queue', () => {
  test('requests beyond connections wait in FIFO order; beyond maxQueue they are refused at once', async () => {
    const { server, held, release } = await holdingServer();
    const p = pool(server.url, { connections: 2, maxQueue: 3 });
    const accepted = ['/1', '/2', '/3', '/4', '/5'].map((path) => p.request({ path }));
    await assert.rejects(p.request({ path: '/6' }), (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_POOL_QUEUE_FULL'));
      assert.match(error.message, /3 requests already wait/);
      return true;
    });
    await eventually(() => held.length === 2, 'two requests on the wire');
    assert.equal(p.stats.queued, 3);
    assert.equal(server.accepted, 2);
    const order: string[] = [];
    while (order.length < 5) {
      release();
      await sleep(5);
      order.push(...server.requests.slice(order.length).map((r) => r.path));
    }
    release();
    const bodies = await Promise.all(accepted.map(async (r) => (await r).body.text()));
    assert.deepEqual(bodies, ['/1', '/2', '/3', '/4', '/5']);
    assert.deepEqual(order.slice(2), ['/3', '/4', '/5'], 'queued requests left in the order they came');
  });

  test('an aborted queued request leaves the queue and does not count against the bound', async () => {
    const { server, release } = await holdingServer();
    const p = pool(server.url, { connections: 1, maxQueue: 1 });
    const first = p.request({ path: '/1' });
    const controller = new AbortController();
    const second = p.request({ path: '/2', signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    await assert.rejects(second, (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_ABORTED'));
      assert.equal((error.cause as Error).message, 'changed my mind');
      return true;
    });
    const third = p.request({ path: '/3' });
    await eventually(() => server.requests.length === 1, 'first on the wire');
    release();
    await (await first).body.dump();
    await eventually(() => server.requests.length === 2, 'third on the wire');
    release();
    assert.equal(await (await third).body.text(), '/3');
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ['/1', '/3'],
    );
  });
});

describe('write batching', () => {
  test('requests to many connections in one turn all leave (batches released early and at the turn end)', async () => {
    const server = await rawServer(leaks, (req, socket) => socket.write(reply(req.path)));
    const p = pool(server.url, { connections: 40 });
    const paths = Array.from({ length: 100 }, (_, i) => `/b${i}`);
    for (let round = 0; round < 3; round++) {
      const bodies = await Promise.all(paths.map(async (path) => (await p.request({ path })).body.text()));
      assert.deepEqual(bodies, paths);
    }
    assert.ok(server.accepted <= 40);
  });
});

describe('abort', () => {
  test('an already aborted signal: rejected before anything is sent', async () => {
    const { server } = await holdingServer();
    await assert.rejects(pool(server.url).request({ path: '/', signal: AbortSignal.abort() }), {
      code: 'WK_ERR_ABORTED',
    });
    assert.equal(server.accepted, 0);
  });

  test('while waiting for the head: rejected, the connection dropped', async () => {
    const { server } = await holdingServer();
    const p = pool(server.url);
    const controller = new AbortController();
    const pending = p.request({ path: '/', signal: controller.signal });
    await eventually(() => server.requests.length === 1, 'sent');
    controller.abort();
    await assert.rejects(pending, (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_ABORTED'));
      assert.equal(error.remoteAddress?.port, server.port);
      return true;
    });
    await eventually(() => p.stats.connections === 0, 'dropped');
  });

  test('while reading the body: the body read rejects', async () => {
    const server = await rawServer(leaks, (_req, socket) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab'),
    );
    const controller = new AbortController();
    const res = await pool(server.url).request({ path: '/', signal: controller.signal });
    const reading = res.body.text();
    controller.abort();
    await assert.rejects(reading, { code: 'WK_ERR_ABORTED' });
  });

  test('after the body ended: no effect, the connection stays for the next request', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('done')));
    const p = pool(server.url);
    const controller = new AbortController();
    const res = await p.request({ path: '/', signal: controller.signal });
    assert.equal(await res.body.text(), 'done');
    controller.abort();
    await (await p.request({ path: '/' })).body.dump();
    assert.equal(server.accepted, 1);
  });

  test('breaking out of the body loop cancels it and drops the connection', async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    });
    const p = pool(server.url);
    const res = await p.request({ path: '/' });
    for await (const chunk of res.body) {
      assert.equal(Buffer.from(chunk).toString(), 'abc');
      break;
    }
    await eventually(() => p.stats.connections === 0, 'dropped');
  });

  test('cancel() before reading a decompressed body drops the connection under it', async () => {
    const zipped = gzipSync(randomBytes(1024 * 1024));
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${zipped.length}\r\n\r\n`);
      socket.write(zipped);
    });
    const p = pool(server.url);
    const res = await p.request({ path: '/', decompress: true });
    res.body.cancel();
    await eventually(() => p.stats.connections === 0, 'dropped');
  });
});

describe('close and destroy', () => {
  test('close() lets accepted requests finish, refuses new ones, then closes every connection', async () => {
    const { server, release } = await holdingServer();
    const p = pool(server.url, { connections: 1 });
    const a = p.request({ path: '/a' });
    const b = p.request({ path: '/b' });
    await eventually(() => server.requests.length === 1, 'a sent');
    const closing = p.close();
    await assert.rejects(p.request({ path: '/c' }), { code: 'WK_ERR_CLIENT_CLOSED' });
    release();
    assert.equal(await (await a).body.text(), '/a');
    await eventually(() => server.requests.length === 2, 'b sent');
    release();
    assert.equal(await (await b).body.text(), '/b');
    await closing;
    assert.equal(p.stats.connections, 0);
    await eventually(() => server.sockets.size === 0, 'server side closed');
  });

  test('destroy() fails what is in flight and queued', async () => {
    const { server } = await holdingServer();
    const p = pool(server.url, { connections: 1 });
    const a = p.request({ path: '/a' });
    const b = p.request({ path: '/b' });
    await eventually(() => server.requests.length === 1, 'a sent');
    await p.destroy();
    await assert.rejects(a, { code: 'WK_ERR_CLIENT_CLOSED' });
    await assert.rejects(b, { code: 'WK_ERR_CLIENT_CLOSED' });
  });
});

describe('Agent', () => {
  test('one pool per origin; an unused pool is retired after poolIdleTimeoutMs', async () => {
    const one = await rawServer(leaks, (_req, socket) => socket.write(reply('one')));
    const two = await rawServer(leaks, (_req, socket) => socket.write(reply('two')));
    const agent = new Agent({ poolIdleTimeoutMs: 200, keepAliveTimeoutMs: 100 });
    leaks.defer(() => agent.destroy());
    assert.equal(await (await agent.request(`${one.url}/`)).body.text(), 'one');
    assert.equal(await (await agent.request(`${two.url}/`)).body.text(), 'two');
    assert.deepEqual(agent.origins.sort(), [one.url, two.url].sort());
    await eventually(() => agent.origins.length === 0, 'both pools retired');
    assert.equal(await (await agent.request(`${one.url}/`)).body.text(), 'one', 'a retired origin gets a new pool');
  });

  test('a pool in use is not retired', async () => {
    const { server, release } = await holdingServer();
    const agent = new Agent({ poolIdleTimeoutMs: 100 });
    leaks.defer(() => agent.destroy());
    const pending = agent.request(`${server.url}/`);
    await sleep(400);
    assert.deepEqual(agent.origins, [server.url]);
    release();
    await (await pending).body.dump();
  });
});

describe('backpressure', () => {
  test('a slow reader pauses the socket: unread bytes stay bounded', async () => {
    const size = 8 * 1024 * 1024;
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      socket.write(Buffer.alloc(size, 1));
    });
    const client = new Client(server.url, { bodyHighWaterBytes: 64 * 1024 });
    leaks.defer(() => client.destroy());
    const res = await client.request({ path: '/' });
    await sleep(300);
    const iterator = res.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.ok(!first.done);
    // Kernel buffers take some (a few MiB at most on loopback); the rest waits on the server side.
    const sender = [...server.sockets][0];
    assert.ok(sender !== undefined && sender.writableLength > 0, 'the server is held back');
    let total = first.value.byteLength;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) total += next.value.byteLength;
    assert.equal(total, size);
  });
});
