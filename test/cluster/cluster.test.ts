/**
 * The cluster, run as a user runs it (a primary process started with `node app.js`): workers
 * serve on one port, a crash is logged and the worker restarted, a crash loop is given up on,
 * SIGTERM drains in-flight requests and exits 0, readiness answers 503 while draining, a failed
 * reload keeps the old workers, and reloads under load lose no request (test/cluster/reload.test.ts).
 * Runs in the balancing this Node has (reuseport on Node 24, round robin on Node 20; CI runs both)
 * and in round robin everywhere.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent } from '../../src/client/agent.js';
import { type RequestInit, request as send } from '../../src/client/request.js';
import { canReusePort } from '../../src/net/tcp-server.js';
import { StreamClient } from '../helpers/event-stream.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, sleep } from '../helpers/wait.js';
import { startPrimary } from './helpers.js';

const leaks = trackLeaks({ settleMs: 50 });

/** Requests through an agent of the test's own, closed after it (the global one keeps idle pools). */
function request(url: string, options: RequestInit = {}) {
  const agent = new Agent();
  leaks.defer(() => agent.close());
  return send(url, { ...options, dispatcher: agent });
}

async function getJson(url: string): Promise<{ pid: number; slot: number; generation: number }> {
  // A new connection each time, so the kernel (reuseport) or the primary (round robin) picks a worker anew.
  const res = await request(url, { headers: { connection: 'close' } });
  assert.equal(res.status, 200);
  return (await res.body.json()) as { pid: number; slot: number; generation: number };
}

const BALANCINGS = canReusePort() ? ['reuseport', 'round-robin'] : ['round-robin'];

for (const balancing of BALANCINGS) {
  describe(`cluster (${balancing})`, () => {
    test('n workers serve one port; the balancing is said once', async () => {
      const primary = await startPrimary(leaks, { WORKERS: '2', BALANCING: balancing });
      const pids = new Set<number>();
      for (let i = 0; i < 200 && pids.size < 2; i++) pids.add((await getJson(primary.url)).pid);
      assert.equal(pids.size, 2, 'both workers answered');
      assert.equal(primary.lines.filter((l) => /2 workers, /.test(l)).length, 1, primary.lines.join('\n'));
      assert.match(primary.lines.join('\n'), balancing === 'reuseport' ? /SO_REUSEPORT/ : /round robin/);
    });

    test('a crashed worker is logged with its exit code and restarted', async () => {
      const primary = await startPrimary(leaks, { WORKERS: '1', BALANCING: balancing });
      const before = (await getJson(primary.url)).pid;
      await request(`${primary.url}/crash`).then(
        (res) => res.body.dump(),
        () => {},
      );
      await primary.line(/exited with code 3/, 'the crash is logged');
      let after = before;
      const deadline = Date.now() + 30_000;
      while (after === before && Date.now() < deadline) {
        after = await getJson(primary.url).then(
          (r) => r.pid,
          () => before,
        );
        if (after === before) await sleep(20); // polling while the worker restarts
      }
      assert.notEqual(after, before, 'a new worker answers');
    });

    test('SIGTERM: in-flight requests finish, the primary exits 0', async () => {
      const primary = await startPrimary(leaks, { WORKERS: '2', BALANCING: balancing });
      const slow = request(`${primary.url}/slow?ms=800`);
      // The request is in a worker's hands before the signal.
      await primary.line(/^slow started/, 'the slow request started');
      primary.child.kill('SIGTERM');
      const done = await slow;
      assert.equal(done.status, 200);
      assert.match(await done.body.text(), /^slow done/);
      assert.equal(await primary.exited, 0);
      assert.match(primary.lines.join('\n'), /SIGTERM: draining 2 workers/);
    });
  });
}

describe('cluster supervision', () => {
  test('a crash loop is given up on and said so; the other workers keep serving', async () => {
    const primary = await startPrimary(leaks, { WORKERS: '2', BALANCING: 'round-robin', CRASH_SLOT: '1' });
    await primary.line(/worker 1 crashed 5 times within 60000 ms: not restarting it/, 'given up', 60_000);
    assert.equal(primary.lines.filter((l) => /worker 1 .*exited with code 7/.test(l)).length, 5);
    for (let i = 0; i < 5; i++) assert.equal((await getJson(primary.url)).slot, 0);
  });

  test('readiness answers 503 while a worker drains, before it closes', async () => {
    const primary = await startPrimary(leaks, { WORKERS: '1', BALANCING: 'round-robin', DRAIN_DELAY_MS: '3000' });
    const ok = await request(`${primary.url}/healthz`);
    assert.deepEqual([ok.status, await ok.body.text()], [200, 'ok']);
    primary.child.kill('SIGTERM');
    let status = 200;
    for (let i = 0; i < 400 && status === 200; i++) {
      const res = await request(`${primary.url}/healthz`, { headers: { connection: 'close' } });
      status = res.status;
      await res.body.dump();
    }
    assert.equal(status, 503);
    assert.equal(await primary.exited, 0);
  });

  test('a reload whose new workers fail keeps the old ones serving', async () => {
    const primary = await startPrimary(leaks, { WORKERS: '2', BALANCING: 'round-robin', FAIL_GENERATION: '1' });
    const before = await getJson(primary.url);
    primary.child.kill('SIGHUP');
    await primary.line(/reload failed, the old workers keep serving/, 'the failure is logged');
    const after = await getJson(primary.url);
    assert.equal(after.generation, 0);
    assert.equal(before.generation, 0);
  });

  test('server.reload() in a worker reloads the cluster', async () => {
    const primary = await startPrimary(leaks, { WORKERS: '1', BALANCING: 'round-robin' });
    const res = await request(`${primary.url}/reload`);
    assert.equal(await res.body.text(), 'reload asked');
    await primary.line(/reloaded: generation 1 serving/, 'reloaded');
    assert.equal((await getJson(primary.url)).generation, 1);
  });
});

describe('topics across workers', () => {
  test('a message published in one worker reaches the streams of every worker (relayed by the primary)', async () => {
    const primary = await startPrimary(leaks, { WORKERS: '2' });
    const clients: StreamClient[] = [];
    for (let i = 0; i < 20 && new Set(clients.map((c) => c.node)).size < 2; i++) {
      const client = new StreamClient(primary.url, leaks);
      clients.push(client);
      await eventually(() => client.node !== '', 'the stream says its worker', 20_000);
    }
    assert.deepEqual(new Set(clients.map((c) => c.node)), new Set(['0', '1']));
    const res = await request(`${primary.url}/publish`, { method: 'POST', body: 'to everyone' });
    assert.equal(res.status, 202);
    await res.body.dump();
    await eventually(() => clients.every((c) => c.messages.includes('to everyone')), 'every stream heard it', 20_000);
    for (const client of clients) assert.equal(client.messages.filter((m) => m === 'to everyone').length, 1);
  });
});
