/**
 * A large file to a slow reader: the server (in a child process, so its memory is measured alone)
 * must stream with backpressure — its RSS stays flat while the client stalls and crawls — and send
 * exactly the file's bytes. The file is sparse (`truncate`) with markers written at known offsets,
 * so it costs no disk, and a SHA-256 over the whole body checks every byte.
 * WK_STATIC_BIG_MIB sets the size (default 256; 1024 runs the 1 GiB case).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type LeakTracker, trackLeaks } from '../../helpers/leaks.js';
import { sleep } from '../../helpers/wait.js';
import { download, tempDir } from './helpers.js';

const leaks = trackLeaks({ settleMs: 5000 });

const MIB = 1024 * 1024;
const SIZE = Number(process.env.WK_STATIC_BIG_MIB ?? 256) * MIB;
/**
 * Bound on the server's RSS growth: the file is 256 MiB or more, and a server that ignored the
 * client's backpressure would read all of it during the reader's stall. What a correct server grows
 * by is V8's heap and freed Buffers not yet returned: 35-40 MiB on Node 20, and on Node 24 53 or 68
 * MiB (it steps by one heap growth, run to run, in the same tree).
 */
const MAX_GROWTH = 96 * MIB;
const CHILD = fileURLToPath(new URL('./serve-child.js', import.meta.url));

/** A sparse file of `SIZE` bytes with a marker every 16 MiB; resolves with its SHA-256. */
async function bigFile(root: string): Promise<string> {
  const path = join(root, 'big.bin');
  const handle = await open(path, 'w');
  try {
    await handle.truncate(SIZE);
    for (let at = 12_345; at < SIZE - 64; at += 16 * MIB) await handle.write(`MARK@${at}`, at);
  } finally {
    await handle.close();
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Server {
  port: number;
  stats(): Promise<{ rss: number; fds: number }>;
}

/** Starts the server child on `root`; stopped (and awaited) by the tracker. */
async function startChild(tracker: LeakTracker, root: string): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, [CHILD, root], {
    env: { ...process.env, WK_STATIC_CHILD: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  tracker.defer(async () => {
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  });
  const lines: Interface = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  lines.on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  });
  const nextLine = () =>
    new Promise<string>((resolve) => {
      const line = queue.shift();
      if (line !== undefined) resolve(line);
      else waiters.push(resolve);
    });
  const { port } = JSON.parse(await nextLine()) as { port: number };
  return {
    port,
    async stats() {
      child.stdin?.write('stats\n');
      return JSON.parse(await nextLine()) as { rss: number; fds: number };
    },
  };
}

function request(port: number, target: string): Socket {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.write(`GET ${target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n`);
  return socket;
}

test('a large file to a slow reader: flat server memory, exact bytes', { timeout: 180_000 }, async (t) => {
  const root = await tempDir(leaks);
  const expectedSha = await bigFile(root);
  const server = await startChild(leaks, root);
  const baseline = (await server.stats()).rss;
  let peak = baseline;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      peak = Math.max(peak, (await server.stats()).rss);
      await sleep(50);
    }
  })();
  let stalled = false;
  let lastCrawl = 0;
  const result = await download(request(server.port, '/big.bin'), async (bytes) => {
    if (!stalled && bytes >= 8 * MIB) {
      // Stop reading for a while: the server must wait for drain, not buffer the file.
      stalled = true;
      await sleep(1500);
    } else if (bytes - lastCrawl >= 2 * MIB) {
      lastCrawl = bytes;
      await sleep(5);
    }
  });
  done = true;
  await sampler;
  assert.match(result.head, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(result.head, new RegExp(`\r\ncontent-length: ${SIZE}\r\n`, 'i'));
  assert.doesNotMatch(result.head, /transfer-encoding/i);
  assert.equal(result.bytes, SIZE);
  assert.equal(result.sha256, expectedSha);
  const growth = peak - baseline;
  t.diagnostic(
    `server RSS ${(baseline / MIB).toFixed(1)} MiB → peak ${(peak / MIB).toFixed(1)} MiB for ${SIZE / MIB} MiB`,
  );
  assert.ok(growth < MAX_GROWTH, `server RSS grew by ${(growth / MIB).toFixed(1)} MiB serving ${SIZE / MIB} MiB`);
});

test('a client that goes away mid-file, a HEAD and a 304 leave no file descriptor open', {
  timeout: 60_000,
}, async () => {
  const root = await tempDir(leaks);
  await bigFile(root);
  const server = await startChild(leaks, root);
  // A first request warms up what the server keeps open for good (none of it per request).
  await download(request(server.port, '/nothing'), async () => {});
  // The warm-up connection closes on the server a moment after the client saw its end.
  const before = await settledFds(server);
  const socket = request(server.port, '/big.bin');
  await download(socket, async (bytes) => {
    if (bytes >= 4 * MIB) socket.destroy();
  }).catch(() => {});
  const head = connect({ port: server.port, host: '127.0.0.1' });
  head.write('HEAD /big.bin HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n');
  const headResult = await download(head, async () => {});
  assert.match(headResult.head, new RegExp(`content-length: ${SIZE}`, 'i'));
  assert.equal(headResult.bytes, 0);
  let fds = (await server.stats()).fds;
  for (let i = 0; i < 100 && fds > before; i++) {
    await sleep(20);
    fds = (await server.stats()).fds;
  }
  assert.ok(fds <= before, `file handles and sockets of finished requests are closed: ${fds} open, ${before} before`);
});

/** The server's open descriptor count once it has stopped changing (three equal samples in a row). */
async function settledFds(server: Server): Promise<number> {
  let last = (await server.stats()).fds;
  for (let same = 0, i = 0; same < 3 && i < 100; i++) {
    await sleep(30);
    const fds = (await server.stats()).fds;
    same = fds === last ? same + 1 : 0;
    last = fds;
  }
  return last;
}
