/**
 * `wirekit tcp` and `wirekit udp` against the real OpenBSD netcat (Debian netcat-openbsd), both
 * ways: our listen ← nc, nc -l ← our connect, UDP both ways; half-close (our stdin's end is a FIN,
 * the peer's FIN ends the command); and the exit codes scripts rely on.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { listen } from '../../src/net/tcp-server.js';
import { bind } from '../../src/net/udp.js';
import { trackLeaks } from '../helpers/leaks.js';
import { start, wirekit } from './processes.js';

const leaks = trackLeaks();
const NC = '/usr/bin/nc';
const skip = existsSync(NC) || process.env.CI === 'true' ? false : 'needs nc: apt-get install netcat-openbsd';

/** A TCP or UDP port that was free a moment ago (nc -l needs a number). */
async function freePort(kind: 'tcp' | 'udp'): Promise<number> {
  if (kind === 'udp') {
    const probe = await bind({ port: 0 });
    await probe.close();
    return probe.address.port;
  }
  const probe = await listen({ port: 0 }, () => {});
  await probe.close();
  return probe.address.port;
}

test('our listen ← nc: bytes both ways, then both sides close and both exit 0', { skip }, async () => {
  const ours = wirekit(leaks, ['tcp', 'listen', '0', '-v'], 'from wirekit\n');
  const port = (await ours.waitFor(/Listening on 127\.0\.0\.1:(\d+)/))[1] as string;
  // -N: nc half-closes after its stdin, as we do.
  const nc = start(leaks, NC, ['-N', '127.0.0.1', port], 'from nc\n');
  assert.equal(await nc.exited, 0, nc.stderr());
  assert.equal(await ours.exited, 0, ours.stderr());
  assert.equal(ours.stdout().toString(), 'from nc\n');
  assert.equal(nc.stdout().toString(), 'from wirekit\n');
  assert.match(ours.stderr(), /Connection from 127\.0\.0\.1:\d+/);
});

test('nc -l ← our connect: our stdin end is a FIN; nc closes; we exit 0', { skip }, async () => {
  const port = String(await freePort('tcp'));
  const nc = start(leaks, NC, ['-l', '127.0.0.1', port], null);
  // Until nc listens, a connect is refused (exit 1): try again, a bounded number of times.
  let ours = wirekit(leaks, ['tcp', 'connect', `127.0.0.1:${port}`], 'hello nc\n');
  for (let attempt = 0; (await ours.exited) === 1 && attempt < 100; attempt++) {
    assert.equal(nc.child.exitCode, null, `nc -l exited: ${nc.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    ours = wirekit(leaks, ['tcp', 'connect', `127.0.0.1:${port}`], 'hello nc\n');
  }
  assert.equal(await ours.exited, 0, ours.stderr());
  assert.equal(await nc.exited, 0);
  assert.equal(nc.stdout().toString(), 'hello nc\n');
});

test('the peer closing ends the command while our stdin is still open', { skip }, async () => {
  const ours = wirekit(leaks, ['tcp', 'listen', '0', '-v'], null);
  const port = (await ours.waitFor(/Listening on 127\.0\.0\.1:(\d+)/))[1] as string;
  const nc = start(leaks, NC, ['-N', '127.0.0.1', port], 'bye\n');
  assert.equal(await ours.exited, 0);
  assert.equal(ours.stdout().toString(), 'bye\n');
  await nc.exited;
});

test('UDP: our listen prints nc -u datagrams with their source', { skip }, async () => {
  const ours = wirekit(leaks, ['udp', 'listen', '0', '-v', '--count', '1']);
  const port = (await ours.waitFor(/Listening on 127\.0\.0\.1:(\d+)/))[1] as string;
  const nc = start(leaks, NC, ['-u', '127.0.0.1', port], null);
  nc.child.stdin?.write('dgram from nc\n');
  assert.equal(await ours.exited, 0, ours.stderr());
  assert.match(ours.stdout().toString(), /^\[127\.0\.0\.1:\d+\] dgram from nc\n$/);
});

test('UDP: nc -u -l receives our datagrams', { skip }, async () => {
  const port = String(await freePort('udp'));
  const nc = start(leaks, NC, ['-u', '-l', '127.0.0.1', port], null);
  // A datagram sent before nc is bound is lost: send again until nc has printed one.
  for (let attempt = 0; !nc.stdout().includes('ping') && attempt < 100; attempt++) {
    const ours = wirekit(leaks, ['udp', 'send', `127.0.0.1:${port}`, 'ping\n']);
    assert.equal(await ours.exited, 0, ours.stderr());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.match(nc.stdout().toString(), /^(ping\n)+$/);
});

test('UDP: send --wait prints the reply of our own listen --echo', async () => {
  const echo = wirekit(leaks, ['udp', 'listen', '0', '-v', '--echo', '--count', '1']);
  const port = (await echo.waitFor(/Listening on 127\.0\.0\.1:(\d+)/))[1] as string;
  const ours = wirekit(leaks, ['udp', 'send', `127.0.0.1:${port}`, '--wait', '2s'], 'marco');
  assert.equal(await ours.exited, 0, ours.stderr());
  assert.equal(ours.stdout().toString(), 'marco');
  assert.equal(await echo.exited, 0);
});
