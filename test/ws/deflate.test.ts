/**
 * permessage-deflate over real sockets with the `ws` package as the peer (Autobahn categories 12
 * and 13): every combination of the four parameters negotiated, messages compressed both ways with
 * and without context takeover, the server's own policy, a zip bomb refused with 1009 at little
 * cost, and invalid compressed data refused with 1007.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { WebSocketConnection } from '../../src/ws/connection.js';
import type { PerMessageDeflateOptions } from '../../src/ws/options.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';
import { frame } from './codec/helpers.js';
import { echoServer, peer, rawPeer, startWsServer } from './helpers.js';

const leaks = trackLeaks();

/** An echo server that compresses every echo and honours the client's offer as is. */
function deflateEcho(
  deflate: PerMessageDeflateOptions = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    thresholdBytes: 0,
  },
  maxMessageBytes = 16 << 20,
) {
  return echoServer(leaks, { perMessageDeflate: deflate, maxMessageBytes });
}

interface Offer {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  clientMaxWindowBits: number | boolean;
}

const OFFERS: Offer[] = [];
for (const serverNoContextTakeover of [false, true]) {
  for (const clientNoContextTakeover of [false, true]) {
    for (const serverMaxWindowBits of [undefined, 9, 12]) {
      for (const clientMaxWindowBits of [true, 10, 15]) {
        OFFERS.push({ serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits });
      }
    }
  }
}

describe('12/13 permessage-deflate with the ws package', () => {
  test(`every parameter combination (${OFFERS.length} offers): negotiated as offered, messages intact both ways`, async () => {
    const { url, sockets } = await deflateEcho();
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(200);
    // A period of 61 bytes: within reach of even a 512-byte window (zlib's reach is the window minus 262).
    const bytes = Buffer.from(Array.from({ length: 30_000 }, (_, i) => (i * 7) % 61));
    for (const [i, offer] of OFFERS.entries()) {
      const options = Object.fromEntries(Object.entries(offer).filter(([, v]) => v !== undefined));
      const client = await peer(leaks, url, { perMessageDeflate: { ...options, threshold: 0 } });
      await eventually(() => sockets.length === i + 1, 'the server connection');
      const server = sockets[i] as WebSocketConnection;
      const ext = server.extensions;
      assert.match(ext, /^permessage-deflate/, JSON.stringify(offer));
      assert.equal(ext.includes('server_no_context_takeover'), offer.serverNoContextTakeover, ext);
      assert.equal(ext.includes('client_no_context_takeover'), offer.clientNoContextTakeover, ext);
      if (offer.serverMaxWindowBits !== undefined)
        assert.ok(ext.includes(`server_max_window_bits=${offer.serverMaxWindowBits}`), ext);
      if (typeof offer.clientMaxWindowBits === 'number')
        assert.ok(ext.includes(`client_max_window_bits=${offer.clientMaxWindowBits}`), ext);
      // Three rounds: with context takeover the later ones ride on the earlier context.
      for (let round = 0; round < 3; round++) {
        client.ws.send(text);
        client.ws.send(bytes);
      }
      for (let n = 1; n <= 6; n += 2) {
        assert.equal((await client.message(n)).data.toString(), text);
        assert.deepEqual((await client.message(n + 1)).data, bytes);
      }
      assert.ok(
        server.bytesReceived < (3 * (text.length + bytes.length)) / 2,
        `compressed from the client (${server.bytesReceived})`,
      );
      assert.ok(
        server.bytesSent < (3 * (text.length + bytes.length)) / 2,
        `compressed to the client (${server.bytesSent})`,
      );
      client.ws.close();
      await client.closed;
    }
  });

  test('with context takeover, repeated messages compress to almost nothing', async () => {
    const { url, sockets } = await deflateEcho();
    const client = await peer(leaks, url, { perMessageDeflate: { threshold: 0 } });
    await eventually(() => sockets.length === 1, 'the server connection');
    const server = sockets[0] as WebSocketConnection;
    const text = randomBytes(1500).toString('hex');
    client.ws.send(text);
    await client.message(1);
    const first = server.bytesSent;
    for (let i = 0; i < 10; i++) client.ws.send(text);
    await client.message(11);
    assert.ok(server.bytesSent - first < first, `10 more took ${server.bytesSent - first} bytes, the first ${first}`);
  });

  test('the server default: no context takeover either way, even if the client did not ask', async () => {
    const { url, sockets } = await deflateEcho({ thresholdBytes: 0 });
    const client = await peer(leaks, url, { perMessageDeflate: { threshold: 0 } });
    await eventually(() => sockets.length === 1, 'the server connection');
    assert.equal(sockets[0]?.extensions, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover');
    client.ws.send('hello hello hello');
    assert.equal((await client.message(1)).data.toString(), 'hello hello hello');
  });

  test('messages under the threshold go uncompressed', async () => {
    const { url, sockets } = await deflateEcho({ thresholdBytes: 1000 });
    const client = await peer(leaks, url, { perMessageDeflate: { threshold: 0 } });
    await eventually(() => sockets.length === 1, 'the server connection');
    const small = 'a'.repeat(999);
    client.ws.send(small);
    await client.message(1);
    assert.ok((sockets[0] as WebSocketConnection).bytesSent >= 999, 'sent as is');
  });

  test('no offer, or a server without deflate: no extension', async () => {
    const { url, sockets } = await deflateEcho();
    await peer(leaks, url);
    const plain = await startWsServer(leaks, {});
    const client = await peer(leaks, plain.url, { perMessageDeflate: {} });
    await eventually(() => sockets.length === 1, 'the server connection');
    assert.equal(sockets[0]?.extensions, '');
    assert.equal(client.ws.extensions, '');
  });
});

describe('compressed input the server refuses', () => {
  test('a zip bomb is refused with 1009, at a small fraction of the cost of inflating it', async () => {
    // 128 MiB of zeros in 130 KB; the server's limit is 1 MiB.
    const bomb = deflateRawSync(Buffer.alloc(128 << 20), { level: 9 });
    const fullCost = process.cpuUsage();
    inflateRawSync(bomb);
    const full = process.cpuUsage(fullCost);
    for (const deflate of [{ thresholdBytes: 0 }, { serverNoContextTakeover: false, clientNoContextTakeover: false }]) {
      const { port } = await deflateEcho(deflate, 1 << 20);
      const raw = await rawPeer(leaks, port, '/', ['Sec-WebSocket-Extensions: permessage-deflate']);
      assert.match(raw.head, /permessage-deflate/);
      const before = process.cpuUsage();
      await raw.client.write(frame({ opcode: 0x2, rsv: 4, payload: bomb }));
      assert.deepEqual(await raw.frames(1), ['close:1009:']);
      const spent = process.cpuUsage(before);
      const total = (u: NodeJS.CpuUsage) => u.user + u.system;
      assert.ok(total(spent) < total(full) / 4, `refusing cost ${total(spent)} µs, inflating all ${total(full)} µs`);
      await raw.client.waitEnded();
    }
  });

  test('data that does not inflate, or inflates to invalid UTF-8 text, is refused with 1007', async () => {
    for (const deflate of [{ thresholdBytes: 0 }, { serverNoContextTakeover: false, clientNoContextTakeover: false }]) {
      const { port } = await deflateEcho(deflate);
      const garbage = await rawPeer(leaks, port, '/', ['Sec-WebSocket-Extensions: permessage-deflate']);
      await garbage.client.write(frame({ opcode: 0x2, rsv: 4, payload: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01]) }));
      assert.deepEqual(await garbage.frames(1), ['close:1007:']);
      const badText = await rawPeer(leaks, port, '/', ['Sec-WebSocket-Extensions: permessage-deflate']);
      const compressed = deflateRawSync(Buffer.from([0x61, 0xc0, 0xaf]), { finishFlush: 2 });
      await badText.client.write(
        frame({ opcode: 0x1, rsv: 4, payload: compressed.subarray(0, compressed.length - 4) }),
      );
      assert.deepEqual(await badText.frames(1), ['close:1007:']);
    }
  });
});
