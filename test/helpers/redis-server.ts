/**
 * A real redis-server for tests: started on a free loopback port in a temporary folder (no
 * persistence), stopped and started again on the same port (a Redis restart), and stopped for
 * good after the test. Needs the Debian package redis-server: required when CI=true, otherwise
 * the tests skip with one line.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LeakTracker } from './leaks.js';

function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = installed('redis-server');
if (!available && process.env.CI === 'true') throw new Error('CI needs redis-server (apt-get install redis-server)');

/** The skip reason of a test that needs redis-server, or false. */
export const needsRedis: string | false = available ? false : 'needs redis-server (Debian package redis-server)';

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Starts redis-server on a free port; it is stopped (and its folder removed) after the test. */
export async function startRedis(leaks: LeakTracker, host = '127.0.0.1'): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'wk-redis-'));
  const port = await freePort(host);
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    await waitFor(
      () => answers(host, port),
      'redis-server answers PING',
      20_000,
      () => child?.exitCode !== null,
    );
  };
  const stop = async (): Promise<void> => {
    const running = child;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  leaks.defer(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { port, url: `redis://${host}:${port}`, stop, start };
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, failed: () => boolean) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (failed()) throw new Error(`${what}: the process exited`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
