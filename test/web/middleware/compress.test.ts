/**
 * Compression: negotiation (q-values, `*`, identity, server preference), thresholds, skip rules,
 * streaming (chunk by chunk, flushed, with backpressure, cancellable), ETag weakening, the zstd
 * branch (fake codec where Node lacks it, real round trip where it has it), and over a socket.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, test } from 'node:test';
import zlib from 'node:zlib';
import { isWirekitError } from '../../../src/errors.js';
import { Response } from '../../../src/http/message/response.js';
import { App } from '../../../src/web/app.js';
import {
  type CompressOptions,
  compress,
  hasZstd,
  isCompressible,
  negotiateEncoding,
  type ZlibLike,
} from '../../../src/web/middleware/compress/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';

const leaks = trackLeaks();

/** Text that compresses but is not trivially repetitive. */
function text(bytes: number): string {
  let out = '';
  for (let i = 0; out.length < bytes; i++) out += `line ${i}: ${(i * 7919).toString(36)} lorem ipsum\n`;
  return out.slice(0, bytes);
}

const BIG = text(4096);

function app(options: CompressOptions = {}, route?: (app: App) => void): App {
  const a = new App();
  a.use(compress(options));
  a.get('/text', (c) => c.text(BIG));
  a.get('/json', (c) => c.json({ list: BIG.split('\n') }));
  if (route !== undefined) route(a);
  return a;
}

const get = (a: App, path: string, acceptEncoding?: string, extra: Record<string, string> = {}) =>
  a.request(path, { headers: acceptEncoding === undefined ? extra : { 'accept-encoding': acceptEncoding, ...extra } });

async function bodyOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.bytes());
}

function decode(encoding: string | null, bytes: Buffer): Buffer {
  switch (encoding) {
    case 'gzip':
      return zlib.gunzipSync(bytes);
    case 'br':
      return zlib.brotliDecompressSync(bytes);
    case null:
      return bytes;
    default:
      throw new Error(`unexpected encoding ${encoding}`);
  }
}

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

  test('HEAD: nothing is compressed (no body is sent), but the answer says Vary', async () => {
    const res = await app().request('/text', { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.headers.get('content-encoding'), null);
    assert.equal(res.headers.get('vary'), 'Accept-Encoding');
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
    assert.equal(res.headers.get('content-length'), null);
    assert.equal(res.headers.get('accept-ranges'), null);
    assert.equal(res.headers.get('vary'), 'Origin, Accept-Encoding');
    assert.equal(res.headers.get('etag'), 'W/"v1"');
    assert.equal((await get(a, '/weak', 'gzip')).headers.get('etag'), 'W/"v2"', 'already weak: unchanged');
    const identity = await get(a, '/f', 'identity');
    assert.equal(identity.headers.get('etag'), '"v1"', 'not encoded: the strong tag stands');
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

/** An async iterable of the given texts, as a handler streams them. */
async function* chunks(parts: readonly string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

/** A producer that records how far it was pulled and whether it was told to stop. */
function producer(parts: readonly Uint8Array[], gate?: Promise<void>) {
  const state = { pulled: 0, finished: false };
  async function* run(): AsyncGenerator<Uint8Array> {
    try {
      for (const [i, part] of parts.entries()) {
        if (i === 1 && gate !== undefined) await gate;
        state.pulled++;
        yield part;
      }
    } finally {
      state.finished = true;
    }
  }
  return { state, body: run() };
}

function streamApp(body: AsyncIterable<Uint8Array>): App {
  return app({}, (x) => {
    x.get('/stream', (c) => c.body(body, 200, { 'content-type': 'application/x-ndjson' }));
  });
}

/** Decodes a compressed prefix: what a client can show before the stream ends. */
function decodePrefix(encoding: 'gzip' | 'br', bytes: Buffer): string {
  const k = zlib.constants;
  return (
    encoding === 'gzip'
      ? zlib.gunzipSync(bytes, { finishFlush: k.Z_SYNC_FLUSH })
      : zlib.brotliDecompressSync(bytes, { finishFlush: k.BROTLI_OPERATION_FLUSH })
  ).toString();
}

describe('streaming', () => {
  for (const encoding of ['gzip', 'br'] as const) {
    test(`${encoding}: a large async-iterable body decompresses to the original bytes`, async () => {
      const parts = Array.from({ length: 200 }, (_, i) => Buffer.from(text(8 * 1024 + i)));
      const res = await get(streamApp(producer(parts).body), '/stream', encoding);
      assert.equal(res.headers.get('content-encoding'), encoding);
      assert.equal(res.headers.get('content-length'), null, 'unknown size: chunked on the wire');
      const encoded = await bodyOf(res);
      const original = Buffer.concat(parts);
      assert.ok(encoded.byteLength < original.byteLength / 3, `compressed: ${encoded.byteLength}`);
      assert.ok(decode(encoding, encoded).equals(original));
    });

    test(`${encoding}: each chunk is flushed, so it reaches the client before the next exists`, async () => {
      let open = (): void => {};
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const { state, body } = producer([Buffer.from('data: first\n\n'), Buffer.from('data: second\n\n')], gate);
      const res = await get(streamApp(body), '/stream', encoding);
      const it = (res.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      const first = await it.next();
      assert.equal(first.done, false);
      assert.equal(decodePrefix(encoding, Buffer.from(first.value as Uint8Array)), 'data: first\n\n');
      assert.equal(state.pulled, 1, 'the second chunk was not produced yet');
      open();
      const rest: Uint8Array[] = [first.value as Uint8Array];
      for (let r = await it.next(); r.done !== true; r = await it.next()) rest.push(r.value);
      assert.equal(decode(encoding, Buffer.concat(rest)).toString(), 'data: first\n\ndata: second\n\n');
    });
  }

  test('backpressure: the source is pulled only as the consumer reads', async () => {
    const parts = Array.from({ length: 20 }, (_, i) => Buffer.from(text(4096 + i)));
    const { state, body } = producer(parts);
    const res = await get(streamApp(body), '/stream', 'gzip');
    let taken = 0;
    for await (const _piece of res.body as AsyncIterable<Uint8Array>) {
      taken++;
      assert.ok(state.pulled <= taken + 1, `pulled ${state.pulled} after ${taken} pieces were read`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(state.pulled, 20);
  });

  test('a consumer that stops early ends the source (client gone)', async () => {
    const parts = Array.from({ length: 10 }, () => Buffer.from(text(4096)));
    const { state, body } = producer(parts);
    const res = await get(streamApp(body), '/stream', 'br');
    for await (const _piece of res.body as AsyncIterable<Uint8Array>) break;
    assert.equal(state.finished, true, "the producer's finally ran");
    assert.ok(state.pulled < 10);
  });

  test('a source that fails mid-stream fails the compressed stream', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(BIG);
      throw new Error('db went away');
    }
    const res = await get(streamApp(failing()), '/stream', 'gzip');
    await assert.rejects(bodyOf(res), /db went away/);
  });
});

describe('zstd (feature-detected)', () => {
  test('hasZstd() is exactly whether node:zlib has createZstdCompress', () => {
    assert.equal(hasZstd(), typeof (zlib as unknown as ZlibLike).createZstdCompress === 'function');
  });

  test('without zstd in this Node, a client that only accepts zstd gets identity', {
    skip: hasZstd() && 'this Node has zstd',
  }, async () => {
    const res = await get(app(), '/text', 'zstd');
    assert.equal(res.headers.get('content-encoding'), null);
    assert.equal(await res.text(), BIG);
    assert.equal((await get(app(), '/text', 'zstd, gzip;q=0.5')).headers.get('content-encoding'), 'gzip');
  });

  test('with real zstd, it round-trips', {
    skip: !hasZstd() && 'this Node has no zlib.createZstdCompress',
  }, async () => {
    const res = await get(app(), '/text', 'zstd, gzip');
    assert.equal(res.headers.get('content-encoding'), 'zstd');
    const decompress = (zlib as unknown as { zstdDecompressSync(b: Buffer): Buffer }).zstdDecompressSync;
    assert.equal(decompress(await bodyOf(res)).toString(), BIG);
  });

  test('where zlib has createZstdCompress, zstd is offered between br and gzip with its level and flush', async () => {
    // A stand-in zstd factory (it makes gzip bytes): this checks the branch, not zstd itself.
    const made: unknown[] = [];
    const flushes: number[] = [];
    const fake: ZlibLike = {
      constants: { ...zlib.constants, ZSTD_e_flush: 7, ZSTD_c_compressionLevel: 100 },
      createGzip: (o) => zlib.createGzip(o),
      createBrotliCompress: (o) => zlib.createBrotliCompress(o),
      createZstdCompress: (o) => {
        made.push(o);
        const stream = zlib.createGzip();
        const flush = stream.flush.bind(stream);
        stream.flush = ((kind: number, callback: () => void) => {
          flushes.push(kind);
          flush(zlib.constants.Z_SYNC_FLUSH, callback);
        }) as typeof stream.flush;
        return stream;
      },
    };
    const a = app({ zlib: fake, zstdLevel: 5 }, (x) => {
      x.get('/stream', (c) => c.body(chunks([BIG, BIG]), 200, { 'content-type': 'text/plain' }));
    });
    assert.equal((await get(a, '/text', 'br, zstd, gzip')).headers.get('content-encoding'), 'br');
    const res = await get(a, '/stream', 'zstd, gzip');
    assert.equal(res.headers.get('content-encoding'), 'zstd');
    assert.equal(decode('gzip', await bodyOf(res)).toString(), BIG + BIG);
    assert.deepEqual(made, [{ params: { 100: 5 } }]);
    assert.deepEqual(flushes, [7, 7], 'flushed once per chunk with the zstd flush kind');
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
  function fetchRaw(port: number, path: string, acceptEncoding: string) {
    return new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(
        { port, host: '127.0.0.1', path, agent: false, headers: { 'accept-encoding': acceptEncoding } },
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
  });

  test("Node's fetch (undici) decodes what we send", async () => {
    const server = await startServer(leaks, app().handler);
    const res = await fetch(`http://127.0.0.1:${server.port}/json`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(res.headers.get('content-encoding'), 'br');
    assert.deepEqual(((await res.json()) as { list: string[] }).list, BIG.split('\n'));
  });
});
