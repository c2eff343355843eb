/**
 * A line-based TCP echo server: every line a client sends comes back.
 *
 *   PORT=7002 node dist/examples/tcp-echo-server.js
 *   PORT=7002 node dist/examples/tcp-echo-client.js hello world    # or: nc 127.0.0.1 7002
 */
import { lines, listen, writeLine } from '../src/net/index.js';

const port = Number(process.env.PORT ?? 7002);

const server = await listen({ port, idleTimeoutMs: 5 * 60_000 }, async (conn) => {
  // lines() ends when the client ends; a line over 64 KiB throws instead of filling memory.
  for await (const line of lines(conn)) await writeLine(conn, line);
});
const stop = (): void => {
  server.close({ timeoutMs: 2000 }).then(() => console.log('echo server stopped'));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// Handlers first: whoever reads the line below may stop us at once.
console.log(`echo server listening on ${server.address.address}:${server.address.port}`);
