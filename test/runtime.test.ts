/**
 * The feature probes of test/helpers/runtime.ts: on Node 24 (which CI runs) every runtime-dependent
 * test must run, so every probe must find its feature there; on Node 20 none is there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasReusePort, needs, runtime } from './helpers/runtime.js';

const major = Number(process.versions.node.split('.')[0]);

test('Node 24 and later have zstd, a global WebSocket and reusePort; Node 20 has none of them', async () => {
  const found = { ...runtime, reusePort: await hasReusePort() };
  if (major >= 24) assert.deepEqual(found, { zstd: true, webSocket: true, reusePort: true });
  if (major === 20) assert.deepEqual(found, { zstd: false, webSocket: false, reusePort: false });
});

test('needs() names what is missing, or lets the test run', () => {
  assert.equal(needs('zstd', true), false);
  assert.equal(needs('zstd', false), `Node ${process.version} has no zstd`);
});
