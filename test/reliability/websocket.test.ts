/**
 * The WebSocket heartbeat under faults injected by wirekit's own fault proxy, between a wirekit
 * server and a real client (the `ws` package, or wirekit's client end): a peer that stalls is
 * found by the ping/pong timeout and closed (1006, `WK_ERR_WS_PONG_TIMEOUT`); latency below the
 * pong timeout keeps the connection open through many pings; a reset is an abnormal close (1006)
 * on both ends. Lower bounds and outcomes only.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { once } from 'node:events';
import { test } from 'node:test';
import WebSocket from 'ws';
import { connect } from '../../src/net/connect.js';
import { type FaultProxy, faultProxy } from '../../src/tools/index.js';
import { clientHandshake } from '../../src/ws/client-handshake.js';
import { resolveWebSocketOptions, type WebSocketOptions } from '../../src/ws/options.js';
import type { WebSocketServerOptions } from '../../src/ws/server.js';
import { trackLeaks } from '../helpers/leaks.js';
import { until } from '../tools/helpers.js';
import { startWsServer } from '../ws/helpers.js';

const leaks = trackLeaks();

interface Closed {
  code: number;
  at: number;
}

/** A wirekit echo server with `options` behind a fault proxy; `closes` records how its connections closed. */
async function setup(options: WebSocketServerOptions) {
  const closes: Closed[] = [];
  const fixture = await startWsServer(
    leaks,
    {
      message: (ws, data) => void ws.send(data),
      close: (_ws, code) => void closes.push({ code, at: performance.now() }),
    },
    options,
  );
  const proxy: FaultProxy = await faultProxy({ upstream: `127.0.0.1:${fixture.port}`, seed: 3 });
  leaks.defer(() => proxy.close());
  return { fixture, proxy, closes, url: `ws://127.0.0.1:${proxy.address.port}/` };
}

/** A `ws` package client through the proxy, open, terminated after the test; counts the pings it answered. */
async function peer(url: string): Promise<{ ws: WebSocket; pings: () => number; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  leaks.defer(() => ws.terminate());
  let pings = 0;
  ws.on('ping', () => {
    pings++;
  });
  ws.on('error', () => {});
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await once(ws, 'open');
  return { ws, pings: () => pings, closed };
}

/** wirekit's client end through the proxy (the handshake over a net Connection). */
async function wirekitClient(url: string, options: WebSocketOptions) {
  const { port } = new URL(url);
  const conn = await connect({ port: Number(port), allowHalfOpen: true });
  leaks.defer(() => conn.destroy());
  const request = { host: `127.0.0.1:${port}`, path: '/', timeoutMs: 5_000 };
  return clientHandshake(conn, request, resolveWebSocketOptions(options), {}, undefined);
}

test('a stalled peer is found by the pong timeout and closed (1006, WK_ERR_WS_PONG_TIMEOUT)', async () => {
  // A pong timeout well above what a loaded machine delays a pong by, before the stall.
  const { proxy, closes, url } = await setup({ pingIntervalMs: 100, pongTimeoutMs: 1_000 });
  const errors: string[] = [];
  const onError = (message: unknown): void => {
    errors.push((message as { error: Error & { code?: string } }).error.code ?? '');
  };
  diagnostics.subscribe('wirekit:ws.error', onError);
  leaks.defer(() => diagnostics.unsubscribe('wirekit:ws.error', onError));
  const client = await peer(url);
  await until(() => client.pings() >= 1, 'a first ping answered');
  // From here nothing passes either way: the server's pings go unanswered.
  proxy.add('stall', {}, { direction: 'downstream' });
  proxy.add('stall', {}, { direction: 'upstream' });
  const stalled = performance.now();
  await until(() => closes.length === 1, 'the server to give up on the stalled peer');
  const closed = closes[0] as Closed;
  assert.equal(closed.code, 1006);
  assert.ok(closed.at - stalled >= 999, `closed ${closed.at - stalled} ms after the stall`);
  assert.deepEqual(errors, ['WK_ERR_WS_PONG_TIMEOUT']);
});

test('latency below the pong timeout: many pings later the connection is open and echoes', async () => {
  const { proxy, closes, url } = await setup({ pingIntervalMs: 100, pongTimeoutMs: 1_000 });
  proxy.add('latency', { ms: 60 }, { direction: 'downstream' });
  proxy.add('latency', { ms: 60 }, { direction: 'upstream' });
  const client = await peer(url);
  const started = performance.now();
  // Fifteen pings span more than the pong timeout: had a pong not counted, the server would have closed.
  await until(() => client.pings() >= 15, 'fifteen pings through the latency', 30_000);
  assert.ok(performance.now() - started >= 1_400);
  assert.equal(closes.length, 0);
  assert.equal(client.ws.readyState, WebSocket.OPEN);
  const echoed = once(client.ws, 'message');
  client.ws.send('still here');
  const sent = performance.now();
  assert.equal(String((await echoed)[0]), 'still here');
  assert.ok(performance.now() - sent >= 119, 'the echo crossed the latency both ways');
});

test('a reset is an abnormal close (1006) on both ends, the client end being wirekit', async () => {
  const { proxy, closes, url } = await setup({ pingIntervalMs: 0 });
  const client = await wirekitClient(url, { pingIntervalMs: 0 });
  // The next byte either way resets both sides.
  proxy.add('reset', {}, { direction: 'upstream' });
  client.sendNow('boom');
  const { code } = await client.closed;
  assert.equal(code, 1006);
  assert.equal(client.closeCode, 1006);
  await until(() => closes.length === 1, 'the server to see the reset');
  assert.equal((closes[0] as Closed).code, 1006);
});

test('a stalled server is found by the client end’s own pong timeout (wirekit client, 1006)', async () => {
  const { proxy, url } = await setup({ pingIntervalMs: 0 });
  const client = await wirekitClient(url, { pingIntervalMs: 100, pongTimeoutMs: 300 });
  proxy.add('stall', {}, { direction: 'downstream' });
  const stalled = performance.now();
  const { code } = await client.closed;
  assert.equal(code, 1006);
  assert.ok(performance.now() - stalled >= 299);
});
