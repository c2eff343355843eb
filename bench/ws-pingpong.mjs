// Drives a WebSocket echo server (the ws-echo contract): CONNS connections (default 10), each sending
// one SIZE-byte binary message (default 32) and waiting for its echo before the next, until N
// messages (default 10,000) have come back in total. Used by bench/instructions-per-message.sh.
// Usage: node bench/ws-pingpong.mjs PORT [N] [SIZE] [CONNS]
import WebSocket from 'ws';

const [port, n = '10000', size = '32', conns = '10'] = process.argv.slice(2);
const total = Number(n);
const payload = Buffer.alloc(Number(size), 0x61);
let done = 0;
let started = 0;
const sockets = await Promise.all(
  Array.from({ length: Number(conns) }, () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }),
);
await new Promise((resolve) => {
  for (const ws of sockets) {
    const send = () => {
      if (started >= total) return;
      started++;
      ws.send(payload);
    };
    ws.on('message', (data) => {
      if (data.length !== payload.length) throw new Error('bad echo');
      if (++done === total) resolve();
      else send();
    });
    send();
  }
});
for (const ws of sockets) ws.terminate();
