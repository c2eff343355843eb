/**
 * Streamed compression: large bodies round-trip, every chunk is flushed (SSE), the source is pulled
 * only as the consumer reads, early stops and failures propagate; the zstd branch (a stand-in codec
 * where Node lacks zstd, a real round trip where it has it).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import zlib from 'node:zlib';
import type { App } from '../../../src/web/app.js';
import { hasZstd, type ZlibLike } from '../../../src/web/middleware/compress/index.js';
import { needs, runtime } from '../../helpers/runtime.js';
import { app, BIG, bodyOf, chunks, decode, get, text } from './compress-helpers.js';

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
    skip: runtime.zstd && 'this Node has zstd',
  }, async () => {
    const res = await get(app(), '/text', 'zstd');
    assert.equal(res.headers.get('content-encoding'), null);
    assert.equal(await res.text(), BIG);
    assert.equal((await get(app(), '/text', 'zstd, gzip;q=0.5')).headers.get('content-encoding'), 'gzip');
  });

  test('with real zstd, it round-trips', {
    skip: needs('zlib.createZstdCompress', runtime.zstd),
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
