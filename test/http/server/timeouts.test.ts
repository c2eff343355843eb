/**
 * Timeouts over a real socket (issue 3): `headerTimeoutMs` against a slowloris head, `requestTimeoutMs`
 * against a stalled body, `idleTimeoutMs` between keep-alive requests, and `sendTimeoutMs` against a
 * client that never reads, whatever the response. Most tests run the server on a fake clock
 * (`fakeClock`): time moves when the test says so, so a timeout fires when the test moves past it
 * and never before, without waiting for it. Only "eventually" is asserted about real time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { type FakeClock, fakeClock, startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { type RawClient, request } from '../../helpers/raw-client.js';
import { saysClose } from '../../helpers/response-reader.js';
import { eventually } from '../../helpers/wait.js';

const leaks = trackLeaks();

const ok = (): Response => new Response('ok');

/**
 * Moves `clock` by `stepMs` at a time (giving the server a moment to see each step) until `done`;
 * bounded in steps. The server may read the bytes a test wrote a little after the write, so a
 * deadline counted from them is reached by stepping, not by one exact jump.
 */
async function advanceUntil(clock: FakeClock, client: RawClient, stepMs: number, done: () => boolean): Promise<void> {
  for (let step = 0; step < 200 && !done(); step++) {
    clock.advance(stepMs);
    await client.settle(20);
  }
  assert.ok(done(), 'the clock moved 200 steps and nothing happened');
}

test('slowloris: a head sent one byte at a time is cut at headerTimeoutMs with 408, then closed', async () => {
  const clock = fakeClock();
  const server = await startServer(leaks, ok, { headerTimeoutMs: 1000 }, clock.wheel);
  const client = await server.client();
  const head = Buffer.from(request('GET', `/${'s'.repeat(100)}`, ['X-Slow: 1']), 'latin1');
  let sent = 0;
  // 200 ms of the server's time pass between two bytes.
  while (sent < head.length && !client.ended) {
    await client.write(head.subarray(sent, sent + 1));
    sent++;
    await client.settle(20);
    clock.advance(200);
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
  const clock = fakeClock();
  const server = await startServer(leaks, ok, { headerTimeoutMs: 500, idleTimeoutMs: 600_000 }, clock.wheel);
  const client = await server.client();
  await client.write(request('GET', '/one'));
  await client.read(1);
  await client.write('GET /two HTTP/1.1\r\nHost: a\r\n');
  await advanceUntil(clock, client, 100, () => client.ended);
  const responses = client.finals();
  assert.deepEqual(
    responses.map((r) => r.status),
    [200, 408],
  );
  assert.equal(server.calls, 1);
});

test('requestTimeoutMs: a body that stalls gets 408 and the connection is closed', async () => {
  let readError: unknown;
  const clock = fakeClock();
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
    clock.wheel,
  );
  const client = await server.client();
  await client.write(request('POST', '/', ['Content-Length: 100']) + 'x'.repeat(10));
  assert.ok(await client.staysOpen(100), 'no time has passed for the server');
  await advanceUntil(clock, client, 250, () => client.ended);
  const responses = client.finals();
  assert.equal(responses.length, 1);
  assert.equal(responses[0]?.status, 408);
  assert.ok(saysClose(responses[0]!));
  await eventually(() => readError !== undefined, 'the body read to fail');
});

test('idleTimeoutMs closes a kept-alive connection that sends nothing more', async () => {
  const clock = fakeClock();
  const server = await startServer(leaks, ok, { idleTimeoutMs: 60_000 }, clock.wheel);
  const client = await server.client();
  await client.write(request('GET', '/'));
  const [response] = await client.read(1);
  assert.ok(!saysClose(response!), 'kept alive');
  assert.ok(await client.staysOpen(100), 'open until the clock moves');
  await advanceUntil(clock, client, 15_000, () => client.ended);
  assert.equal(client.finals().length, 1, 'closed without another response');
  assert.equal(client.error, undefined, 'a clean close, not a reset');
});

test('idleTimeoutMs counts from the last answer: a connection that keeps sending requests stays open', async () => {
  const clock = fakeClock();
  const server = await startServer(leaks, ok, { idleTimeoutMs: 60_000 }, clock.wheel);
  const client = await server.client();
  // Five idle timeouts of the server's time pass, a request every 40% of one: never idle for a whole one.
  for (let i = 1; i <= 12; i++) {
    await client.write(request('GET', `/${i}`));
    const responses = await client.read(i);
    assert.ok(!saysClose(responses[i - 1]!), `answer ${i} kept the connection alive`);
    clock.advance(24_000);
    await client.settle(20);
    assert.ok(!client.ended, `open after request ${i}`);
  }
  assert.equal(server.calls, 12);
});

test('idleTimeoutMs closes a connection that never sends a byte', async () => {
  const clock = fakeClock();
  const server = await startServer(leaks, ok, { idleTimeoutMs: 60_000 }, clock.wheel);
  const client = await server.client();
  await advanceUntil(clock, client, 15_000, () => client.ended);
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

test('sendTimeoutMs bounds fixed-length answers too: a client that pipelines and never reads is dropped', async () => {
  const answer = 'f'.repeat(64 * 1024);
  // The idle and request timeouts are far away: only the send timeout can end this connection.
  const server = await startServer(leaks, () => new Response(answer), {
    sendTimeoutMs: 500,
    idleTimeoutMs: 600_000,
    requestTimeoutMs: 600_000,
  });
  const client = await server.client();
  client.socket.pause();
  let all = '';
  for (let i = 0; i < 200; i++) all += request('GET', `/${i}`);
  void client.write(all);
  await eventually(() => server.server.connections === 0, 'the server to drop the connection', 20_000);
  assert.ok(server.calls < 200, 'the server stopped answering once its writes backed up');
});

test('sendTimeoutMs bounds one large fixed-length answer to a client that never reads it', async () => {
  const answer = Buffer.alloc(32 * 1024 * 1024, 0x66);
  const server = await startServer(leaks, () => new Response(answer), {
    sendTimeoutMs: 500,
    idleTimeoutMs: 600_000,
  });
  const client = await server.client();
  client.socket.pause();
  await client.write(request('GET', '/'));
  await eventually(() => server.server.connections === 0, 'the server to drop the connection', 20_000);
  assert.equal(server.calls, 1);
});

test('a client that reads slowly is not cut by sendTimeoutMs: each time it reads, the wait starts again', async () => {
  const clock = fakeClock();
  const answer = Buffer.alloc(48 * 1024 * 1024, 0x73);
  const server = await startServer(leaks, () => new Response(answer), { sendTimeoutMs: 1000 }, clock.wheel);
  const client = await server.client();
  client.socket.pause();
  await client.write(request('GET', '/'));
  await eventually(() => server.calls === 1, 'the answer to be written');
  // Almost four send timeouts of the server's time; the client reads 1 MiB in each third of one
  // (more than the kernel buffers hold, so the server's own write moves on).
  for (let i = 0; i < 12; i++) {
    const before = client.data.length;
    client.socket.resume();
    await client.until(() => client.data.length >= before + 1024 * 1024 || client.ended, '1 MiB more');
    client.socket.pause();
    await client.settle(30);
    clock.advance(300);
    await client.settle(30);
  }
  assert.equal(server.server.connections, 1, 'still connected');
  assert.ok(client.data.length < answer.length, 'the answer is still being sent');
  // It stops reading: cut at the send timeout.
  await advanceUntil(clock, client, 250, () => server.server.connections === 0);
});

test('a slow handler is not cut by idleTimeoutMs or headerTimeoutMs: they bound the client, not the handler', async () => {
  const clock = fakeClock();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = await startServer(
    leaks,
    async () => {
      await gate;
      return new Response('late but fine');
    },
    { idleTimeoutMs: 300, headerTimeoutMs: 300 },
    clock.wheel,
  );
  const client = await server.client();
  await client.write(request('GET', '/'));
  await eventually(() => server.calls === 1, 'the handler to start');
  for (let i = 0; i < 10; i++) {
    clock.advance(300);
    await client.settle(20);
  }
  assert.ok(!client.ended, "ten idle and header timeouts of the server's time later, still open");
  release();
  const [response] = await client.read(1);
  assert.equal(response?.status, 200);
});
