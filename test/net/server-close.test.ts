/** Server.close(): stop accepting, wait for connections, or end idle ones and destroy the rest. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Connection, connect, lines, listen, writeLine } from '../../src/net/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, stillPending } from '../helpers/wait.js';
import { echoServer } from './fixtures.js';

const leaks = trackLeaks();

test('close() without a timeout waits for open connections to end on their own', async () => {
  const server = await echoServer(leaks);
  const conn = await connect({ port: server.address.port });
  leaks.defer(() => conn.close({ timeoutMs: 0 }));
  await conn.write('x');
  await conn.readExactly(1);
  const closing = server.close();
  assert.equal(server.closing, true);
  assert.ok(await stillPending(closing, 200), 'waits while a connection is open');
  await conn.write('still served');
  await conn.readExactly(12);
  await conn.close();
  await closing;
  assert.equal(server.connections, 0);
  await assert.rejects(connect({ port: server.address.port }), { code: 'WK_ERR_CONNECT' }, 'no longer accepting');
});

test('close({ timeoutMs }) ends idle connections at once and destroys busy ones at the deadline', async () => {
  const serverErrors: unknown[] = [];
  const busySides: Connection[] = [];
  const server = await listen({ port: 0, onError: (error) => serverErrors.push(error) }, async (conn) => {
    for await (const line of lines(conn)) {
      if (line === 'busy') {
        busySides.push(conn);
        // Busy: a write to a client that never reads, bigger than every buffer on the way.
        await conn.write(new Uint8Array(64 * 1024 * 1024));
      }
      await writeLine(conn, line);
    }
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const idle = await connect({ port: server.address.port });
  leaks.defer(() => idle.close({ timeoutMs: 0 }));
  const busy = await connect({ port: server.address.port });
  leaks.defer(() => busy.close({ timeoutMs: 0 }));
  await writeLine(idle, 'hello');
  assert.equal(new TextDecoder().decode(await idle.readUntil('\n')), 'hello');
  await writeLine(busy, 'busy');
  await eventually(() => busySides.length === 1 && (busySides[0]?.socket.writableLength ?? 0) > 0, 'busy write');

  const closing = server.close({ timeoutMs: 2000 });
  // The idle connection gets a clean EOF while the busy one is still open.
  assert.equal(await idle.read(), null);
  assert.equal(server.connections >= 1, true, 'the busy connection is still open after the idle one ended');
  await closing;
  assert.equal(server.connections, 0);
  assert.equal(busySides[0]?.socket.destroyed, true);
  await eventually(() => serverErrors.length === 1, 'the busy handler failed');
  assert.equal((serverErrors[0] as { code?: string }).code, 'WK_ERR_CLOSE_TIMEOUT');
});

test('a connection that becomes idle during a graceful close is ended then', async () => {
  let release: (() => void) | undefined;
  const server = await listen({ port: 0 }, async (conn) => {
    for await (const line of lines(conn)) {
      if (line === 'slow') await new Promise<void>((resolve) => (release = resolve));
      await writeLine(conn, line);
    }
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const conn = await connect({ port: server.address.port });
  leaks.defer(() => conn.close({ timeoutMs: 0 }));
  await writeLine(conn, 'slow');
  await eventually(() => release !== undefined, 'the handler is busy');
  const closing = server.close({ timeoutMs: 30_000 });
  release?.();
  assert.equal(new TextDecoder().decode(await conn.readUntil('\n')), 'slow', 'the busy work finished');
  assert.equal(await conn.read(), null, 'then the connection was ended gracefully');
  await closing;
});

test('await using / Symbol.asyncDispose closes the server; an aborted signal does too', async () => {
  const server = await listen({ port: 0 }, () => {});
  await server[Symbol.asyncDispose]();
  assert.equal(server.closing, true);
  const controller = new AbortController();
  const other = await listen({ port: 0, signal: controller.signal }, () => {});
  leaks.defer(() => other.close());
  controller.abort();
  await eventually(() => other.closing, 'abort closed the server');
  await other.close();
});
