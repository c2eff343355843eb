// Fan-out: one publish to SUBS subscribers. Starts each server (NAME=COMMAND; the server reads PORT,
// subscribes every connection to `/`, and sends each message that arrives on `/control` to all of
// them: bench/ws-fanout-server.ts for wirekit, bench/ws-fanout-ws.mjs for `ws`), opens SUBS raw-socket
// subscribers and one control client, then publishes SIZE-byte binary messages, at most WINDOW
// outstanding: a publish counts as done when every subscriber has received its frame. Prints server
// CPU (user + system, /proc) per publish and publishes per second, median over ROUNDS rounds in which
// the servers alternate. The server runs on CPU 1 and this driver on CPU 0 (taskset) when there are two.
// Bounded: WARMUP + N publishes per round, and every round fails after --timeout-ms.
// Usage: node bench/ws-fanout.mjs [--subs 1000] [--n 2000] [--warmup 500] [--size 32] [--window 1]
//        [--rounds 3] [--timeout-ms 120000] NAME=COMMAND ...
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForPort } from './wait-for-port.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return Number(value);
};
const SUBS = option('subs', 1000);
const N = option('n', 2000);
const WARMUP = option('warmup', 500);
const SIZE = option('size', 32);
const WINDOW = option('window', 1);
const ROUNDS = option('rounds', 3);
const TIMEOUT_MS = option('timeout-ms', 120_000);
const pinned = os.availableParallelism() >= 2;
if (pinned) execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });

const HEAD =
  'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13';
/** [user, system] CPU seconds of a process (utime, stime: ticks of 10 ms, CLK_TCK 100). */
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return [Number(fields[11]) / 100, Number(fields[12]) / 100];
};

/** Counts the binary frames a subscriber receives; other frames (pings) are skipped. */
class Subscriber {
  pending = Buffer.alloc(0);
  constructor(socket, onFrame) {
    this.socket = socket;
    this.onFrame = onFrame;
  }
  push(chunk) {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (buf.length < 2) break;
      let len = buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) break;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) break;
        len = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      if (buf.length < at + len) break;
      if ((buf[0] & 0x0f) === 0x2) this.onFrame();
      buf = buf.subarray(at + len);
    }
    this.pending = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
  }
}

function connect(port, path) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let seen = Buffer.alloc(0);
    const onData = (chunk) => {
      seen = Buffer.concat([seen, chunk]);
      const end = seen.indexOf('\r\n\r\n');
      if (end === -1) return;
      if (!seen.subarray(0, 12).toString().includes('101')) return reject(new Error(seen.toString()));
      socket.off('data', onData);
      resolve({ socket, rest: seen.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${HEAD}\r\n\r\n`));
    socket.on('error', reject);
  });
}

function maskedFrame(payload) {
  const key = Buffer.from([1, 2, 3, 4]);
  const n = payload.length;
  const len = n < 126 ? [n] : [126, n >> 8, n & 0xff];
  const head = Buffer.from([0x82, 0x80 | len[0], ...len.slice(1), ...key]);
  return Buffer.concat([head, Buffer.from(payload.map((b, i) => b ^ key[i % 4]))]);
}

async function measure(spec, port) {
  const k = spec.indexOf('=');
  const [cmd, ...cmdArgs] = spec.slice(k + 1).split(' ');
  const server = spawn(pinned ? 'taskset' : cmd, pinned ? ['-c', '1', cmd, ...cmdArgs] : cmdArgs, {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: 'ignore',
  });
  const deadline = setTimeout(() => {
    server.kill('SIGKILL');
    console.error(`${spec}: over ${TIMEOUT_MS} ms`);
    process.exit(1);
  }, TIMEOUT_MS);
  try {
    if (!(await waitForPort(port))) throw new Error(`nothing listens on ${port}`);
    // Every binary frame a subscriber receives calls onFrame; a run tops its window up as publishes complete.
    let onFrame = () => {};
    const subscribers = [];
    for (let opened = 0; opened < SUBS; ) {
      const batch = Math.min(100, SUBS - opened);
      const made = await Promise.all(Array.from({ length: batch }, () => connect(port, '/')));
      for (const { socket, rest } of made) {
        const sub = new Subscriber(socket, () => onFrame());
        socket.on('data', (chunk) => sub.push(chunk));
        if (rest.length > 0) sub.push(rest);
        subscribers.push(sub);
      }
      opened += batch;
    }
    const control = (await connect(port, '/control')).socket;
    control.on('data', () => {});
    const frame = maskedFrame(Buffer.alloc(SIZE, 0x61));
    await sleep(500); // the last subscriptions settle
    // Publishes `count`, at most WINDOW outstanding; resolves when every subscriber has all of them.
    const run = (count) =>
      new Promise((resolve) => {
        let received = 0;
        let sent = 0;
        const top = () => {
          const done = Math.floor(received / SUBS);
          while (sent < count && sent - done < WINDOW) {
            control.write(frame);
            sent++;
          }
        };
        onFrame = () => {
          if (++received % SUBS !== 0) return;
          if (received === count * SUBS) resolve();
          else top();
        };
        top();
      });
    await run(WARMUP);
    const cpu0 = cpuSeconds(server.pid);
    const t0 = process.hrtime.bigint();
    await run(N);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu1 = cpuSeconds(server.pid);
    const user = cpu1[0] - cpu0[0];
    const system = cpu1[1] - cpu0[1];
    for (const sub of subscribers) sub.socket.destroy();
    control.destroy();
    return {
      cpuUsPerPublish: ((user + system) / N) * 1e6,
      userUsPerPublish: (user / N) * 1e6,
      publishesPerSecond: N / seconds,
    };
  } finally {
    clearTimeout(deadline);
    server.kill('SIGKILL');
    await new Promise((r) => (server.exitCode === null ? server.once('exit', r) : r()));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = new Map(args.map((spec) => [spec.slice(0, spec.indexOf('=')), []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, spec] of args.entries()) {
    const r = await measure(spec, 19800 + i + 10 * round);
    results.get(spec.slice(0, spec.indexOf('='))).push(r);
    console.error(
      `round ${round + 1} ${spec.slice(0, spec.indexOf('='))}: ${r.cpuUsPerPublish.toFixed(0)} µs CPU/publish ` +
        `(user ${r.userUsPerPublish.toFixed(0)}), ${r.publishesPerSecond.toFixed(0)} publishes/s`,
    );
  }
}
console.log(
  `| server | server CPU per publish to ${SUBS} (µs, median of ${ROUNDS}; all rounds) | of which user (µs) | publishes/s (median) |\n|---|---:|---:|---:|`,
);
for (const [name, rs] of results) {
  const cpu = rs.map((r) => r.cpuUsPerPublish);
  console.log(
    `| ${name} | ${median(cpu).toFixed(0)} (${cpu.map((c) => c.toFixed(0)).join(', ')}) | ${median(rs.map((r) => r.userUsPerPublish)).toFixed(0)} | ${median(rs.map((r) => r.publishesPerSecond)).toFixed(0)} |`,
  );
}
