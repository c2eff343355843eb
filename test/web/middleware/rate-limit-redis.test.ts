/**
 * RATE_LIMIT_REDIS_SCRIPT, the Redis form of the rate limiter's store, run by a real redis-server
 * (through redis-cli, on a Unix socket in a temporary folder): it answers exactly what MemoryStore
 * answers for the same requests at the same times, keeps one hash per key that expires, and uses
 * Redis's own clock when no time is given. Needs redis-server and redis-cli (Debian: redis-server);
 * required when CI=true, skipped with a note elsewhere.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { MemoryStore, RATE_LIMIT_REDIS_SCRIPT, type RateLimitCounts } from '../../../src/web/middleware/index.js';
import { installed } from '../../helpers/runtime.js';

const run = promisify(execFile);
const MINUTE = 60_000;

const available = (await installed('redis-server')) && (await installed('redis-cli'));
if (!available && process.env.CI === 'true')
  throw new Error('CI needs redis-server and redis-cli (apt-get install redis-server)');
const skip = available ? false : 'needs redis-server and redis-cli (Debian package redis-server)';

describe('RATE_LIMIT_REDIS_SCRIPT on redis-server', { skip }, () => {
  let dir = '';
  let socket = '';
  let server: ChildProcess | undefined;
  let sha = '';

  const cli = async (...args: string[]) => (await run('redis-cli', ['-s', socket, ...args])).stdout.trim();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wk-redis-'));
    socket = join(dir, 'redis.sock');
    server = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const pong = await cli('ping').catch(() => '');
      if (pong === 'PONG') break;
      if (Date.now() > deadline || server.exitCode !== null) throw new Error('redis-server did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    sha = await cli('SCRIPT', 'LOAD', RATE_LIMIT_REDIS_SCRIPT);
  });

  after(async () => {
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the script once per (key, time) through one redis-cli, answers the counts. */
  async function evalAll(calls: readonly [string, number][]): Promise<RateLimitCounts[]> {
    const input = calls.map(([key, now]) => `EVALSHA ${sha} 1 ${key} ${MINUTE} ${now}`).join('\n');
    const child = execFile('redis-cli', ['-s', socket]);
    child.stdin?.end(`${input}\n`);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    await new Promise((resolve) => child.once('close', resolve));
    const numbers = out.trim().split('\n').map(Number);
    assert.equal(numbers.length, calls.length * 3, out.slice(0, 500));
    return calls.map((_, i) => ({
      current: numbers[3 * i] as number,
      previous: numbers[3 * i + 1] as number,
      elapsedMs: numbers[3 * i + 2] as number,
    }));
  }

  test('answers what MemoryStore answers, request for request (random histories, a clock stepping back)', async () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    let now = 1_700_000_000_000;
    const clock = { now };
    const memory = new MemoryStore({ now: () => clock.now });
    const calls: [string, number][] = [];
    const expected: RateLimitCounts[] = [];
    for (let i = 0; i < 400; i++) {
      // Mostly small steps, sometimes a jump of windows, once in a while a step back.
      const step = random(10) === 0 ? random(3 * MINUTE) : random(10) === 0 ? -random(5_000) : random(4_000);
      now += step;
      clock.now = now;
      const key = `rl:{k${random(4)}}`;
      calls.push([key, now]);
      expected.push(memory.count(key, MINUTE));
    }
    assert.deepEqual(await evalAll(calls), expected);
  });

  test('one hash per key, expiring two windows after its last request', async () => {
    await evalAll([['rl:{ttl}', 1_700_000_000_000]]);
    assert.equal(await cli('TYPE', 'rl:{ttl}'), 'hash');
    const ttl = Number(await cli('PTTL', 'rl:{ttl}'));
    assert.ok(ttl > MINUTE && ttl <= 2 * MINUTE, `PTTL ${ttl}`);
  });

  test("without a time it uses Redis's clock", async () => {
    const reply = (await cli('EVALSHA', sha, '1', 'rl:{clock}', String(MINUTE))).split('\n').map(Number);
    assert.equal(reply[0], 1);
    assert.equal(reply[1], 0);
    assert.ok((reply[2] as number) >= 0 && (reply[2] as number) < MINUTE, `elapsed ${reply[2]}`);
  });
});
