/**
 * `loadTest()` with `ws:` URLs: against wirekit's own WebSocket server and the `ws` package's, the
 * server's message counts match the generator's, messages have the asked size and type, latency is
 * the round trip (a server that holds each echo shows it, from below), a fixed rate keeps to its
 * count, and refusals, resets and silence land in the right phase.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { WebSocketServer as PeerServer } from 'ws';
import { Response } from '../../../src/http/message/index.js';
import { serve } from '../../../src/http/server/index.js';
import { loadTest } from '../../../src/tools/index.js';
import { WebSocketServer } from '../../../src/ws/server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { startWsServer } from '../../ws/helpers.js';

const leaks = trackLeaks();

/** A wirekit echo server counting messages by type and size; `hold` delays each echo. */
async function echoServer(hold?: () => Promise<void>) {
  const seen = { text: 0, binary: 0, sizes: new Set<number>(), opened: 0 };
  const fixture = await startWsServer(leaks, {
    open: () => {
      seen.opened++;
    },
    message: async (ws, data, isBinary) => {
      if (isBinary) seen.binary++;
      else seen.text++;
      seen.sizes.add(typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
      await hold?.();
      ws.sendNow(data);
    },
  });
  return { ...fixture, seen };
}

describe('WebSocket load', () => {
  test('binary messages of --message-bytes: counts match the server, one connection per lane', async () => {
    const s = await echoServer();
    const result = await loadTest({
      targets: [`${s.url}/echo`],
      messageBytes: 1_000,
      requests: 400,
      connections: 3,
      pipelining: 2,
    });
    assert.equal(result.protocol, 'ws');
    assert.equal(result.requests, 400);
    assert.equal(result.errors, 0, JSON.stringify(result.errorCodes));
    assert.equal(s.seen.binary, 400);
    assert.equal(s.seen.text, 0);
    assert.deepEqual([...s.seen.sizes], [1_000]);
    assert.equal(s.seen.opened, 3);
    assert.deepEqual(result.statusCodes, {});
    assert.equal(result.bytes.written, 400 * (1_000 + 8));
    assert.ok(result.bytes.read >= 400 * 1_000);
    assert.ok(result.latency.p50 > 0);
  });

  test('a string body is sent as a text message; headers go on the upgrade request', async () => {
    let cookie: string | null = null;
    const texts: string[] = [];
    const wss = new WebSocketServer({
      message: (ws, data) => {
        texts.push(String(data));
        ws.sendNow(data);
      },
    });
    const server = await serve(
      (req, info) => {
        cookie = req.headers.get('cookie');
        return wss.upgrade(req, info);
      },
      { port: 0, onClose: () => void wss.close() },
    );
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const result = await loadTest({
      targets: [{ url: `ws://127.0.0.1:${server.address.port}/`, body: 'ping', headers: { cookie: 'a=1' } }],
      requests: 20,
      connections: 1,
    });
    assert.equal(result.requests, 20);
    assert.equal(texts.length, 20);
    assert.ok(texts.every((t) => t === 'ping'));
    assert.equal(cookie, 'a=1');
  });

  test('the ws package as the server: every message echoed and counted', async () => {
    const peer = new PeerServer({ host: '127.0.0.1', port: 0 });
    await once(peer, 'listening');
    leaks.defer(
      () =>
        new Promise<void>((resolve) => {
          for (const client of peer.clients) client.terminate();
          peer.close(() => resolve());
        }),
    );
    let received = 0;
    peer.on('connection', (socket) => {
      socket.on('message', (data, isBinary) => {
        received++;
        socket.send(data, { binary: isBinary });
      });
    });
    const { port } = peer.address() as { port: number };
    const result = await loadTest({
      targets: [`ws://127.0.0.1:${port}/`],
      requests: 300,
      connections: 2,
      pipelining: 4,
    });
    assert.equal(result.requests, 300);
    assert.equal(result.errors, 0, JSON.stringify(result.errorCodes));
    assert.equal(received, 300);
  });

  test('latency is the round trip: a server holding each echo 100 ms shows at least that', async () => {
    const s = await echoServer(() => new Promise((resolve) => setTimeout(resolve, 100)));
    const result = await loadTest({ targets: [s.url], requests: 6, connections: 2 });
    assert.equal(result.requests, 6);
    assert.ok(result.latency.min >= 99, `min ${result.latency.min}`);
  });

  test('a fixed rate sends the due messages and counts each echo', async () => {
    const s = await echoServer();
    const started = performance.now();
    const result = await loadTest({ targets: [s.url], rate: 200, requests: 100, connections: 2 });
    assert.equal(result.requests, 100);
    assert.equal(s.seen.binary, 100);
    // Message 100 is due 99 / 200 s after the start.
    assert.ok(performance.now() - started >= 490);
    assert.equal(result.options.rate, 200);
  });

  test('a refused upgrade fails in the headers phase with WK_ERR_WS_HANDSHAKE', async () => {
    const server = await serve(() => new Response('no', { status: 404 }), { port: 0 });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const result = await loadTest({ targets: [`ws://127.0.0.1:${server.address.port}/`], requests: 2, connections: 1 });
    assert.equal(result.requests, 0);
    assert.deepEqual(result.errorCodes, { WK_ERR_WS_HANDSHAKE: 2 });
    assert.equal(result.errorPhases.headers, 2);
  });

  test('a connection dropped with messages in flight: a body-phase error, then a new connection', async () => {
    let messages = 0;
    const fixture = await startWsServer(leaks, {
      message: (ws, data) => {
        messages++;
        if (messages === 5) ws.terminate();
        else ws.sendNow(data);
      },
    });
    const result = await loadTest({ targets: [fixture.url], requests: 20, connections: 1 });
    assert.equal(result.requests, 19);
    assert.deepEqual(result.errorCodes, { WK_ERR_SOCKET: 1 });
    assert.equal(result.errorPhases.body, 1);
    assert.equal(result.connections.opened, 2);
  });

  test('a server that never echoes: the message times out, not before the limit', async () => {
    const s = await echoServer(() => new Promise(() => {}));
    const started = performance.now();
    const result = await loadTest({ targets: [s.url], requests: 1, connections: 1, timeoutMs: 1_000 });
    assert.ok(performance.now() - started >= 999);
    assert.deepEqual(result.errorCodes, { WK_ERR_BODY_TIMEOUT: 1 });
    assert.equal(result.errorPhases.timeout, 1);
  });

  test('nothing listening: a connect-phase error', async () => {
    const s = await echoServer();
    const port = s.port;
    await s.server.close({ timeoutMs: 0 });
    const result = await loadTest({ targets: [`ws://127.0.0.1:${port}/`], requests: 2, connections: 1 });
    assert.equal(result.requests, 0);
    assert.deepEqual(result.errorCodes, { WK_ERR_CONNECT: 2 });
  });
});
