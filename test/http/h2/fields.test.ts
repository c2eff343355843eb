/**
 * The pure parts of the HTTP/2 mapping: header lists to HTTP/1.1-shaped fields (pseudo-header
 * fields out, Host from :authority, cookie crumbs joined, a conflicting Host refused), fields to
 * node:http2 header objects (connection-specific fields and framing left out, repeats as arrays),
 * and the h2c preface told from HTTP/1.1 at every split of the first bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addFields, isConnectionSpecific, toFlatFields, withoutPseudo } from '../../../src/http/h2/fields.js';
import { H2_PREFACE, matchPreface } from '../../../src/http/h2/preface.js';

test('toFlatFields: pseudo-header fields out, Host from :authority in their place, first', () => {
  const raw = [':method', 'GET', ':path', '/a', ':scheme', 'https', ':authority', 'a.test:8443', 'accept', '*/*'];
  assert.deepEqual(toFlatFields(raw, 'a.test:8443'), ['host', 'a.test:8443', 'accept', '*/*']);
  assert.deepEqual(toFlatFields([':method', 'GET', ':path', '/', 'x', '1'], undefined), ['x', '1']);
  assert.deepEqual(toFlatFields([':authority', 'only.test'], 'only.test'), ['host', 'only.test']);
  assert.deepEqual(toFlatFields([], undefined), []);
});

test('toFlatFields: cookie crumbs joined with "; " in order, other fields untouched (RFC 9113 §8.2.3)', () => {
  const raw = [':path', '/', 'cookie', 'a=1', 'x-y', 'z', 'cookie', 'b=2', 'cookie', 'c=3'];
  assert.deepEqual(toFlatFields(raw, undefined), ['cookie', 'a=1; b=2; c=3', 'x-y', 'z']);
  assert.deepEqual(toFlatFields(['cookie', 'only=1'], undefined), ['cookie', 'only=1']);
});

test('toFlatFields: a Host naming another authority is refused; the same one, in any case, is kept', () => {
  assert.equal(toFlatFields([':authority', 'a.test', 'host', 'b.test'], 'a.test'), undefined);
  assert.deepEqual(toFlatFields([':authority', 'a.test', 'host', 'A.Test'], 'a.test'), ['host', 'A.Test']);
  assert.deepEqual(toFlatFields([':path', '/', 'host', 'h.test'], undefined), ['host', 'h.test']);
});

test('isConnectionSpecific: the fields HTTP/2 forbids (RFC 9113 §8.2.2), any case; TE only if not "trailers"', () => {
  for (const name of [
    'Connection',
    'keep-alive',
    'Proxy-Connection',
    'Transfer-Encoding',
    'upgrade',
    'HTTP2-Settings',
  ]) {
    assert.ok(isConnectionSpecific(name, 'x'), name);
  }
  assert.ok(isConnectionSpecific('TE', 'gzip'));
  assert.ok(!isConnectionSpecific('te', ' Trailers '));
  for (const name of ['content-type', 'connections', 'x-upgrade', 'tee', 'keep-alive-x']) {
    assert.ok(!isConnectionSpecific(name, 'x'), name);
  }
});

test('addFields: forbidden fields and Content-Length left out, repeats as arrays, Host dropped on request', () => {
  const raw = [
    'Content-Type',
    'text/plain',
    'Set-Cookie',
    'a=1',
    'Connection',
    'close',
    'Set-Cookie',
    'b=2',
    'Content-Length',
    '99',
    'Set-Cookie',
    'c=3',
    'Host',
    'h.test',
  ];
  assert.deepEqual(addFields({ ':status': 200 }, raw, false), {
    ':status': 200,
    'Content-Type': 'text/plain',
    'Set-Cookie': ['a=1', 'b=2', 'c=3'],
    Host: 'h.test',
  });
  assert.deepEqual(addFields({}, raw, true), { 'Content-Type': 'text/plain', 'Set-Cookie': ['a=1', 'b=2', 'c=3'] });
});

test('withoutPseudo copies the fields after the pseudo-header fields', () => {
  const raw = [':status', '200', 'a', '1'];
  assert.deepEqual(withoutPseudo(raw), ['a', '1']);
  assert.equal(raw.length, 4);
});

test('matchPreface: the preface is h2 at every split, HTTP/1.1 as soon as a byte differs, more while a prefix', () => {
  const preface = Buffer.from(H2_PREFACE);
  const withFrames = Buffer.concat([preface, Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);
  for (let at = 0; at <= withFrames.length; at++) {
    assert.equal(matchPreface([withFrames.subarray(0, at), withFrames.subarray(at)]), 'h2', `split at ${at}`);
  }
  for (let n = 0; n < preface.length; n++) {
    assert.equal(matchPreface([preface.subarray(0, n)]), 'more', `${n} bytes`);
  }
  assert.equal(matchPreface([...preface].map((byte) => Buffer.from([byte]))), 'h2', 'one byte at a time');
  const http1 = Buffer.from('PUT /x HTTP/1.1\r\nHost: a\r\n\r\n');
  for (let at = 2; at <= http1.length; at++) {
    assert.equal(matchPreface([http1.subarray(0, at)]), 'http1', `${at} bytes of PUT`);
  }
  assert.equal(matchPreface([Buffer.from('PRI * HTTP/1.1\r\n')]), 'http1');
  assert.equal(matchPreface([Buffer.from('GET')]), 'http1');
});
