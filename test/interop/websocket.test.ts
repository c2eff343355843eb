/**
 * WebSocket interop with independent peers, permessage-deflate negotiated and used in each pair:
 * our client (`connectWebSocket` and the WHATWG `WebSocket`) against a `ws` server, and our server
 * against the `ws` client and Node's global `WebSocket` (undici's, Node 22+; skipped where the
 * runtime has none). Chromium against our server is in test/browser/websocket.test.ts.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { type WebSocket as WsClient, WebSocketServer as WsServer } from 'ws';
import { connectWebSocket, WebSocket } from '../../src/client/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { needs, runtime } from '../helpers/runtime.js';
import { eventually } from '../helpers/wait.js';
import { echoServer, peer } from '../ws/helpers.js';

const leaks = trackLeaks();
const TEXT = 'interop, compressed '.repeat(400);

interface WsPeerServer {
  url: string;
  /** `Sec-WebSocket-Extensions` each connection agreed on, and what it received. */
  readonly extensions: string[];
  readonly received: (string | Buffer)[];
  readonly closes: { code: number; reason: string }[];
  readonly sockets: WsClient[];
}

/** A `ws` echo server (text echoed as text, binary as binary) on 127.0.0.1:0. */
async function wsEchoServer(options: ConstructorParameters<typeof WsServer>[0] = {}): Promise<WsPeerServer> {
  const server = new WsServer({ host: '127.0.0.1', port: 0, ...options });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const state: WsPeerServer = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    extensions: [],
    received: [],
    closes: [],
    sockets: [],
  };
  server.on('connection', (socket) => {
    state.sockets.push(socket);
    state.extensions.push(socket.extensions);
    socket.on('message', (data, isBinary) => {
      const message = isBinary ? (data as Buffer) : data.toString();
      state.received.push(message);
      socket.send(message, { binary: isBinary });
    });
    socket.on('close', (code, reason) => state.closes.push({ code, reason: reason.toString() }));
  });
  leaks.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  return state;
}

describe('our client against a ws server', () => {
  const cases: [string, { serverNoContextTakeover?: boolean; clientNoContextTakeover?: boolean }][] = [
    ['no context takeover either way (our default)', {}],
    ['context takeover both ways', { serverNoContextTakeover: false, clientNoContextTakeover: false }],
  ];
  for (const [what, deflate] of cases) {
    test(`connectWebSocket, permessage-deflate with ${what}: negotiated, compressed both ways, intact`, async () => {
      const server = await wsEchoServer({ perMessageDeflate: { threshold: 0 } });
      const ws = await connectWebSocket(`${server.url}/x`, { perMessageDeflate: { ...deflate, thresholdBytes: 0 } });
      leaks.defer(() => ws.terminate());
      assert.match(ws.extensions, /^permessage-deflate/);
      assert.equal(server.extensions[0], ws.extensions.length > 0 ? server.extensions[0] : '');
      const iterator = ws[Symbol.asyncIterator]();
      for (let i = 0; i < 3; i++) {
        ws.sendNow(`${TEXT}${i}`);
        assert.equal((await iterator.next()).value, `${TEXT}${i}`);
      }
      ws.sendNow(Buffer.alloc(5000, 7));
      assert.deepEqual((await iterator.next()).value, Buffer.alloc(5000, 7));
      assert.ok(ws.bytesSent < TEXT.length, `sent ${ws.bytesSent} bytes for 3 × ${TEXT.length} and 5000`);
      assert.ok(ws.bytesReceived < TEXT.length, `received ${ws.bytesReceived} bytes`);
      ws.close(4000, 'interop done');
      assert.deepEqual(await ws.closed, { code: 4000, reason: 'interop done' });
      await eventually(() => server.closes.length === 1, 'the ws server saw the close');
      assert.deepEqual(server.closes[0], { code: 4000, reason: 'interop done' });
    });
  }

  test('the WHATWG WebSocket: open, text and ArrayBuffer echoes, a close from the ws server', async () => {
    const server = await wsEchoServer({ perMessageDeflate: { threshold: 0 } });
    const ws = new WebSocket(server.url, { perMessageDeflate: { thresholdBytes: 0 } });
    ws.binaryType = 'arraybuffer';
    const received: unknown[] = [];
    ws.onmessage = (event) => received.push((event as MessageEvent).data);
    const closed = new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve) => {
      ws.onclose = (event) => resolve(event as unknown as { code: number; reason: string; wasClean: boolean });
    });
    await new Promise((resolve) => ws.addEventListener('open', resolve));
    assert.match(ws.extensions, /^permessage-deflate/);
    ws.send(TEXT);
    ws.send(new Uint8Array([1, 2, 3]));
    await eventually(() => received.length === 2, 'two echoes');
    assert.equal(received[0], TEXT);
    assert.deepEqual(new Uint8Array(received[1] as ArrayBuffer), new Uint8Array([1, 2, 3]));
    server.sockets[0]?.close(4100, 'from ws');
    const event = await closed;
    assert.deepEqual(
      { code: event.code, reason: event.reason, wasClean: event.wasClean },
      {
        code: 4100,
        reason: 'from ws',
        wasClean: true,
      },
    );
  });

  test('a ws server without compression: the offer is declined, messages still flow', async () => {
    const server = await wsEchoServer({ perMessageDeflate: false });
    const ws = await connectWebSocket(server.url, { perMessageDeflate: true });
    leaks.defer(() => ws.terminate());
    assert.equal(ws.extensions, '');
    ws.sendNow('plain');
    assert.equal((await ws[Symbol.asyncIterator]().next()).value, 'plain');
    ws.close();
    await ws.closed;
  });
});

describe('our server against other clients', () => {
  test('the ws client with permessage-deflate: negotiated, compressed both ways, intact', async () => {
    const server = await echoServer(leaks, { perMessageDeflate: { thresholdBytes: 0 } });
    const client = await peer(leaks, server.url, { perMessageDeflate: { threshold: 0 } });
    assert.match(client.ws.extensions, /permessage-deflate/);
    client.ws.send(TEXT);
    assert.equal((await client.message(1)).data.toString(), TEXT);
    await eventually(() => server.sockets.length === 1, 'the server end');
    assert.ok((server.sockets[0]?.bytesReceived ?? 0) < TEXT.length / 4);
    client.ws.close(1000);
    assert.equal((await client.closed).code, 1000);
  });

  test("Node's global WebSocket (undici) with permessage-deflate", {
    skip: needs('global WebSocket', runtime.webSocket),
  }, async () => {
    const server = await echoServer(leaks, { perMessageDeflate: { thresholdBytes: 0 } });
    const NodeWebSocket = (globalThis as unknown as { WebSocket: typeof WebSocket }).WebSocket;
    const ws = new NodeWebSocket(`${server.url}/node`);
    leaks.defer(() => ws.close());
    const received: unknown[] = [];
    ws.onmessage = (event) => received.push((event as MessageEvent).data);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      ws.onclose = (event) => resolve(event as unknown as { code: number; reason: string });
    });
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    assert.match(ws.extensions, /permessage-deflate/);
    ws.send(TEXT);
    await eventually(() => received.length === 1, 'the echo');
    assert.equal(received[0], TEXT);
    await eventually(() => server.sockets.length === 1, 'the server end');
    // undici inflates what it receives but sends uncompressed (allowed: RSV1 is per message).
    assert.ok((server.sockets[0]?.bytesSent ?? 0) < TEXT.length / 4, 'compressed for Node');
    ws.close(4000, 'node done');
    const event = await closed;
    assert.deepEqual({ code: event.code, reason: event.reason }, { code: 4000, reason: 'node done' });
    await eventually(() => server.closes.length === 1, 'the server saw the close');
    assert.deepEqual(server.closes[0], { code: 4000, reason: 'node done' });
  });
});
