/** TCP and Unix sockets end to end: echo round trips, reads across chunks, addresses and errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isWirekitError, NetError, WirekitError } from '../../src/errors.js';
import { Connection, connect, listen } from '../../src/net/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, stillPending } from '../helpers/wait.js';
import { bytes, echoServer, hasIPv6Loopback, pattern, text } from './fixtures.js';

const leaks = trackLeaks();

/** Sends `payload` through an echo server and returns what came back. */
async function roundTrip(conn: Connection, payload: Uint8Array): Promise<Uint8Array> {
  const [echoed] = await Promise.all([
    conn.readExactly(payload.byteLength),
    (async () => {
      await conn.write(payload);
      await conn.end();
    })(),
  ]);
  assert.equal(await conn.read(), null, 'EOF after the echo');
  return echoed;
}

const SIZES = [1, 1000, 64 * 1024 + 3, 1024 * 1024, 64 * 1024 * 1024];

for (const host of ['127.0.0.1', '::1']) {
  describe(`echo round trips on ${host}`, async () => {
    const skip = host === '::1' && !(await hasIPv6Loopback()) ? 'no IPv6 loopback on this machine' : false;
    for (const size of SIZES) {
      test(`${size} bytes`, { skip }, async () => {
        const server = await echoServer(leaks, host);
        const conn = await connect({ port: server.address.port, host });
        leaks.defer(() => conn.close({ timeoutMs: 0 }));
        const payload = pattern(size, size);
        const echoed = await roundTrip(conn, payload);
        assert.ok(Buffer.from(echoed).equals(Buffer.from(payload)), 'echoed bytes equal the sent bytes');
        assert.equal(conn.bytesWritten, size);
        assert.equal(conn.bytesRead, size);
        assert.equal(conn.remoteAddress?.family, host === '::1' ? 'IPv6' : 'IPv4');
        await conn.closed;
      });
    }
  });
}

test('a Unix socket server and client round trip and report their paths', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirekit-'));
  leaks.defer(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'echo.sock');
  const server = await listen({ path }, async (conn) => {
    assert.equal(conn.localAddress?.family, 'unix');
    for await (const chunk of conn) await conn.write(chunk);
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  assert.deepEqual(server.address, { address: path, port: 0, family: 'unix' });
  const conn = await connect({ path });
  assert.deepEqual(conn.remoteAddress, { address: path, port: 0, family: 'unix' });
  assert.equal(text(await roundTrip(conn, bytes('over a pipe'))), 'over a pipe');
  await conn.closed;
  await server.close();
});

test('both ends agree on their addresses', async () => {
  let serverSide: Connection | undefined;
  const server = await listen({ port: 0 }, (conn) => {
    serverSide = conn;
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const conn = await connect({ port: server.address.port });
  leaks.defer(() => conn.close({ timeoutMs: 0 }));
  await eventually(() => serverSide !== undefined, 'the server accepted');
  assert.deepEqual(serverSide?.remoteAddress, conn.localAddress);
  assert.deepEqual(serverSide?.localAddress, conn.remoteAddress);
  assert.equal(conn.remoteAddress?.port, server.address.port);
  assert.equal(server.connections, 1);
});

describe('reads across chunk boundaries over a real socket', () => {
  const STREAM = 'HEAD\r\n0123456789abcdef|tail';

  test('the server writes one byte per write; readUntil and readExactly reassemble', async () => {
    const server = await listen({ port: 0 }, async (conn) => {
      for (const byte of bytes(STREAM)) {
        await conn.write(Uint8Array.of(byte));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await conn.end();
    });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const conn = await connect({ port: server.address.port });
    leaks.defer(() => conn.close({ timeoutMs: 0 }));
    assert.equal(text(await conn.readUntil('\r\n')), 'HEAD');
    assert.equal(text(await conn.readExactly(16)), '0123456789abcdef');
    assert.equal(text(await conn.readUntil('|', { maxBytes: 0 })), '');
    assert.equal(text(await conn.readExactly(4)), 'tail');
    assert.equal(await conn.read(), null);
  });

  test('readUntil over maxBytes rejects WK_ERR_READ_LIMIT and the bytes stay readable', async () => {
    const server = await listen({ port: 0 }, async (conn) => {
      await conn.end('x'.repeat(100));
    });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const conn = await connect({ port: server.address.port });
    leaks.defer(() => conn.close({ timeoutMs: 0 }));
    await assert.rejects(conn.readUntil('\n', { maxBytes: 10 }), { code: 'WK_ERR_READ_LIMIT', name: 'LimitError' });
    assert.ok(conn.bufferedBytes > 10);
    let rest = '';
    for await (const chunk of conn) rest += text(chunk);
    assert.equal(rest, 'x'.repeat(100));
  });

  test('unshift puts bytes back for the next read', async () => {
    const server = await listen({ port: 0 }, (conn) => conn.end('abcdef'));
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const conn = await connect({ port: server.address.port });
    leaks.defer(() => conn.close({ timeoutMs: 0 }));
    const head = await conn.readExactly(3);
    conn.unshift(head);
    assert.equal(text(await conn.readExactly(6)), 'abcdef');
  });
});

test('breaking out of for await leaves the connection open and readable', async () => {
  const server = await listen({ port: 0 }, async (conn) => {
    await conn.write('first');
    await conn.readExactly(1); // wait for the client's go-ahead
    await conn.end('second');
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const conn = await connect({ port: server.address.port });
  leaks.defer(() => conn.close({ timeoutMs: 0 }));
  for await (const chunk of conn) {
    assert.equal(text(chunk), 'first');
    break;
  }
  assert.equal(conn.socket.destroyed, false);
  await conn.write('!');
  let rest = '';
  for await (const chunk of conn) rest += text(chunk);
  assert.equal(rest, 'second');
});

test('only one read may be pending (WK_ERR_READ_BUSY)', async () => {
  const server = await echoServer(leaks);
  const conn = await connect({ port: server.address.port });
  leaks.defer(() => conn.close({ timeoutMs: 0 }));
  const first = conn.read();
  await assert.rejects(conn.readExactly(1), { code: 'WK_ERR_READ_BUSY' });
  await conn.write('x');
  assert.equal(text(await first), 'x');
});

describe('connect and listen errors', () => {
  async function freePort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  test('a refused connection is WK_ERR_CONNECT with the Node error as cause and the remote address', async () => {
    const port = await freePort();
    const error = await connect({ port }).then(
      () => assert.fail('connected to a closed port'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof NetError);
    assert.equal(error.code, 'WK_ERR_CONNECT');
    assert.equal((error.cause as { code?: string }).code, 'ECONNREFUSED');
    assert.deepEqual(error.remoteAddress, { address: '127.0.0.1', port, family: 'IPv4' });
  });

  test('an already aborted signal rejects WK_ERR_ABORTED without connecting', async () => {
    const controller = new AbortController();
    controller.abort(new Error('changed my mind'));
    await assert.rejects(connect({ port: 9, signal: controller.signal }), (e) => {
      assert.ok(isWirekitError(e, 'WK_ERR_ABORTED'));
      assert.equal((e.cause as Error).message, 'changed my mind');
      return true;
    });
  });

  test('listening on a port in use is WK_ERR_LISTEN with EADDRINUSE as cause', async () => {
    const server = await listen({ port: 0 }, () => {});
    leaks.defer(() => server.close());
    await assert.rejects(
      listen({ port: server.address.port }, () => {}),
      (e) => {
        assert.ok(isWirekitError(e, 'WK_ERR_LISTEN'));
        assert.equal((e.cause as { code?: string }).code, 'EADDRINUSE');
        assert.equal(e.localAddress?.port, server.address.port);
        return true;
      },
    );
  });

  test('bad options are WK_ERR_INVALID_ARGUMENT', async () => {
    await assert.rejects(connect({ port: 70_000 }), { code: 'WK_ERR_INVALID_ARGUMENT' });
    await assert.rejects(connect({}), { code: 'WK_ERR_INVALID_ARGUMENT' });
    await assert.rejects(
      listen({ port: -1 }, () => {}),
      { code: 'WK_ERR_INVALID_ARGUMENT' },
    );
  });
});

describe('socket failures after connecting', () => {
  test('a reset rejects the pending read with WK_ERR_SOCKET (cause ECONNRESET, addresses attached)', async () => {
    const server = await listen({ port: 0 }, async (conn) => {
      await conn.readExactly(1);
      (conn.socket as Socket & { resetAndDestroy(): void }).resetAndDestroy();
    });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const conn = await connect({ port: server.address.port });
    leaks.defer(() => conn.close({ timeoutMs: 0 }));
    const pending = conn.read();
    await conn.write('x');
    const error = await pending.then(
      () => assert.fail('read succeeded'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof NetError);
    assert.equal(error.code, 'WK_ERR_SOCKET');
    assert.equal((error.cause as { code?: string }).code, 'ECONNRESET');
    assert.equal(error.remoteAddress?.port, server.address.port);
    await assert.rejects(conn.read(), { code: 'WK_ERR_SOCKET' }, 'later reads reject with the same error');
    await assert.rejects(conn.write('y'), { code: 'WK_ERR_SOCKET' });
  });

  test('writes after destroy reject WK_ERR_SOCKET_CLOSED; destroy(error) rejects pending reads with it', async () => {
    const server = await echoServer(leaks);
    const conn = await connect({ port: server.address.port });
    const pending = conn.read();
    conn.destroy(new Error('giving up'));
    await assert.rejects(pending, (e) => e instanceof WirekitError && (e.cause as Error).message === 'giving up');
    await conn.closed;
    const other = await connect({ port: server.address.port });
    other.destroy();
    await assert.rejects(other.write('x'), { code: 'WK_ERR_SOCKET_CLOSED' });
    assert.equal(other.send('x'), false);
    await other.closed;
  });

  test('a throwing connection handler destroys that connection and reaches onError, nothing else', async () => {
    const errors: Error[] = [];
    const server = await listen({ port: 0, onError: (error) => errors.push(error) }, async (conn) => {
      const line = await conn.readUntil('\n');
      if (text(line) === 'boom') throw new Error('handler bug');
      await conn.end('fine\n');
    });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const bad = await connect({ port: server.address.port });
    await bad.write('boom\n');
    assert.equal(await bad.read(), null, 'the server dropped the connection');
    await bad.closed; // reading the EOF made our side end too, so the socket closes
    await eventually(() => errors.length === 1, 'onError was called');
    assert.equal(errors[0]?.message, 'handler bug');
    const good = await connect({ port: server.address.port });
    await good.write('hi\n');
    assert.equal(text(await good.readUntil('\n')), 'fine');
    await good.close();
  });
});

test('write() resolves, send()/drained()/cork()/uncork() move bytes without promises per write', async () => {
  const server = await echoServer(leaks);
  const conn = await connect({ port: server.address.port });
  leaks.defer(() => conn.close({ timeoutMs: 0 }));
  conn.cork();
  for (let i = 0; i < 10; i++) assert.equal(conn.send(`${i}`), true);
  conn.uncork();
  await conn.drained();
  assert.equal(text(await conn.readExactly(10)), '0123456789');
  assert.equal(await stillPending(conn.drained(), 0), false);
});

test('Connection.from wraps a socket made elsewhere (as TLS will)', async () => {
  const server = await echoServer(leaks);
  const socket = createConnection({ port: server.address.port, host: '127.0.0.1' });
  const conn = Connection.from(socket, { noDelay: true, idleTimeoutMs: 60_000 });
  leaks.defer(() => conn.close({ timeoutMs: 0 }));
  await conn.write('before connect\n'); // queued while connecting
  assert.equal(text(await conn.readUntil('\n')), 'before connect');
  assert.equal(conn.remoteAddress?.port, server.address.port);
  assert.equal(conn.idleTimeoutMs, 60_000);
  await conn.close();
});

test('maxConnections closes connections over the limit at once', async () => {
  const server = await listen({ port: 0, maxConnections: 1 }, async (conn) => {
    for await (const chunk of conn) await conn.write(chunk);
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const first = await connect({ port: server.address.port });
  leaks.defer(() => first.close({ timeoutMs: 0 }));
  await first.write('1');
  assert.equal(text(await first.readExactly(1)), '1');
  const second = await connect({ port: server.address.port });
  leaks.defer(() => second.close({ timeoutMs: 0 }));
  // The kernel accepted it, the server dropped it: EOF (or a reset, depending on timing).
  const outcome = await second.read().then(
    (chunk) => chunk,
    (error: unknown) => (isWirekitError(error, 'WK_ERR_SOCKET') ? null : error),
  );
  assert.equal(outcome, null);
  assert.equal(server.connections, 1);
});
