/**
 * What `npm start` runs until the web layer lands: a line-based TCP echo server on
 * 127.0.0.1:7000 (PORT overrides; PORT=0 picks a free port) that says how to talk to it and
 * stops gracefully on Ctrl+C (SIGINT) or SIGTERM.
 */
import { lines, listen, writeLine } from '../src/net/index.js';

const port = Number(process.env.PORT ?? 7000);

const server = await listen({ host: '127.0.0.1', port, idleTimeoutMs: 5 * 60_000 }, async (conn) => {
  for await (const line of lines(conn)) await writeLine(conn, line);
});
const { address, port: bound } = server.address;

console.log(`wirekit demo: a line-based TCP echo server listening on ${address}:${bound}`);
console.log('Talk to it (every line you send comes back):');
console.log(`  nc ${address} ${bound}`);
console.log(`  PORT=${bound} node dist/examples/tcp-echo-client.js hello wirekit`);
console.log('Press Ctrl+C to stop.');

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing (open connections get 2 s to finish)`);
  server.close({ timeoutMs: 2000 }).then(() => console.log('stopped'));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
