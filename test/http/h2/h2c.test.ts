/**
 * h2c with prior knowledge next to HTTP/1.1 on one port, decided by the first bytes: the preface
 * trickling in a byte at a time is still HTTP/2, an HTTP/1.1 request trickling in is still HTTP/1.1,
 * and a client that sends a piece of the preface and leaves, or sends nothing, costs nothing.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { test } from 'node:test';
import { H2_PREFACE } from '../../../src/http/h2/preface.js';
import { Response } from '../../../src/http/message/index.js';
import { h2Request, h2Session } from '../../helpers/h2-client.js';
import { startServer } from '../../helpers/http-server.js';
import { type LeakTracker, trackLeaks } from '../../helpers/leaks.js';
import { eventually } from '../../helpers/wait.js';

const leaks = trackLeaks();

/** Writes `bytes` one at a time, a few milliseconds apart, so the server reads them in pieces. */
async function trickle(socket: Socket, bytes: Uint8Array): Promise<void> {
  for (const byte of bytes) {
    socket.write(Buffer.from([byte]));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A relay to `port` that sends the first `n` bytes of each client connection one at a time. */
async function tricklingRelay(lt: LeakTracker, port: number, n: number): Promise<number> {
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = tcpConnect({ port, host: '127.0.0.1', noDelay: true });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    upstream.on('data', (chunk) => client.write(chunk));
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    let sent = 0;
    let queue = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const head = chunk.subarray(0, Math.max(0, n - sent));
      const rest = chunk.subarray(head.length);
      sent += head.length;
      queue = queue.then(async () => {
        await trickle(upstream, head);
        if (rest.length > 0) upstream.write(rest);
      });
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  lt.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        relay.close(() => resolve());
      }),
  );
  return (relay.address() as { port: number }).port;
}

test('the HTTP/2 preface arriving a byte at a time is still HTTP/2', async () => {
  const server = await startServer(leaks, (req) => new Response(`over ${req.version}`), { http2: 'h2c' });
  const relayPort = await tricklingRelay(leaks, server.port, H2_PREFACE.byteLength + 9);
  const session = await h2Session(leaks, `http://127.0.0.1:${relayPort}`);
  assert.equal((await h2Request(session, {})).body.toString(), 'over 2.0');
  assert.equal((await h2Request(session, {})).body.toString(), 'over 2.0');
});

test('an HTTP/1.1 request arriving a byte at a time is still HTTP/1.1', async () => {
  const server = await startServer(leaks, (req) => new Response(`${req.method} over ${req.version}`), {
    http2: 'h2c',
  });
  const socket = tcpConnect({ port: server.port, host: '127.0.0.1', noDelay: true });
  leaks.defer(() => socket.destroy());
  let answer = '';
  socket.on('data', (chunk: Buffer) => {
    answer += chunk.toString('latin1');
  });
  await trickle(socket, Buffer.from('PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n'));
  await eventually(
    () => answer.endsWith('PUT over 1.1'),
    () => `an HTTP/1.1 answer (got ${JSON.stringify(answer)})`,
  );
  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
});

test('a piece of the preface and a close, or nothing at all, cost nothing: the server lets go', async () => {
  const server = await startServer(leaks, () => new Response('never'), { http2: 'h2c', idleTimeoutMs: 200 });
  const partial = tcpConnect({ port: server.port, host: '127.0.0.1' });
  leaks.defer(() => partial.destroy());
  partial.on('error', () => {});
  partial.end(Buffer.from(H2_PREFACE).subarray(0, 10));
  const silent = tcpConnect({ port: server.port, host: '127.0.0.1' });
  leaks.defer(() => silent.destroy());
  const silentClosed = new Promise<void>((resolve) => silent.on('close', () => resolve()));
  silent.on('error', () => {});
  await silentClosed;
  await eventually(() => partial.destroyed || partial.closed, 'the partial client was let go');
  assert.equal(server.calls, 0);
  assert.deepEqual(server.errors, []);
});

test("close() while a connection's first bytes are awaited does not wait for them", async () => {
  const server = await startServer(leaks, () => new Response('never'), { http2: 'h2c' });
  const silent = tcpConnect({ port: server.port, host: '127.0.0.1' });
  leaks.defer(() => silent.destroy());
  silent.on('error', () => {});
  await new Promise<void>((resolve) => silent.on('connect', () => resolve()));
  await server.server.close({ timeoutMs: 200 });
  await eventually(() => silent.destroyed || silent.readableEnded, 'the silent client was closed');
});
