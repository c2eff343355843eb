/**
 * The parser's byte searches and reused strings (chars.ts): a search that runs past the bytes it
 * scans in JavaScript finds the same byte `indexOf` would, and a reused value is never a stale one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findByte, latin1Reusing, REUSE_SLOTS } from '../../../src/http/codec/chars.js';
import { sameFieldName } from '../../../src/http/codec/field-names.js';
import { RequestParser } from '../../../src/http/codec/request-parser.js';
import { serializeResponseHead } from '../../../src/http/codec/serializer.js';

test('findByte agrees with indexOf at every position and length', () => {
  for (const length of [0, 1, 47, 48, 49, 200]) {
    for (const at of [-1, 0, 10, 47, 48, 49, 150]) {
      if (at >= length) continue;
      const buf = Buffer.alloc(length, 0x61);
      if (at >= 0) buf[at] = 0x0a;
      for (const from of [0, 1, 30, 60])
        assert.equal(findByte(buf, 0x0a, from), buf.indexOf(0x0a, from), `${length}/${at}/${from}`);
    }
  }
});

test('latin1Reusing returns the same string object only for the same text', () => {
  const cache: string[] = [];
  const a = latin1Reusing(cache, 0, Buffer.from('xkeep-alive'), 1, 11);
  assert.equal(a, 'keep-alive');
  assert.equal(latin1Reusing(cache, 0, Buffer.from('keep-alive'), 0, 10), a);
  assert.equal(latin1Reusing(cache, 0, Buffer.from('keep-alivf'), 0, 10), 'keep-alivf');
  assert.equal(latin1Reusing(cache, 0, Buffer.from('keep'), 0, 4), 'keep');
  assert.equal(latin1Reusing(cache, 0, Buffer.from([0xe9]), 0, 1), '\u00e9');
  assert.equal(latin1Reusing(cache, REUSE_SLOTS, Buffer.from('x'), 0, 1), 'x');
  assert.equal(cache.length, 1, 'slots past the bound are not kept');
});

test('heads that differ in one value byte, or in a long line, parse to their own values', () => {
  const parser = new RequestParser();
  const long = 'v'.repeat(300);
  const heads = [
    'GET /a HTTP/1.1\r\nHost: one\r\nX-A: same\r\n\r\n',
    'GET /b HTTP/1.1\r\nHost: two\r\nX-A: same\r\n\r\n',
    `GET /${long} HTTP/1.1\r\nHost: two\r\nX-A: ${long}\r\n\r\n`,
    'GET /b HTTP/1.1\r\nHost: two\r\nX-A: samf\r\n\r\n',
  ];
  const seen = heads.flatMap((h) => parser.push(Buffer.from(h))).filter((e) => e.type === 'head');
  assert.deepEqual(
    seen.map((e) => (e.type === 'head' ? [e.target, ...e.headers] : [])),
    [
      ['/a', 'Host', 'one', 'X-A', 'same'],
      ['/b', 'Host', 'two', 'X-A', 'same'],
      [`/${long}`, 'Host', 'two', 'X-A', long],
      ['/b', 'Host', 'two', 'X-A', 'samf'],
    ],
  );
});

test('a head says whether it is ASCII, so it may be sent as UTF-8 text', () => {
  const base = { status: 200, requestVersion: '1.1', bodyLength: 2, keepAlive: true } as const;
  assert.equal(serializeResponseHead({ ...base, headers: ['X-A', 'plain'] }).ascii, true);
  assert.equal(serializeResponseHead({ ...base, headers: ['X-A', 'caf\u00e9'] }).ascii, false);
  assert.equal(serializeResponseHead({ ...base, reason: 'Tr\u00e8s bien', headers: [] }).ascii, false);
  const custom = serializeResponseHead({ ...base, reason: 'Fine', headers: [] });
  assert.match(custom.head, /^HTTP\/1\.1 200 Fine\r\n/);
  assert.match(serializeResponseHead({ ...base, headers: [] }).head, /^HTTP\/1\.1 200 OK\r\n/);
});

test('field names compare as toLowerCase would, without making strings', () => {
  const pairs: [string, string][] = [
    ['Content-Type', 'content-type'],
    ['CONTENT-TYPE', 'content-type'],
    ['Content-Typf', 'content-type'],
    ['@', '`'],
    ['[', '{'],
    ['\r', '-'],
    ['x-\u00c9', 'x-\u00e9'],
    ['\u212a', 'k'],
    ['Host', 'host'],
    ['Hos', 'host'],
  ];
  for (const [a, b] of pairs) assert.equal(sameFieldName(a, b), a.toLowerCase() === b.toLowerCase(), `${a} ${b}`);
});

test('a Host found valid before does not make a different one valid', () => {
  const valid = new RequestParser().push(Buffer.from('GET / HTTP/1.1\r\nHost: a.example\r\n\r\n'));
  assert.equal(valid[0]?.type, 'head');
  const again = new RequestParser().push(Buffer.from('GET / HTTP/1.1\r\nHost: a.example\r\n\r\n'));
  assert.equal(again[0]?.type, 'head');
  const bad = new RequestParser().push(Buffer.from('GET / HTTP/1.1\r\nHost: a<example\r\n\r\n'));
  assert.equal(bad[0]?.type, 'error');
  const badAgain = new RequestParser().push(Buffer.from('GET / HTTP/1.1\r\nHost: a<example\r\n\r\n'));
  assert.equal(badAgain[0]?.type, 'error');
});

test('credentials and targets with a query are never kept for reuse (no timing oracle on another client)', async () => {
  const { RequestParser } = await import('../../../src/http/codec/request-parser.js');
  const { VALUES_SEEN } = await import('../../../src/http/codec/fields.js');
  const { TARGETS_SEEN } = await import('../../../src/http/codec/request-line.js');
  const text = 'GET /a?token=s3cret HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer s3cret\r\nCookie: sid=s3cret\r\n\r\n';
  for (let i = 0; i < 2; i++) {
    const events = new RequestParser().push(Buffer.from(text));
    const head = events.find((e) => e.type === 'head');
    assert.ok(head?.type === 'head' && head.target === '/a?token=s3cret');
  }
  const kept = [...VALUES_SEEN, ...TARGETS_SEEN].filter((v) => v?.includes('s3cret'));
  assert.deepEqual(kept, []);
  assert.ok(VALUES_SEEN.includes('a'), 'other values are still kept (the cache is in use)');
});
