/**
 * bodyLimit: a 413 from Content-Length before any read; while reading a body of unknown length,
 * every reader (json, text, bytes, form, the stream) fails with a 413 HttpError at the crossing;
 * over a socket the connection then serves the next request correctly or closes cleanly.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWirekitError } from '../../../src/errors.js';
import { App } from '../../../src/web/app.js';
import { PayloadTooLargeError } from '../../../src/web/http-error.js';
import { bodyLimit } from '../../../src/web/middleware/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { bodyText, header, saysClose } from '../../helpers/response-reader.js';

const leaks = trackLeaks();

function limitedApp(maxBytes = 10) {
  const app = new App();
  const reached = { count: 0 };
  app.use(async (_c, next) => {
    await next();
  });
  app.post('/json', bodyLimit({ maxBytes }), async (c) => ({ got: await c.req.json() }));
  app.post('/text', bodyLimit({ maxBytes }), async (c) => {
    reached.count++;
    return c.text(await c.req.text());
  });
  app.post('/bytes', bodyLimit({ maxBytes }), async (c) => ({ length: (await c.req.bytes()).byteLength }));
  app.post('/form', bodyLimit({ maxBytes }), async (c) => Object.fromEntries(await c.req.form()));
  app.post('/raw-text', bodyLimit({ maxBytes }), async (c) => c.text(await c.req.raw.text()));
  app.post('/stream', bodyLimit({ maxBytes }), async (c) => {
    let total = 0;
    for await (const chunk of c.req.body) total += chunk.byteLength;
    return { total };
  });
  app.post('/caught', bodyLimit({ maxBytes }), async (c) => {
    try {
      await c.req.text();
      return c.text('read');
    } catch (error) {
      assert.ok(error instanceof PayloadTooLargeError);
      return c.text(`caught ${error.status}`, 200);
    }
  });
  app.get('/ping', () => 'pong');
  return { app, reached };
}

/** A request body of unknown length (no Content-Length), in pieces. */
async function* pieces(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

const JSON_ACCEPT = { accept: 'application/json' };

describe('in process', () => {
  test('Content-Length over the limit → 413 before the handler runs', async () => {
    const { app, reached } = limitedApp();
    const res = await app.request('/text', {
      method: 'POST',
      body: '12345678901',
      headers: { 'content-length': '11', ...JSON_ACCEPT },
    });
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { error: 'body larger than 10 bytes', status: 413 });
    assert.equal(reached.count, 0);
  });

  test('at the limit, by Content-Length or by count, the body is read', async () => {
    const { app } = limitedApp();
    const exact = await app.request('/text', {
      method: 'POST',
      body: '1234567890',
      headers: { 'content-length': '10' },
    });
    assert.equal(await exact.text(), '1234567890');
    const streamed = await app.request('/text', { method: 'POST', body: pieces('12345', '67890') });
    assert.equal(await streamed.text(), '1234567890');
  });

  for (const path of ['/json', '/text', '/bytes', '/raw-text', '/stream']) {
    test(`${path}: a body of unknown length crossing the limit → 413`, async () => {
      const { app } = limitedApp();
      const res = await app.request(path, { method: 'POST', body: pieces('"12345', '67890"'), headers: JSON_ACCEPT });
      assert.equal(res.status, 413);
      assert.deepEqual(await res.json(), { error: 'body larger than 10 bytes', status: 413 });
    });
  }

  test('/form: a urlencoded body of unknown length crossing the limit → 413', async () => {
    const { app } = limitedApp();
    const res = await app.request('/form', {
      method: 'POST',
      body: pieces('a=12345', '&b=678'),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...JSON_ACCEPT },
    });
    assert.equal(res.status, 413);
    const ok = await app.request('/form', {
      method: 'POST',
      body: pieces('a=1', '&b=2'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.deepEqual(await ok.json(), { a: '1', b: '2' });
  });

  test('a Content-Length that understates an in-process body does not get it past the count', async () => {
    const { app } = limitedApp();
    const res = await app.request('/text', {
      method: 'POST',
      body: 'x'.repeat(50),
      headers: { 'content-length': '5' },
    });
    assert.equal(res.status, 413);
  });

  test('the handler sees a PayloadTooLargeError (an HttpError with status 413) it may catch', async () => {
    const { app } = limitedApp();
    const res = await app.request('/caught', { method: 'POST', body: pieces('x'.repeat(8), 'x'.repeat(8)) });
    assert.equal(await res.text(), 'caught 413');
  });

  test('limits stack: the smaller one wins, whichever is outside', async () => {
    for (const [outer, inner] of [
      [100, 10],
      [10, 100],
    ]) {
      const app = new App();
      app.use(bodyLimit({ maxBytes: outer as number }));
      app.post('/t', bodyLimit({ maxBytes: inner as number }), async (c) => c.text(await c.req.text()));
      assert.equal(
        (await app.request('/t', { method: 'POST', body: pieces('x'.repeat(11)) })).status,
        413,
        `${outer}/${inner}`,
      );
      assert.equal(
        (await app.request('/t', { method: 'POST', body: pieces('x'.repeat(10)) })).status,
        200,
        `${outer}/${inner}`,
      );
    }
  });

  test('a request without a body passes', async () => {
    const { app } = limitedApp();
    assert.equal(await (await app.request('/text', { method: 'POST' })).text(), '');
  });

  test('maxBytes must be a non-negative integer', () => {
    for (const maxBytes of [-1, 1.5, Number.NaN]) {
      assert.throws(
        () => bodyLimit({ maxBytes }),
        (e) => isWirekitError(e, 'WK_ERR_INVALID_ARGUMENT'),
      );
    }
  });
});

const PING = 'GET /ping HTTP/1.1\r\nHost: test\r\n\r\n';

function post(path: string, body: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function chunked(path: string, ...chunks: string[]): string {
  const body = chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('');
  return `POST ${path} HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n${body}0\r\n\r\n`;
}

describe('over a socket', () => {
  test('413 by Content-Length, then the next requests on the same socket get their own answers', async () => {
    const { app, reached } = limitedApp();
    const server = await startServer(leaks, app.handler);
    const client = await server.client();
    // The refused body looks like a request: a desynced server would answer it.
    await client.write(post('/text', `${PING}${PING}`) + PING);
    const [refused, next] = await client.read(2);
    assert.equal(refused?.status, 413);
    assert.ok(refused !== undefined && !saysClose(refused), 'a small refused body is dropped, the connection kept');
    assert.equal(next?.status, 200);
    assert.equal(next === undefined ? '' : bodyText(next), 'pong');
    await client.write(PING);
    const third = (await client.read(3))[2];
    assert.equal(third === undefined ? '' : bodyText(third), 'pong', 'still in sync');
    assert.equal(reached.count, 0);
  });

  test('413 by Content-Length for a large body: the server says close and closes, nothing after is served', async () => {
    const { app } = limitedApp();
    const server = await startServer(leaks, app.handler);
    const client = await server.client();
    await client.write(`${post('/text', 'x'.repeat(200 * 1024))}${PING}`);
    const [refused] = await client.read(1);
    assert.equal(refused?.status, 413);
    assert.ok(refused !== undefined && saysClose(refused));
    await client.waitEnded();
    assert.equal(client.finals().length, 1, 'no answer to the request after the refused body');
  });

  for (const path of ['/text', '/stream', '/json']) {
    test(`${path}: a chunked body crossing the limit, all sent → 413, then only the real next request`, async () => {
      const { app } = limitedApp();
      const server = await startServer(leaks, app.handler);
      const client = await server.client();
      // The whole body is on the wire: the server may read past the refusal and stay in sync.
      await client.write(chunked(path, '"12345', '67890"', PING) + PING);
      const [refused] = await client.read(1);
      assert.equal(refused?.status, 413);
      if (refused !== undefined && saysClose(refused)) {
        await client.waitEnded();
        assert.equal(client.finals().length, 1);
        return;
      }
      const [, next] = await client.read(2);
      assert.equal(next === undefined ? '' : bodyText(next), 'pong');
      assert.equal(await client.staysOpen(100), true);
      assert.equal(client.finals().length, 2, 'the PING inside the refused body was never answered');
    });

    test(`${path}: a chunked body crossing the limit while still arriving → 413 with close, a clean close`, async () => {
      const { app } = limitedApp();
      const server = await startServer(leaks, app.handler);
      const client = await server.client();
      await client.write(
        'POST ' + path + ' HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n"12345\r\n6\r\n67890"\r\n',
      );
      const [refused] = await client.read(1);
      assert.equal(refused?.status, 413);
      assert.ok(refused !== undefined && saysClose(refused), 'the rest of a chunked body is not worth reading');
      await client.write(`5\r\nhello\r\n0\r\n\r\n${PING}`);
      await client.waitEnded();
      assert.equal(client.finals().length, 1, 'nothing after the refused body is processed');
    });
  }

  test('a chunked body under the limit keeps the connection for the next request', async () => {
    const { app } = limitedApp();
    const server = await startServer(leaks, app.handler);
    const client = await server.client();
    await client.write(chunked('/text', '12345', '6789') + PING);
    const [first, second] = await client.read(2);
    assert.equal(first === undefined ? '' : bodyText(first), '123456789');
    assert.equal(second === undefined ? '' : bodyText(second), 'pong');
    assert.equal(header(first ?? second!, 'connection'), undefined);
  });
});
