import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLayering, layerOf, readSources } from './helpers/layering.js';
import { SRC_DIR } from './helpers/paths.js';

test('no file in src/ imports from a layer above it', () => {
  const violations = checkLayering(readSources(SRC_DIR));
  assert.deepEqual(violations, []);
});

test('the checker catches an upward import, an impure codec and a runtime dependency', () => {
  const files = new Map([
    ['net/tcp.ts', "import { serve } from '../http/server/server.js';"],
    ['http/codec/parser.ts', "import net from 'node:net';\nimport { x } from '../../util/bytes.js';"],
    ['net/udp.ts', "import chalk from 'chalk';"],
    ['web/app.ts', "export { x } from '../http/server/server.js';"],
    ['web/listen.ts', "const m = await import('../http/server/server.js');"],
    [
      'util/bytes.ts',
      "/** @example\n * import { serve } from 'wirekit';\n */\n// import x from 'chalk';\nconst u = 'http://x';",
    ],
  ]);
  const found = checkLayering(files).map((v) => `${v.file} ${v.specifier}`);
  assert.deepEqual(found, [
    'net/tcp.ts ../http/server/server.js',
    'http/codec/parser.ts node:net',
    'net/udp.ts chalk',
    'web/app.ts ../http/server/server.js',
  ]);
});

test('layers are found by the longest prefix', () => {
  assert.equal(layerOf('http/codec/request-parser.ts'), 'http-codec');
  assert.equal(layerOf('web/listen.ts'), 'web-listen');
  assert.equal(layerOf('web/router/radix.ts'), 'web');
  assert.equal(layerOf('errors.ts'), 'errors');
});
