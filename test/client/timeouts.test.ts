/**
 * Per-phase timeouts against slow and stalled servers: connect (a listener that never accepts),
 * headers (no answer), body (a stall between chunks), upload (a server that stops reading), total
 * (a trickle that never stalls long enough for the body timeout). Timings are only checked loosely.
 */
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { describe, test } from 'node:test';
import { DEFAULT_TIMEOUTS, type Pool, type PoolOptions } from '../../src/client/index.js';
import { isWirekitError, TimeoutError } from '../../src/errors.js';
import { trackLeaks } from '../helpers/leaks.js';
import { sleep } from '../helpers/wait.js';
import { stuckListener } from '../net/fixtures.js';
import { rawServer, reply, trackedPool, within } from './helpers.js';

const leaks = trackLeaks();

const pool = (url: string, options?: PoolOptions): Pool => trackedPool(leaks, url, options);

function timedOut(code: string, pattern?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(isWirekitError(error, code as never), String(error));
    assert.ok(error instanceof TimeoutError);
    if (pattern !== undefined) assert.match(error.message, pattern);
    return true;
  };
}

describe('connect', () => {
  test('a listener whose accept queue is full: WK_ERR_CONNECT_TIMEOUT', async () => {
    const listener = await stuckListener();
    leaks.defer(listener.stop);
    // Fill the accept queue: the kernel completes these handshakes without the process accepting.
    const fillers = Array.from({ length: 4 }, () => tcpConnect({ port: listener.port, host: '127.0.0.1' }));
    for (const socket of fillers) {
      socket.on('error', () => {});
      leaks.defer(() => socket.destroy());
    }
    await sleep(100);
    // A queue timeout shorter than the connect timeout does not speak for the connect that hangs.
    const p = pool(`http://127.0.0.1:${listener.port}`, { timeouts: { connectTimeoutMs: 300, queueTimeoutMs: 50 } });
    await assert.rejects(p.request({ path: '/' }), (error) => {
      timedOut('WK_ERR_CONNECT_TIMEOUT')(error);
      assert.equal((error as TimeoutError).remoteAddress?.port, listener.port);
      return true;
    });
  });
});

describe('headers', () => {
  test('no answer: WK_ERR_HEADERS_TIMEOUT naming the request; the connection is dropped', async () => {
    const server = await rawServer(leaks, () => {});
    const p = pool(server.url, { timeouts: { headersTimeoutMs: 200 } });
    await assert.rejects(p.request({ path: '/slow' }), timedOut('WK_ERR_HEADERS_TIMEOUT', /GET \/slow/));
    assert.equal(server.requests.length, 1, 'the request was sent: the wait was for its answer');
    assert.equal(p.stats.connections, 0);
  });

  test('a head that trickles in slower than the timeout also times out', async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\n');
      const timer = setInterval(() => socket.write('X-A: 1\r\n'), 50);
      socket.on('close', () => clearInterval(timer));
    });
    const p = pool(server.url, { timeouts: { headersTimeoutMs: 300 } });
    await assert.rejects(p.request({ path: '/' }), timedOut('WK_ERR_HEADERS_TIMEOUT'));
  });

  test('a per-request timeout overrides the pool default', async () => {
    const server = await rawServer(leaks, () => {});
    const p = pool(server.url);
    await assert.rejects(
      p.request({ path: '/', timeouts: { headersTimeoutMs: 150 } }),
      timedOut('WK_ERR_HEADERS_TIMEOUT'),
    );
  });
});

describe('body', () => {
  test('a stall between chunks: WK_ERR_BODY_TIMEOUT on the body read', async () => {
    const server = await rawServer(leaks, (_req, socket) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'),
    );
    const p = pool(server.url, { timeouts: { bodyTimeoutMs: 200 } });
    const res = await p.request({ path: '/' });
    await assert.rejects(res.body.text(), timedOut('WK_ERR_BODY_TIMEOUT', /stalled/));
  });

  test('steady chunks keep the body alive past the body timeout', async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      let n = 0;
      const timer = setInterval(() => {
        if (n++ < 8) socket.write('1\r\nx\r\n');
        else {
          clearInterval(timer);
          socket.write('0\r\n\r\n');
        }
      }, 150);
      socket.on('close', () => clearInterval(timer));
    });
    const p = pool(server.url, { timeouts: { bodyTimeoutMs: 1_000 } });
    const res = await p.request({ path: '/' });
    assert.equal(await res.body.text(), 'xxxxxxxx');
  });

  test('a reader that does not read is not timed out (the socket is paused, the server is not at fault)', async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${256 * 1024}\r\n\r\n`);
      socket.write(Buffer.alloc(256 * 1024, 1));
    });
    const p = pool(server.url, { timeouts: { bodyTimeoutMs: 150 }, bodyHighWaterBytes: 16 * 1024 });
    const res = await p.request({ path: '/' });
    await sleep(500);
    const body = await res.body.bytes();
    assert.equal(body.byteLength, 256 * 1024);
  });

  test('a request body the server stops reading: WK_ERR_BODY_TIMEOUT on the request', async () => {
    const server = await rawServer(
      leaks,
      () => {},
      (socket) => socket.pause(),
    );
    const p = pool(server.url, { timeouts: { bodyTimeoutMs: 300 } });
    async function* endless() {
      const chunk = Buffer.alloc(64 * 1024, 7);
      for (;;) yield chunk;
    }
    await assert.rejects(
      p.request({ path: '/upload', method: 'PUT', body: endless() }),
      timedOut('WK_ERR_BODY_TIMEOUT', /request body of PUT \/upload/),
    );
  });
});

describe('queue', () => {
  test('a request queued behind a response body nobody reads fails with WK_ERR_QUEUE_TIMEOUT, not never', async () => {
    const big = Buffer.alloc(1024 * 1024, 1);
    const server = await rawServer(leaks, (req, socket) => {
      if (req.path !== '/big') return void socket.write(reply('next'));
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${big.byteLength}\r\n\r\n`);
      socket.write(big);
    });
    const p = pool(server.url, { connections: 1 });
    const unread = await p.request({ path: '/big' });
    await within(
      assert.rejects(
        p.request({ path: '/next', timeouts: { queueTimeoutMs: 200 } }),
        timedOut('WK_ERR_QUEUE_TIMEOUT', /GET \/next waited \d+ ms for a connection .* a response body left unread/),
      ),
      'the queued request',
    );
    unread.body.cancel();
    const next = await p.request({ path: '/next', timeouts: { queueTimeoutMs: 200 } });
    assert.equal(await next.body.text(), 'next', 'a cancelled body frees its connection');
    assert.equal(DEFAULT_TIMEOUTS.queueTimeoutMs, 30_000);
  });
});

describe('total', () => {
  test('a trickle that never trips the body timeout is cut by totalTimeoutMs', async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      const timer = setInterval(() => socket.write('1\r\nx\r\n'), 40);
      socket.on('close', () => clearInterval(timer));
    });
    const p = pool(server.url, { timeouts: { bodyTimeoutMs: 5_000, totalTimeoutMs: 400 } });
    const res = await p.request({ path: '/' });
    await assert.rejects(res.body.text(), timedOut('WK_ERR_TOTAL_TIMEOUT'));
  });

  test('the total deadline also covers the wait in the queue', async () => {
    const server = await rawServer(leaks, () => {});
    const p = pool(server.url, { connections: 1, timeouts: { headersTimeoutMs: 5_000 } });
    const first = p.request({ path: '/first' }).catch((error: unknown) => error);
    await assert.rejects(
      p.request({ path: '/second', timeouts: { totalTimeoutMs: 200 } }),
      timedOut('WK_ERR_TOTAL_TIMEOUT'),
    );
    assert.equal(server.requests.length, 1, 'the second never left the queue');
    await p.destroy();
    assert.ok(isWirekitError(await first, 'WK_ERR_CLIENT_CLOSED'));
  });

  test('a response within every deadline is unaffected, and its timings add up', async () => {
    const server = await rawServer(leaks, (_req, socket) => setTimeout(() => socket.write(reply('ok')), 30));
    const p = pool(server.url, { timeouts: { totalTimeoutMs: 5_000 } });
    const res = await p.request({ path: '/' });
    await res.body.text();
    const t = res.timings;
    // How the phases add up, not how long they took: connect, then the wait for the head, within the total.
    assert.ok(t.connect > 0 && t.ttfb > 0 && t.total >= t.connect + t.ttfb, JSON.stringify(t));
    assert.equal(t.tls, 0);
  });
});
