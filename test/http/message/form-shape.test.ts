/** The raw shape of form bodies: parts and the largest part, counted without parsing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundaryOf, multipartShape, urlencodedShape } from '../../../src/http/message/form-shape.js';

test('multipart: parts between delimiters, the closing one ends the count', () => {
  const body = Buffer.from('--b\r\nA\r\n--b\r\nBBB\r\n--b--\r\n');
  assert.deepEqual(multipartShape(body, 'b'), { parts: 2, largest: 5 });
  assert.equal(multipartShape(Buffer.from('no delimiter here'), 'b'), undefined);
  // The boundary inside content without a preceding CRLF is not a delimiter.
  assert.equal(multipartShape(Buffer.from('--b\r\nx--by\r\n--b--'), 'b')?.parts, 1);
});

test('urlencoded: &-separated fields, empty ones skipped, the longest still encoded', () => {
  assert.deepEqual(urlencodedShape(Buffer.from('a=1&&bb=%20%20&')), { parts: 2, largest: 9 });
  assert.deepEqual(urlencodedShape(Buffer.alloc(0)), { parts: 0, largest: 0 });
});

test('boundaryOf reads quoted and bare boundaries, case-insensitively', () => {
  assert.equal(boundaryOf('multipart/form-data; boundary=abc'), 'abc');
  assert.equal(boundaryOf('multipart/form-data; charset=utf-8; BOUNDARY="a b;c"'), 'a b;c');
  assert.equal(boundaryOf('multipart/form-data'), undefined);
});
