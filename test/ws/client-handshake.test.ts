/**
 * `clientHandshake()`: the client's opening handshake over a net Connection. Against wirekit's
 * server: messages both ways, a message sent by the server's `open` (it may share a packet with
 * the 101) arrives, the subprotocol is agreed. Against raw servers: a refusal, a wrong accept key
 * and silence each reject with their code and leave the connection destroyed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from '../../src/net/connection.js';
import { connect, listen } from '../../src/net/index.js';
import { clientHandshake } from '../../src/ws/client-handshake.js';
import type { ReceivedMessage } from '../../src/ws/inbox.js';
import { resolveWebSocketOptions } from '../../src/ws/options.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';
import { startWsServer } from './helpers.js';

const leaks = trackLeaks();
const options = resolveWebSocketOptions({ pingIntervalMs: 0 });

async function dial(port: number): Promise<Connection> {
  const conn = await connect({ port, allowHalfOpen: true });
  leaks.defer(() => conn.destroy());
  return conn;
}

/** A TCP server that answers every connection's first bytes with `answer` (or nothing). */
async function rawServer(answer: string | undefined): Promise<number> {
  const server = await listen({ port: 0, onError: () => {} }, async (conn) => {
    await conn.read();
    if (answer !== undefined) await conn.write(answer);
    await conn.closed;
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return server.address.port;
}

test('handshake, a message from open, an echo, the agreed subprotocol, a clean close', async () => {
  const fixture = await startWsServer(
    leaks,
    { open: (ws) => void ws.send('welcome'), message: (ws, data) => void ws.send(data) },
    { protocol: (offered) => offered.find((p) => p === 'b.v1') },
  );
  const received: ReceivedMessage[] = [];
  const conn = await dial(fixture.port);
  const ws = await clientHandshake(
    conn,
    { host: `127.0.0.1:${fixture.port}`, path: '/x', protocols: ['a.v1', 'b.v1'], timeoutMs: 5_000 },
    options,
    { message: (_ws, data) => void received.push(data) },
    { tag: 1 },
  );
  assert.equal(ws.role, 'client');
  assert.equal(ws.protocol, 'b.v1');
  assert.deepEqual(ws.data, { tag: 1 });
  ws.sendNow(Buffer.from([1, 2, 3]));
  await eventually(() => received.length === 2, 'welcome and the echo');
  assert.equal(received[0], 'welcome');
  assert.deepEqual(received[1], Buffer.from([1, 2, 3]));
  ws.close(1000, 'done');
  assert.deepEqual(await ws.closed, { code: 1000, reason: 'done' });
});

test('a refusal rejects with WK_ERR_WS_HANDSHAKE and destroys the connection', async () => {
  const port = await rawServer('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  const conn = await dial(port);
  await assert.rejects(
    clientHandshake(conn, { host: 'x', path: '/', timeoutMs: 5_000 }, options, {}, undefined),
    (e: Error & { code?: string }) => e.code === 'WK_ERR_WS_HANDSHAKE' && /403/.test(e.message),
  );
  await conn.closed;
});

test('a 101 with the wrong accept key is refused', async () => {
  const port = await rawServer(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm9wZQ==\r\n\r\n',
  );
  const conn = await dial(port);
  await assert.rejects(
    clientHandshake(conn, { host: 'x', path: '/', timeoutMs: 5_000 }, options, {}, undefined),
    (e: Error & { code?: string }) => e.code === 'WK_ERR_WS_HANDSHAKE' && /Accept/.test(e.message),
  );
  await conn.closed;
});

test('a silent server: WK_ERR_HEADERS_TIMEOUT, not before the limit', async () => {
  const port = await rawServer(undefined);
  const conn = await dial(port);
  const started = performance.now();
  await assert.rejects(
    clientHandshake(conn, { host: 'x', path: '/', timeoutMs: 200 }, options, {}, undefined),
    (e: Error & { code?: string }) => e.code === 'WK_ERR_HEADERS_TIMEOUT',
  );
  assert.ok(performance.now() - started >= 199);
  await conn.closed;
});
