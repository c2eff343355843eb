/** Which timeout applies to a connection, and when it expires (deadline.ts): pure functions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countsFromStart, deadlineOf, timeoutKind, wakeAt } from '../../../src/http/server/deadline.js';

const OPTIONS = { headerTimeoutMs: 10, requestTimeoutMs: 100, idleTimeoutMs: 1000, sendTimeoutMs: 50 };
const CLOCK = { headStart: 5000, since: 7000, graceEnd: 9000 };

test('a head arriving is bounded by the header timeout, a body by the request timeout, both from the first byte', () => {
  assert.equal(timeoutKind('head', 'idle', 'open', false, 0, false), 'head');
  assert.equal(
    timeoutKind('head', 'idle', 'open', false, 3, false),
    'head',
    'a partial head behind pipelined requests',
  );
  assert.equal(timeoutKind('body', 'idle', 'open', false, 1, false), 'body');
  assert.equal(timeoutKind('discard', 'idle', 'open', false, 0, false), 'body');
  assert.equal(deadlineOf('head', CLOCK, OPTIONS), 5010);
  assert.equal(deadlineOf('head', CLOCK, { ...OPTIONS, requestTimeoutMs: 3 }), 5003, 'never past the request timeout');
  assert.equal(deadlineOf('body', CLOCK, OPTIONS), 5100);
});

test('a client that does not read is bounded by the send timeout, whatever else is pending', () => {
  assert.equal(timeoutKind('head', 'idle', 'open', true, 0, true), 'send', 'fixed-length answers written, none owed');
  assert.equal(timeoutKind('head', 'streaming', 'open', true, 1, true), 'send');
  assert.equal(timeoutKind('body', 'idle', 'open', false, 1, true), 'send');
  assert.equal(countsFromStart('send'), true);
  assert.equal(deadlineOf('send', CLOCK, OPTIONS), 7050);
  // Looked at every quarter of the timeout, so progress moves the deadline within that.
  assert.equal(wakeAt('send', 7050, 7000, OPTIONS), 7012.5);
  assert.equal(wakeAt('send', 7050, 7040, OPTIONS), 7050);
  assert.equal(wakeAt('idle', 8000, 7000, OPTIONS), 8000);
});

test('handlers at work are not bounded; a connection with nothing owed is idle from when it became so', () => {
  assert.equal(timeoutKind('head', 'idle', 'open', true, 1, false), 'none');
  assert.equal(timeoutKind('head', 'streaming', 'open', true, 1, false), 'none');
  assert.equal(timeoutKind('head', 'idle', 'open', true, 0, false), 'idle');
  assert.equal(timeoutKind('closed', 'idle', 'last', true, 0, false), 'idle');
  assert.equal(countsFromStart('idle'), true);
  assert.equal(countsFromStart('head'), false);
  assert.equal(deadlineOf('idle', CLOCK, OPTIONS), 8000);
  assert.equal(deadlineOf('none', CLOCK, OPTIONS), 0);
});

test('while the server closes, an idle connection waits for the end of the grace', () => {
  assert.equal(timeoutKind('head', 'idle', 'draining', true, 0, false), 'grace');
  assert.equal(timeoutKind('head', 'idle', 'closing', true, 0, false), 'grace');
  assert.equal(
    timeoutKind('head', 'idle', 'draining', false, 0, false),
    'head',
    'a request on its way has its own timeout',
  );
  assert.equal(timeoutKind('head', 'idle', 'draining', true, 1, false), 'none');
  assert.equal(deadlineOf('grace', CLOCK, OPTIONS), 9000);
});

test('an upgraded or ended connection has no timeout of ours', () => {
  assert.equal(timeoutKind('upgraded', 'upgraded', 'open', true, 0, false), 'none');
  assert.equal(timeoutKind('closed', 'ended', 'last', false, 0, true), 'none');
  assert.equal(timeoutKind('head', 'ended', 'open', false, 0, false), 'none');
});
