/**
 * Request bodies as they reach the wire: strings and bytes with a Content-Length, async iterables
 * chunked (or under a declared length), forms urlencoded or multipart (the runtime's encoder),
 * Blobs; a failing body stream is WK_ERR_REQUEST_BODY.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pool } from '../../src/client/index.js';
import { isWirekitError } from '../../src/errors.js';
import { trackLeaks } from '../helpers/leaks.js';
import { type RawRequest, rawServer, reply } from './helpers.js';

const leaks = trackLeaks();

async function send(options: Parameters<Pool['request']>[0]): Promise<RawRequest> {
  const server = await rawServer(leaks, (_req, socket) => socket.write(reply('ok')));
  const p = new Pool(server.url);
  leaks.defer(() => p.destroy());
  const res = await p.request({ path: '/', method: 'POST', ...options });
  await res.body.dump();
  const seen = server.requests[0];
  assert.ok(seen !== undefined);
  return seen;
}

describe('request bodies', () => {
  test('a string: UTF-8 with a Content-Length', async () => {
    const seen = await send({ body: 'héllo' });
    assert.equal(seen.headers['content-length'], '6');
    assert.equal(seen.body.toString('utf8'), 'héllo');
    assert.equal(seen.headers['transfer-encoding'], undefined);
  });

  test('bytes and an ArrayBuffer view', async () => {
    assert.deepEqual([...(await send({ body: new Uint8Array([1, 2, 3]) })).body], [1, 2, 3]);
    assert.deepEqual([...(await send({ body: new Uint16Array([0x0201]) })).body], [1, 2]);
  });

  test('an async iterable: chunked, chunk by chunk', async () => {
    async function* parts() {
      yield 'one ';
      yield Buffer.from('two ');
      yield new Uint8Array(0);
      yield 'three';
    }
    const seen = await send({ body: parts() });
    assert.equal(seen.headers['transfer-encoding'], 'chunked');
    assert.equal(seen.rawBody.toString(), '4\r\none \r\n4\r\ntwo \r\n5\r\nthree\r\n0\r\n\r\n');
    assert.equal(seen.body.toString(), 'one two three');
  });

  test('an async iterable under a declared Content-Length is sent as is', async () => {
    async function* parts() {
      yield 'ab';
      yield 'cd';
    }
    const seen = await send({ body: parts(), headers: { 'content-length': '4' } });
    assert.equal(seen.headers['content-length'], '4');
    assert.equal(seen.headers['transfer-encoding'], undefined);
    assert.equal(seen.body.toString(), 'abcd');
  });

  test('a declared length the stream does not match is WK_ERR_REQUEST_BODY', async () => {
    const server = await rawServer(leaks, () => {});
    const p = new Pool(server.url);
    leaks.defer(() => p.destroy());
    async function* short() {
      yield 'abc';
    }
    await assert.rejects(
      p.request({ path: '/', method: 'PUT', body: short(), headers: { 'content-length': '10' } }),
      (e) => {
        assert.ok(isWirekitError(e, 'WK_ERR_REQUEST_BODY'));
        assert.match(e.message, /ended at 3 of 10 bytes/);
        return true;
      },
    );
  });

  test('a body stream that throws is WK_ERR_REQUEST_BODY with the cause', async () => {
    const server = await rawServer(leaks, () => {});
    const p = new Pool(server.url);
    leaks.defer(() => p.destroy());
    const boom = new Error('disk gone');
    async function* failing() {
      yield 'a';
      throw boom;
    }
    await assert.rejects(p.request({ path: '/', method: 'PUT', body: failing() }), (e) => {
      assert.ok(isWirekitError(e, 'WK_ERR_REQUEST_BODY'));
      assert.equal(e.cause, boom);
      return true;
    });
  });

  test('URLSearchParams: urlencoded with its content type', async () => {
    const seen = await send({ body: new URLSearchParams({ q: 'wire kit', n: '1' }) });
    assert.equal(seen.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
    assert.equal(seen.body.toString(), 'q=wire+kit&n=1');
  });

  test('FormData: multipart by the runtime encoder, with a length, readable back', async () => {
    const form = new FormData();
    form.set('name', 'wirekit');
    form.set('file', new Blob(['file body'], { type: 'text/plain' }), 'a.txt');
    const seen = await send({ body: form });
    assert.match(seen.headers['content-type'] ?? '', /^multipart\/form-data; boundary=/);
    assert.equal(Number(seen.headers['content-length']), seen.body.length);
    const parsed = await new Response(seen.body, {
      headers: { 'content-type': seen.headers['content-type'] ?? '' },
    }).formData();
    assert.equal(parsed.get('name'), 'wirekit');
    assert.equal(await (parsed.get('file') as Blob).text(), 'file body');
  });

  test('a Blob: its size as the length, its type as the content type', async () => {
    const seen = await send({ body: new Blob(['{"a":1}'], { type: 'application/json' }) });
    assert.equal(seen.headers['content-length'], '7');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.body.toString(), '{"a":1}');
  });

  test('a user Content-Type is kept over the one a form implies', async () => {
    const seen = await send({ body: new URLSearchParams({ a: '1' }), headers: { 'Content-Type': 'text/x-mine' } });
    assert.equal(seen.headers['content-type'], 'text/x-mine');
  });

  test('an unsupported body is WK_ERR_INVALID_ARGUMENT', async () => {
    const p = new Pool('http://127.0.0.1:1');
    leaks.defer(() => p.destroy());
    await assert.rejects(p.request({ path: '/', body: 42 as never }), { code: 'WK_ERR_INVALID_ARGUMENT' });
  });
});
