/**
 * Zero-downtime reload under a steady load: keep-alive clients (the project's Pool, which resends
 * an idempotent request whose reused connection closed before any answer byte) and clients that
 * open a new connection for every request (any reset of a queued connection would fail one) run
 * through three SIGHUP reloads; every request must get its 200 and none may fail. In reuseport
 * mode this is what handing each listening socket to the next generation buys: a closed
 * SO_REUSEPORT listener would reset the connections in its accept queue (Linux, without
 * net.ipv4.tcp_migrate_req). Bounded: the loops stop after the reloads and a last round.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pool } from '../../src/client/pool.js';
import { canReusePort } from '../../src/net/tcp-server.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';
import { startPrimary } from './helpers.js';

const leaks = trackLeaks({ settleMs: 50 });
const RELOADS = 3;

interface Tally {
  sent: number;
  ok: number;
  errors: string[];
  generations: Set<number>;
}

/** One client loop: requests one after another until `running()` is false (and at most `max`). */
async function loop(pool: Pool, fresh: boolean, tally: Tally, running: () => boolean, max = 20_000) {
  for (let i = 0; i < max && running(); i++) {
    tally.sent++;
    try {
      const res = await pool.request({
        path: '/',
        headers: fresh ? { connection: 'close' } : {},
        timeouts: { headersTimeoutMs: 15_000 },
      });
      const body = (await res.body.json()) as { generation: number };
      if (res.status === 200) tally.ok++;
      else tally.errors.push(`status ${res.status}`);
      tally.generations.add(body.generation);
    } catch (error) {
      const kind = fresh ? 'new connection' : 'keep-alive';
      tally.errors.push(`${kind}: ${(error as { code?: string }).code ?? ''} ${(error as Error).message}`);
    }
  }
}

const BALANCINGS = canReusePort() ? ['reuseport', 'round-robin'] : ['round-robin'];

describe('reload under load', () => {
  for (const balancing of BALANCINGS) {
    test(`${balancing}: ${RELOADS} reloads lose no request, keep-alive or new connections`, async () => {
      const primary = await startPrimary(leaks, { WORKERS: '2', BALANCING: balancing });
      const tally: Tally = { sent: 0, ok: 0, errors: [], generations: new Set() };
      let running = true;
      const keepAlive = new Pool(primary.url, { connections: 4 });
      const fresh = new Pool(primary.url, { connections: 2 });
      leaks.defer(() => keepAlive.close());
      leaks.defer(() => fresh.close());
      const loops = [
        ...Array.from({ length: 4 }, () => loop(keepAlive, false, tally, () => running)),
        ...Array.from({ length: 2 }, () => loop(fresh, true, tally, () => running)),
      ];
      try {
        for (let generation = 1; generation <= RELOADS; generation++) {
          const before = tally.ok;
          // Load is flowing before each reload.
          await eventually(() => tally.ok >= before + 50, 'load flows', 30_000);
          primary.child.kill('SIGHUP');
          await primary.line(new RegExp(`reloaded: generation ${generation} serving`), `reload ${generation}`, 60_000);
        }
        const after = tally.ok;
        await eventually(() => tally.ok >= after + 50, 'load flows after the last reload', 30_000);
      } finally {
        running = false;
        await Promise.all(loops);
      }
      assert.deepEqual(
        tally.errors,
        [],
        `${tally.errors.length} of ${tally.sent} requests failed\n${primary.lines.join('\n')}`,
      );
      assert.equal(tally.ok, tally.sent);
      assert.ok(tally.generations.has(RELOADS), `the last generation served (${[...tally.generations]})`);
      assert.ok(tally.sent > 200, `${tally.sent} requests`);
    });
  }
});
