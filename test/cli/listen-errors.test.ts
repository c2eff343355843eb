/**
 * Failing to listen or connect says what to do: every command that listens (serve, tcp and udp
 * listen, proxy) on a port in use, the commands that connect to a port where nothing listens, and
 * a load test that reached nothing; in process, on ports held by this test. And a closed output
 * pipe ends the process quietly.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../helpers/cli-io.js';
import { trackLeaks } from '../helpers/leaks.js';
import { wirekit } from './processes.js';

const leaks = trackLeaks();

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const memory = memoryIo({ cwd: tmpdir() });
  const code = await main(args, memory.io);
  return { code, stderr: memory.stderr().toString() };
}

/** A TCP port held by this test until it ends. */
async function heldTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  leaks.defer(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

const ADVICE = '\n  another process holds this port: choose another one, or 0 for any free port\n';

test('a TCP port in use: serve, tcp listen and proxy say who holds it and what to do, and exit 1', async () => {
  const port = await heldTcpPort();
  for (const args of [
    ['serve', tmpdir(), '--port', String(port)],
    ['tcp', 'listen', String(port)],
    ['proxy', '--listen', String(port), '--upstream', '127.0.0.1:1'],
    ['proxy', '--api', String(port)],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    // net's listen() names the holder (this test's own process) and the way out; no second advice.
    assert.match(
      r.stderr,
      new RegExp(
        `^wirekit ${args[0]}: listen failed: .*EADDRINUSE.*: port ${port} (is held by pid ${process.pid} |is in use).*port 0 picks a free one\\)\\n$`,
      ),
    );
  }
});

test('a UDP port in use: udp listen says so, advises, and exits 1 (could not listen)', async () => {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  leaks.defer(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const r = await run(['udp', 'listen', String(socket.address().port)]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /EADDRINUSE/);
  assert.ok(r.stderr.endsWith(ADVICE), r.stderr);
});

/** A TCP port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a refused connection: request and tcp connect say nothing listens there', async () => {
  const port = await closedPort();
  const advice = '\n  nothing listens there: is the server running, and on this port?\n';
  const request = await run(['request', `http://127.0.0.1:${port}/`]);
  assert.equal(request.code, 6);
  assert.ok(request.stderr.endsWith(advice), request.stderr);
  const tcp = await run(['tcp', 'connect', `127.0.0.1:${port}`]);
  assert.equal(tcp.code, 1);
  assert.ok(tcp.stderr.endsWith(advice), tcp.stderr);
});

test('bench that reached nothing says which address refused, and exits 1', async () => {
  const port = await closedPort();
  const r = await run(['bench', `127.0.0.1:${port}`, '-n', '3', '-c', '1', '-q']);
  assert.equal(r.code, 1);
  assert.ok(
    r.stderr.endsWith(
      `wirekit bench: no response: cannot connect to 127.0.0.1:${port} (is a server listening there?)\n`,
    ),
    r.stderr,
  );
});

test('a reader that goes away (| head -c 1) ends wirekit quietly, exit 141 as by SIGPIPE', async () => {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = `4000\r\n${'x'.repeat(0x4000)}\r\n`;
      const more = (): void => {
        while (!socket.destroyed && socket.write(chunk));
        if (!socket.destroyed) socket.once('drain', more);
      };
      more();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  leaks.defer(() => new Promise((resolve) => server.close(resolve)));
  const proc = wirekit(leaks, ['request', `http://127.0.0.1:${(server.address() as { port: number }).port}/`]);
  proc.child.stdout?.once('data', () => proc.child.stdout?.destroy());
  assert.equal(await proc.exited, 141, proc.stderr());
  assert.equal(proc.stderr(), '');
});
