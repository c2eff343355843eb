import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePath, decodeReserved, foldCase } from '../../../src/web/router/decode.js';

test('decodePath decodes all but the reserved delimiters, which it keeps in canonical upper case', () => {
  assert.equal(decodePath('/plain'), '/plain');
  assert.equal(decodePath('/caf%C3%A9'), '/café');
  assert.equal(decodePath('/a%2fb%2F%3f%3F%23%25'), '/a%2Fb%2F%3F%3F%23%25');
  assert.equal(decodePath('/%C3%A9%2F%C3%A9'), '/é%2Fé', 'a reserved escape splits a run');
  assert.equal(decodePath('/%2525'), '/%2525', 'the kept %25 is not followed by a second decoding');
  assert.equal(decodePath('/%F0%9F%98%80x%41'), '/😀xA');
});

test('decodePath refuses malformed escapes and bytes that are not UTF-8', () => {
  for (const path of [
    '/%',
    '/%4',
    '/%zz',
    '/%G1',
    '/%C3',
    '/%C3%2F',
    '/%E0%A4',
    '/%C0%AF',
    '/%ED%A0%80',
    '/%FF',
    '/%é1',
  ]) {
    assert.equal(decodePath(path), null, path);
  }
});

test('decodeReserved turns the kept escapes into characters, once', () => {
  assert.equal(decodeReserved('a%2Fb%3F%23%25'), 'a/b?#%');
  assert.equal(decodeReserved('%2525'), '%25');
  assert.equal(decodeReserved('none'), 'none');
});

test('foldCase lower-cases unit by unit and never changes the length', () => {
  assert.equal(foldCase('/ABC/été/ÉTÉ'), '/abc/été/été');
  assert.equal(foldCase('İx').length, 2, 'İ lower-cases to two units, so it is kept');
  assert.equal(foldCase('ΑΣ'), 'ασ', 'no final-sigma context rule');
});
