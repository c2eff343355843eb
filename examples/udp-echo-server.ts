/**
 * A UDP echo server: every datagram goes back to its sender.
 *
 *   PORT=7003 node dist/examples/udp-echo-server.js
 *   PORT=7003 node dist/examples/udp-echo-client.js ping
 */
import { bind } from '../src/net/index.js';

const port = Number(process.env.PORT ?? 7003);

const socket = await bind({ port });
console.log(`udp echo server listening on ${socket.address.address}:${socket.address.port}`);

const stop = (): void => {
  socket.close().then(() => console.log('udp echo server stopped'));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

// The loop ends when the socket is closed.
for await (const datagram of socket) await socket.send(datagram.data, datagram.port, datagram.address);
