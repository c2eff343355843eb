/** UDP sockets: round trips on IPv4 and IPv6, connect(), size limits, the bounded receive queue. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWirekitError, LimitError } from '../../src/errors.js';
import { bind, MAX_UDP4_DATAGRAM_BYTES, MAX_UDP6_DATAGRAM_BYTES, type UdpSocket } from '../../src/net/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, hasIPv6Loopback, text } from './fixtures.js';

const leaks = trackLeaks();

async function open(options: Parameters<typeof bind>[0] = {}): Promise<UdpSocket> {
  const socket = await bind(options);
  leaks.defer(() => socket.close());
  return socket;
}

for (const host of ['127.0.0.1', '::1']) {
  describe(`UDP on ${host}`, async () => {
    const skip = host === '::1' && !(await hasIPv6Loopback()) ? 'no IPv6 loopback on this machine' : false;

    test('a datagram goes there and back, with the sender address', { skip }, async () => {
      const server = await open({ host });
      const client = await open({ host });
      assert.equal(server.address.family, host === '::1' ? 'IPv6' : 'IPv4');
      const echo = (async () => {
        for await (const datagram of server) {
          await server.send(datagram.data, datagram.port, datagram.address);
          return datagram;
        }
      })();
      await client.send('ping', server.address.port, host);
      const reply = await client.receive();
      assert.equal(text(reply?.data), 'ping');
      assert.equal(reply?.port, server.address.port);
      const received = await echo;
      assert.equal(received?.port, client.address.port);
      assert.equal(received?.family, host === '::1' ? 'IPv6' : 'IPv4');
    });

    test('the largest datagram passes; one byte more is refused before sending', { skip }, async () => {
      const max = host === '::1' ? MAX_UDP6_DATAGRAM_BYTES : MAX_UDP4_DATAGRAM_BYTES;
      const server = await open({ host, recvBufferBytes: 1 << 20 });
      const client = await open({ host, sendBufferBytes: 1 << 20 });
      assert.equal(client.maxDatagramBytes, max);
      await assert.rejects(client.send(new Uint8Array(max + 1), server.address.port, host), (error) => {
        assert.ok(error instanceof LimitError && isWirekitError(error, 'WK_ERR_DATAGRAM_TOO_LARGE'));
        assert.equal(error.remoteAddress?.port, server.address.port);
        return true;
      });
      await client.send(new Uint8Array(max), server.address.port, host);
      const datagram = await server.receive();
      assert.equal(datagram?.data.byteLength, max, 'the refused datagram never arrived; the largest did');
    });
  });
}

test('connect() fixes the peer for send(data)', async () => {
  const server = await open();
  const client = await open();
  await client.connect(server.address.port);
  await client.send('to the fixed peer');
  assert.equal(text((await server.receive())?.data), 'to the fixed peer');
});

test('maxDatagramBytes lowers the limit; over the protocol maximum it is an invalid argument', async () => {
  const client = await open({ maxDatagramBytes: 100 });
  await assert.rejects(client.send(new Uint8Array(101), 9), { code: 'WK_ERR_DATAGRAM_TOO_LARGE' });
  await assert.rejects(bind({ maxDatagramBytes: MAX_UDP4_DATAGRAM_BYTES + 1 }), { code: 'WK_ERR_INVALID_ARGUMENT' });
});

test('datagrams beyond queueLimit are dropped and counted while nobody receives', async () => {
  const server = await open({ queueLimit: 2 });
  const client = await open();
  for (let i = 0; i < 5; i++) await client.send(`${i}`, server.address.port);
  await eventually(() => server.queued + server.dropped === 5, 'all five datagrams arrived or were dropped');
  assert.equal(server.queued, 2);
  assert.equal(server.dropped, 3);
  assert.equal(text((await server.receive())?.data), '0', 'the oldest are kept');
  assert.equal(text((await server.receive())?.data), '1');
});

test('close() ends the iterator and receive() returns null', async () => {
  const socket = await bind();
  const pending = socket.receive();
  const loop = (async () => {
    let count = 0;
    for await (const _ of socket) count++;
    return count;
  })();
  await socket.close();
  assert.equal(await pending, null);
  assert.equal(await loop, 0);
  assert.equal(await socket.receive(), null);
});

test('binding a port in use is WK_ERR_UDP with the cause; broadcast and multicast settings work or fail typed', async () => {
  const socket = await open();
  await assert.rejects(bind({ port: socket.address.port }), (error) => {
    assert.ok(isWirekitError(error, 'WK_ERR_UDP'));
    assert.equal((error.cause as { code?: string }).code, 'EADDRINUSE');
    return true;
  });
  socket.setBroadcast(true);
  socket.setMulticastTTL(1);
  socket.setMulticastLoopback(true);
  try {
    socket.addMembership('239.255.0.1', '127.0.0.1');
    socket.dropMembership('239.255.0.1', '127.0.0.1');
  } catch (error) {
    // Some sandboxes have no multicast on loopback: then the failure must be a typed one.
    assert.ok(isWirekitError(error, 'WK_ERR_UDP'), String(error));
  }
  assert.throws(() => socket.dropMembership('239.255.0.2'), { code: 'WK_ERR_UDP' });
});
