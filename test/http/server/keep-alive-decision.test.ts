/** The keep-alive decision (keep-alive.ts), a pure function of what the connection knows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asksToClose, keepAliveAfter, unreadBodyBound } from '../../../src/http/server/keep-alive.js';

const DISCARD = 64 * 1024;

test('asksToClose finds the close option in any case and position, and nothing else', () => {
  for (const value of ['close', 'Close', 'keep-alive, close', 'close ,upgrade', ' CLOSE ']) {
    assert.equal(asksToClose(value), true, value);
  }
  for (const value of [null, '', 'keep-alive', 'closed', 'x-close', 'upgrade']) {
    assert.equal(asksToClose(value), false, String(value));
  }
});

test('an open connection stays open unless the request or the response says close', () => {
  assert.equal(keepAliveAfter(true, null, 'open', true, 0, DISCARD), true);
  assert.equal(keepAliveAfter(false, null, 'open', true, 0, DISCARD), false, 'the request did not allow it');
  assert.equal(keepAliveAfter(true, 'close', 'open', false, 0, DISCARD), false, 'the handler asked to close');
});

test('a closing connection closes after the last request in hand, not before', () => {
  assert.equal(keepAliveAfter(true, null, 'closing', false, 0, DISCARD), true);
  assert.equal(keepAliveAfter(true, null, 'closing', true, 0, DISCARD), false);
});

test('an unread body keeps the connection only when what may still come is within maxDiscardBytes', () => {
  assert.equal(keepAliveAfter(true, null, 'open', true, DISCARD, DISCARD), true);
  assert.equal(keepAliveAfter(true, null, 'open', true, DISCARD + 1, DISCARD), false);
  assert.equal(keepAliveAfter(true, null, 'open', true, Number.POSITIVE_INFINITY, DISCARD), false);
});

test('unreadBodyBound: Content-Length, or unknown for chunked and for a 100-continue never answered', () => {
  assert.equal(unreadBodyBound({ expectContinue: false, framing: 'length', contentLength: 10 }, false), 10);
  assert.equal(unreadBodyBound({ expectContinue: false, framing: 'chunked', contentLength: -1 }, false), Infinity);
  assert.equal(unreadBodyBound({ expectContinue: true, framing: 'length', contentLength: 10 }, false), Infinity);
  assert.equal(unreadBodyBound({ expectContinue: true, framing: 'length', contentLength: 10 }, true), 10);
});
