/**
 * The cluster, run as a user runs it (a primary process started with `node app.js`): workers
 * serve on one port, a crash is logged and the worker restarted, a crash loop is given up on,
 * SIGTERM drains in-flight requests and exits 0; supervision (crash loops, readiness while
 * draining, failed reloads) is in supervision.test.ts, reloads under load in reload.test.ts (one
 * file each, so that no file's run nears the per-file timeout on a busy machine).
 * Runs in the balancing this Node has (reuseport on Node 24, round robin on Node 20; CI runs both)
 * and in round robin everywhere.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canReusePort } from '../../src/net/tcp-server.js';
import { trackLeaks } from '../helpers/leaks.js';
import { sleep } from '../helpers/wait.js';
import { requestOwnAgent, startPrimary, workerJson } from './helpers.js';

const leaks = trackLeaks({ settleMs: 50 });
const request = (url: string) => requestOwnAgent(leaks, url);
const getJson = (url: string) => workerJson(leaks, url);

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
