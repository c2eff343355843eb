/**
 * Both roles of the engine over a real TCP connection (the transport the outbound client will use:
 * `connectionTransport` over a net Connection): the client masks, the server unmasks, messages and
 * pings both ways, permessage-deflate with context takeover both ways, and the closing handshake
 * initiated by the client (the server closes TCP, the client sees the echo).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from '../../src/net/connection.js';
import { connect, listen } from '../../src/net/index.js';
import type { DeflateParams } from '../../src/ws/codec/deflate-params.js';
import { startConnection, WebSocketConnection } from '../../src/ws/connection.js';
import type { WebSocketHandlers } from '../../src/ws/handlers.js';
import { resolveWebSocketOptions } from '../../src/ws/options.js';
import { connectionTransport } from '../../src/ws/transport.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';

const leaks = trackLeaks();

async function pair(handlers: WebSocketHandlers<undefined>, deflate?: DeflateParams) {
  const accepted: Connection[] = [];
  const server = await listen({ port: 0, allowHalfOpen: true }, (conn) => {
    accepted.push(conn);
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const conn = await connect({ port: server.address.port, allowHalfOpen: true });
  leaks.defer(() => conn.destroy());
  await eventually(() => accepted.length === 1, 'accepted');
  const options = resolveWebSocketOptions({ perMessageDeflate: deflate === undefined ? false : { thresholdBytes: 0 } });
  const serverWs = new WebSocketConnection(connectionTransport(accepted[0] as Connection), {
    role: 'server',
    options,
    handlers,
    data: undefined,
    deflate,
  });
  const clientWs = new WebSocketConnection(connectionTransport(conn), {
    role: 'client',
    options,
    handlers: {},
    data: undefined,
    deflate,
  });
  startConnection(serverWs);
  startConnection(clientWs);
  return { serverWs, clientWs };
}

test('client and server roles over TCP: masked one way, not the other, messages both ways, a clean close', async () => {
  const { serverWs, clientWs } = await pair({ message: (ws, data) => void ws.send(data) });
  const received: (string | Buffer)[] = [];
  const reading = (async () => {
    for await (const message of clientWs) received.push(message);
  })();
  clientWs.sendNow('hello');
  clientWs.sendNow(Buffer.alloc(70_000, 3));
  await eventually(() => received.length === 2, 'two echoes');
  assert.equal(received[0], 'hello');
  assert.deepEqual(received[1], Buffer.alloc(70_000, 3));
  clientWs.close(1000, 'done');
  await reading;
  assert.deepEqual(await clientWs.closed, { code: 1000, reason: 'done' });
  assert.deepEqual(await serverWs.closed, { code: 1000, reason: 'done' });
});

test('permessage-deflate with context takeover both ways, client and server role', async () => {
  const deflate = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  };
  const { serverWs, clientWs } = await pair({ message: (ws, data) => void ws.send(data) }, deflate);
  const text = 'context takes over '.repeat(100);
  for (let i = 0; i < 5; i++) clientWs.sendNow(text);
  const iterator = clientWs[Symbol.asyncIterator]();
  for (let i = 0; i < 5; i++) assert.equal((await iterator.next()).value, text);
  assert.ok(serverWs.bytesReceived < text.length, `compressed (${serverWs.bytesReceived} bytes for 5 messages)`);
  clientWs.close();
  await serverWs.closed;
});
