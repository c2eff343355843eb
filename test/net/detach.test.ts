/**
 * `Connection.detach()`: the socket goes to another reader (node:http2 for an h2c connection) as if
 * nobody had read it: the bytes the connection held come first, then what arrives later, in order;
 * the connection no longer reads, pauses or times the socket out, and still says when it closes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWirekitError } from '../../src/errors.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, sleep } from '../helpers/wait.js';
import { connectedPair, pattern } from './fixtures.js';

const leaks = trackLeaks();

test('the socket gets back the unread bytes first, then the rest, in order; reads on the connection fail', async () => {
  const { client, server } = await connectedPair(leaks);
  const first = pattern(1000, 1);
  await client.write(first);
  const peek = await server.read();
  assert.ok(peek !== null);
  server.unshift(peek);
  await eventually(() => server.bufferedBytes === first.byteLength, 'the bytes are held by the connection');
  const socket = server.detach();
  assert.equal(socket.isPaused(), true, 'handed over paused');
  await assert.rejects(server.read(), (error) => isWirekitError(error, 'WK_ERR_SOCKET_CLOSED'));
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.resume();
  const later = pattern(256 * 1024, 2);
  await client.write(later);
  await eventually(
    () => received.reduce((n, chunk) => n + chunk.length, 0) === first.length + later.length,
    'every byte reached the new reader',
  );
  assert.ok(Buffer.concat(received).equals(Buffer.concat([first, later])));
  assert.equal(server.bufferedBytes, 0);
  let closed = false;
  void server.closed.then(() => {
    closed = true;
  });
  await client.close();
  socket.destroy();
  await eventually(() => closed, 'the connection still says when its socket closed');
});

test('a detached connection no longer times the socket out', async () => {
  const { server } = await connectedPair(leaks);
  server.idleTimeoutMs = 50;
  const socket = server.detach();
  assert.equal(server.idleTimeoutMs, 0);
  await sleep(300); // three idle timeouts: none may destroy the socket now
  assert.equal(socket.destroyed, false);
  socket.destroy();
});
