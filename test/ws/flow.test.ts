/**
 * Time and backpressure: pings to a silent peer and the drop of one that does not answer, the
 * closing handshake's timeout, the idle timeout, `send()` resolving only once a slow peer has read,
 * and the slow-subscriber policies of topics under a bounded publish loop.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import type { WebSocketConnection } from '../../src/ws/connection.js';
import type { WebSocketServerOptions } from '../../src/ws/server.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, stable } from '../helpers/wait.js';
import { frame } from './codec/helpers.js';
import { echoServer, peer, rawPeer, startWsServer } from './helpers.js';

const leaks = trackLeaks();

/** A server that keeps its connections and their close codes. */
const tracked = (options: WebSocketServerOptions = {}) => echoServer(leaks, options);

function errorsOn(code: string): string[] {
  const seen: string[] = [];
  const listener = (message: unknown) => {
    const error = (message as { error: { code?: string } }).error;
    if (error.code === code) seen.push(code);
  };
  diagnostics.subscribe('wirekit:ws.error', listener);
  leaks.defer(() => diagnostics.unsubscribe('wirekit:ws.error', listener));
  return seen;
}

describe('liveness', () => {
  test('a silent peer is pinged; one that never answers is dropped after pongTimeoutMs', async () => {
    const timeouts = errorsOn('WK_ERR_WS_PONG_TIMEOUT');
    const { port, closes } = await tracked({ pingIntervalMs: 200, pongTimeoutMs: 200 });
    const raw = await rawPeer(leaks, port);
    assert.deepEqual(await raw.frames(1), ['ping:']);
    await raw.client.waitEnded();
    await eventually(() => closes.length === 1, 'the close handler');
    assert.equal(closes[0]?.code, 1006);
    assert.deepEqual(timeouts, ['WK_ERR_WS_PONG_TIMEOUT']);
  });

  test('a peer that answers pings stays open through several intervals', async () => {
    const { url, sockets } = await tracked({ pingIntervalMs: 150, pongTimeoutMs: 300 });
    const client = await peer(leaks, url);
    let pings = 0;
    client.ws.on('ping', () => pings++);
    await eventually(() => pings >= 3, 'three pings');
    assert.equal(sockets[0]?.readyState, 1);
    assert.equal(client.ws.readyState, 1);
  });

  test('a peer that keeps sending is not pinged (anything received proves it is alive)', async () => {
    const { url } = await tracked({ pingIntervalMs: 300, pongTimeoutMs: 300 });
    const client = await peer(leaks, url);
    let pings = 0;
    client.ws.on('ping', () => pings++);
    for (let i = 1; i <= 20; i++) {
      client.ws.send(`tick ${i}`);
      await client.message(i);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(pings, 0);
  });

  test('idleTimeoutMs: no message either way closes with 1001 even though pings are answered', async () => {
    const { url } = await tracked({ idleTimeoutMs: 300, pingIntervalMs: 100 });
    const client = await peer(leaks, url);
    assert.deepEqual(await client.closed, { code: 1001, reason: 'idle timeout' });
  });
});

describe('the closing handshake', () => {
  test('a peer that never answers our close frame is dropped after closeTimeoutMs (reported 1006)', async () => {
    const { port, sockets, closes } = await tracked({ closeTimeoutMs: 300 });
    const raw = await rawPeer(leaks, port);
    await eventually(() => sockets.length === 1, 'open');
    sockets[0]?.close(1000, 'bye');
    assert.deepEqual(await raw.frames(1), ['close:1000:bye']);
    await raw.client.waitEnded();
    await eventually(() => closes.length === 1, 'the close handler');
    assert.equal(closes[0]?.code, 1006);
  });

  test('a peer that answers: clean close, the server closes TCP, code as answered', async () => {
    const { port, sockets, closes } = await tracked({ closeTimeoutMs: 10_000 });
    const raw = await rawPeer(leaks, port);
    await eventually(() => sockets.length === 1, 'open');
    sockets[0]?.close(1000, 'bye');
    assert.deepEqual(await raw.frames(1), ['close:1000:bye']);
    await raw.client.write(frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe8]) }));
    await raw.client.waitEnded();
    await eventually(() => closes.length === 1, 'the close handler');
    assert.equal(closes[0]?.code, 1000);
  });

  test('sends after close() are refused: send() resolves false, sendNow() returns false', async () => {
    const { url, sockets } = await tracked();
    await peer(leaks, url);
    await eventually(() => sockets.length === 1, 'open');
    const ws = sockets[0] as WebSocketConnection;
    ws.close();
    assert.equal(ws.readyState, 2);
    assert.equal(await ws.send('late'), false);
    assert.equal(ws.sendNow('late'), false);
  });
});

describe('backpressure', () => {
  test('send() resolves only once a slow peer has read: the loop stalls, memory stays bounded, then completes', async () => {
    const { port, sockets, drains } = await tracked({ sendHighWaterBytes: 64 * 1024, maxBufferedBytes: 1 << 30 });
    const raw = await rawPeer(leaks, port);
    raw.client.socket.pause();
    await eventually(() => sockets.length === 1, 'open');
    const ws = sockets[0] as WebSocketConnection;
    const chunk = Buffer.alloc(64 * 1024, 1);
    const total = 400; // 25 MiB: more than the kernel's buffers hold
    let sent = 0;
    let maxBuffered = 0;
    const loop = (async () => {
      for (let i = 0; i < total; i++) {
        const ok = await ws.send(chunk);
        assert.equal(ok, true);
        maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
        sent++;
      }
    })();
    const stalledAt = await stable(() => sent);
    assert.ok(stalledAt < total, `the loop stalled (at ${stalledAt})`);
    assert.ok(ws.bufferedAmount > 64 * 1024, 'it stalled on our buffer, not on nothing');
    assert.ok(maxBuffered <= 64 * 1024, `bufferedAmount after a resolved send stays at the mark (${maxBuffered})`);
    raw.client.socket.resume();
    await loop;
    assert.equal(sent, total);
    assert.ok(drains() >= 1, 'the drain handler ran');
    await raw.frames(total);
  });

  test('sendNow() says when to stop: false once over the mark, and the drain handler says when to go on', async () => {
    const { port, sockets, drains } = await tracked({ sendHighWaterBytes: 16 * 1024, maxBufferedBytes: 1 << 30 });
    const raw = await rawPeer(leaks, port);
    raw.client.socket.pause();
    await eventually(() => sockets.length === 1, 'open');
    const ws = sockets[0] as WebSocketConnection;
    let count = 0;
    while (ws.sendNow(Buffer.alloc(8 * 1024)) && count < 10_000) count++;
    assert.ok(count < 10_000, 'sendNow turned false');
    raw.client.socket.resume();
    await eventually(() => drains() === 1, 'the drain handler');
  });
});

test("a send mark below the socket's own (Node 22+: 64 KiB) still drains when the peer reads, without spinning", async () => {
  // The socket emits no 'drain' under its own mark: the sender must still learn that bytes left.
  const { port, sockets, drains } = await tracked({ sendHighWaterBytes: 2 * 1024, maxBufferedBytes: 1 << 30 });
  const raw = await rawPeer(leaks, port);
  raw.client.socket.pause();
  await eventually(() => sockets.length === 1, 'open');
  const ws = sockets[0] as WebSocketConnection;
  let count = 0;
  while (ws.sendNow(Buffer.alloc(1024)) && count < 10_000) count++;
  assert.ok(count < 10_000, 'sendNow turned false');
  const resolved = ws.send(Buffer.alloc(1024));
  raw.client.socket.resume();
  await eventually(() => drains() === 1, 'the drain handler');
  assert.equal(await resolved, true);
});

describe('slow subscribers', () => {
  async function publishLoop(policy: 'drop' | 'close') {
    const limit = 512 * 1024;
    const all: WebSocketConnection[] = [];
    const { port, url, wss } = await startWsServer(
      leaks,
      {
        open: (ws) => {
          all.push(ws as WebSocketConnection);
          ws.subscribe('feed');
        },
      },
      { maxBufferedBytes: limit, backpressure: policy },
    );
    const fast = await peer(leaks, url);
    const slow = await rawPeer(leaks, port);
    slow.client.socket.pause();
    await eventually(() => all.length === 2, 'both subscribed');
    const [fastServer, slowServer] = all as [WebSocketConnection, WebSocketConnection];
    const message = Buffer.alloc(16 * 1024, 7);
    const total = 2000; // 31 MiB
    let maxSlowBuffered = 0;
    for (let i = 0; i < total; i++) {
      wss.publish('feed', message);
      maxSlowBuffered = Math.max(maxSlowBuffered, slowServer.bufferedAmount);
      // Pace on the fast subscriber only: it must never fall behind.
      if (fastServer.bufferedAmount > limit / 2)
        await eventually(() => fastServer.bufferedAmount < limit / 4, 'the fast one to read');
    }
    await fast.message(total);
    return { fast, slow, fastServer, slowServer, maxSlowBuffered, limit, total, message };
  }

  test("'drop': the slow subscriber's messages are dropped and counted; its buffer never passes the limit", async () => {
    const r = await publishLoop('drop');
    assert.equal(r.fast.messages.length, r.total);
    assert.equal(r.fastServer.droppedMessages, 0);
    assert.ok(r.slowServer.droppedMessages > 0, 'the slow one lost messages');
    assert.ok(r.maxSlowBuffered <= r.limit + r.message.length + 16, `buffered at most ${r.maxSlowBuffered}`);
    assert.equal(r.slowServer.readyState, 1, 'still open');
    r.slow.client.socket.resume();
    await r.slow.frames(r.total - r.slowServer.droppedMessages);
  });

  test("'close': the slow subscriber is closed with 1013 once it passes the limit", async () => {
    const r = await publishLoop('close');
    assert.equal(r.fast.messages.length, r.total);
    assert.equal(r.slowServer.readyState, 2, 'closing');
    assert.ok(r.maxSlowBuffered <= r.limit + r.message.length + 16, `buffered at most ${r.maxSlowBuffered}`);
    r.slow.client.socket.resume();
    await eventually(() => r.slow.events.at(-1) === 'close:1013:too slow', 'the 1013 close frame');
  });
});
