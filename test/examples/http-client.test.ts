/** examples/http-client.ts against a server started here: prints status, reason and body; a failure exits 1. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Response } from '../../src/http/message/index.js';
import { serve } from '../../src/http/server/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { runExample } from './run.js';

const leaks = trackLeaks();

// The server offers a 10-minute keep-alive: only an idle socket that does not hold the process open
// lets the example exit within the test's timeout.
test('http-client prints the status line and the body, then exits (no idle socket holds it)', {
  timeout: 60_000,
}, async () => {
  const server = await serve(
    (req) => new Response(`Hello from ${req.path}`, { status: 202, headers: { 'keep-alive': 'timeout=600' } }),
    { idleTimeoutMs: 600_000 },
  );
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const run = await runExample('http-client', {}, [`${server.url}/tutorial`]);
  assert.equal(run.code, 0, run.output);
  assert.equal(run.stdout, '202 Accepted\nHello from /tutorial\n');
});

test('http-client names the failed phase and exits 1', async () => {
  const run = await runExample('http-client', {}, ['http://127.0.0.1:9/']);
  assert.equal(run.code, 1);
  assert.match(run.output, /^WK_ERR_CONNECT: /);
});
