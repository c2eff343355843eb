/**
 * Interop with real peers: wirekit's own server (`serve`) and Node's `http` server, keep-alive over
 * many requests, bodies both ways, and decompression of what Node's zlib produced.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { describe, test } from 'node:test';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { Agent, type Pool } from '../../src/client/index.js';
import { isWirekitError } from '../../src/errors.js';
import { Response } from '../../src/http/message/index.js';
import { serve } from '../../src/http/server/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { closeAfter, trackedPool } from './helpers.js';

const leaks = trackLeaks();

async function ourServer() {
  const server = await serve(async (req) => {
    if (req.path === '/echo') {
      const body = await req.text();
      return Response.json({ method: req.method, body, type: req.headers.get('content-type') });
    }
    return new Response(`hello ${req.path}`, { headers: { 'x-served-by': 'wirekit' } });
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return server;
}

async function nodeServer(
  handler: (req: IncomingMessage, body: Buffer) => [number, Record<string, string>, Buffer | string],
) {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const [status, headers, body] = handler(req, Buffer.concat(chunks));
      res.writeHead(status, headers);
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAfter(leaks, server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe("wirekit's own server", () => {
  test('many keep-alive requests on one connection, JSON both ways, streamed upload', async () => {
    const server = await ourServer();
    const p = trackedPool(leaks, server.url, { connections: 1 });
    for (let i = 0; i < 20; i++) {
      const res = await p.request({ path: `/n${i}` });
      assert.equal(await res.body.text(), `hello /n${i}`);
      assert.equal(res.headers.get('x-served-by'), 'wirekit');
      assert.equal(res.reused, i > 0);
    }
    const res = await p.request({
      path: '/echo',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    assert.deepEqual(await res.body.json(), { method: 'POST', body: '{"a":1}', type: 'application/json' });
    async function* parts() {
      for (let i = 0; i < 5; i++) yield `part${i};`;
    }
    const streamed = await p.request({ path: '/echo', method: 'PUT', body: parts() });
    assert.equal(((await streamed.body.json()) as { body: string }).body, 'part0;part1;part2;part3;part4;');
    const head = await p.request({ path: '/x', method: 'HEAD' });
    assert.equal(await head.body.text(), '');
    assert.equal(p.stats.connections, 1);
  });

  test('concurrent requests through a pool all arrive', async () => {
    const server = await ourServer();
    const p = trackedPool(leaks, server.url, { connections: 4 });
    const bodies = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => (await p.request({ path: `/c${i}` })).body.text()),
    );
    assert.deepEqual(
      bodies,
      Array.from({ length: 40 }, (_, i) => `hello /c${i}`),
    );
    assert.ok(p.stats.connections <= 4);
  });
});

describe("Node's http server", () => {
  test('keep-alive, its Keep-Alive header, chunked responses and request bodies', async () => {
    const url = await nodeServer((req, body) => [
      200,
      { 'content-type': 'text/plain' },
      `${req.method} ${req.url} ${body}`,
    ]);
    const p = trackedPool(leaks, url);
    for (let i = 0; i < 5; i++) {
      const res = await p.request({ path: `/k${i}`, method: 'POST', body: `b${i}` });
      assert.equal(await res.body.text(), `POST /k${i} b${i}`);
      assert.match(res.headers.get('keep-alive') ?? '', /timeout=\d+/);
    }
    assert.equal(p.stats.connections, 1);
  });

  test('a streamed (chunked) upload reaches it whole', async () => {
    const url = await nodeServer((req, body) => [200, {}, `${req.headers['transfer-encoding']} ${body.length}`]);
    async function* big() {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(16 * 1024, i);
    }
    const res = await trackedPool(leaks, url).request({ path: '/', method: 'PUT', body: big() });
    assert.equal(await res.body.text(), `chunked ${64 * 16 * 1024}`);
  });
});

describe('decompression', () => {
  const text = 'compress me '.repeat(500);
  const encoded: Record<string, [string, Buffer]> = {
    '/gzip': ['gzip', gzipSync(text)],
    '/deflate': ['deflate', deflateSync(text)],
    '/deflate-raw': ['deflate', deflateRawSync(text)],
    '/br': ['br', brotliCompressSync(text)],
    '/gzip-br': ['gzip, br', brotliCompressSync(gzipSync(text))],
    '/corrupt': ['gzip', Buffer.concat([gzipSync(text).subarray(0, 30), Buffer.from('garbage')])],
    '/unknown': ['zstd', Buffer.from('opaque')],
  };

  async function compressing() {
    return nodeServer((req) => {
      const [coding, body] = encoded[req.url ?? ''] ?? ['identity', Buffer.from('plain')];
      return [200, { 'content-encoding': coding, 'x-asked': String(req.headers['accept-encoding']) }, body];
    });
  }

  for (const path of ['/gzip', '/deflate', '/deflate-raw', '/br', '/gzip-br']) {
    test(`${path} is decoded with decompress: true`, async () => {
      const agent = new Agent();
      leaks.defer(() => agent.destroy());
      const url = await compressing();
      const res = await agent.request(`${url}${path}`, { decompress: true });
      assert.equal(res.headers.get('x-asked'), 'gzip, deflate, br');
      assert.equal(await res.body.text(), text);
    });
  }

  test('without decompress the body is left as sent, and nothing is asked for', async () => {
    const url = await compressing();
    const p: Pool = trackedPool(leaks, url);
    const res = await p.request({ path: '/gzip' });
    assert.equal(res.headers.get('x-asked'), 'undefined');
    assert.deepEqual(Buffer.from(await res.body.bytes()), encoded['/gzip']?.[1]);
  });

  test('a corrupt body is WK_ERR_DECOMPRESS; an unknown coding is passed through', async () => {
    const url = await compressing();
    const agent = new Agent();
    leaks.defer(() => agent.destroy());
    const bad = await agent.request(`${url}/corrupt`, { decompress: true });
    await assert.rejects(bad.body.text(), (error) => isWirekitError(error, 'WK_ERR_DECOMPRESS'));
    const unknown = await agent.request(`${url}/unknown`, { decompress: true });
    assert.equal(await unknown.body.text(), 'opaque');
  });
});
