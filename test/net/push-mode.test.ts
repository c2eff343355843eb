/** Push mode (receive / pause / resume), the hot path the HTTP server uses. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Connection, connect, listen } from '../../src/net/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, pattern, sleep } from './fixtures.js';

const leaks = trackLeaks();

async function pair(): Promise<{ client: Connection; server: Connection }> {
  let serverSide: Connection | undefined;
  const server = await listen({ port: 0, allowHalfOpen: true }, (conn) => {
    serverSide = conn;
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const client = await connect({ port: server.address.port });
  leaks.defer(() => client.close({ timeoutMs: 0 }));
  await eventually(() => serverSide !== undefined, 'accepted');
  return { client, server: serverSide as Connection };
}

test('every byte arrives in order through onData, then onEnd; pause() stops delivery and the socket', async () => {
  const { client, server } = await pair();
  const payload = pattern(4 * 1024 * 1024);
  const received: Uint8Array[] = [];
  let ended = false;
  let pausedOnce = false;
  server.receive({
    onData: (chunk) => {
      received.push(chunk);
      if (!pausedOnce) {
        pausedOnce = true;
        server.pause();
      }
    },
    onEnd: () => {
      ended = true;
    },
  });
  const sending = client.write(payload).then(() => client.end());
  await eventually(() => pausedOnce, 'first chunk');
  assert.equal(server.socket.isPaused(), true, 'pause() pauses the socket');
  const countWhilePaused = received.length;
  await sleep(30);
  assert.equal(received.length, countWhilePaused, 'nothing delivered while paused');
  server.resume();
  await sending;
  await eventually(() => ended, 'onEnd');
  assert.ok(Buffer.concat(received).equals(Buffer.from(payload)));
  await server.end();
});

test('bytes buffered before receive() are delivered first; pull reads are then refused', async () => {
  const { client, server } = await pair();
  await client.write('early');
  await eventually(() => server.bufferedBytes === 5, 'buffered');
  const seen: string[] = [];
  server.receive({ onData: (chunk) => seen.push(new TextDecoder().decode(chunk)), onEnd: () => seen.push('<end>') });
  await assert.rejects(server.read(), { code: 'WK_ERR_READ_BUSY' });
  await client.end('late');
  await eventually(() => seen.at(-1) === '<end>', 'onEnd');
  assert.equal(seen.join(''), 'earlylate<end>');
  await server.end();
});

test('onError reports a failure of the connection in push mode', async () => {
  const { server } = await pair();
  const errors: Error[] = [];
  server.receive({ onData: () => {}, onEnd: () => {}, onError: (error) => errors.push(error) });
  server.destroy(new Error('engine gave up'));
  await eventually(() => errors.length === 1, 'onError');
  assert.equal((errors[0] as Error & { cause: Error }).cause.message, 'engine gave up');
});
