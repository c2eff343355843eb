// Server RSS per idle WebSocket. Starts each server (the ws-echo contract, `NAME=COMMAND`), opens
// WARM connections, then N more; each upgrades, exchanges one message and stays idle. Prints the RSS
// growth per connection over the N: the slope of RSS (read from /proc) over four steps. Clients are raw sockets in
// this process, so the server's memory is all that is measured.
// Needs a high `ulimit -n` (run with `bash -c 'ulimit -n 65536; node bench/ws-idle-mem.mjs …'`).
// Usage: node bench/ws-idle-mem.mjs [--conns 5000] [--warm 1000] [--deflate none|context|no-context] NAME=COMMAND ...
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { deflateRawSync } from 'node:zlib';
import { waitForPort } from './wait-for-port.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const conns = Number(option('conns', '5000'));
const deflate = option('deflate', 'none');
const WARM = Number(option('warm', '1000'));
const STEPS = 4;
const OFFERS = {
  none: '',
  context: 'Sec-WebSocket-Extensions: permessage-deflate\r\n',
  'no-context':
    'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n',
};
const message = Buffer.from('{"type":"hello","payload":"an idle client says hello once, then waits"}'.repeat(4));

function clientFrame() {
  const compressed = deflate !== 'none';
  const payload = compressed ? deflateRawSync(message, { finishFlush: 2 }).subarray(0, -4) : message;
  const key = Buffer.from([1, 2, 3, 4]);
  const length = payload.length < 126 ? [payload.length] : [126, payload.length >> 8, payload.length & 0xff];
  const head = Buffer.from([compressed ? 0xc2 : 0x82, 0x80 | length[0], ...length.slice(1), ...key]);
  return Buffer.concat([head, Buffer.from(payload.map((b, i) => b ^ key[i % 4]))]);
}

function openOne(port, sockets) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let seen = Buffer.alloc(0);
    let upgraded = false;
    socket.on('connect', () =>
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${OFFERS[deflate]}\r\n`,
      ),
    );
    socket.on('data', (chunk) => {
      seen = Buffer.concat([seen, chunk]);
      if (!upgraded) {
        const end = seen.indexOf('\r\n\r\n');
        if (end === -1) return;
        if (!seen.subarray(0, 12).toString().includes('101')) return reject(new Error(seen.toString()));
        upgraded = true;
        seen = seen.subarray(end + 4);
        socket.write(clientFrame());
      }
      if (seen.length >= 2) {
        if ((seen[0] & 0x0f) === 0x8) return reject(new Error(`closed by the server: ${seen.readUInt16BE(2)}`));
        socket.removeAllListeners('data');
        socket.on('data', () => {});
        sockets.push(socket);
        resolve();
      }
    });
    socket.on('error', reject);
  });
}

async function openMany(port, count, sockets) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await openOne(port, sockets);
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
}

const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;

console.log(`| server | deflate offer | RSS per idle WebSocket (KiB, over ${conns}) |\n|---|---|---:|`);
for (const [i, spec] of args.entries()) {
  const k = spec.indexOf('=');
  const name = spec.slice(0, k);
  const [cmd, ...cmdArgs] = spec.slice(k + 1).split(' ');
  const port = 19700 + i;
  const server = spawn(cmd, cmdArgs, {
    env: { ...process.env, PORT: String(port), WS_DEFLATE: deflate === 'none' ? '0' : '1' },
    stdio: 'ignore',
  });
  await waitForPort(port, 100);
  const sockets = [];
  await openMany(port, WARM, sockets);
  await sleep(3000);
  // RSS after each of STEPS steps; the slope of the least-squares line is the cost of one connection
  // (a single before/after difference moves with where the allocator and V8's heap growth happen to be).
  const points = [[0, rss(server.pid)]];
  for (let step = 1; step <= STEPS; step++) {
    await openMany(port, conns / STEPS, sockets);
    await sleep(4000);
    points.push([(step * conns) / STEPS, rss(server.pid)]);
  }
  const mean = (f) => points.reduce((sum, p) => sum + f(p), 0) / points.length;
  const mx = mean((p) => p[0]);
  const my = mean((p) => p[1]);
  const slope =
    points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  console.log(`| ${name} | ${deflate} | ${(slope / 1024).toFixed(2)} |`);
  for (const s of sockets) s.destroy();
  server.kill('SIGKILL');
}
