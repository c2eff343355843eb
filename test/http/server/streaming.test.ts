/**
 * Streamed bodies over a real socket: chunked responses with trailers, backpressure both ways (a
 * client that stops reading stops the producer; a handler that stops reading stops the upload), a
 * client that disconnects mid-stream cancels the response stream (`return()` is called) and aborts
 * `req.signal`, and a stream that breaks its declared Content-Length never leaves a desynced
 * connection behind.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { pattern } from '../../helpers/patterns.js';
import { request } from '../../helpers/raw-client.js';
import { bodyText } from '../../helpers/response-reader.js';
import { eventually, sleep, stable } from '../../helpers/wait.js';

const leaks = trackLeaks();

test('a streamed response is chunked and carries trailers (given, and computed after the body)', async () => {
  const server = await startServer(leaks, (req) => {
    let sent = 0;
    const body = (async function* () {
      for (const part of ['one ', 'two ', 'three']) {
        sent += part.length;
        yield Buffer.from(part);
      }
    })();
    const trailers = req.path === '/computed' ? () => ({ 'X-Sent': String(sent) }) : { 'X-Fixed': 'yes' };
    return new Response(body, { headers: { Trailer: 'X-Sent, X-Fixed' }, trailers });
  });
  const client = await server.client();
  await client.write(request('GET', '/computed') + request('GET', '/fixed'));
  const [computed, fixed] = await client.read(2);
  assert.ok(computed?.chunked);
  assert.equal(bodyText(computed!), 'one two three');
  assert.deepEqual(computed?.trailers, [['X-Sent', '13']]);
  assert.deepEqual(fixed?.trailers, [['X-Fixed', 'yes']]);
});

test('backpressure: a client that stops reading stops the producer; resuming delivers every byte', async () => {
  const CHUNK = 64 * 1024;
  const TOTAL = 48 * 1024 * 1024;
  let produced = 0;
  const server = await startServer(leaks, () => {
    const body = (async function* () {
      while (produced < TOTAL) {
        const chunk = pattern(CHUNK, produced / CHUNK);
        produced += CHUNK;
        yield chunk;
      }
    })();
    return new Response(body, { headers: { 'content-length': String(TOTAL) } });
  });
  const client = await server.client();
  client.socket.pause();
  await client.write(request('GET', '/'));
  const stalled = await stable(() => produced);
  assert.ok(stalled < TOTAL / 2, `the producer stopped (${stalled} of ${TOTAL} bytes produced)`);
  client.socket.resume();
  const [response] = await client.read(1, {}, 60_000);
  assert.equal(response?.body.length, TOTAL);
  for (let i = 0; i < TOTAL / CHUNK; i += 97) {
    assert.ok(response?.body.subarray(i * CHUNK, (i + 1) * CHUNK).equals(pattern(CHUNK, i)), `chunk ${i} intact`);
  }
});

test('backpressure on uploads: a handler that does not read yet pauses the socket; then every byte arrives', async () => {
  const TOTAL = 48 * 1024 * 1024;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = await startServer(leaks, async (req) => {
    await gate;
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of req.body) {
      hash.update(chunk);
      bytes += chunk.byteLength;
    }
    return Response.json({ bytes, sha256: hash.digest('hex') });
  });
  const client = await server.client();
  const body = pattern(TOTAL, 3);
  let written = false;
  void client.write(request('POST', '/', [`Content-Length: ${TOTAL}`]) + '').then(() =>
    client.write(body).then(() => {
      written = true;
    }),
  );
  await sleep(300);
  await stable(() => client.socket.bytesWritten);
  assert.equal(written, false, 'the upload is held back while the handler does not read');
  assert.ok(client.socket.writableLength > 0, 'bytes wait in the client');
  release();
  const [response] = await client.read(1, {}, 60_000);
  assert.deepEqual(JSON.parse(bodyText(response!)), {
    bytes: TOTAL,
    sha256: createHash('sha256').update(body).digest('hex'),
  });
});

test("a client that disconnects mid-stream: the body iterator's return() is called and req.signal aborts", async () => {
  let returned = false;
  let aborted = false;
  const server = await startServer(leaks, (req) => {
    req.signal.addEventListener('abort', () => {
      aborted = true;
    });
    const body: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          await sleep(10);
          return { value: Buffer.from('tick\n'), done: false };
        },
        return: async () => {
          returned = true;
          return { value: undefined, done: true };
        },
      }),
    };
    return new Response(body);
  });
  const client = await server.client();
  await client.write(request('GET', '/'));
  await client.until(() => client.text.includes('tick'), 'the first chunk');
  client.destroy();
  await eventually(() => returned, "the iterator's return()");
  await eventually(() => aborted, 'req.signal to abort');
  await eventually(() => server.server.connections === 0, 'the connection to close');
});

test('a stream shorter than its declared Content-Length: the connection is closed, never reused out of step', async () => {
  const server = await startServer(leaks, (req) => {
    if (req.path !== '/short') return new Response('next');
    const body = (async function* () {
      yield Buffer.from('only five');
    })();
    return new Response(body, { headers: { 'content-length': '100' } });
  });
  const client = await server.client();
  await client.write(request('GET', '/short') + request('GET', '/next'));
  await client.waitEnded();
  assert.ok(client.text.startsWith('HTTP/1.1 200 '), client.text);
  assert.ok(client.text.includes('\r\nContent-Length: 100\r\n'), client.text);
  assert.ok(client.text.endsWith('\r\n\r\nonly five'), client.text);
  assert.equal(client.finals().length, 0, 'the response is incomplete: the client can tell it was cut');
  assert.ok(!client.text.includes('next'), 'the next request was not answered on a broken stream');
  assert.ok(server.errors.length >= 1, 'reported to onError');
});

test('a broken stream behind pipelined requests: the complete responses before it still arrive', async () => {
  const server = await startServer(leaks, (req) => {
    if (req.path !== '/short') return new Response(`whole ${req.path}`);
    const body = (async function* () {
      yield Buffer.from('only five');
    })();
    return new Response(body, { headers: { 'content-length': '100' } });
  });
  const client = await server.client();
  await client.write(request('GET', '/a') + request('GET', '/b') + request('GET', '/short') + request('GET', '/c'));
  await client.waitEnded();
  assert.deepEqual(
    client.finals().map((r) => bodyText(r)),
    ['whole /a', 'whole /b'],
    client.text,
  );
  assert.ok(!client.text.includes('whole /c'));
});

test('a stream longer than its declared Content-Length: cut at the declared length, then closed', async () => {
  const server = await startServer(leaks, () => {
    const body = (async function* () {
      yield Buffer.from('12345');
      yield Buffer.from('GET /injected HTTP/1.1\r\n\r\n');
    })();
    return new Response(body, { headers: { 'content-length': '5' } });
  });
  const client = await server.client();
  await client.write(request('GET', '/'));
  await client.waitEnded();
  assert.ok(!client.text.includes('injected'), 'not a byte past the declared length');
  assert.equal(client.finals().length, 1);
  assert.equal(bodyText(client.finals()[0]!), '12345');
});
