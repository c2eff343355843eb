/**
 * The reuse-race decision (`orphanFate`, retry.ts) as a pure function: which requests left in flight on
 * a closing connection are sent once more, which fail saying why they were not, and which fail as is.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ConnectionEnding, type OrphanFacts, orphanFate } from '../../src/client/retry.js';

const SAFE: OrphanFacts = { reused: true, gotBytes: false, resends: 0, idempotent: true, replayable: true };

describe('orphanFate', () => {
  test('a safe request that lost the reuse race is resent, at any position when the socket raced', () => {
    assert.equal(orphanFate('raced', 0, SAFE), 'resend');
    assert.equal(orphanFate('raced', 3, SAFE), 'resend');
  });

  test('when the head of the line failed, it gets the error; those behind it may be resent', () => {
    assert.equal(orphanFate('failed', 0, SAFE), 'fail');
    assert.equal(orphanFate('failed', 1, SAFE), 'resend');
  });

  test('a destroyed pool resends nothing', () => {
    for (const position of [0, 1, 5]) assert.equal(orphanFate('destroyed', position, SAFE), 'fail');
  });

  test('a request that did not lose the race fails as is', () => {
    assert.equal(orphanFate('raced', 0, { ...SAFE, reused: false }), 'fail', 'a fresh connection');
    assert.equal(orphanFate('raced', 0, { ...SAFE, gotBytes: true }), 'fail', 'a response byte arrived');
  });

  test('a request that lost the race but is not safe to repeat is not retried, and says so', () => {
    const endings: ConnectionEnding[] = ['raced', 'failed'];
    for (const ending of endings) {
      assert.equal(orphanFate(ending, 1, { ...SAFE, resends: 2 }), 'resend', `${ending}: resent twice, once more`);
      assert.equal(orphanFate(ending, 1, { ...SAFE, resends: 3 }), 'not-retried', `${ending}: already resent 3 times`);
      assert.equal(orphanFate(ending, 1, { ...SAFE, idempotent: false }), 'not-retried', `${ending}: POST`);
      assert.equal(orphanFate(ending, 1, { ...SAFE, replayable: false }), 'not-retried', `${ending}: a stream body`);
    }
  });
});
