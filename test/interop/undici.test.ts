/**
 * undici (Node's own HTTP client) as a client of the echo handler: keep-alive reuse through a Pool
 * and an Agent, pipelining, chunked uploads from an async iterable, HEAD, and bodies of a few MiB
 * both ways. Not `Expect: 100-continue`: undici refuses an `expect` header on HTTP/1.1
 * (NotSupportedError; its `expectContinue` option is for HTTP/2), so curl and `http.request` cover it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { Agent, Pool, request } from 'undici';
import { trackLeaks } from '../helpers/leaks.js';
import { pattern } from '../helpers/patterns.js';
import { echoedHeader, parseEcho, startEcho } from './echo-fixture.js';

const leaks = trackLeaks();

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function pool(url: string, options: Pool.Options = {}): Pool {
  const p = new Pool(url, { connections: 1, ...options });
  leaks.defer(() => p.destroy());
  return p;
}

test('undici Pool: sequential requests reuse one kept-alive connection', async () => {
  const server = await startEcho(leaks);
  const p = pool(server.url);
  for (let i = 0; i < 5; i++) {
    const { statusCode, body } = await p.request({ path: `/r${i}`, method: 'GET' });
    assert.equal(statusCode, 200);
    assert.equal(parseEcho(await body.text()).target, `/r${i}`);
  }
  assert.equal(server.opened(), 1);
});

test('undici.request through an Agent: the Agent keeps the connection alive across requests', async () => {
  const server = await startEcho(leaks);
  const agent = new Agent({ connections: 1 });
  leaks.defer(() => agent.destroy());
  for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
    const { body } = await request(`${server.url}/m`, {
      method: method as 'GET',
      dispatcher: agent,
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: `a ${method} body` }),
    });
    const echo = parseEcho(await body.text());
    assert.equal(echo.method, method);
    if (method === 'POST' || method === 'PUT')
      assert.equal(Buffer.from(echo.body, 'base64').toString(), `a ${method} body`);
  }
  assert.equal(server.opened(), 1);
});

test('undici Pool with pipelining: 10 requests on one connection, each answered with its own echo', async () => {
  const server = await startEcho(leaks);
  const p = pool(server.url, { pipelining: 10 });
  const results = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => {
      const { body } = await p.request({ path: `/p${i}`, method: 'POST', body: `body ${i}` });
      return parseEcho(await body.text());
    }),
  );
  results.forEach((echo, i) => {
    assert.equal(echo.target, `/p${i}`);
    assert.equal(Buffer.from(echo.body, 'base64').toString(), `body ${i}`);
  });
  assert.equal(server.opened(), 1);
});

test('undici: an async-iterable body is sent chunked and arrives whole', async () => {
  const server = await startEcho(leaks);
  const parts = Array.from({ length: 40 }, (_, i) => pattern(64 * 1024 + i, i));
  async function* upload(): AsyncGenerator<Uint8Array> {
    for (const part of parts) yield part;
  }
  const p = pool(server.url);
  const { body } = await p.request({ path: '/chunked', method: 'POST', body: Readable.from(upload()) });
  const echo = parseEcho(await body.text());
  assert.equal(echoedHeader(echo, 'transfer-encoding'), 'chunked');
  assert.equal(sha256(Buffer.from(echo.body, 'base64')), sha256(Buffer.concat(parts)));
});

test('undici: HEAD gets the GET head with no body; the server honours its Connection: close', async () => {
  const server = await startEcho(leaks);
  const p = pool(server.url);
  const head = await p.request({ path: '/h', method: 'HEAD' });
  assert.equal(head.statusCode, 200);
  assert.equal(await head.body.text(), '');
  assert.equal(head.headers.connection, 'close', 'undici sends HEAD with Connection: close');
  const get = await p.request({ path: '/h', method: 'GET' });
  const echo = parseEcho(await get.body.text());
  // The HEAD's echo is the GET's with its method and its Connection field: that is the length it announces.
  const headEcho = {
    ...echo,
    method: 'HEAD',
    headers: echo.headers.map(([n, v]) => [n, n.toLowerCase() === 'connection' ? 'close' : v]),
  };
  assert.equal(head.headers['content-length'], String(Buffer.byteLength(JSON.stringify(headEcho))));
  assert.equal(server.opened(), 2);
});

test('undici: 4 MiB up, its ~5.6 MiB echo down, twice on one connection', async () => {
  const server = await startEcho(leaks);
  const p = pool(server.url);
  for (let i = 0; i < 2; i++) {
    const payload = pattern(4 * 1024 * 1024, 10 + i);
    const { body } = await p.request({ path: '/big', method: 'POST', body: payload });
    const echo = parseEcho(await body.text());
    assert.equal(sha256(Buffer.from(echo.body, 'base64')), sha256(payload));
  }
  assert.equal(server.opened(), 1);
});
