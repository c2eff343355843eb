/**
 * The nesting-depth limit of JSON request bodies (`maxJsonDepth`): the scan agrees with the depth of
 * the parsed value on every shape (strings with brackets and escaped quotes included), refuses just
 * past the limit, and `Request#json()` answers a deep body with a 400 before parsing it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../../../src/errors.js';
import { readJson } from '../../../src/http/message/body.js';
import { DEFAULT_MAX_JSON_DEPTH, jsonTooDeep } from '../../../src/http/message/json-depth.js';
import { Request } from '../../../src/http/message/request.js';

/** Depth of a parsed value, walked without recursion: 0 for a scalar, 1 for `[]`, 2 for `[[]]`. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** A small deterministic generator (xorshift), so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Strings full of what could fool a scanner: brackets, quotes, backslashes. */
const TRICKY = ['[', ']', '{', '}', '"', '\\', '\\"', '[[[', '"]]}', '\\\\', 'a'];

function randomValue(next: () => number, depth: number): unknown {
  const tricky = () => TRICKY[Math.floor(next() * TRICKY.length)] ?? '';
  const pick = next();
  if (depth > 0 && pick < 0.35)
    return Array.from({ length: 1 + Math.floor(next() * 3) }, () => randomValue(next, depth - 1));
  if (depth > 0 && pick < 0.7) {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < 1 + next() * 3; i++) out[`${tricky()}${i}`] = randomValue(next, depth - 1);
    return out;
  }
  if (pick < 0.85) return Array.from({ length: 1 + Math.floor(next() * 4) }, tricky).join('');
  return pick < 0.95 ? Math.floor(next() * 1000) : null;
}

test('the scan agrees with the parsed depth on random JSON full of brackets and quotes in strings', () => {
  for (let seed = 1; seed <= 400; seed++) {
    const text = JSON.stringify(randomValue(random(seed), 12));
    const depth = depthOf(JSON.parse(text));
    for (const max of [0, 1, depth - 1, depth, depth + 1]) {
      if (max < 0) continue;
      // The cheap gates only skip texts that cannot exceed `max`, so compare on every max.
      assert.equal(jsonTooDeep(text, max), depth > max, `seed ${seed}, depth ${depth}, max ${max}: ${text}`);
    }
  }
});

test('just at the limit passes, one level more is refused; arrays and objects count alike', () => {
  const nest = (depth: number, open: string, close: string) => `${open.repeat(depth)}${close.repeat(depth)}`;
  for (const [open, close] of [
    ['[', ']'],
    ['{"a":', '}'],
  ] as const) {
    const at = `${open.repeat(DEFAULT_MAX_JSON_DEPTH)}1${close.repeat(DEFAULT_MAX_JSON_DEPTH)}`;
    assert.equal(jsonTooDeep(at, DEFAULT_MAX_JSON_DEPTH), false);
    const over = `${open.repeat(DEFAULT_MAX_JSON_DEPTH + 1)}1${close.repeat(DEFAULT_MAX_JSON_DEPTH + 1)}`;
    assert.equal(jsonTooDeep(over, DEFAULT_MAX_JSON_DEPTH), true);
  }
  assert.equal(jsonTooDeep(nest(3, '[', ']'), 2), true);
  assert.equal(jsonTooDeep('[{"a":[{}]}]', 3), true);
  assert.equal(jsonTooDeep('[{"a":[{}]}]', 4), false);
  // Wide is not deep: a thousand siblings at depth 2.
  assert.equal(jsonTooDeep(`[${'[1],'.repeat(1000)}[1]]`, 2), false);
});

test('brackets inside strings never count, whatever escapes precede the quotes', () => {
  const brackets = '['.repeat(500);
  assert.equal(jsonTooDeep(`["${brackets}"]`, 1), false);
  assert.equal(jsonTooDeep(`["\\"${brackets}"]`, 1), false, 'an escaped quote does not end the string');
  assert.equal(jsonTooDeep(`["\\\\",${brackets}]`, 1), true, 'an escaped backslash does not escape the quote');
  assert.equal(jsonTooDeep(`["\\\\\\"${brackets}"]`, 1), false, 'three backslashes: the quote is escaped');
  assert.equal(jsonTooDeep(`{"${brackets}":"${brackets}"}`, 1), false, 'in keys neither');
});

test('a 100,000-deep body is refused by a linear scan; short or malformed texts are left to JSON.parse', () => {
  assert.equal(jsonTooDeep(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, DEFAULT_MAX_JSON_DEPTH), true);
  assert.equal(jsonTooDeep('[[[[', 2), false, 'too short to be valid JSON that deep: parsing refuses it');
  assert.equal(jsonTooDeep(`"${'['.repeat(1000)}`, 1), false, 'an unterminated string');
  // A long run of backslashes before every quote must not make the scan quadratic (each run is read once).
  const slashes = `[${'"\\\\\\\\\\\\\\\\",'.repeat(20_000)}1]`;
  assert.equal(jsonTooDeep(slashes, 0), true);
  assert.equal(jsonTooDeep(slashes, 1), false);
});

test('Request#json(): deeper than maxJsonDepth (default 128) is a 400 WK_ERR_JSON_TOO_DEEP, before parsing', async () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const isTooDeep = (error: unknown) => {
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.code, 'WK_ERR_JSON_TOO_DEEP');
    assert.equal(error.status, 400);
    return true;
  };
  await assert.rejects(new Request('/', { method: 'POST', body: deep }).json(), isTooDeep);
  const at = `${'['.repeat(128)}${']'.repeat(128)}`;
  assert.equal(depthOf(await new Request('/', { method: 'POST', body: at }).json()), 128);
  await assert.rejects(new Request('/', { method: 'POST', body: `[${at}]` }).json(), isTooDeep);
  const raised = new Request('/', { method: 'POST', body: `[${at}]`, maxJsonDepth: 129 });
  assert.equal(depthOf(await raised.json()), 129);
  const lowered = new Request('/', { method: 'POST', body: '[[[1]]]' });
  lowered.maxJsonDepth = 2;
  await assert.rejects(lowered.json(), isTooDeep);
  // Plain reads (response bodies) have no depth limit unless asked.
  assert.equal(depthOf(await readJson(`[${at}]`)), 129);
});
