/**
 * Pipelining over a real socket (RFC 9112 §9.3.2): responses leave strictly in request order
 * whatever order the handlers finish in; a malformed request in the middle is answered after the
 * ones before it, then the connection closes and nothing after it is handled.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { bodyText, saysClose } from '../../helpers/response-reader.js';
import { sleep } from '../../helpers/wait.js';

const leaks = trackLeaks();

/** Answers with the target after a delay given by `?delay=ms`, reading the body first. */
async function delayedServer() {
  const handled: string[] = [];
  const server = await startServer(leaks, async (req) => {
    handled.push(req.path);
    const body = await req.text();
    await sleep(Number(req.query.get('delay') ?? 0));
    return new Response(`${req.path} ${body}`);
  });
  return { ...server, handled };
}

test('10 pipelined requests are answered in order though their handlers finish in reverse', async () => {
  const server = await delayedServer();
  const client = await server.client();
  const jitter = () => Math.floor(Math.random() * 10);
  let all = '';
  for (let i = 0; i < 10; i++) all += request('GET', `/r${i}?delay=${(10 - i) * 15 + jitter()}`);
  await client.write(all);
  const responses = await client.read(10);
  assert.deepEqual(
    responses.map((r) => bodyText(r)),
    Array.from({ length: 10 }, (_, i) => `/r${i} `),
  );
  assert.ok(responses.every((r) => !saysClose(r)));
  assert.ok(await client.staysOpen(), 'kept alive');
});

test('pipelined requests with bodies (Content-Length and chunked) stay in step', async () => {
  const server = await delayedServer();
  const client = await server.client();
  await client.write(
    request('POST', '/a?delay=30', [], 'one') +
      request('POST', '/b', ['Transfer-Encoding: chunked'], '3\r\ntwo\r\n0\r\nX-T: 1\r\n\r\n') +
      request('POST', '/c?delay=10', [], 'GET /x HTTP/1.1\r\nHost: a\r\n\r\n') +
      request('GET', '/d'),
  );
  const responses = await client.read(4);
  assert.deepEqual(
    responses.map((r) => bodyText(r)),
    ['/a one', '/b two', '/c GET /x HTTP/1.1\r\nHost: a\r\n\r\n', '/d '],
  );
  assert.deepEqual(server.handled, ['/a', '/b', '/c', '/d']);
});

test('a malformed request in the middle: the earlier ones are answered, then 400, then close', async () => {
  const server = await delayedServer();
  const client = await server.client();
  let all = '';
  for (let i = 0; i < 5; i++) all += request('GET', `/ok${i}?delay=${(5 - i) * 20}`);
  all += 'GET /bad HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n';
  for (let i = 0; i < 4; i++) all += request('GET', `/after${i}`);
  await client.write(all);
  await client.waitEnded();
  const responses = client.finals();
  assert.deepEqual(
    responses.map((r) => r.status),
    [200, 200, 200, 200, 200, 400],
  );
  assert.deepEqual(
    responses.slice(0, 5).map((r) => bodyText(r)),
    ['/ok0 ', '/ok1 ', '/ok2 ', '/ok3 ', '/ok4 '],
  );
  assert.ok(saysClose(responses[5]!));
  assert.deepEqual(server.handled, ['/ok0', '/ok1', '/ok2', '/ok3', '/ok4']);
});

test('a malformed request arriving while earlier handlers still run is answered after them', async () => {
  const server = await delayedServer();
  const client = await server.client();
  await client.write(request('GET', '/slow?delay=200') + request('GET', '/slower?delay=300'));
  await sleep(50);
  await client.write(`GET /bad HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n${request('GET', '/after')}`);
  await client.waitEnded();
  assert.deepEqual(
    client.finals().map((r) => `${r.status} ${bodyText(r).split(' ')[0]}`),
    ['200 /slow', '200 /slower', '400 400'],
  );
  assert.deepEqual(server.handled, ['/slow', '/slower']);
});

test('more requests than maxPipelinedRequests in one write are all answered, in order', async () => {
  const server = await delayedServer();
  const client = await server.client();
  let all = '';
  for (let i = 0; i < 100; i++) all += request('GET', `/p${i}`);
  await client.write(all);
  const responses = await client.read(100);
  assert.deepEqual(
    responses.map((r) => bodyText(r)),
    Array.from({ length: 100 }, (_, i) => `/p${i} `),
  );
});

test('a handler that throws in the middle of a pipeline gets 500 in its slot; the rest are served', async () => {
  const server = await startServer(leaks, async (req) => {
    if (req.path === '/boom') throw new Error('boom');
    await sleep(req.path === '/first' ? 50 : 0);
    return new Response(req.path);
  });
  const client = await server.client();
  await client.write(request('GET', '/first') + request('GET', '/boom') + request('GET', '/last'));
  const responses = await client.read(3);
  assert.deepEqual(
    responses.map((r) => `${r.status} ${r.status === 200 ? bodyText(r) : ''}`),
    ['200 /first', '500 ', '200 /last'],
  );
});

test('a client that pipelines without reading: the server stops handling once its writes back up', async () => {
  const big = 'r'.repeat(256 * 1024);
  const server = await startServer(leaks, () => new Response(big));
  const client = await server.client();
  client.socket.pause();
  let all = '';
  for (let i = 0; i < 1000; i++) all += request('GET', `/${i}`);
  void client.write(all);
  let calls = -1;
  while (calls !== server.calls) {
    calls = server.calls;
    await sleep(300);
  }
  assert.ok(calls < 1000, `handled ${calls} of 1000 requests while nothing was read`);
  client.socket.resume();
  await client.until(() => server.calls === 1000, 'every request handled once the client reads', 60_000);
  // Every head has the same length (the Date field is fixed-width): wait for all the bytes with a
  // cheap check, then parse once. Parsing 256 MB on every chunk would starve the server sharing
  // this process, and its send timeout would then cut the connection.
  const headBytes = client.data.indexOf('\r\n\r\n') + 4;
  const total = 1000 * (headBytes + big.length);
  await client.until(() => client.data.length >= total || client.ended, 'every response', 60_000);
  const responses = client.finals();
  assert.equal(responses.length, 1000);
  assert.ok(responses.every((r) => r.body.length === big.length));
});

test('maxPipelinedRequests bounds the handlers running at once, even for requests that came in one read', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let running = 0;
  let most = 0;
  const server = await startServer(
    leaks,
    async (req) => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
      return new Response(req.path);
    },
    { maxPipelinedRequests: 4 },
  );
  const client = await server.client();
  let all = '';
  for (let i = 0; i < 50; i++) all += request('GET', `/${i}`);
  await client.write(all);
  await client.until(() => server.calls === 4, 'the first handlers');
  assert.ok(await client.staysOpen(200));
  assert.equal(server.calls, 4, 'no more than maxPipelinedRequests handled ahead of their responses');
  release();
  const responses = await client.read(50);
  assert.deepEqual(
    responses.map((r) => bodyText(r)),
    Array.from({ length: 50 }, (_, i) => `/${i}`),
  );
  assert.ok(most <= 4, `at most 4 handlers at once, saw ${most}`);
});

test('pipelined requests answered by async handlers leave in one socket write', async () => {
  const server = await startServer(leaks, async (req) => {
    await Promise.resolve();
    return new Response(req.path);
  });
  const client = await server.client();
  // Count the writes Node's streams hand to the kernel; the client's own write is made (synchronously)
  // before the count is reset, so what is counted is the server's: corked responses make one `_writev`.
  const { Socket } = await import('node:net');
  const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  const original = { write: proto._write, writev: proto._writev };
  let writes = 0;
  proto._write = function (this: unknown, ...args: unknown[]) {
    writes++;
    return original.write.apply(this, args);
  };
  proto._writev = function (this: unknown, ...args: unknown[]) {
    writes++;
    return original.writev.apply(this, args);
  };
  let responses: Awaited<ReturnType<typeof client.read>>;
  try {
    const sent = client.write(['/a', '/b', '/c', '/d'].map((path) => request('GET', path)).join(''));
    writes = 0;
    await sent;
    responses = await client.read(4);
  } finally {
    proto._write = original.write;
    proto._writev = original.writev;
  }
  assert.deepEqual(
    responses.map((r) => bodyText(r)),
    ['/a', '/b', '/c', '/d'],
  );
  assert.equal(writes, 1, 'one write for the four responses');
});
