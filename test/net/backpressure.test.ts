/**
 * Memory stays bounded both ways: a writer facing a peer that does not read is held back by
 * write()'s promise, and a connection nobody reads pauses its socket at the high-water mark.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from '../../src/net/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, sleep, stillPending } from '../helpers/wait.js';
import { connectedPair } from './fixtures.js';

const leaks = trackLeaks();

const CHUNK = 64 * 1024;
const GIVE_UP_BYTES = 512 * 1024 * 1024; // far beyond any loopback socket buffer
const HIGH_WATER = 16 * 1024;

/** A connected pair whose server side nobody reads (the handler returns at once). */
function lazyServer() {
  return connectedPair(leaks, { readHighWaterBytes: HIGH_WATER });
}

/** Writes until one write() stays pending; returns the bytes written before it and that write. */
async function writeUntilBlocked(conn: Connection): Promise<{ written: number; blocked: Promise<void> }> {
  const chunk = new Uint8Array(CHUNK).fill(7);
  let written = 0;
  while (written < GIVE_UP_BYTES) {
    const write = conn.write(chunk);
    // "Pending for a second" under load can also mean "slow"; the checks below do not depend on
    // where exactly the loop stopped, only on it stopping long before GIVE_UP_BYTES.
    if (await stillPending(write, 1000)) return { written, blocked: write };
    written += CHUNK;
  }
  assert.fail(`wrote ${written} bytes to a peer that never reads without write() ever waiting`);
}

test('a peer that never reads: write() stays pending and buffers stay bounded; reading unblocks it', async () => {
  const { client, server } = await lazyServer();
  const { written, blocked } = await writeUntilBlocked(client);
  assert.ok(await stillPending(blocked, 200), 'still pending');
  // Our side holds at most the socket's write high-water mark plus the chunk in flight.
  assert.ok(
    client.socket.writableLength <= client.socket.writableHighWaterMark + CHUNK,
    `writableLength ${client.socket.writableLength}`,
  );
  // The reader side holds at most its high-water mark plus one chunk, and its socket is paused.
  assert.ok(server.bufferedBytes <= HIGH_WATER + CHUNK, `server buffered ${server.bufferedBytes}`);
  assert.equal(server.socket.isPaused(), true);

  // Now read everything: the blocked write completes and every byte arrives.
  let received = 0;
  const reading = (async () => {
    for await (const chunk of server) received += chunk.byteLength;
  })();
  await blocked;
  await client.end();
  await reading;
  assert.equal(received, written + CHUNK);
});

test('a flood nobody reads pauses the socket at readHighWaterBytes (plus one chunk)', async () => {
  const { client, server } = await lazyServer();
  const flood = new Uint8Array(CHUNK);
  let stop = false;
  const writer = (async () => {
    while (!stop) await client.write(flood).catch(() => (stop = true));
  })();
  await eventually(() => server.socket.isPaused(), 'the reader paused its socket');
  for (let i = 0; i < 20; i++) {
    assert.ok(server.bufferedBytes <= HIGH_WATER + CHUNK, `buffered ${server.bufferedBytes}`);
    await sleep(10);
  }
  assert.ok(server.bytesRead < 64 * 1024 * 1024, 'the kernel, not our process, holds the rest');
  stop = true;
  server.destroy();
  await writer;
});
