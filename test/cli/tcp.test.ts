/**
 * `wirekit tcp` in process (an injected CliIo): hex dumps, line framing, --keep-open serving
 * connections one at a time, TLS, and every exit code (refused, usage, timeout, reset, TLS).
 */
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { connect } from '../../src/net/connect.js';
import type { Connection } from '../../src/net/connection.js';
import { listen } from '../../src/net/tcp-server.js';
import { trackLeaks } from '../helpers/leaks.js';
import { readAll, until } from '../tools/helpers.js';

const leaks = trackLeaks();

interface Running {
  stdin: PassThrough;
  stdout: () => string;
  stderr: () => string;
  stop: () => void;
  code: Promise<number>;
}

function run(args: string[]): Running {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (into: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        into.push(Buffer.from(chunk));
        callback();
      },
    });
  const stdin = new PassThrough();
  let stop: () => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    stop = () => resolve('SIGINT');
  });
  const io: CliIo = {
    stdout: sink(out),
    stderr: sink(err),
    stdin,
    env: {},
    cwd: '/',
    stopped: () => stopped,
    warnings: () => () => {},
  };
  const code = main(['tcp', ...args], io);
  return {
    stdin,
    stdout: () => Buffer.concat(out).toString(),
    stderr: () => Buffer.concat(err).toString(),
    stop,
    code,
  };
}

async function server(handler: (conn: Connection) => void | Promise<void>): Promise<number> {
  const s = await listen({ port: 0, allowHalfOpen: true, onError: () => {} }, handler);
  leaks.defer(() => s.close({ timeoutMs: 0 }));
  return s.address.port;
}

test('--hex dumps each direction on stderr with offsets; stdout stays the data', async () => {
  const port = await server(async (conn) => {
    await conn.write('hello\n');
    await readAll(conn);
    await conn.end();
  });
  const nc = run(['connect', `127.0.0.1:${port}`, '--hex']);
  nc.stdin.end('0123456789abcdefXYZ');
  assert.equal(await nc.code, 0);
  assert.equal(nc.stdout(), 'hello\n');
  const dump = nc.stderr().split('\n');
  assert.ok(dump.includes('< 00000000  68 65 6c 6c 6f 0a                                 |hello.|'), nc.stderr());
  assert.ok(dump.includes('> 00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|'));
  assert.ok(dump.includes('> 00000010  58 59 5a                                          |XYZ|'));
});

test('--lines --crlf sends CRLF lines (the last one too) and prints whole lines', async () => {
  let received = '';
  const port = await server(async (conn) => {
    received = (await readAll(conn)).toString();
    await conn.end('a\nb');
  });
  const nc = run(['connect', `127.0.0.1:${port}`, '--lines', '--crlf']);
  nc.stdin.end('x\ny');
  assert.equal(await nc.code, 0);
  assert.equal(received, 'x\r\ny\r\n');
  assert.equal(nc.stdout(), 'a\nb\n');
});

test('listen --keep-open serves connections one at a time until stopped', async () => {
  const nc = run(['listen', '0', '-v', '--keep-open']);
  await until(() => /Listening on/.test(nc.stderr()), 'the listening line');
  const port = Number(/:(\d+)/.exec(nc.stderr())?.[1]);
  const first = await connect({ port });
  leaks.defer(() => first.destroy());
  const second = await connect({ port });
  leaks.defer(() => second.destroy());
  await second.end('second\n');
  await first.write('first\n');
  await until(() => nc.stdout() === 'first\n', 'the first connection only to be served');
  await first.end();
  await until(() => nc.stdout() === 'first\nsecond\n', 'the second connection after the first');
  nc.stop();
  assert.equal(await nc.code, 0);
});

test('exit 1 when refused, 2 on a usage error', async () => {
  const port = await server(() => {});
  const refused = run(['connect', '127.0.0.1:1']);
  assert.equal(await refused.code, 1);
  assert.match(refused.stderr(), /ECONNREFUSED/);
  assert.equal(await run(['connect', `127.0.0.1`]).code, 2);
  assert.equal(await run(['dial', `127.0.0.1:${port}`]).code, 2);
  assert.equal(await run(['connect', `127.0.0.1:${port}`, '--timeout', 'soon']).code, 2);
});

test('exit 3 when idle past --timeout, and when no connection comes', async () => {
  const port = await server(() => {});
  const started = performance.now();
  const idle = run(['connect', `127.0.0.1:${port}`, '--timeout', '300ms']);
  assert.equal(await idle.code, 3);
  assert.ok(performance.now() - started >= 299);
  assert.match(idle.stderr(), /no activity for 300 ms/);
  const lonely = run(['listen', '0', '--timeout', '200ms']);
  assert.equal(await lonely.code, 3);
  assert.match(lonely.stderr(), /no connection within 200 ms/);
});

test('exit 4 when the peer resets the connection', async () => {
  const port = await server(async (conn) => {
    await conn.read();
    conn.socket.resetAndDestroy();
  });
  const nc = run(['connect', `127.0.0.1:${port}`]);
  nc.stdin.write('trigger');
  assert.equal(await nc.code, 4);
  assert.match(nc.stderr(), /reset/);
});

test('exit 5 when the TLS handshake fails', async () => {
  const port = await server(async (conn) => {
    await conn.read();
    await conn.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  });
  const nc = run(['connect', `127.0.0.1:${port}`, '--tls', '--timeout', '5s']);
  assert.equal(await nc.code, 5);
  assert.match(nc.stderr(), /TLS handshake failed/);
});
