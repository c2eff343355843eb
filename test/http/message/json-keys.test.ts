/**
 * The prototype-poisoning check behind `Request#json()`: every spelling of a `__proto__` key or a
 * `constructor.prototype` is found wherever it sits, harmless look-alikes pass, and the walk copes
 * with nesting deeper than the call stack.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../../../src/errors.js';
import { readJson } from '../../../src/http/message/body.js';
import { poisonedKey } from '../../../src/http/message/json-keys.js';

const check = (text: string): string | undefined => poisonedKey(text, JSON.parse(text));

test('a __proto__ key is found at the top, in objects and in arrays', () => {
  assert.equal(check('{"__proto__":{"isAdmin":true}}'), '__proto__');
  assert.equal(check('{"user":{"name":"a","__proto__":{}}}'), 'user.__proto__');
  assert.equal(check('{"items":[{},{"__proto__":null}]}'), 'items[1].__proto__');
  assert.equal(check('[[{"__proto__":1}]]'), '[0][0].__proto__');
});

test('a key spelled with \\u escapes is the key it decodes to', () => {
  assert.equal(check('{"\\u005f_proto__":{}}'), '__proto__');
  assert.equal(check('{"\\u005F\\u005Fproto\\u005f\\u005f":{}}'), '__proto__');
  assert.equal(check('{"c\\u006fnstructor":{"prototype":{}}}'), 'constructor.prototype');
});

test('constructor is refused only when it holds a prototype', () => {
  assert.equal(check('{"a":{"constructor":{"prototype":{"x":1}}}}'), 'a.constructor.prototype');
  assert.equal(check('{"constructor":{"name":"Ada"}}'), undefined);
  assert.equal(check('{"constructor":"Ada","prototype":{}}'), undefined);
});

test('look-alikes pass: values, other keys, escapes of other text', () => {
  assert.equal(check('{"note":"__proto__","kind":"constructor"}'), undefined);
  assert.equal(check('{"__proto":1,"proto__":2,"_proto_":3}'), undefined);
  assert.equal(check('{"name":"\\u00e9l\\u00e8ve"}'), undefined);
  assert.equal(check('["__proto__",{"constructor":null}]'), undefined);
  assert.equal(check('"__proto__"'), undefined);
});

test('nesting deeper than the call stack is walked without overflow', () => {
  const depth = 200_000;
  const text = `${'['.repeat(depth)}{"__proto__":1}${']'.repeat(depth)}`;
  const value: unknown = JSON.parse(text);
  assert.match(poisonedKey(text, value) ?? '', /\.__proto__$/);
});

test('readJson refuses only when asked (request bodies), with a 400 naming the key', async () => {
  const text = '{"a":{"__proto__":{"admin":true}}}';
  const parsed = await readJson<{ a: object }>(text);
  assert.ok(Object.hasOwn(parsed.a, '__proto__'), 'response bodies and plain reads keep the key as data');
  await assert.rejects(readJson(text, undefined, true), (error: unknown) => {
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.code, 'WK_ERR_JSON_PROTOTYPE_KEY');
    assert.equal(error.status, 400);
    assert.match(error.message, /a\.__proto__/);
    return true;
  });
});
