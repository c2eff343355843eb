/** `Headers` as people look at it: what `console.log` and `util.inspect` show. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { Headers } from '../../../src/http/message/headers.js';

test('console.log / util.inspect show the fields: names as first spelled, repeated lines as an array', () => {
  const headers = new Headers([
    ['Content-Type', 'text/plain'],
    ['Set-Cookie', 'a=1'],
    ['set-cookie', 'b=2'],
    ['__proto__', 'kept as a field'],
  ]);
  assert.equal(
    inspect(headers),
    "Headers {\n  'Content-Type': 'text/plain',\n  'Set-Cookie': [ 'a=1', 'b=2' ],\n  ['__proto__']: 'kept as a field'\n}",
  );
  assert.equal(inspect(new Headers()), 'Headers {}');
  assert.equal(inspect(new Headers({ a: '1' })), "Headers { a: '1' }");
});

test('inside other values it follows the depth like any object', () => {
  const headers = new Headers({ accept: 'text/html' });
  assert.equal(inspect({ res: { headers } }), "{ res: { headers: Headers { accept: 'text/html' } } }");
  assert.equal(inspect({ a: { b: { c: headers } } }), '{ a: { b: { c: [Headers] } } }');
  assert.equal(
    inspect({ a: { b: { c: headers } } }, { depth: null }),
    "{ a: { b: { c: Headers { accept: 'text/html' } } } }",
  );
});
