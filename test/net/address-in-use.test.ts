/**
 * EADDRINUSE says what to do: another port or port 0, and, on Linux, which process holds the port
 * (found through /proc/net/tcp and /proc/PID/fd).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { isWirekitError } from '../../src/errors.js';
import { listen } from '../../src/net/index.js';
import { findPortHolder } from '../../src/net/port-holder.js';
import { trackLeaks } from '../helpers/leaks.js';

const leaks = trackLeaks();
const LINUX = process.platform === 'linux';

/** A child process listening on a free port; resolves with it and its port. */
async function portHolder(): Promise<{ child: ChildProcess; port: number }> {
  const script =
    "/* wirekit-port-holder-test */ const s = require('node:net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port)); process.stdin.on('end', () => process.exit(0)); process.stdin.resume();";
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  leaks.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      await once(child, 'exit');
    }
  });
  const [data] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  return { child, port: Number(data.toString().trim()) };
}

test('listening on a port another process holds names that process and suggests port 0', async () => {
  const { child, port } = await portHolder();
  await assert.rejects(
    listen({ port }, () => {}),
    (error: unknown) => {
      assert.ok(isWirekitError(error, 'WK_ERR_LISTEN'));
      const message = (error as Error).message;
      assert.match(message, /EADDRINUSE/);
      assert.match(message, /choose another port \(port 0 picks a free one\)/);
      if (LINUX) {
        assert.match(message, new RegExp(`port ${port} is held by pid ${child.pid} \\(.*wirekit-port-holder-test`));
      } else {
        assert.match(message, new RegExp(`port ${port} is in use`));
      }
      return true;
    },
  );
});

test('findPortHolder finds this process for its own listener, and nothing for a free port', async () => {
  const server = await listen({ port: 0 }, () => {});
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  // A generous budget: the default one (1 s) can run out on a loaded machine with many processes.
  const holder = findPortHolder(server.address.port, 60_000);
  if (LINUX) {
    assert.equal(holder?.pid, process.pid);
    assert.match(holder?.command ?? '', /node/);
  } else {
    assert.equal(holder, undefined);
  }
  const probe = await listen({ port: 0 }, () => {});
  const free = probe.address.port;
  await probe.close();
  assert.equal(findPortHolder(free, 60_000), undefined);
});
