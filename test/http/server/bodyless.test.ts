/**
 * Responses without a body over a real socket: HEAD gets the head a GET would get (same
 * Content-Length or Transfer-Encoding) and no body byte, for string, bytes and streamed bodies
 * (RFC 9110 §9.3.2); 204 and 304 never carry a body or Content-Length (RFC 9110 §15.3.5, §15.4.5,
 * RFC 9112 §6.3). A request pipelined behind each one proves no stray body byte was sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { bodyText, header, type RawResponse } from '../../helpers/response-reader.js';

const leaks = trackLeaks();

const BODY = 'a body of some length: ünïcödé';

async function bodyServer() {
  const returned: string[] = [];
  /** A body stream that notes when it is done with: read to the end, or `return()`ed unread. */
  const streamed = (path: string): AsyncIterable<Uint8Array> => ({
    [Symbol.asyncIterator]() {
      const chunks = [Buffer.from(BODY.slice(0, 10)), Buffer.from(BODY.slice(10))];
      const done = (): IteratorResult<Uint8Array> => {
        returned.push(path);
        return { value: undefined, done: true };
      };
      return {
        next: async () => {
          const value = chunks.shift();
          return value === undefined ? done() : { value, done: false };
        },
        return: async () => done(),
      };
    },
  });
  const server = await startServer(leaks, (req) => {
    switch (req.path) {
      case '/string':
        return new Response(BODY);
      case '/bytes':
        return new Response(Buffer.from(BODY));
      case '/stream':
        return new Response(streamed(req.path));
      case '/stream-length':
        return new Response(streamed(req.path), { headers: { 'content-length': String(Buffer.byteLength(BODY)) } });
      case '/204':
        return new Response(BODY, { status: 204 });
      case '/304':
        return new Response(streamed(req.path), { status: 304, headers: { etag: '"x"' } });
      default:
        return new Response(req.path);
    }
  });
  return { ...server, returned };
}

const isHeadOf =
  (methods: string[]) =>
  (i: number): boolean =>
    methods[i] === 'HEAD';

/** Framing fields of a response, for comparing HEAD with GET. */
function framing(response: RawResponse): Record<string, string | undefined> {
  return {
    status: String(response.status),
    'content-length': header(response, 'content-length'),
    'transfer-encoding': header(response, 'transfer-encoding'),
    'content-type': header(response, 'content-type'),
  };
}

for (const path of ['/string', '/bytes', '/stream', '/stream-length']) {
  test(`HEAD ${path}: the GET's head, no body, and the next request is in step`, async () => {
    const server = await bodyServer();
    const client = await server.client();
    await client.write(request('GET', path) + request('HEAD', path) + request('GET', '/next'));
    const methods = ['GET', 'HEAD', 'GET'];
    const [get, head, next] = await client.read(3, { isHead: isHeadOf(methods) });
    assert.equal(bodyText(get!), BODY);
    assert.deepEqual(framing(head!), framing(get!));
    assert.equal(head?.body.length, 0);
    assert.equal(bodyText(next!), '/next', 'no body byte of the HEAD response was sent');
    if (path === '/string' || path === '/bytes' || path === '/stream-length') {
      assert.equal(header(head!, 'content-length'), String(Buffer.byteLength(BODY)));
    } else {
      assert.equal(header(head!, 'transfer-encoding'), 'chunked');
    }
    if (path.startsWith('/stream')) {
      await client.until(() => server.returned.length === 2, 'both streams released');
    }
  });
}

test('204 with a body given: no body, no Content-Length, and the connection stays in step', async () => {
  const server = await bodyServer();
  const client = await server.client();
  await client.write(request('GET', '/204') + request('GET', '/next'));
  const [noContent, next] = await client.read(2);
  assert.equal(noContent?.status, 204);
  assert.equal(header(noContent!, 'content-length'), undefined);
  assert.equal(header(noContent!, 'transfer-encoding'), undefined);
  assert.equal(bodyText(next!), '/next');
});

test('304 with a streamed body given: no body, the stream is released, the connection stays in step', async () => {
  const server = await bodyServer();
  const client = await server.client();
  await client.write(request('GET', '/304') + request('GET', '/next'));
  const [notModified, next] = await client.read(2);
  assert.equal(notModified?.status, 304);
  assert.equal(header(notModified!, 'etag'), '"x"');
  assert.equal(header(notModified!, 'transfer-encoding'), undefined);
  assert.equal(bodyText(next!), '/next');
  await client.until(() => server.returned.includes('/304'), 'the stream released');
});
