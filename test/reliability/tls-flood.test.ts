/**
 * A flood of stalled TLS handshakes (hundreds of connections that send the start of a ClientHello
 * and nothing more) does not keep an honest client out: over the cap, the oldest stalled
 * handshakes are dropped; under it, the timeout clears them. Bounded: 300 connections, deadlines.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { before, test } from 'node:test';
import { Response, serve } from '../../src/http/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { RawClient } from '../helpers/raw-client.js';
import { type TestPki, testPki } from '../helpers/tls-certs.js';
import { eventually } from '../helpers/wait.js';

const leaks = trackLeaks();
let pki: TestPki;
const FLOOD = 300;

before(async () => {
  pki = await testPki();
});

/** Opens `n` connections that each send a partial ClientHello record header and then stall. */
async function stall(port: number, n: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  leaks.defer(() => {
    for (const socket of sockets) socket.destroy();
  });
  for (let i = 0; i < n; i++) {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('error', () => {});
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
    sockets.push(socket);
    // A pause every 50 connections keeps the kernel's accept queue from overflowing under load.
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  return sockets;
}

async function honestRequest(port: number): Promise<number | undefined> {
  const client = await RawClient.connectTls(port, { ca: pki.ca.cert, servername: 'localhost' });
  leaks.defer(() => client.destroy());
  await client.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  const [response] = await client.read(1);
  return response?.status;
}

test('over maxConcurrentHandshakes, stalled handshakes are dropped oldest first and a real client is served', async () => {
  const server = await serve(() => Response.text('still here'), {
    tls: { key: pki.server.key, cert: pki.server.cert, maxConcurrentHandshakes: 64, handshakeTimeoutMs: 60_000 },
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const port = server.address.port;
  const sockets = await stall(port, FLOOD);
  await eventually(() => (server.tlsStats?.dropped ?? 0) + (server.tlsStats?.inProgress ?? 0) >= FLOOD, 'all accepted');
  assert.equal(server.tlsStats?.inProgress, 64);
  assert.equal(await honestRequest(port), 200);
  // The server closed what it dropped: the first sockets of the flood see their end.
  await eventually(
    () => sockets.slice(0, FLOOD - 64).every((s) => s.readableEnded || s.destroyed),
    'dropped sockets closed',
  );
  assert.ok((server.tlsStats?.dropped ?? 0) >= FLOOD - 64);
});

test('under the cap, the handshake timeout clears a flood and a real client is served meanwhile', async () => {
  const server = await serve(() => Response.text('still here'), {
    tls: { key: pki.server.key, cert: pki.server.cert, handshakeTimeoutMs: 1_000 },
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const port = server.address.port;
  await stall(port, FLOOD);
  await eventually(
    () => (server.tlsStats?.inProgress ?? 0) + (server.tlsStats?.timedOut ?? 0) >= FLOOD,
    'all accepted',
  );
  assert.equal(await honestRequest(port), 200);
  await eventually(() => server.tlsStats?.timedOut === FLOOD, 'every stalled handshake timed out', 30_000);
  assert.equal(server.tlsStats?.inProgress, 0);
  assert.equal(server.tlsStats?.dropped, 0);
});
