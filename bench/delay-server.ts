/**
 * A server that answers every request `DELAY_MS` after it arrived (default 50): the stand-in for a
 * latency-injecting proxy in `bench/loadgen.sh rate`, until `wirekit proxy --latency` lands. Like
 * the harness's raw-net it counts `\r\n\r\n` and writes a canned keep-alive response (GET only), so
 * its own latency is a few tens of microseconds and the injected delay is what a client measures.
 *
 *   PORT=18970 DELAY_MS=50 node dist/bench/delay-server.js
 */
import { createServer } from 'node:net';

const PORT = Number(process.env.PORT ?? 18970);
const DELAY_MS = Number(process.env.DELAY_MS ?? 50);
const TERMINATOR = Buffer.from('\r\n\r\n');
const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!');

const server = createServer({ noDelay: true }, (socket) => {
  let carry = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    const data = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    let requests = 0;
    let pos = 0;
    for (let i = data.indexOf(TERMINATOR); i !== -1; i = data.indexOf(TERMINATOR, pos)) {
      requests++;
      pos = i + 4;
    }
    carry = Buffer.from(data.subarray(pos));
    if (carry.length > 64 * 1024) socket.destroy(); // no head is that large: not a client of ours
    if (requests === 0) return;
    setTimeout(() => {
      if (!socket.destroyed) socket.write(requests === 1 ? RESPONSE : Buffer.concat(Array(requests).fill(RESPONSE)));
    }, DELAY_MS);
  });
  socket.on('error', () => {});
});
server.listen(PORT, '127.0.0.1', () =>
  process.stderr.write(`delay-server (${DELAY_MS} ms) on http://127.0.0.1:${PORT}\n`),
);
