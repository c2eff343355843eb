/**
 * Every socket example runs: each server starts on a free port (PORT=0), its client talks to it
 * and prints what the tutorial says it prints, and the server stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, lines, writeLine } from '../../src/net/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { runExample, startExample, stopExample } from './run.js';

const leaks = trackLeaks();

/** Starts a server example on a free port and returns it with the port it printed. */
async function startServer(name: string, banner: RegExp) {
  const server = startExample(name, { PORT: '0' });
  leaks.defer(() => stopExample(server, 'SIGKILL'));
  const match = await server.waitFor(banner);
  return { server, port: match[1] as string };
}

test('tcp-greet-server greets and closes; tcp-greet-client prints the greeting', async () => {
  const { server, port } = await startServer('tcp-greet-server', /listening on 127\.0\.0\.1:(\d+)/);
  const client = await runExample('tcp-greet-client', { PORT: port });
  assert.equal(client.code, 0, client.output);
  assert.equal(client.stdout.trim(), 'Hello from wirekit');
  assert.equal(await stopExample(server), 0, server.output());
  assert.match(server.output(), /greet server stopped/);
});

test('tcp-echo-server echoes lines; tcp-echo-client prints the echoes', async () => {
  const { server, port } = await startServer('tcp-echo-server', /listening on 127\.0\.0\.1:(\d+)/);
  const client = await runExample('tcp-echo-client', { PORT: port }, ['hello', 'wire kit', '']);
  assert.equal(client.code, 0, client.output);
  assert.equal(client.stdout, 'hello\nwire kit\n\n');
  assert.equal(await stopExample(server), 0, server.output());
});

test('tcp-echo-server stops gracefully on SIGINT (Ctrl-C), ending an open idle connection', async () => {
  const { server, port } = await startServer('tcp-echo-server', /listening on 127\.0\.0\.1:(\d+)/);
  const conn = await connect({ port: Number(port) });
  leaks.defer(() => conn.close({ timeoutMs: 0 }));
  const replies = lines(conn);
  await writeLine(conn, 'is anybody there?');
  assert.equal((await replies.next()).value, 'is anybody there?');
  // An open, idle connection is ended by the graceful stop rather than holding it up.
  assert.equal(await stopExample(server, 'SIGINT'), 0, server.output());
  assert.match(server.output(), /echo server stopped/);
  assert.equal((await replies.next()).done, true, 'our connection was ended cleanly');
});

test('udp-echo-server echoes datagrams; udp-echo-client prints the replies', async () => {
  const { server, port } = await startServer('udp-echo-server', /listening on 127\.0\.0\.1:(\d+)/);
  const client = await runExample('udp-echo-client', { PORT: port }, ['ping', 'pong']);
  assert.equal(client.code, 0, client.output);
  assert.equal(client.stdout, 'ping\npong\n');
  assert.equal(await stopExample(server), 0, server.output());
  assert.match(server.output(), /udp echo server stopped/);
});
