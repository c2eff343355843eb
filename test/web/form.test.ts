/** c.req.form(): urlencoded and multipart, every limit (files, fields, sizes), malformed bodies. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FormLimits } from '../../src/http/message/index.js';
import { App } from '../../src/web/app.js';

/** A multipart body as a browser would send it (serialized by the runtime's own Fetch). */
async function multipart(form: FormData): Promise<{ body: Uint8Array; type: string }> {
  const request = new globalThis.Request('http://x/', { method: 'POST', body: form });
  return { body: new Uint8Array(await request.arrayBuffer()), type: request.headers.get('content-type') ?? '' };
}

function formApp(options: FormLimits = {}, perCall?: FormLimits): App {
  const app = new App({ form: options });
  app.post('/', async (c) => {
    const form = await c.req.form(perCall);
    const out: Record<string, unknown> = {};
    for (const [name, value] of form) {
      const entry = typeof value === 'string' ? value : { file: value.name, size: value.size, type: value.type };
      out[name] = name in out ? [out[name], entry].flat() : entry;
    }
    return out;
  });
  return app;
}

async function send(app: App, body: Uint8Array | string, type: string): Promise<{ status: number; json: unknown }> {
  const res = await app.request('/', {
    method: 'POST',
    body,
    headers: { 'content-type': type, accept: 'application/json' },
  });
  return { status: res.status, json: await res.json() };
}

describe('urlencoded', () => {
  test('fields, repeated keys and percent-encoding', async () => {
    const { status, json } = await send(formApp(), 'a=1&b=x+y&a=%E2%9C%93', 'application/x-www-form-urlencoded');
    assert.equal(status, 200);
    assert.deepEqual(json, { a: ['1', '✓'], b: 'x y' });
  });

  test('too many fields → 413', async () => {
    const body = Array.from({ length: 6 }, (_, i) => `f${i}=v`).join('&');
    const { status } = await send(formApp({ maxFields: 5 }), body, 'application/x-www-form-urlencoded');
    assert.equal(status, 413);
  });

  test('a field over maxFieldBytes → 413 naming it', async () => {
    const { status, json } = await send(
      formApp({ maxFieldBytes: 4 }),
      'short=abcd&long=abcde',
      'application/x-www-form-urlencoded',
    );
    assert.equal(status, 413);
    assert.deepEqual(json, { error: 'field long is larger than 4 bytes', status: 413 });
  });

  test('a body over maxBodyBytes → 413', async () => {
    const { status } = await send(formApp({ maxBodyBytes: 10 }), 'a=12345678901', 'application/x-www-form-urlencoded');
    assert.equal(status, 413);
  });
});

describe('multipart', () => {
  test('many files and fields arrive with names, sizes and types', async () => {
    const form = new FormData();
    form.append('title', 'holiday');
    for (let i = 0; i < 12; i++)
      form.append('photos', new Blob([new Uint8Array(1000 + i)], { type: 'image/png' }), `p${i}.png`);
    const { body, type } = await multipart(form);
    const { status, json } = await send(formApp(), body, type);
    assert.equal(status, 200);
    const photos = (json as { photos: { file: string; size: number; type: string }[] }).photos;
    assert.equal((json as { title: string }).title, 'holiday');
    assert.equal(photos.length, 12);
    assert.deepEqual(photos[11], { file: 'p11.png', size: 1011, type: 'image/png' });
  });

  test('a file over maxFileBytes → 413', async () => {
    const form = new FormData();
    form.append('small', new Blob([new Uint8Array(100)]), 'small.bin');
    form.append('big', new Blob([new Uint8Array(101)]), 'big.bin');
    const { body, type } = await multipart(form);
    const { status, json } = await send(formApp({ maxFileBytes: 100 }), body, type);
    assert.equal(status, 413);
    assert.deepEqual(json, { error: 'file big is larger than 100 bytes', status: 413 });
  });

  test('more files than maxFiles → 413', async () => {
    const form = new FormData();
    for (let i = 0; i < 4; i++) form.append(`f${i}`, new Blob(['x']), `f${i}.txt`);
    const { body, type } = await multipart(form);
    assert.equal((await send(formApp({ maxFiles: 3 }), body, type)).status, 413);
    assert.equal((await send(formApp({ maxFiles: 4 }), body, type)).status, 200);
  });

  test('more fields than maxFields → 413 (files count as fields)', async () => {
    const form = new FormData();
    form.append('a', '1');
    form.append('b', new Blob(['x']), 'b.txt');
    form.append('c', '3');
    const { body, type } = await multipart(form);
    assert.equal((await send(formApp({ maxFields: 2 }), body, type)).status, 413);
  });

  test('per-call limits override the app defaults', async () => {
    const form = new FormData();
    form.append('f', new Blob([new Uint8Array(50)]), 'f.bin');
    const { body, type } = await multipart(form);
    assert.equal((await send(formApp({ maxFileBytes: 10 }, { maxFileBytes: 100 }), body, type)).status, 200);
    assert.equal((await send(formApp({}, { maxFileBytes: 10 }), body, type)).status, 413);
  });

  test('a boundary that is not in the body → 400', async () => {
    const form = new FormData();
    form.append('a', '1');
    const { body } = await multipart(form);
    const { status, json } = await send(formApp(), body, 'multipart/form-data; boundary=not-the-one');
    assert.equal(status, 400);
    assert.deepEqual(json, { error: 'the form body is malformed', status: 400 });
  });

  test('a multipart type without a boundary → 400', async () => {
    assert.equal((await send(formApp(), '--x\r\n', 'multipart/form-data')).status, 400);
  });

  test('a truncated multipart body → 400', async () => {
    const form = new FormData();
    form.append('a', 'value');
    const { body, type } = await multipart(form);
    assert.equal((await send(formApp(), body.subarray(0, body.byteLength - 10), type)).status, 400);
  });
});

describe('refused from the raw shape, before parsing', () => {
  // Each body is also malformed at its end: parsing it would answer 400, so a 413 shows the limit
  // was applied to the raw bytes first (a parser costs CPU per part; counting delimiters does not).
  const TYPE = 'multipart/form-data; boundary=XyZ';

  function parts(count: number, size = 1): string {
    const part = (i: number) => `--XyZ\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\n${'v'.repeat(size)}\r\n`;
    return `${Array.from({ length: count }, (_, i) => part(i)).join('')}--XyZ oops, not a closing delimiter`;
  }

  test('too many multipart parts → 413 before parsing', async () => {
    const { status, json } = await send(formApp({ maxFields: 10 }), parts(20_000), TYPE);
    assert.equal(status, 413);
    assert.match((json as { error: string }).error, /more than 10 fields/);
  });

  test('a multipart part larger than any field or file may be → 413 before parsing', async () => {
    const limits = { maxFieldBytes: 1024, maxFileBytes: 4096 };
    const { status } = await send(formApp(limits), parts(1, 4096 + 16 * 1024 + 1), TYPE);
    assert.equal(status, 413);
    assert.equal((await send(formApp(limits), parts(1, 100), TYPE)).status, 400, 'small: the parser judges it');
  });
});

test('form() on a body that is not a form → 415', async () => {
  const { status } = await send(formApp(), '{"a":1}', 'application/json');
  assert.equal(status, 415);
});
