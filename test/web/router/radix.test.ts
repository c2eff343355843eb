import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RadixRouter } from '../../../src/web/router/index.js';
import { routerSuite } from './suite.js';

routerSuite('RadixRouter', (options) => new RadixRouter<string>(options));

// Beyond the contract: the allocation promises of docs/architecture.md, The write path.
test('RadixRouter: a static hit returns a shared frozen result; a param hit fresh params', () => {
  const router = new RadixRouter<string>();
  router.add('GET', '/health', 'health');
  router.add('GET', '/users/:id', 'user');
  const first = router.find('GET', '/health');
  assert.equal(router.find('GET', '/health'), first);
  assert.ok(Object.isFrozen(first) && first.status === 'found' && Object.isFrozen(first.params));
  const a = router.find('GET', '/users/1');
  const b = router.find('GET', '/users/2');
  assert.ok(a.status === 'found' && b.status === 'found' && a.params !== b.params);
  assert.equal(router.find('GET', '/none'), router.find('GET', '/other'), 'one shared 404');
});

test('RadixRouter: many static children (indexed by char code) and deep trees', () => {
  const router = new RadixRouter<number>();
  const words = Array.from({ length: 200 }, (_, i) => `${String.fromCharCode(0x61 + (i % 26))}${i}`);
  words.forEach((word, i) => {
    router.add('GET', `/${word}`, i);
    router.add('GET', `/${word}/:id/x/${word}`, -i);
  });
  router.add('GET', '/é/ü', 1000);
  words.forEach((word, i) => {
    const hit = router.find('GET', `/${word}`);
    assert.equal(hit.status === 'found' && hit.value, i, word);
    const deep = router.find('GET', `/${word}/7/x/${word}`);
    assert.equal(deep.status === 'found' && deep.value, -i, word);
  });
  const unicode = router.find('GET', '/%C3%A9/%C3%BC');
  assert.equal(unicode.status === 'found' && unicode.value, 1000);
});
