/**
 * The server side of the handshake over real sockets (RFC 6455 §4.2): refusals get the HTTP answer
 * they deserve and never an upgrade (and the connection stays HTTP), subprotocol and origin
 * choices, topics published once to many, and `server.close()` sending 1001 to every WebSocket.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Response } from '../../src/http/message/response.js';
import { serve } from '../../src/http/server/index.js';
import { WebSocketServer } from '../../src/ws/server.js';
import { trackLeaks } from '../helpers/leaks.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { header } from '../helpers/response-reader.js';
import { eventually } from '../helpers/wait.js';
import { peer, startWsServer, upgradeRequest } from './helpers.js';

const leaks = trackLeaks();

async function rawClient(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  leaks.defer(() => client.destroy());
  return client;
}

describe('handshake refusals', () => {
  const cases: [string, string, number][] = [
    ['a plain GET', request('GET', '/'), 426],
    ['version 8', upgradeRequest('/', []).replace('Version: 13', 'Version: 8'), 426],
    ['no key', upgradeRequest('/').replace(/Sec-WebSocket-Key: .*\r\n/, ''), 400],
    ['a short key', upgradeRequest('/').replace(/Sec-WebSocket-Key: .*\r\n/, 'Sec-WebSocket-Key: c2hvcnQ=\r\n'), 400],
    ['a POST', upgradeRequest('/').replace('GET', 'POST'), 400],
    ['HTTP/1.0', upgradeRequest('/').replace('HTTP/1.1', 'HTTP/1.0'), 400],
  ];
  for (const [name, bytes, status] of cases) {
    test(`${name} gets ${status} and the connection stays HTTP`, async () => {
      const { port, wss } = await startWsServer(leaks, {});
      const client = await rawClient(port);
      await client.write(bytes + (status === 400 && name === 'HTTP/1.0' ? '' : request('GET', '/again')));
      const [refused] = await client.read(1);
      assert.equal(refused?.status, status);
      if (status === 426) {
        assert.equal(header(refused!, 'upgrade'), 'websocket');
        assert.equal(header(refused!, 'sec-websocket-version'), '13');
      }
      assert.equal(wss.connections.length, 0);
      if (name !== 'HTTP/1.0') {
        const [again] = await client.read(2);
        assert.ok(again, 'the next request on the connection is answered as HTTP');
      }
    });
  }

  test('a disallowed origin gets 403; an allowed one upgrades', async () => {
    const { port, url } = await startWsServer(leaks, {}, { origins: ['https://good.example'] });
    const client = await rawClient(port);
    await client.write(upgradeRequest('/', ['Origin: https://evil.example']));
    assert.equal((await client.read(1))[0]?.status, 403);
    await peer(leaks, url, { origin: 'https://good.example' });
  });
});

describe('subprotocols', () => {
  test('the server picks among the offered ones; none offered or none picked means no header', async () => {
    const { url, wss } = await startWsServer(
      leaks,
      {},
      { protocol: (offered) => offered.find((p) => p.startsWith('chat.')) },
    );
    const picked = await peer(leaks, url, {}, ['x', 'chat.v2', 'chat.v1']);
    assert.equal(picked.ws.protocol, 'chat.v2');
    await eventually(() => wss.connections.length === 1, 'open');
    assert.equal(wss.connections[0]?.protocol, 'chat.v2');
    const none = await peer(leaks, url);
    assert.equal(none.ws.protocol, '');
  });

  test('choosing a subprotocol that was not offered is a 500 (a programming error), not an upgrade', async () => {
    const errors: Error[] = [];
    const wss = new WebSocketServer({}, { protocol: () => 'never-offered' });
    const server = await serve((req, info) => wss.upgrade(req, info), { port: 0, onError: (e) => errors.push(e) });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const client = await rawClient(server.address.port);
    await client.write(upgradeRequest('/', ['Sec-WebSocket-Protocol: chat']));
    assert.equal((await client.read(1))[0]?.status, 500);
    assert.equal((errors[0] as { code?: string }).code, 'WK_ERR_INVALID_ARGUMENT');
  });
});

describe('topics', () => {
  test('publish reaches every subscriber but the excluded sender, and counts them', async () => {
    const { url, wss } = await startWsServer(leaks, {
      open: (ws) => ws.subscribe('room'),
      message: (ws, data) => {
        ws.publish('room', data);
      },
    });
    const [a, b, c] = [await peer(leaks, url), await peer(leaks, url), await peer(leaks, url)];
    await eventually(() => wss.hub.topics.subscriberCount('room') === 3, 'three subscribers');
    a.ws.send('from a');
    assert.equal((await b.message(1)).data.toString(), 'from a');
    assert.equal((await c.message(1)).data.toString(), 'from a');
    assert.equal(wss.publish('room', Buffer.from([9])), 3);
    assert.deepEqual([...(await a.message(1)).data], [9]);
    assert.equal(a.messages.length, 1, 'a did not get its own message');
    assert.equal(wss.publish('nobody', 'x'), 0);
  });
});

describe('server.close()', () => {
  test('sends 1001 to every WebSocket and resolves once their closing handshakes are done', async () => {
    const closes: number[] = [];
    const wss = new WebSocketServer({ close: (_ws, code) => void closes.push(code) });
    const server = await serve((req, info) => (req.path === '/ws' ? wss.upgrade(req, info) : new Response('hi')), {
      port: 0,
      onClose: () => void wss.close(),
    });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const url = `ws://127.0.0.1:${server.address.port}/ws`;
    const clients = [await peer(leaks, url), await peer(leaks, url), await peer(leaks, url)];
    await server.close({ timeoutMs: 10_000 });
    for (const client of clients) assert.deepEqual(await client.closed, { code: 1001, reason: 'server closing' });
    assert.deepEqual(closes, [1001, 1001, 1001]);
    assert.equal(server.connections, 0);
  });

  test('a peer that does not answer is dropped at the deadline of close({ timeoutMs })', async () => {
    const wss = new WebSocketServer({}, { closeTimeoutMs: 60_000 });
    const server = await serve((req, info) => wss.upgrade(req, info), { port: 0, onClose: () => void wss.close() });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const client = await rawClient(server.address.port);
    await client.write(upgradeRequest());
    await client.until(() => client.text.includes('\r\n\r\n'), 'the 101');
    await server.close({ timeoutMs: 300 });
    await client.waitEnded();
    assert.match(client.text, /\r\n\r\n\x88/, 'a close frame came first');
  });
});

describe('options', () => {
  test('an unknown option or a bad value is refused at set-up, naming the nearest key', () => {
    assert.throws(
      () => new WebSocketServer({}, { maxMesageBytes: 1 } as never),
      /unknown option "maxMesageBytes" for new WebSocketServer\(\); did you mean "maxMessageBytes"\?/,
    );
    assert.throws(() => new WebSocketServer({}, { backpressure: 'block' as never }), {
      code: 'WK_ERR_INVALID_ARGUMENT',
    });
    assert.throws(() => new WebSocketServer({}, { perMessageDeflate: { serverMaxWindowBits: 8 } }), {
      code: 'WK_ERR_INVALID_ARGUMENT',
    });
    assert.throws(() => new WebSocketServer({}, { sendHighWaterBytes: 2048, maxBufferedBytes: 1024 }), {
      code: 'WK_ERR_INVALID_ARGUMENT',
    });
  });
});
