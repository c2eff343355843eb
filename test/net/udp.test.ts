/** UDP sockets: round trips on IPv4 and IPv6, connect(), size limits, the bounded receive queue. */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { isWirekitError, LimitError } from '../../src/errors.js';
import { bind, MAX_UDP4_DATAGRAM_BYTES, MAX_UDP6_DATAGRAM_BYTES, type UdpSocket } from '../../src/net/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, sleep } from '../helpers/wait.js';
import { hasIPv6Loopback, text } from './fixtures.js';

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

test('binding a port in use is WK_ERR_UDP with the cause', async () => {
  const socket = await open();
  await assert.rejects(bind({ port: socket.address.port }), (error) => {
    assert.ok(isWirekitError(error, 'WK_ERR_UDP'));
    assert.equal((error.cause as { code?: string }).code, 'EADDRINUSE');
    return true;
  });
  assert.throws(() => socket.dropMembership('239.255.0.2'), { code: 'WK_ERR_UDP' });
});

test('multicast: a member of the group receives what is sent to it over loopback, and stops after leaving', async () => {
  const group = '239.255.77.1';
  // Bound to the group address, the member receives only that group's traffic.
  const member = await open({ host: group, reuseAddr: true });
  member.addMembership(group, '127.0.0.1');
  const sender = await open();
  sender.setMulticastInterface('127.0.0.1');
  sender.setMulticastTTL(1);
  sender.setMulticastLoopback(true);
  await sender.send('to the group', member.address.port, group);
  const datagram = await member.receive({ timeoutMs: 5000 });
  assert.equal(text(datagram?.data), 'to the group');
  assert.equal(datagram?.address, '127.0.0.1');
  member.dropMembership(group, '127.0.0.1');
  await sender.send('after leaving', member.address.port, group);
  await assert.rejects(member.receive({ timeoutMs: 300 }), { code: 'WK_ERR_RECEIVE_TIMEOUT' });
});

test('broadcast: refused (EACCES) until setBroadcast(true), then delivered', async () => {
  const listener = await open({ host: '127.255.255.255' });
  const sender = await open();
  await assert.rejects(sender.send('x', listener.address.port, '127.255.255.255'), (error) => {
    assert.ok(isWirekitError(error, 'WK_ERR_UDP'));
    assert.equal((error.cause as { code?: string }).code, 'EACCES');
    return true;
  });
  sender.setBroadcast(true);
  await sender.send('to everyone', listener.address.port, '127.255.255.255');
  assert.equal(text((await listener.receive({ timeoutMs: 5000 }))?.data), 'to everyone');
});

describe('receive() waits that end early', () => {
  test('a timeout rejects WK_ERR_RECEIVE_TIMEOUT, and the next datagram goes to the next receive()', async () => {
    const socket = await open();
    const peer = await open();
    await assert.rejects(socket.receive({ timeoutMs: 20 }), (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_RECEIVE_TIMEOUT'));
      assert.equal(error.localAddress?.port, socket.address.port);
      return true;
    });
    await peer.send('late', socket.address.port);
    await eventually(() => socket.queued === 1, 'the datagram queued (no abandoned receive took it)');
    assert.equal(text((await socket.receive({ timeoutMs: 5000 }))?.data), 'late');
  });

  test('an abort rejects WK_ERR_ABORTED; waiters behind it still get their datagrams in order', async () => {
    const socket = await open();
    const peer = await open();
    const controller = new AbortController();
    const first = socket.receive({ signal: controller.signal });
    const second = socket.receive();
    controller.abort(new Error('gave up'));
    await assert.rejects(first, { code: 'WK_ERR_ABORTED' });
    await peer.send('one', socket.address.port);
    assert.equal(text((await second)?.data), 'one');
    await assert.rejects(socket.receive({ signal: controller.signal }), { code: 'WK_ERR_ABORTED' });
  });

  /** A socket connected to a port nothing listens on (it was bound, then closed), and that port. */
  async function connectedToNobody(): Promise<{ socket: UdpSocket; port: number }> {
    const gone = await bind();
    const port = gone.address.port;
    await gone.close();
    const socket = await open();
    await socket.connect(port);
    return { socket, port };
  }

  test('a connected socket learns ECONNREFUSED on its next receive(), and keeps working', async () => {
    const { socket, port } = await connectedToNobody();
    await socket.send('anyone?');
    await assert.rejects(socket.receive({ timeoutMs: 5000 }), (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_UDP'));
      assert.equal((error.cause as { code?: string }).code, 'ECONNREFUSED');
      assert.equal(error.remoteAddress?.port, port);
      return true;
    });
    await assert.rejects(socket.receive({ timeoutMs: 50 }), { code: 'WK_ERR_RECEIVE_TIMEOUT' });
  });

  test('waits that gave up keep no memory: 20,000 timed-out and aborted receives leave nothing behind', async () => {
    const socket = await open();
    const peer = await open();
    const controller = new AbortController();
    const aborted = Array.from({ length: 10_000 }, () =>
      socket.receive({ signal: controller.signal }).catch(() => 'aborted'),
    );
    controller.abort();
    assert.equal((await Promise.all(aborted)).length, 10_000);
    const timedOut = Array.from({ length: 10_000 }, () => socket.receive({ timeoutMs: 1 }).catch(() => 'timed out'));
    await Promise.all(timedOut);
    assert.equal(socket.waiting, 0);
    // A long-lived signal given with a timeout keeps no listener once the wait is over.
    const shared = new AbortController().signal;
    await Promise.all(
      Array.from({ length: 1000 }, () => socket.receive({ signal: shared, timeoutMs: 1 }).catch(() => 'timed out')),
    );
    assert.equal(getEventListeners(shared, 'abort').length, 0);
    await peer.send('still works', socket.address.port);
    assert.equal(text((await socket.receive({ timeoutMs: 5000 }))?.data), 'still works');
  });

  test('for await over a connected socket goes on through ECONNREFUSED (the peer restarting)', async () => {
    const { socket, port } = await connectedToNobody();
    const got: string[] = [];
    const loop = (async () => {
      for await (const datagram of socket) got.push(text(datagram.data));
    })().catch((error: unknown) => error);
    await socket.send('anyone?'); // refused: nothing listens yet
    await sleep(50);
    const restarted = await open({ port });
    await restarted.send('back again', socket.address.port);
    await eventually(() => got.length === 1, 'the loop got the datagram after the refusal');
    assert.deepEqual(got, ['back again']);
    await socket.close();
    assert.equal(await loop, undefined, 'the loop ended with close(), not with an error');
  });

  test('send() with no port on an unconnected socket, or after close(), says why', async () => {
    const socket = await bind();
    await assert.rejects(socket.send('x'), /send\(\) without a port needs connect\(\) first/);
    await socket.close();
    await assert.rejects(socket.send('x', 9), { code: 'WK_ERR_SOCKET_CLOSED' });
  });
});
