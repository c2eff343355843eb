/**
 * WriteBatch, the write batching the HTTP server and client share: held writes leave in one socket
 * write, strings in the batch's encoding, and `send()` reports the socket's backpressure even while it
 * collects (an upload that waits on false never outruns the peer).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from '../../src/net/index.js';
import { WriteBatch } from '../../src/net/write-batch.js';
import { trackLeaks } from '../helpers/leaks.js';
import { connectedPair } from './fixtures.js';

const leaks = trackLeaks();

/** Counts the writes that reach `conn`'s socket. */
function countWrites(conn: Connection): { readonly count: number } {
  const socket = conn.socket;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  const counter = { count: 0 };
  socket.write = ((...args: unknown[]) => {
    counter.count++;
    return write(...args);
  }) as typeof socket.write;
  return counter;
}

async function readAll(conn: Connection, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const chunk = await conn.read();
    if (chunk === null) break;
    chunks.push(Buffer.from(chunk));
    size += chunk.byteLength;
  }
  return Buffer.concat(chunks);
}

test('writes collected while held leave in one socket write when the last holder lets go', async () => {
  const { client, server } = await connectedPair(leaks);
  const writes = countWrites(client);
  const out = new WriteBatch(client);
  out.begin();
  out.begin();
  assert.equal(out.send('one '), true);
  out.send('two ');
  out.end();
  assert.equal(writes.count, 0, 'one holder is left');
  out.send('three');
  out.end();
  assert.equal(writes.count, 1);
  assert.equal((await readAll(server, 13)).toString(), 'one two three');
  out.send('!');
  assert.equal(writes.count, 2, 'not held: written at once');
  assert.equal((await readAll(server, 1)).toString(), '!');
});

test('strings are encoded as the batch says: latin1 writes one byte per character', async () => {
  const { client, server } = await connectedPair(leaks);
  const latin1 = new WriteBatch(client, 'latin1');
  latin1.begin();
  latin1.send('é');
  latin1.send(new Uint8Array([0x21]));
  latin1.end();
  assert.deepEqual([...(await readAll(server, 2))], [0xe9, 0x21]);
  new WriteBatch(client).send('é');
  assert.deepEqual([...(await readAll(server, 2))], [0xc3, 0xa9]);
});

test('a full batch leaves at once, and send() says false while the socket is over its high-water mark', async () => {
  const { client, server } = await connectedPair(leaks);
  const writes = countWrites(client);
  const out = new WriteBatch(client, 'latin1');
  out.begin();
  assert.equal(out.send('head\r\n'), true);
  assert.equal(out.send(new Uint8Array(64 * 1024)), false, 'written at once, over the high-water mark');
  assert.ok(writes.count >= 1);
  assert.equal(out.send('\r\n'), false, 'still held back while collecting');
  await out.drained();
  out.end();
  assert.equal((await readAll(server, 6 + 64 * 1024 + 2)).byteLength, 6 + 64 * 1024 + 2);
});
