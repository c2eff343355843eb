/** `nearest()`: the "did you mean" of CLI flags (src/cli/parse-args.ts) and option keys (util/options.ts). */
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

test('longer words allow an edit per three letters (at least two); case is ignored', () => {
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
  assert.equal(nearest('cs', ['cors']), 'cors', 'two edits are always allowed');
  assert.equal(nearest('', ['a']), 'a', 'one edit away');
  assert.equal(nearest('anything', []), undefined);
});

test('a candidate containing the word first (a missing ending); one inside the word after edits', () => {
  assert.equal(nearest('down', ['download', 'output']), 'download');
  assert.equal(nearest('idleTimeout', ['timeoutMs', 'idleTimeoutMs']), 'idleTimeoutMs');
  assert.equal(nearest('maxAge', ['maxRanges', 'maxAgeSeconds']), 'maxAgeSeconds', 'before a two-edit match');
  assert.equal(nearest('portNumber', ['host', 'port']), 'port');
  assert.equal(nearest('max', ['max-redirects', 'max-time']), 'max-redirects', 'the first of two');
  assert.equal(nearest('do', ['download']), undefined, 'too short to be a part');
  assert.equal(nearest('slice-dealy', ['slice', 'slice-delay']), 'slice-delay', 'one edit beats containing');
});

test('the option keys of listen()', () => {
  const keys = ['port', 'host', 'path', 'backlog', 'maxConnections', 'signal'];
  assert.equal(nearest('prot', keys), 'port');
  assert.equal(nearest('hots', keys), 'host');
  assert.equal(nearest('maxconnection', keys), 'maxConnections');
  assert.equal(nearest('signl', keys), 'signal');
  assert.equal(nearest('timeout', keys), undefined);
});

test('of equally near candidates, the first; a nearer one later wins', () => {
  assert.equal(nearest('cat', ['bat', 'hat']), 'bat');
  assert.equal(nearest('cat', ['cart', 'cat']), 'cat');
  assert.equal(nearest('caat', new Set(['coat', 'cat'])), 'coat', 'an iterable works; both one edit away');
});

test('one edit beats a candidate that contains the word: prot is port, not proxyProtocol', () => {
  assert.equal(nearest('prot', ['proxyProtocol', 'port', 'host']), 'port');
  assert.equal(nearest('idleTimeout', ['idleTimeoutMs', 'idleTime']), 'idleTimeoutMs');
});
