/**
 * `wirekit serve --workers 2`: the primary says where it serves and with how many workers, both
 * serve, SIGHUP reloads them, SIGTERM drains them and the command exits 0.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent } from '../../src/client/agent.js';
import { request } from '../../src/client/request.js';
import { trackLeaks } from '../helpers/leaks.js';
import { startPrimary } from './helpers.js';

const leaks = trackLeaks({ settleMs: 50 });
const CLI = fileURLToPath(new URL('../../pkg/cli/main.js', import.meta.url));

test('wirekit serve --workers 2: serves, reloads on SIGHUP, drains on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wk-serve-'));
  leaks.defer(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hello.txt'), 'hello from a worker\n');
  const primary = await startPrimary(
    leaks,
    {},
    CLI,
    ['serve', dir, '--port', '0', '--workers', '2', '--quiet'],
    /^Serving /,
  );
  assert.match(primary.url, /with 2 workers/);
  const url = (primary.url.match(/http:\/\/\S+?\//) ?? [''])[0];
  const agent = new Agent();
  leaks.defer(() => agent.close());
  const res = await request(`${url}hello.txt`, { dispatcher: agent });
  assert.equal(await res.body.text(), 'hello from a worker\n');
  primary.child.kill('SIGHUP');
  await primary.line(/reloaded: generation 1 serving/, 'reloaded');
  const again = await request(`${url}hello.txt`, { dispatcher: agent });
  assert.equal(again.status, 200);
  await again.body.dump();
  primary.child.kill('SIGTERM');
  assert.equal(await primary.exited, 0);
});
