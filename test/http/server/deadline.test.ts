/** Which timeout applies to a connection, and when it expires (deadline.ts): pure functions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countsFromStart, deadlineOf, timeoutKind } from '../../../src/http/server/deadline.js';

const OPTIONS = { headerTimeoutMs: 10, requestTimeoutMs: 100, idleTimeoutMs: 1000 };

test('a head arriving is bounded by the header timeout, a body by the request timeout, both from the first byte', () => {
  assert.equal(timeoutKind('head', 'idle', false, 0), 'head');
  assert.equal(timeoutKind('head', 'idle', false, 3), 'head', 'a partial head behind pipelined requests');
  assert.equal(timeoutKind('body', 'idle', false, 1), 'body');
  assert.equal(timeoutKind('discard', 'idle', false, 0), 'body');
  assert.equal(deadlineOf('head', 5000, 0, OPTIONS), 5010);
  assert.equal(
    deadlineOf('head', 5000, 0, { ...OPTIONS, requestTimeoutMs: 3 }),
    5003,
    'never past the request timeout',
  );
  assert.equal(deadlineOf('body', 5000, 0, OPTIONS), 5100);
});

test('handlers at work are not bounded; a connection with nothing owed is idle from when it became so', () => {
  assert.equal(timeoutKind('head', 'idle', true, 1), 'none');
  assert.equal(timeoutKind('head', 'streaming', true, 1), 'none');
  assert.equal(timeoutKind('head', 'idle', true, 0), 'idle');
  assert.equal(timeoutKind('closed', 'idle', true, 0), 'idle');
  assert.equal(countsFromStart('idle'), true);
  assert.equal(countsFromStart('head'), false);
  assert.equal(deadlineOf('idle', 0, 7000, OPTIONS), 8000);
  assert.equal(deadlineOf('none', 1, 1, OPTIONS), 0);
});

test('an upgraded or ended connection has no timeout of ours', () => {
  assert.equal(timeoutKind('upgraded', 'upgraded', true, 0), 'none');
  assert.equal(timeoutKind('closed', 'ended', false, 0), 'none');
  assert.equal(timeoutKind('head', 'ended', false, 0), 'none');
});
