/** Push mode (receive / pause / resume), the hot path the HTTP server uses. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, sleep } from '../helpers/wait.js';
import { connectedPair, pattern } from './fixtures.js';

const leaks = trackLeaks();

// allowHalfOpen: these tests end the server side themselves, after the client's EOF.
const pair = () => connectedPair(leaks, { allowHalfOpen: true });

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
