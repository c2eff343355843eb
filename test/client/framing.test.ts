/**
 * Response framing against a raw server writing canned bytes: Content-Length, chunked with trailers,
 * close-delimited, HEAD, 204/304, interim 1xx before the final response; whole, and one byte at a time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pool, PoolOptions } from '../../src/client/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { rawServer, reply, trackedPool, trickle } from './helpers.js';

const leaks = trackLeaks();

const pool = (url: string, options?: PoolOptions): Pool => trackedPool(leaks, url, options);

const CASES: {
  name: string;
  method?: string;
  wire: string;
  body: string;
  status: number;
  trailers?: [string, string][];
}[] = [
  { name: 'Content-Length', wire: reply('hello'), body: 'hello', status: 200 },
  {
    name: 'chunked with trailers',
    wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n',
    body: 'hello world',
    status: 200,
    trailers: [['X-Sum', '42']],
  },
  {
    name: 'HEAD (Content-Length, no body)',
    method: 'HEAD',
    wire: 'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n',
    body: '',
    status: 200,
  },
  { name: '204 No Content', wire: 'HTTP/1.1 204 No Content\r\n\r\n', body: '', status: 204 },
  {
    name: '304 with a Content-Length',
    wire: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
    body: '',
    status: 304,
  },
  {
    name: '100 Continue and 103 Early Hints, then the final response',
    wire:
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n' + reply('final'),
    body: 'final',
    status: 200,
  },
];

describe('keep-alive framing', () => {
  for (const c of CASES) {
    for (const split of ['whole', 'byte by byte'] as const) {
      test(`${c.name} (${split}), then the connection is reused`, async () => {
        const server = await rawServer(leaks, (req, socket) => {
          const wire = req.index === 0 ? c.wire : reply('second');
          if (split === 'whole') socket.write(wire);
          else void trickle(socket, wire);
        });
        const p = pool(server.url);
        const res = await p.request({ path: '/', method: c.method ?? 'GET' });
        assert.equal(res.status, c.status);
        assert.equal(await res.body.text(), c.body);
        assert.deepEqual([...res.trailers], c.trailers ?? []);
        assert.equal(res.reused, false);
        const again = await p.request({ path: '/again' });
        assert.equal(await again.body.text(), 'second');
        assert.equal(again.reused, true);
        assert.equal(server.accepted, 1, 'one connection served both');
      });
    }
  }
});

describe('close-delimited and closing responses', () => {
  test('a body delimited by the close is read to the end, then a new connection is opened', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      if (req.connection === 0) socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end');
      else socket.write(reply('fresh'));
    });
    const p = pool(server.url);
    const res = await p.request({ path: '/' });
    assert.equal(await res.body.text(), 'until the end');
    const next = await p.request({ path: '/' });
    assert.equal(await next.body.text(), 'fresh');
    assert.equal(next.reused, false);
    assert.equal(server.accepted, 2);
  });

  test('an HTTP/1.0 response without keep-alive closes the connection after it', async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write('HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold');
    });
    const p = pool(server.url);
    const res = await p.request({ path: '/' });
    assert.equal(res.version, '1.0');
    assert.equal(await res.body.text(), 'old');
    assert.equal(await (await p.request({ path: '/' })).body.text(), 'old');
    assert.equal(server.accepted, 2);
  });

  test('a request with Connection: close is sent with it and its connection is not reused', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('ok')));
    const p = pool(server.url);
    await (await p.request({ path: '/', headers: { connection: 'close' } })).body.dump();
    await (await p.request({ path: '/' })).body.dump();
    assert.equal(server.requests[0]?.headers.connection, 'close');
    assert.equal(server.accepted, 2);
  });

  test('Connection: close on a Content-Length response retires the connection', async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write(reply('bye', 200, { Connection: 'close' }));
    });
    const p = pool(server.url);
    await (await p.request({ path: '/' })).body.text();
    await (await p.request({ path: '/' })).body.text();
    assert.equal(server.accepted, 2);
  });
});

describe('request heads', () => {
  test('Host first, user fields in order and case, framing fields ours', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('ok')));
    const p = pool(server.url);
    const res = await p.request({
      path: '/a?b=1',
      method: 'POST',
      headers: [
        ['X-One', '1'],
        ['x-two', '2'],
        ['Content-Length', '999'],
      ],
      body: 'abc',
    });
    await res.body.dump();
    const seen = server.requests[0];
    assert.ok(seen !== undefined);
    assert.equal(seen.path, '/a?b=1');
    assert.deepEqual(seen.fieldNames, ['Host', 'X-One', 'x-two', 'Content-Length']);
    assert.equal(seen.headers.host, `127.0.0.1:${server.port}`);
    assert.equal(seen.headers['content-length'], '3');
    assert.equal(seen.body.toString(), 'abc');
  });

  test('fields the client adds itself are spelled as registered: Content-Type of a form, Accept-Encoding', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('ok')));
    const p = pool(server.url);
    const res = await p.request({
      path: '/f',
      method: 'POST',
      body: new URLSearchParams({ a: '1' }),
      decompress: true,
    });
    await res.body.dump();
    const seen = server.requests[0];
    assert.ok(seen !== undefined);
    assert.deepEqual(seen.fieldNames, ['Host', 'Content-Type', 'Accept-Encoding', 'Content-Length']);
  });

  test('a header with CR LF in it is refused before anything is sent', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('ok')));
    const p = pool(server.url);
    await assert.rejects(p.request({ path: '/', headers: { 'x-evil': 'a\r\nInjected: 1' } }), {
      code: 'WK_ERR_HTTP_INVALID_FIELD',
    });
    assert.equal(server.accepted, 0);
  });

  test('POST with no body says Content-Length: 0; GET says nothing', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('ok')));
    const p = pool(server.url);
    await (await p.request({ path: '/', method: 'POST' })).body.dump();
    await (await p.request({ path: '/' })).body.dump();
    assert.equal(server.requests[0]?.headers['content-length'], '0');
    assert.equal(server.requests[1]?.headers['content-length'], undefined);
  });
});
