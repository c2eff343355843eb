/**
 * Compression: negotiation (q-values, `*`, identity, server preference), thresholds, skip rules,
 * fields (Vary, Content-Length, ETag weakening), options, and over a real socket. Streaming and
 * zstd: compress-stream.test.ts.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, test } from 'node:test';
import zlib from 'node:zlib';
import { isWirekitError } from '../../../src/errors.js';
import { Response } from '../../../src/http/message/response.js';
import type { App } from '../../../src/web/app.js';
import { compress, isCompressible, negotiateEncoding } from '../../../src/web/middleware/compress/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { app, BIG, bodyOf, chunks, decode, get, text } from './compress-helpers.js';

const leaks = trackLeaks();

describe('negotiation (RFC 9110 §12.5.3)', () => {
  const offered = ['br', 'zstd', 'gzip'];
  const table: [string | null, string | undefined, boolean][] = [
    // header, chosen coding, identity refused
    [null, undefined, false],
    ['', undefined, false],
    ['gzip', 'gzip', false],
    ['GZip', 'gzip', false],
    ['x-gzip', 'gzip', false],
    ['gzip, deflate, br', 'br', false],
    ['gzip, zstd', 'zstd', false],
    ['gzip;q=0.8, br;q=0.8, zstd;q=0.8', 'br', false],
    ['gzip;q=1, br;q=0.5', 'gzip', false],
    ['br;q=0, gzip', 'gzip', false],
    ['*', 'br', false],
    ['*;q=0.5, gzip', 'gzip', false],
    ['*, br;q=0', 'zstd', false],
    ['deflate', undefined, false],
    ['identity', undefined, false],
    ['gzip;q=0.5, identity', undefined, false],
    ['gzip;q=0.5, identity;q=0.5', 'gzip', false],
    ['gzip;q=0.5, *;q=0.9', 'br', false],
    ['identity;q=0', undefined, true],
    ['identity;q=0, gzip', 'gzip', true],
    ['*;q=0', undefined, true],
    ['*;q=0, identity', undefined, false],
    ['gzip;q=0', undefined, false],
    ['gzip;q=1.5', undefined, false],
    ['gzip;q=0.001', 'gzip', false],
    ['gzip ; q=0.9 , br ; q=0.95', 'br', false],
  ];
  for (const [header, coding, refused] of table) {
    test(`${JSON.stringify(header)} → ${coding ?? 'identity'}${refused ? ' (identity refused)' : ''}`, () => {
      assert.deepEqual(negotiateEncoding(header, offered), { coding, identityRefused: refused });
    });
  }

  test('only offered codings are chosen: without zstd, `zstd, gzip` is gzip', () => {
    assert.equal(negotiateEncoding('zstd, gzip', ['br', 'gzip']).coding, 'gzip');
    assert.equal(negotiateEncoding('zstd', ['br', 'gzip']).coding, undefined);
  });

  for (const [accept, expected] of [
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, br', 'br'],
    ['br;q=0.1, gzip', 'gzip'],
    ['*', 'br'],
    ['identity', null],
    ['identity;q=0, gzip', 'gzip'],
  ] as const) {
    test(`end to end: Accept-Encoding ${accept} → ${expected ?? 'identity'}, decodes to the original`, async () => {
      const res = await get(app(), '/text', accept);
      assert.equal(res.headers.get('content-encoding'), expected);
      assert.equal(res.headers.get('vary'), 'Accept-Encoding');
      assert.equal(decode(expected, await bodyOf(res)).toString(), BIG);
    });
  }

  test('no Accept-Encoding: sent unencoded, still Vary: Accept-Encoding', async () => {
    const res = await get(app(), '/json');
    assert.equal(res.headers.get('content-encoding'), null);
    assert.equal(res.headers.get('vary'), 'Accept-Encoding');
    assert.equal((await res.json<{ list: string[] }>()).list.length, BIG.split('\n').length);
  });

  test('encodings: the server order can be changed', async () => {
    const res = await get(app({ encodings: ['gzip', 'br'] }), '/text', 'br, gzip');
    assert.equal(res.headers.get('content-encoding'), 'gzip');
  });
});

describe('what is compressed', () => {
  test('the threshold (default 1 KiB): 1023 bytes go out as they are, 1024 are compressed', async () => {
    const a = app({}, (x) => {
      x.get('/n/:n', (c) => c.text('x'.repeat(Number(c.req.param('n')))));
    });
    const small = await get(a, '/n/1023', 'gzip');
    assert.equal(small.headers.get('content-encoding'), null);
    assert.equal(small.headers.get('vary'), null, 'a body under the threshold never varies');
    assert.equal((await small.text()).length, 1023);
    const big = await get(a, '/n/1024', 'gzip');
    assert.equal(big.headers.get('content-encoding'), 'gzip');
    assert.equal(decode('gzip', await bodyOf(big)).byteLength, 1024);
  });

  test('threshold counts bytes, not characters; a custom threshold applies', async () => {
    const a = app({ threshold: 10 }, (x) => {
      x.get('/e', (c) => c.text('ééééé')); // 5 characters, 10 bytes
      x.get('/d', (c) => c.text('ddddddddd')); // 9 bytes
    });
    assert.equal((await get(a, '/e', 'gzip')).headers.get('content-encoding'), 'gzip');
    assert.equal((await get(a, '/d', 'gzip')).headers.get('content-encoding'), null);
  });

  test('a body under the threshold is compressed when the client refuses identity', async () => {
    const a = app({}, (x) => {
      x.get('/small', (c) => c.text('tiny'));
    });
    const res = await get(a, '/small', 'identity;q=0, gzip');
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.equal(decode('gzip', await bodyOf(res)).toString(), 'tiny');
  });

  test('a stream with a declared Content-Length under the threshold is left alone', async () => {
    const a = app({}, (x) => {
      x.get('/s', (c) => c.body(chunks(['abc']), 200, { 'content-type': 'text/plain', 'content-length': '3' }));
    });
    const res = await get(a, '/s', 'gzip');
    assert.equal(res.headers.get('content-encoding'), null);
    assert.equal(res.headers.get('content-length'), '3');
  });

  const skipped: [string, (a: App) => void, Record<string, string>?][] = [
    ['an image', (a) => a.get('/x', (c) => c.body(Buffer.from(BIG), 200, { 'content-type': 'image/png' }))],
    ['a video', (a) => a.get('/x', (c) => c.body(Buffer.from(BIG), 200, { 'content-type': 'video/mp4' }))],
    ['a zip', (a) => a.get('/x', (c) => c.body(Buffer.from(BIG), 200, { 'content-type': 'application/zip' }))],
    ['bytes without a Content-Type', (a) => a.get('/x', (c) => c.body(Buffer.from(BIG)))],
    [
      'an already encoded body',
      (a) =>
        a.get('/x', (c) =>
          c.body(zlib.gzipSync(BIG), 200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }),
        ),
    ],
    [
      'Cache-Control: no-transform',
      (a) => a.get('/x', (c) => c.text(BIG, 200, { 'cache-control': 'public, no-transform' })),
    ],
    ['a 204', (a) => a.get('/x', (c) => c.body(null, 204))],
    ['a 304', (a) => a.get('/x', (c) => c.body(null, 304, { etag: '"a"' }))],
    ['a 206', (a) => a.get('/x', (c) => c.text(BIG, 206, { 'content-range': `bytes 0-4095/9999` }))],
    [
      'text/event-stream',
      (a) => a.get('/x', (c) => c.body(chunks([BIG]), 200, { 'content-type': 'text/event-stream' })),
    ],
  ];
  for (const [what, route] of skipped) {
    test(`skipped: ${what}`, async () => {
      const res = await get(app({}, route), '/x', 'gzip, br');
      const encoding = res.headers.get('content-encoding');
      assert.ok(encoding === null || what === 'an already encoded body', `not encoded by us: ${encoding}`);
      assert.equal(res.headers.get('vary'), null);
      if (what === 'an already encoded body') assert.equal(decode('gzip', await bodyOf(res)).toString(), BIG);
    });
  }

  test('HEAD gets the fields GET gets (RFC 9110 §9.3.2): Content-Encoding, Vary, the weakened ETag', async () => {
    const a = app({}, (x) => x.get('/tagged', (c) => c.text(BIG, 200, { etag: '"v1"', 'accept-ranges': 'bytes' })));
    const headers = { 'accept-encoding': 'gzip' };
    for (const path of ['/text', '/tagged']) {
      const got = await a.request(path, { headers });
      const head = await a.request(path, { method: 'HEAD', headers });
      for (const name of ['content-encoding', 'vary', 'etag', 'accept-ranges', 'content-type'])
        assert.equal(head.headers.get(name), got.headers.get(name), `${path} ${name}`);
      assert.equal(head.headers.get('content-encoding'), 'gzip');
      assert.equal((await head.bytes()).byteLength, 0);
    }
  });

  test('a custom filter can opt server-sent events in', async () => {
    const a = app({ filter: (type) => type === 'text/event-stream' || isCompressible(type) }, (x) => {
      x.get('/sse', (c) =>
        c.body(chunks(['data: 1\n\n', 'data: 2\n\n']), 200, { 'content-type': 'text/event-stream' }),
      );
    });
    const res = await get(a, '/sse', 'gzip');
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.equal(decode('gzip', await bodyOf(res)).toString(), 'data: 1\n\ndata: 2\n\n');
  });

  test('isCompressible', () => {
    for (const type of [
      'text/html; charset=utf-8',
      'application/json',
      'image/svg+xml',
      'application/javascript',
      'TEXT/CSS',
    ])
      assert.equal(isCompressible(type), true, type);
    for (const type of [
      null,
      '',
      'image/png',
      'image/webp',
      'audio/ogg',
      'font/woff2',
      'application/gzip',
      'application/pdf',
      'text/event-stream',
    ])
      assert.equal(isCompressible(type), false, String(type));
  });
});

describe('fields', () => {
  test('Content-Length and Accept-Ranges are dropped, Vary is joined, a strong ETag is weakened', async () => {
    const a = app({}, (x) => {
      x.get('/f', (c) =>
        c.text(BIG, 200, {
          etag: '"v1"',
          'accept-ranges': 'bytes',
          vary: 'Origin',
          'content-length': String(BIG.length),
        }),
      );
      x.get('/weak', (c) => c.text(BIG, 200, { etag: 'W/"v2"' }));
    });
    const res = await get(a, '/f', 'gzip');
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.equal(res.headers.get('accept-ranges'), null);
    assert.equal(res.headers.get('vary'), 'Origin, Accept-Encoding');
    assert.equal(res.headers.get('etag'), 'W/"v1"');
    assert.equal((await get(a, '/weak', 'gzip')).headers.get('etag'), 'W/"v2"', 'already weak: unchanged');
    const identity = await get(a, '/f', 'identity');
    assert.equal(identity.headers.get('etag'), '"v1"', 'not encoded: the strong tag stands');
    // The handler's length was the identity body's; what is framed is the encoded body's.
    assert.equal(Number(res.headers.get('content-length')), (await bodyOf(res)).byteLength);
    assert.ok(Number(res.headers.get('content-length')) < BIG.length);
  });

  test('a 304 for a representation we compressed carries the weakened tag the client holds', async () => {
    const a = app({}, (x) => {
      x.get('/c', (c) =>
        c.req.header('if-none-match') === null
          ? c.text(BIG, 200, { etag: '"v1"' })
          : c.body(null, 304, { etag: '"v1"' }),
      );
    });
    const first = await get(a, '/c', 'gzip');
    const held = first.headers.get('etag');
    assert.equal(held, 'W/"v1"');
    const again = await get(a, '/c', 'gzip', { 'if-none-match': held ?? '' });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), 'W/"v1"');
    const strong = await get(a, '/c', 'identity', { 'if-none-match': '"v1"' });
    assert.equal(strong.headers.get('etag'), '"v1"', 'a client holding the strong tag gets it back');
  });

  test('trailers of a streamed response are kept', async () => {
    const a = app({}, (x) => {
      x.get(
        '/t',
        () => new Response(chunks([BIG]), { headers: { 'content-type': 'text/plain' }, trailers: { 'x-sum': '1' } }),
      );
    });
    const res = await get(a, '/t', 'gzip');
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.deepEqual(res.trailers, { 'x-sum': '1' });
  });
});

test('bad options fail when the middleware is made', () => {
  for (const options of [{ gzipLevel: 10 }, { brotliQuality: 12 }, { zstdLevel: 0 }, { threshold: -1 }]) {
    assert.throws(
      () => compress(options),
      (e) => isWirekitError(e, 'WK_ERR_INVALID_ARGUMENT'),
      JSON.stringify(options),
    );
  }
});

describe('over a socket', () => {
  /** GET with node:http (which does not decode), collecting the raw body. */
  function fetchRaw(port: number, path: string, acceptEncoding: string, method = 'GET') {
    return new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(
        { port, host: '127.0.0.1', path, method, agent: false, headers: { 'accept-encoding': acceptEncoding } },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (chunk: Buffer) => parts.push(chunk));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  test('fixed and streamed bodies, br and gzip, decode to the originals', async () => {
    const parts = Array.from({ length: 64 }, (_, i) => Buffer.from(text(16 * 1024 + i)));
    const a = app({}, (x) => {
      x.get('/stream', (c) => c.body(chunks(parts.map((p) => p.toString())), 200, { 'content-type': 'text/plain' }));
    });
    const server = await startServer(leaks, a.handler);
    const fixed = await fetchRaw(server.port, '/text', 'br');
    assert.equal(fixed.headers['content-encoding'], 'br');
    assert.equal(fixed.headers.vary, 'Accept-Encoding');
    assert.equal(decode('br', fixed.body).toString(), BIG);
    const streamed = await fetchRaw(server.port, '/stream', 'gzip;q=1, br;q=0.5');
    assert.equal(streamed.headers['content-encoding'], 'gzip');
    assert.equal(streamed.headers['transfer-encoding'], 'chunked');
    assert.ok(decode('gzip', streamed.body).equals(Buffer.concat(parts)));
    const plain = await fetchRaw(server.port, '/text', 'identity');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers['content-length'], String(BIG.length));
    // HEAD: the same head as GET, the encoded length included, and no body.
    for (const [path, coding] of [
      ['/text', 'br'],
      ['/stream', 'gzip'],
    ] as const) {
      const got = await fetchRaw(server.port, path, coding);
      const head = await fetchRaw(server.port, path, coding, 'HEAD');
      for (const name of ['content-encoding', 'content-length', 'transfer-encoding', 'vary'])
        assert.equal(head.headers[name], got.headers[name], `${path} ${name}`);
      assert.equal(head.body.byteLength, 0);
    }
  });

  test("Node's fetch (undici) decodes what we send", async () => {
    const server = await startServer(leaks, app().handler);
    const res = await fetch(`http://127.0.0.1:${server.port}/json`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(res.headers.get('content-encoding'), 'br');
    assert.deepEqual(((await res.json()) as { list: string[] }).list, BIG.split('\n'));
  });
});
