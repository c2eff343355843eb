/**
 * The HTTP client under faults injected by wirekit's own fault proxy: each phase timeout fires
 * when that phase stalls (the CONNECT of a tunnel, the response head, the body), and a keep-alive
 * connection reset as the next request goes out is retried for a GET and reported for a POST.
 * Lower bounds only: a timeout fired no earlier than asked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pool, type PoolOptions } from '../../src/client/index.js';
import { isWirekitError, TimeoutError } from '../../src/errors.js';
import { Response, serve } from '../../src/http/index.js';
import { type FaultProxy, faultProxy } from '../../src/tools/index.js';
import { type LeakTracker, trackLeaks } from '../helpers/leaks.js';

const leaks = trackLeaks();

/** Our HTTP server behind a fault proxy. */
async function setup(tracker: LeakTracker): Promise<{ proxy: FaultProxy; url: string }> {
  const server = await serve(async (req) => {
    if (req.path === '/big') return new Response('x'.repeat(100_000));
    if (req.method === 'POST') return new Response(`got ${(await req.text()).length}`);
    return new Response('ok');
  });
  tracker.defer(() => server.close({ timeoutMs: 0 }));
  const proxy = await faultProxy({ upstream: `127.0.0.1:${server.address.port}`, seed: 5 });
  tracker.defer(() => proxy.close());
  return { proxy, url: `http://127.0.0.1:${proxy.address.port}` };
}

function pool(url: string, options: PoolOptions): Pool {
  const p = new Pool(url, options);
  leaks.defer(() => p.destroy());
  return p;
}

function timedOut(code: string) {
  return (error: unknown): boolean => {
    assert.ok(isWirekitError(error, code as never), String(error));
    assert.ok(error instanceof TimeoutError);
    return true;
  };
}

test('connect: a CONNECT tunnel through a proxy that accepts and stalls ends in WK_ERR_CONNECT_TIMEOUT', async () => {
  const { proxy } = await setup(leaks);
  proxy.add('stall', {});
  const p = pool('http://127.0.0.1:1', {
    proxy: `http://127.0.0.1:${proxy.address.port}`,
    timeouts: { connectTimeoutMs: 300 },
  });
  const started = performance.now();
  await assert.rejects(p.request({ path: '/' }), timedOut('WK_ERR_CONNECT_TIMEOUT'));
  assert.ok(performance.now() - started >= 299);
});

test('headers: latency past headersTimeoutMs is WK_ERR_HEADERS_TIMEOUT; without it the request goes through', async () => {
  const { proxy, url } = await setup(leaks);
  const slow = proxy.add('latency', { ms: 5_000 });
  const p = pool(url, { timeouts: { headersTimeoutMs: 300 } });
  const started = performance.now();
  await assert.rejects(p.request({ path: '/' }), timedOut('WK_ERR_HEADERS_TIMEOUT'));
  assert.ok(performance.now() - started >= 299);
  slow.remove();
  const res = await p.request({ path: '/' });
  assert.equal(await res.body.text(), 'ok');
});

test('body: a stall after the head is WK_ERR_BODY_TIMEOUT while the body is read', async () => {
  const { proxy, url } = await setup(leaks);
  // The head (~100 bytes) and the start of the body pass; then nothing.
  proxy.add('stall', { afterBytes: 1_000 });
  const p = pool(url, { timeouts: { bodyTimeoutMs: 300 } });
  const started = performance.now();
  const res = await p.request({ path: '/big' });
  assert.equal(res.status, 200);
  await assert.rejects(res.body.text(), timedOut('WK_ERR_BODY_TIMEOUT'));
  assert.ok(performance.now() - started >= 299);
});

test('keep-alive reuse race: a reset as the next request goes out is retried for GET, reported for POST', async () => {
  const { proxy, url } = await setup(leaks);
  const probe = await pool(url, {}).request({ path: '/' });
  assert.equal(await probe.body.text(), 'ok');
  // From now on every connection carries one such request upstream, and its next byte resets it
  // (RST), as a server closing an idle keep-alive connection does when a request crosses its close.
  proxy.add('reset', { afterBytes: proxy.bytes.upstream }, { direction: 'upstream' });
  const p = pool(url, {});
  const first = await p.request({ path: '/' });
  assert.equal(await first.body.text(), 'ok');
  const second = await p.request({ path: '/' });
  assert.equal(await second.body.text(), 'ok');
  assert.equal(second.reused, false, 'the retry went out on a new connection');
  assert.equal(proxy.accepted, 3);
  await assert.rejects(p.request({ path: '/', method: 'POST', body: 'data' }), (error) => {
    assert.ok(isWirekitError(error), String(error));
    assert.match(error.message, /reused connection and was not retried: POST is not idempotent/);
    return true;
  });
});
