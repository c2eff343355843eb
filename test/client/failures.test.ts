/**
 * Failures name their phase (docs/architecture.md, Errors): refused connections, DNS, mid-body resets,
 * truncated bodies, oversized heads and bodies, malformed chunks, each a WirekitError with the
 * socket addresses; and the connection is never reused after one.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Agent, Pool, type PoolOptions } from '../../src/client/index.js';
import { isWirekitError, LimitError, type WirekitError } from '../../src/errors.js';
import { trackLeaks } from '../helpers/leaks.js';
import { rawServer, reply, trackedPool } from './helpers.js';

const leaks = trackLeaks();

const pool = (url: string, options?: PoolOptions): Pool => trackedPool(leaks, url, options);

function hasCode(code: string, check?: (error: WirekitError) => void) {
  return (error: unknown): boolean => {
    assert.ok(isWirekitError(error), `a WirekitError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    check?.(error);
    return true;
  };
}

/** A port nothing listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('connecting', () => {
  test('a refused connection is WK_ERR_CONNECT with the address tried and ECONNREFUSED as cause', async () => {
    const port = await deadPort();
    const p = pool(`http://127.0.0.1:${port}`);
    await assert.rejects(
      p.request({ path: '/' }),
      hasCode('WK_ERR_CONNECT', (error) => {
        assert.equal(error.remoteAddress?.port, port);
        assert.equal((error.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
      }),
    );
    assert.deepEqual(p.stats, { connections: 0, connecting: 0, idle: 0, queued: 0, running: 0 });
  });

  test('every queued request fails when the only connection attempt fails', async () => {
    const port = await deadPort();
    const p = pool(`http://127.0.0.1:${port}`, { connections: 1 });
    const results = await Promise.allSettled([1, 2, 3].map(() => p.request({ path: '/' })));
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok(isWirekitError(result.reason, 'WK_ERR_CONNECT'));
    }
  });

  test('a name that does not resolve is WK_ERR_DNS', async () => {
    const agent = new Agent({ timeouts: { connectTimeoutMs: 5_000 } });
    leaks.defer(() => agent.destroy());
    await assert.rejects(
      agent.request('http://wirekit-test.invalid/'),
      hasCode('WK_ERR_DNS', (error) => assert.equal(error.remoteAddress?.address, 'wirekit-test.invalid')),
    );
  });

  test('localhost works whichever loopback family the server listens on', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('ok')));
    const p = pool(`http://localhost:${server.port}`);
    const res = await p.request({ path: '/' });
    assert.equal(await res.body.text(), 'ok');
    assert.equal(server.requests[0]?.headers.host, `localhost:${server.port}`);
  });
});

describe('responses cut short', () => {
  test('a reset mid-body fails the body read with WK_ERR_SOCKET (ECONNRESET), addresses attached', async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
    const p = pool(server.url);
    const res = await p.request({ path: '/' });
    assert.equal(res.status, 200);
    await assert.rejects(
      res.body.text(),
      hasCode('WK_ERR_SOCKET', (error) => {
        assert.equal(error.remoteAddress?.port, server.port);
        assert.ok(error.localAddress !== undefined);
      }),
    );
  });

  test('a close mid-body (Content-Length) is WK_ERR_UNEXPECTED_EOF', async () => {
    const server = await rawServer(leaks, (_req, socket) =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort'),
    );
    const p = pool(server.url);
    const res = await p.request({ path: '/' });
    await assert.rejects(
      res.body.text(),
      hasCode('WK_ERR_UNEXPECTED_EOF', (error) => assert.equal(error.remoteAddress?.port, server.port)),
    );
  });

  test('a close mid-chunked-body is WK_ERR_UNEXPECTED_EOF', async () => {
    const server = await rawServer(leaks, (_req, socket) =>
      socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n'),
    );
    const res = await pool(server.url).request({ path: '/' });
    await assert.rejects(res.body.text(), hasCode('WK_ERR_UNEXPECTED_EOF'));
  });

  test('a close inside the head is WK_ERR_UNEXPECTED_EOF on the request itself', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Len'));
    await assert.rejects(pool(server.url).request({ path: '/' }), hasCode('WK_ERR_UNEXPECTED_EOF'));
  });

  test('reading the body in a loop sees the chunks that arrived before the failure', async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
    const res = await pool(server.url).request({ path: '/' });
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const chunk of res.body) seen.push(Buffer.from(chunk).toString());
    }, hasCode('WK_ERR_SOCKET'));
    assert.deepEqual(seen, ['abc']);
  });
});

describe('malformed and oversized responses', () => {
  test('a head larger than maxHeadBytes is WK_ERR_RESPONSE_HEAD_TOO_LARGE', async () => {
    const server = await rawServer(leaks, (_req, socket) =>
      socket.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(4096)}\r\nContent-Length: 0\r\n\r\n`),
    );
    await assert.rejects(
      pool(server.url, { maxHeadBytes: 1024 }).request({ path: '/' }),
      hasCode('WK_ERR_RESPONSE_HEAD_TOO_LARGE', (error) => assert.equal(error.remoteAddress?.port, server.port)),
    );
  });

  test('more fields than maxHeaderCount is WK_ERR_RESPONSE_HEAD_TOO_LARGE', async () => {
    const fields = Array.from({ length: 20 }, (_, i) => `X-${i}: ${i}\r\n`).join('');
    const server = await rawServer(leaks, (_req, socket) =>
      socket.write(`HTTP/1.1 200 OK\r\n${fields}Content-Length: 0\r\n\r\n`),
    );
    await assert.rejects(
      pool(server.url, { maxHeaderCount: 10 }).request({ path: '/' }),
      hasCode('WK_ERR_RESPONSE_HEAD_TOO_LARGE'),
    );
  });

  test('a bad chunk size fails the body with WK_ERR_HTTP_INVALID_CHUNK and drops the connection', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      if (req.connection === 0)
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n');
      else socket.write(reply('clean'));
    });
    const p = pool(server.url);
    const res = await p.request({ path: '/' });
    await assert.rejects(res.body.text(), hasCode('WK_ERR_HTTP_INVALID_CHUNK'));
    assert.equal(await (await p.request({ path: '/' })).body.text(), 'clean');
    assert.equal(server.accepted, 2, 'the broken connection was not reused');
  });

  test('Content-Length with Transfer-Encoding is refused (WK_ERR_HTTP_INVALID_FRAMING)', async () => {
    const server = await rawServer(leaks, (_req, socket) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'),
    );
    await assert.rejects(pool(server.url).request({ path: '/' }), hasCode('WK_ERR_HTTP_INVALID_FRAMING'));
  });

  test('a garbage status line is WK_ERR_HTTP_INVALID_STATUS_LINE', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write('HTTP/9 OK\r\n\r\n'));
    await assert.rejects(pool(server.url).request({ path: '/' }), hasCode('WK_ERR_HTTP_INVALID_STATUS_LINE'));
  });

  test('a body over maxResponseBytes is WK_ERR_RESPONSE_TOO_LARGE (declared, or counted while chunked)', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      if (req.path === '/declared') socket.write(reply('x'.repeat(100)));
      else
        socket.write(
          `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n${'y'.repeat(64)}\r\n40\r\n${'y'.repeat(64)}\r\n0\r\n\r\n`,
        );
    });
    const p = pool(server.url, { maxResponseBytes: 80 });
    await assert.rejects(p.request({ path: '/declared' }), hasCode('WK_ERR_RESPONSE_TOO_LARGE'));
    const res = await p.request({ path: '/chunked' });
    await assert.rejects(res.body.text(), hasCode('WK_ERR_RESPONSE_TOO_LARGE'));
  });

  test('text() past its maxBytes is WK_ERR_RESPONSE_TOO_LARGE, with the socket addresses', async () => {
    const zipped = gzipSync('z'.repeat(50));
    const server = await rawServer(leaks, (req, socket) => {
      if (req.path === '/plain') return void socket.write(reply('z'.repeat(50)));
      socket.write(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${zipped.length}\r\n\r\n`);
      socket.write(zipped);
    });
    const p = pool(server.url);
    for (const decompress of [false, true]) {
      const res = await p.request({ path: decompress ? '/gzip' : '/plain', decompress });
      await assert.rejects(
        res.body.text(10),
        hasCode('WK_ERR_RESPONSE_TOO_LARGE', (error) => {
          assert.ok(error instanceof LimitError);
          assert.equal(error.remoteAddress?.port, server.port, `decompress: ${decompress}`);
          assert.equal(error.localAddress?.address, '127.0.0.1');
        }),
      );
    }
  });

  test('invalid JSON is WK_ERR_INVALID_JSON; a body is read once (WK_ERR_BODY_USED)', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('{nope')));
    const res = await pool(server.url).request({ path: '/' });
    await assert.rejects(res.body.json(), hasCode('WK_ERR_INVALID_JSON'));
    await assert.rejects(res.body.text(), hasCode('WK_ERR_BODY_USED'));
  });
});

describe('arguments', () => {
  test('bad options and URLs are WK_ERR_INVALID_ARGUMENT at once', async () => {
    assert.throws(() => new Pool('ftp://example.com'), hasCode('WK_ERR_INVALID_ARGUMENT'));
    assert.throws(() => new Pool('http://127.0.0.1:1', { connections: 0 }), hasCode('WK_ERR_INVALID_ARGUMENT'));
    const p = pool('http://127.0.0.1:1');
    await assert.rejects(
      p.dispatch({ origin: 'http://elsewhere:1', path: '/', method: 'GET', headers: [] }),
      hasCode('WK_ERR_INVALID_ARGUMENT'),
    );
    await assert.rejects(p.request({ path: 'no-slash' }), hasCode('WK_ERR_HTTP_INVALID_TARGET'));
    await assert.rejects(p.request({ path: '/', method: 'GE T' }), hasCode('WK_ERR_HTTP_INVALID_REQUEST_LINE'));
  });

  test('a closed pool refuses requests with WK_ERR_CLIENT_CLOSED', async () => {
    const p = pool('http://127.0.0.1:1');
    await p.close();
    await assert.rejects(p.request({ path: '/' }), hasCode('WK_ERR_CLIENT_CLOSED'));
  });
});
