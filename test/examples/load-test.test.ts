/** The load-test example runs against its own app and reports every request answered. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runExample } from './run.js';

test('load-test loads its app and prints the report', async () => {
  const run = await runExample('load-test');
  assert.equal(run.code, 0, run.output);
  assert.match(run.stdout, /Requests\s+2,000 in /);
  assert.match(run.stdout, /Status\s+2xx 2,000/);
  assert.match(run.stdout, /^ok: true, p99 [\d.]+ ms, 0 errors$/m);
});
