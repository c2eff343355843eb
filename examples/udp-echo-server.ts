/**
 * A UDP echo server: every datagram goes back to its sender.
 *
 *   PORT=7003 node dist/examples/udp-echo-server.js
 *   PORT=7003 node dist/examples/udp-echo-client.js ping
 */
import { bind } from '../src/net/index.js';

const port = Number(process.env.PORT ?? 7003);

const socket = await bind({ port });
const stop = (): void => {
  socket.close().then(() => console.log('udp echo server stopped'));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// Handlers first: whoever reads the line below may stop us at once.
console.log(`udp echo server listening on ${socket.address.address}:${socket.address.port}`);

// The loop ends when the socket is closed.
for await (const datagram of socket) await socket.send(datagram.data, datagram.port, datagram.address);
