/**
 * Cluster supervision, run as a user runs it (a primary process started with `node app.js`): a
 * crash loop is given up on, readiness answers 503 while a worker drains, a failed reload keeps the
 * old workers, `server.reload()` in a worker reloads, and topics reach the event streams of every
 * worker. (Split from cluster.test.ts so that neither file's run nears the per-file timeout on a
 * busy machine.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StreamClient } from '../helpers/event-stream.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';
import { requestOwnAgent, startPrimary, workerJson } from './helpers.js';

const leaks = trackLeaks({ settleMs: 50 });
const request = (url: string, options: Parameters<typeof requestOwnAgent>[2] = {}) =>
  requestOwnAgent(leaks, url, options);
const getJson = (url: string) => workerJson(leaks, url);

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
