/**
 * The engine over real sockets, by the Autobahn testsuite's categories (1 framing, 2 pings, 3
 * reserved bits, 4 opcodes, 5 fragmentation, 6 UTF-8, 7 close handling, 9 limits): raw frames in,
 * the server's frames read back byte by byte, and whether the server closed TCP itself.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WebSocketConnection } from '../../src/ws/connection.js';
import type { WebSocketServerOptions } from '../../src/ws/server.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';
import { closePayload, frame, frames } from './codec/helpers.js';
import { echoServer, peer, rawPeer, startWsServer } from './helpers.js';

const leaks = trackLeaks();
const TEXT = 0x1;
const BINARY = 0x2;
const CLOSE = 0x8;
const PING = 0x9;

/** An echo server that notes how each connection closed. */
const echo = (options: WebSocketServerOptions = {}) => echoServer(leaks, options);

describe('1 framing', () => {
  test('text and binary of every length encoding come back unmasked, in order', async () => {
    const { port } = await echo();
    const raw = await rawPeer(leaks, port);
    const sizes = [0, 125, 126, 65535, 65536, 1 << 20];
    for (const size of sizes) {
      await raw.client.write(frame({ opcode: TEXT, payload: 'a'.repeat(size) }));
      await raw.client.write(frame({ opcode: BINARY, payload: Buffer.alloc(size, 0x5a) }));
    }
    const events = await raw.frames(sizes.length * 2);
    sizes.forEach((size, i) => {
      assert.equal(events[2 * i], `text:${'a'.repeat(size)}`);
      assert.equal(events[2 * i + 1], `binary:${'5a'.repeat(size)}`);
    });
  });

  test('the 101 carries the accept key of RFC 6455 §1.3', async () => {
    const { port } = await echo();
    const raw = await rawPeer(leaks, port);
    assert.match(raw.head, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    assert.match(raw.head, /\r\nConnection: Upgrade\r\n/);
    assert.match(raw.head, /\r\nUpgrade: websocket\r\n/);
  });

  test('many messages in one write are all answered', async () => {
    const { port } = await echo();
    const raw = await rawPeer(leaks, port);
    const input = frames(...Array.from({ length: 200 }, (_, i) => ({ opcode: TEXT, payload: `m${i}` })));
    await raw.client.write(input);
    const events = await raw.frames(200);
    assert.deepEqual(
      events,
      Array.from({ length: 200 }, (_, i) => `text:m${i}`),
    );
  });
});

describe('2 pings and pongs', () => {
  test('a ping is answered with a pong carrying its payload (0 and 125 bytes)', async () => {
    const { port } = await echo();
    const raw = await rawPeer(leaks, port);
    await raw.client.write(
      frames({ opcode: PING, payload: 'hello' }, { opcode: PING, payload: Buffer.alloc(125, 0xfe) }),
    );
    assert.deepEqual(await raw.frames(2), ['pong:68656c6c6f', `pong:${'fe'.repeat(125)}`]);
  });

  test('a ping over 125 bytes fails the connection: close 1002, then the server closes TCP', async () => {
    const { port, closes } = await echo();
    const raw = await rawPeer(leaks, port);
    await raw.client.write(frame({ opcode: PING, payload: Buffer.alloc(126) }));
    assert.deepEqual(await raw.frames(1), ['close:1002:']);
    await raw.client.waitEnded();
    await eventually(() => closes.length === 1, 'the close handler');
    assert.equal(closes[0]?.code, 1002);
  });
});

describe('3 reserved bits and 4 opcodes', () => {
  for (const [name, bad] of [
    ['RSV1 without an extension', { opcode: TEXT, payload: 'x', rsv: 4 }],
    ['RSV2', { opcode: TEXT, payload: 'x', rsv: 2 }],
    ['RSV3 on a ping', { opcode: PING, rsv: 1 }],
    ['reserved data opcode 3', { opcode: 3 }],
    ['reserved control opcode 11', { opcode: 0xb }],
    ['an unmasked client frame', { opcode: TEXT, payload: 'x', masked: false }],
  ] as const) {
    test(`${name}: the message before is echoed, then close 1002 and TCP closed`, async () => {
      const { port } = await echo();
      const raw = await rawPeer(leaks, port);
      await raw.client.write(frames({ opcode: TEXT, payload: 'before' }, bad, { opcode: TEXT, payload: 'after' }));
      assert.deepEqual(await raw.frames(2), ['text:before', 'close:1002:']);
      await raw.client.waitEnded();
      assert.deepEqual(raw.events, ['text:before', 'close:1002:'], 'nothing after the violation is processed');
    });
  }
});

describe('5 fragmentation', () => {
  test('a fragmented message with pings between its fragments: pongs at once, the echo whole', async () => {
    const { port } = await echo();
    const raw = await rawPeer(leaks, port);
    await raw.client.write(frame({ opcode: TEXT, payload: 'frag', fin: false }));
    await raw.client.write(frame({ opcode: PING, payload: 'p' }));
    assert.deepEqual(await raw.frames(1), ['pong:70']);
    await raw.client.write(frames({ opcode: 0, payload: 'men', fin: false }, { opcode: 0, payload: 'ted' }));
    assert.deepEqual(await raw.frames(2), ['pong:70', 'text:fragmented']);
  });
});

describe('6 UTF-8 handling', () => {
  test('fail-fast: an invalid byte closes with 1007 before the rest of the frame is sent', async () => {
    const { port, closes } = await echo();
    const raw = await rawPeer(leaks, port);
    const whole = frame({
      opcode: TEXT,
      payload: Buffer.concat([Buffer.from('ok so far '), Buffer.of(0xf8), Buffer.alloc(5000, 0x61)]),
    });
    // Only the header and the first 20 payload bytes: the frame is far from complete.
    await raw.client.write(whole.subarray(0, 8 + 20));
    assert.deepEqual(await raw.frames(1), ['close:1007:']);
    await raw.client.waitEnded();
    await eventually(() => closes.length === 1, 'the close handler');
    assert.equal(closes[0]?.code, 1007);
  });

  test('fail-fast across fragments: the first fragment valid, the second invalid, no final frame', async () => {
    const { port } = await echo();
    const raw = await rawPeer(leaks, port);
    const euro = Buffer.from('€');
    await raw.client.write(frame({ opcode: TEXT, payload: euro.subarray(0, 2), fin: false }));
    assert.ok(await raw.client.staysOpen(100), 'a code point split across fragments is fine so far');
    await raw.client.write(frame({ opcode: 0, payload: Buffer.of(0x41), fin: false }));
    assert.deepEqual(await raw.frames(1), ['close:1007:']);
  });

  test('valid UTF-8 split across frames and TCP writes is echoed', async () => {
    const { port } = await echo();
    const raw = await rawPeer(leaks, port);
    const bytes = Buffer.from('κόσμε 𝄞');
    const input = frames(
      { opcode: TEXT, payload: bytes.subarray(0, 3), fin: false },
      { opcode: 0, payload: bytes.subarray(3) },
    );
    for (const byte of input) await raw.client.write(Buffer.of(byte));
    assert.deepEqual(await raw.frames(1), ['text:κόσμε 𝄞']);
  });
});

describe('7 close handling', () => {
  test('the client closes: the server echoes the code, closes TCP itself and reports code and reason', async () => {
    const { port, closes } = await echo();
    const raw = await rawPeer(leaks, port);
    await raw.client.write(frame({ opcode: CLOSE, payload: closePayload(4001, 'done ✓') }));
    assert.deepEqual(await raw.frames(1), ['close:4001:done ✓']);
    await raw.client.waitEnded();
    await eventually(() => closes.length === 1, 'the close handler');
    assert.deepEqual(closes[0], { code: 4001, reason: 'done ✓' });
  });

  test('an empty close frame is answered with an empty one and reported as 1005', async () => {
    const { port, closes } = await echo();
    const raw = await rawPeer(leaks, port);
    await raw.client.write(frame({ opcode: CLOSE }));
    assert.deepEqual(await raw.frames(1), ['close:1005:']);
    await raw.client.waitEnded();
    await eventually(() => closes.length === 1, 'the close handler');
    assert.equal(closes[0]?.code, 1005);
  });

  for (const [name, payload] of [
    ['code 1005 on the wire', closePayload(1005)],
    ['code 999', closePayload(999)],
    ['a 1-byte payload', Buffer.of(3)],
  ] as const) {
    test(`${name} fails with 1002`, async () => {
      const { port } = await echo();
      const raw = await rawPeer(leaks, port);
      await raw.client.write(frame({ opcode: CLOSE, payload }));
      assert.deepEqual(await raw.frames(1), ['close:1002:']);
      await raw.client.waitEnded();
    });
  }

  test('data after the close frame is ignored', async () => {
    const { port } = await echo();
    const raw = await rawPeer(leaks, port);
    await raw.client.write(frames({ opcode: CLOSE, payload: closePayload(1000) }, { opcode: TEXT, payload: 'late' }));
    await raw.client.waitEnded();
    assert.deepEqual(raw.events, ['close:1000:']);
  });

  test('the server closes: the ws peer sees the code and reason, the server reports the echo', async () => {
    const opened: WebSocketConnection[] = [];
    const closes: { code: number; reason: string }[] = [];
    const { url } = await startWsServer(leaks, {
      open: (ws) => {
        opened.push(ws as WebSocketConnection);
      },
      close: (_ws, code, reason) => {
        closes.push({ code, reason });
      },
    });
    const client = await peer(leaks, url);
    await eventually(() => opened.length === 1, 'open');
    opened[0]?.close(4321, 'go away');
    assert.deepEqual(await client.closed, { code: 4321, reason: 'go away' });
    await eventually(() => closes.length === 1, 'the close handler');
    assert.equal(closes[0]?.code, 4321);
    assert.equal(opened[0]?.readyState, 3);
  });
});

describe('9 limits', () => {
  test('a frame over maxMessageBytes is refused with 1009 from its header alone', async () => {
    const { port } = await echo({ maxMessageBytes: 1000 });
    const raw = await rawPeer(leaks, port);
    const big = frame({ opcode: BINARY, payload: Buffer.alloc(1001) });
    await raw.client.write(big.subarray(0, 8));
    assert.deepEqual(await raw.frames(1), ['close:1009:']);
    await raw.client.waitEnded();
  });

  test('messages up to the limit pass', async () => {
    const { port } = await echo({ maxMessageBytes: 1000 });
    const raw = await rawPeer(leaks, port);
    await raw.client.write(frame({ opcode: BINARY, payload: Buffer.alloc(1000, 1) }));
    assert.deepEqual(await raw.frames(1), [`binary:${'01'.repeat(1000)}`]);
  });
});

describe('the ws package as the peer', () => {
  test('messages both ways, text and binary, and a clean close', async () => {
    const { url, closes } = await echo();
    const client = await peer(leaks, url);
    client.ws.send('hello');
    client.ws.send(Buffer.from([1, 2, 3]));
    client.ws.send('x'.repeat(100_000));
    const [a, b, c] = [await client.message(1), await client.message(2), await client.message(3)];
    assert.deepEqual([a.isBinary, a.data.toString()], [false, 'hello']);
    assert.deepEqual([b.isBinary, [...b.data]], [true, [1, 2, 3]]);
    assert.equal(c.data.length, 100_000);
    client.ws.close(1000, 'bye');
    assert.deepEqual(await client.closed, { code: 1000, reason: 'bye' });
    await eventually(() => closes.length === 1, 'the close handler');
    assert.deepEqual(closes[0], { code: 1000, reason: 'bye' });
  });
});
