/**
 * Limits over a real socket (docs/architecture.md, Rules, issue 3): 414 for a long request line, 431 for a
 * large head by bytes and by field count, 413 for bodies over `maxStreamedBodyBytes` (announced or
 * streamed), for buffered reads over `maxBodyBytes`, and for chunk extensions over
 * `maxChunkExtensionBytes`. After a refusal the connection is either closed cleanly or still in step:
 * the next request on it gets its own answer, never bytes of the refused body parsed as a request.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import type { ServeOptions } from '../../../src/http/server/index.js';
import { startServer, type TestServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { bodyText, saysClose } from '../../helpers/response-reader.js';

const leaks = trackLeaks();

/** Answers `{ target, bytes }` after reading the whole body with `text()` (the buffered limit applies). */
function bufferingServer(options: ServeOptions = {}): Promise<TestServer> {
  return startServer(
    leaks,
    async (req) => Response.json({ target: req.target, bytes: Buffer.byteLength(await req.text()) }),
    options,
  );
}

/** Answers `{ target, bytes }` after streaming the whole body (only `maxStreamedBodyBytes` applies). */
function streamingServer(options: ServeOptions = {}): Promise<TestServer> {
  return startServer(
    leaks,
    async (req) => {
      let bytes = 0;
      for await (const chunk of req.body) bytes += chunk.byteLength;
      return Response.json({ target: req.target, bytes });
    },
    options,
  );
}

/** Sends `bytes`, expects exactly one response with `status` and Connection: close, then the close. */
async function expectRefusedAndClosed(server: TestServer, bytes: string | Buffer, status: number): Promise<void> {
  const client = await server.client();
  await client.write(bytes);
  await client.waitEnded();
  const responses = client.finals();
  assert.equal(responses.length, 1, client.text.slice(0, 500));
  assert.equal(responses[0]?.status, status);
  assert.ok(saysClose(responses[0]!), 'Connection: close');
}

function chunked(...chunks: string[]): string {
  return `${chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('')}0\r\n\r\n`;
}

describe('head limits', () => {
  test('a request line over the default 8 KiB → 414, handler not called', async () => {
    const server = await bufferingServer();
    await expectRefusedAndClosed(server, request('GET', `/${'a'.repeat(8 * 1024)}`), 414);
    assert.equal(server.calls, 0);
  });

  test('a request line just under maxRequestLineBytes is served', async () => {
    const server = await bufferingServer({ maxRequestLineBytes: 100 });
    const line = `GET /${'a'.repeat(100 - 'GET / HTTP/1.1'.length)} HTTP/1.1`;
    assert.equal(line.length, 100);
    const client = await server.client();
    await client.write(`${line}\r\nHost: a\r\n\r\n`);
    const [response] = await client.read(1);
    assert.equal(response?.status, 200);
    await expectRefusedAndClosed(server, `${line.replace('GET /', 'GET /a')}\r\nHost: a\r\n\r\n`, 414);
  });

  test('a head over the default 16 KiB → 431', async () => {
    const server = await bufferingServer();
    await expectRefusedAndClosed(server, request('GET', '/', [`X-Big: ${'b'.repeat(16 * 1024)}`]), 431);
    assert.equal(server.calls, 0);
  });

  test('a head over maxHeadBytes, spread over many fields → 431', async () => {
    const server = await bufferingServer({ maxHeadBytes: 1024 });
    const fields = Array.from({ length: 40 }, (_, i) => `X-F${i}: ${'v'.repeat(20)}`);
    await expectRefusedAndClosed(server, request('GET', '/', fields), 431);
    assert.equal(server.calls, 0);
  });

  test('the default maxHeaderCount (256) serves ordinary proxied heads of 100-odd fields; over it → 431', async () => {
    const server = await bufferingServer();
    const fields = (n: number): string[] => Array.from({ length: n }, (_, i) => `X-F${i}: v`);
    const client = await server.client();
    await client.write(request('GET', '/ok', fields(150)));
    const [proxied] = await client.read(1);
    assert.equal(proxied?.status, 200, 'about 150 fields, as node:http, nginx and Go accept');
    await client.write(request('GET', '/ok', fields(255))); // + Host = 256
    const [, full] = await client.read(2);
    assert.equal(full?.status, 200);
    await expectRefusedAndClosed(server, request('GET', '/', fields(256)), 431);
    assert.equal(server.calls, 2);
  });

  test('maxHeaderCount applies to trailers too → 431', async () => {
    const server = await streamingServer({ maxHeaderCount: 3 });
    const trailers = 'A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n';
    await expectRefusedAndClosed(
      server,
      `${request('POST', '/', ['Transfer-Encoding: chunked'])}1\r\nx\r\n0\r\n${trailers}`,
      431,
    );
  });
});

describe('body limits', () => {
  test('Content-Length over maxStreamedBodyBytes → 413 before the handler runs', async () => {
    const server = await streamingServer({ maxStreamedBodyBytes: 1000 });
    await expectRefusedAndClosed(server, request('POST', '/', ['Content-Length: 1001']), 413);
    assert.equal(server.calls, 0);
  });

  test('a chunked body growing over maxStreamedBodyBytes → 413 and close', async () => {
    const server = await streamingServer({ maxStreamedBodyBytes: 1000 });
    const client = await server.client();
    await client.write(request('POST', '/', ['Transfer-Encoding: chunked']));
    for (let i = 0; i < 12 && !client.ended; i++) await client.write(chunked('x'.repeat(100)).slice(0, -5));
    await client.waitEnded();
    const responses = client.finals();
    assert.equal(responses.length, 1);
    assert.equal(responses[0]?.status, 413);
    assert.ok(saysClose(responses[0]!));
  });

  test('a body at exactly maxStreamedBodyBytes is served', async () => {
    const server = await streamingServer({ maxStreamedBodyBytes: 1000 });
    const client = await server.client();
    await client.write(request('POST', '/', [], 'x'.repeat(1000)));
    const [response] = await client.read(1);
    assert.deepEqual(JSON.parse(bodyText(response!)), { target: '/', bytes: 1000 });
  });

  test('text() over maxBodyBytes → 413; a small rest is dropped and the next request gets its own answer', async () => {
    const server = await bufferingServer({ maxBodyBytes: 10 });
    const client = await server.client();
    // The body looks like a request: if the server lost its place, this would be answered.
    const body = `GET /inside-the-body HTTP/1.1\r\nHost: a\r\n\r\n${'z'.repeat(100)}`;
    await client.write(request('POST', '/big', [], body) + request('GET', '/next'));
    const [refused, next] = await client.read(2);
    assert.equal(refused?.status, 413);
    assert.equal(next?.status, 200);
    assert.deepEqual(JSON.parse(bodyText(next!)), { target: '/next', bytes: 0 });
    assert.equal(client.finals().length, 2, 'nothing else was answered');
    assert.equal(server.calls, 2);
  });

  test('text() over maxBodyBytes while the body is still arriving: the rest is dropped, the connection stays in step', async () => {
    const server = await bufferingServer({ maxBodyBytes: 10 });
    const client = await server.client();
    const body = `GET /inside-the-body HTTP/1.1\r\nHost: a\r\n\r\n${'z'.repeat(1000)}`;
    const all = request('POST', '/big', [], body);
    const cut = all.indexOf('\r\n\r\n') + 4 + 20;
    await client.write(all.slice(0, cut));
    const [refused] = await client.read(1);
    assert.equal(refused?.status, 413);
    await client.write(all.slice(cut) + request('GET', '/next'));
    const [, next] = await client.read(2);
    assert.deepEqual(JSON.parse(bodyText(next!)), { target: '/next', bytes: 0 });
    assert.ok(await client.staysOpen(), 'still open');
    assert.equal(client.finals().length, 2);
  });

  test('text() over maxBodyBytes with a large announced rest → 413 and a clean close', async () => {
    const server = await bufferingServer({ maxBodyBytes: 1024 });
    const client = await server.client();
    const size = 1024 * 1024;
    await client.write(request('POST', '/big', [`Content-Length: ${size}`]));
    await client.write(Buffer.alloc(4096, 0x61));
    const [refused] = await client.read(1);
    assert.equal(refused?.status, 413);
    assert.ok(saysClose(refused!));
    // The client keeps sending its body; the server reads and drops it for a while, so no reset
    // destroys the 413 before the client reads it.
    await client.write(Buffer.alloc(64 * 1024, 0x61));
    await client.waitEnded();
    assert.equal(client.error, undefined, 'closed with a FIN, not a reset');
    assert.equal(client.finals().length, 1);
  });

  test('text() over maxBodyBytes on a chunked body → 413 and close (the rest has no known size)', async () => {
    const server = await bufferingServer({ maxBodyBytes: 10 });
    const client = await server.client();
    await client.write(`${request('POST', '/big', ['Transfer-Encoding: chunked'])}${'14\r\n'}${'y'.repeat(20)}\r\n`);
    const [refused] = await client.read(1);
    assert.equal(refused?.status, 413);
    assert.ok(saysClose(refused!));
    await client.write(`0\r\n\r\n${request('GET', '/next')}`);
    await client.waitEnded();
    assert.equal(client.finals().length, 1, 'the request after it was not served');
    assert.equal(server.calls, 1);
  });

  test('a chunk extension over maxChunkExtensionBytes → 413 and close', async () => {
    const server = await streamingServer({ maxChunkExtensionBytes: 16 });
    await expectRefusedAndClosed(
      server,
      `${request('POST', '/', ['Transfer-Encoding: chunked'])}1;name=${'v'.repeat(100)}\r\nx\r\n0\r\n\r\n`,
      413,
    );
  });

  test('a chunk extension within maxChunkExtensionBytes is accepted', async () => {
    const server = await streamingServer({ maxChunkExtensionBytes: 16 });
    const client = await server.client();
    await client.write(`${request('POST', '/', ['Transfer-Encoding: chunked'])}1;a=b\r\nx\r\n0\r\n\r\n`);
    const [response] = await client.read(1);
    assert.deepEqual(JSON.parse(bodyText(response!)), { target: '/', bytes: 1 });
  });
});
