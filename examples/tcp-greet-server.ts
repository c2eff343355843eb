/**
 * The tutorial's first TCP server: greet every client, then close the connection.
 *
 *   npm run build && PORT=7001 node dist/examples/tcp-greet-server.js
 *   node dist/examples/tcp-greet-client.js        # or: nc 127.0.0.1 7001
 *
 * In your own code, import from 'wirekit/net' instead of '../src/net/index.js'.
 */
import { listen } from '../src/net/index.js';

const port = Number(process.env.PORT ?? 7001);

const server = await listen({ port }, async (conn) => {
  // end(data) writes the greeting, then half-closes: the client reads it and then sees EOF.
  await conn.end('Hello from wirekit\n');
});
const stop = (): void => {
  server.close({ timeoutMs: 2000 }).then(() => console.log('greet server stopped'));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// Handlers first: whoever reads the line below may stop us at once.
console.log(`greet server listening on ${server.address.address}:${server.address.port}`);
