/** `nearest()`: the "did you mean" of CLI flags and option keys. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nearest } from '../../src/util/nearest.js';

test('one typo: a letter dropped, added, replaced, or two neighbours swapped', () => {
  const flags = ['port', 'host', 'cors', 'spa', 'compress', 'follow', 'timeout', 'connections'];
  assert.equal(nearest('prot', flags), 'port', 'swap');
  assert.equal(nearest('folow', flags), 'follow', 'dropped');
  assert.equal(nearest('timeoutt', flags), 'timeout', 'added');
  assert.equal(nearest('hast', flags), 'host', 'replaced');
  assert.equal(nearest('conections', flags), 'connections');
});

test('longer words allow an edit per three letters; case is ignored', () => {
  const keys = ['maxBodyBytes', 'headerTimeoutMs', 'keepAliveTimeoutMs'];
  assert.equal(nearest('maxBodyByte', keys), 'maxBodyBytes');
  assert.equal(nearest('headerTimeout', keys), 'headerTimeoutMs');
  assert.equal(nearest('MAXBODYBYTES', keys), 'maxBodyBytes');
  assert.equal(nearest('keepaliveTimeoutSec', keys), 'keepAliveTimeoutMs', 'three edits on 19 letters');
  assert.equal(nearest('maxRetries', keys), undefined);
});

test('nothing near enough is undefined, not a guess', () => {
  assert.equal(nearest('xyz', ['port', 'host']), undefined);
  assert.equal(nearest('ab', ['cors']), undefined);
  assert.equal(nearest('', ['a']), 'a', 'one edit away');
  assert.equal(nearest('anything', []), undefined);
});

test('failing that, the only candidate that starts with the word', () => {
  assert.equal(nearest('down', ['download', 'output']), 'download');
  assert.equal(nearest('max', ['max-redirects', 'max-time']), undefined, 'two start with it');
  assert.equal(nearest('do', ['download']), undefined, 'too short to be a prefix guess');
});

test('of equally near candidates, the first; a nearer one later wins', () => {
  assert.equal(nearest('cat', ['bat', 'hat']), 'bat');
  assert.equal(nearest('cat', ['cart', 'cat']), 'cat');
  assert.equal(nearest('caat', new Set(['coat', 'cat'])), 'coat', 'an iterable works; both one edit away');
});
