/**
 * Timeouts over a real socket (issue 3): `headerTimeoutMs` against a slowloris head, `requestTimeoutMs`
 * against a stalled body, `idleTimeoutMs` between keep-alive requests, and `sendTimeoutMs` against a
 * client that never reads a large streamed response. Only "eventually" is asserted about time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { saysClose } from '../../helpers/response-reader.js';
import { eventually, sleep } from '../../helpers/wait.js';

const leaks = trackLeaks();

const ok = (): Response => new Response('ok');

test('slowloris: a head sent one byte every 200 ms is cut at headerTimeoutMs with 408, then closed', async () => {
  const server = await startServer(leaks, ok, { headerTimeoutMs: 1000 });
  const client = await server.client();
  const head = Buffer.from(request('GET', `/${'s'.repeat(100)}`, ['X-Slow: 1']), 'latin1');
  let sent = 0;
  while (sent < head.length && !client.ended) {
    await client.write(head.subarray(sent, sent + 1));
    sent++;
    await client.settle(200);
  }
  assert.ok(sent < head.length, 'the head was cut before it was complete');
  await client.waitEnded();
  const responses = client.finals();
  assert.equal(responses.length, 1);
  assert.equal(responses[0]?.status, 408);
  assert.ok(saysClose(responses[0]!));
  assert.equal(server.calls, 0);
});

test('headerTimeoutMs also bounds the head of a second request on a kept-alive connection', async () => {
  const server = await startServer(leaks, ok, { headerTimeoutMs: 500, idleTimeoutMs: 60_000 });
  const client = await server.client();
  await client.write(request('GET', '/one'));
  await client.read(1);
  await client.write('GET /two HTTP/1.1\r\nHost: a\r\n');
  await client.waitEnded();
  const responses = client.finals();
  assert.deepEqual(
    responses.map((r) => r.status),
    [200, 408],
  );
  assert.equal(server.calls, 1);
});

test('requestTimeoutMs: a body that stalls gets 408 and the connection is closed', async () => {
  let readError: unknown;
  const server = await startServer(
    leaks,
    async (req) => {
      try {
        await req.text();
      } catch (error) {
        readError = error;
        throw error;
      }
      return ok();
    },
    { requestTimeoutMs: 1000, headerTimeoutMs: 1000 },
  );
  const client = await server.client();
  await client.write(request('POST', '/', ['Content-Length: 100']) + 'x'.repeat(10));
  await client.waitEnded();
  const responses = client.finals();
  assert.equal(responses.length, 1);
  assert.equal(responses[0]?.status, 408);
  assert.ok(saysClose(responses[0]!));
  await eventually(() => readError !== undefined, 'the body read to fail');
});

test('idleTimeoutMs closes a kept-alive connection that sends nothing more', async () => {
  const server = await startServer(leaks, ok, { idleTimeoutMs: 500 });
  const client = await server.client();
  await client.write(request('GET', '/'));
  const [response] = await client.read(1);
  assert.ok(!saysClose(response!), 'kept alive');
  await client.waitEnded();
  assert.equal(client.finals().length, 1, 'closed without another response');
  assert.equal(client.error, undefined, 'a clean close, not a reset');
});

test('idleTimeoutMs closes a connection that never sends a byte', async () => {
  const server = await startServer(leaks, ok, { idleTimeoutMs: 500 });
  const client = await server.client();
  await client.waitEnded();
  assert.equal(client.data.length, 0, 'nothing was sent: there was no request to answer');
  assert.equal(server.calls, 0);
});

test('sendTimeoutMs: a client that never reads a streamed response loses the connection and the stream is cancelled', async () => {
  let returned = false;
  let produced = 0;
  async function* endless(): AsyncGenerator<Uint8Array> {
    try {
      const chunk = new Uint8Array(64 * 1024);
      for (;;) {
        produced += chunk.byteLength;
        yield chunk;
      }
    } finally {
      returned = true;
    }
  }
  const server = await startServer(leaks, () => new Response(endless()), { sendTimeoutMs: 500 });
  const client = await server.client();
  client.socket.pause();
  await client.write(request('GET', '/'));
  await eventually(() => returned, "the body iterator's return()");
  await eventually(() => server.server.connections === 0, 'the server to drop the connection');
  assert.ok(produced < 256 * 1024 * 1024, 'the server did not buffer without bound');
  assert.ok(server.errors.length >= 1, 'the failure was reported to onError');
});

test('a slow handler is not cut by idleTimeoutMs or headerTimeoutMs: they bound the client, not the handler', async () => {
  const server = await startServer(
    leaks,
    async () => {
      await sleep(1200);
      return new Response('late but fine');
    },
    { idleTimeoutMs: 300, headerTimeoutMs: 300 },
  );
  const client = await server.client();
  await client.write(request('GET', '/'));
  const [response] = await client.read(1);
  assert.equal(response?.status, 200);
});
