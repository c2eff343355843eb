/**
 * The frame parser at the byte level, by the Autobahn testsuite's categories: 1 framing, 2 pings and
 * pongs, 3 reserved bits, 4 opcodes, 5 fragmentation, and the masking rule of each role. Every input
 * is also parsed cut at every offset and one byte at a time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FrameParser } from '../../../src/ws/codec/frame-parser.js';
import { expectEvents, frame, frames, SERVER } from './helpers.js';

const TEXT = 0x1;
const BINARY = 0x2;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

describe('1 framing: text and binary of every length encoding', () => {
  for (const length of [0, 1, 125, 126, 127, 128, 65535, 65536]) {
    test(`text and binary of ${length} bytes`, () => {
      const text = 'x'.repeat(length);
      expectEvents(frame({ opcode: TEXT, payload: text }), [`text:${text}`]);
      const bytes = Buffer.alloc(length, 0xfe);
      expectEvents(frame({ opcode: BINARY, payload: bytes }), [`binary:${bytes.toString('hex')}`]);
    });
  }

  test('several frames in one chunk come out in order', () => {
    const input = frames(
      { opcode: TEXT, payload: 'one' },
      { opcode: BINARY, payload: Uint8Array.of(1, 2) },
      { opcode: TEXT, payload: '' },
    );
    expectEvents(input, ['text:one', 'binary:0102', 'text:']);
  });

  test('a non-minimal length is refused (RFC 6455 §5.2: the minimal number of bytes)', () => {
    expectEvents(frame({ opcode: TEXT, payload: 'short', lengthBits: 16 }), ['fail:1002:WK_ERR_WS_PROTOCOL']);
    expectEvents(frame({ opcode: BINARY, payload: Buffer.alloc(200), lengthBits: 64 }), [
      'fail:1002:WK_ERR_WS_PROTOCOL',
    ]);
  });

  test('a 64-bit length with its most significant bit set is refused', () => {
    const bytes = Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, ...[1, 2, 3, 4]]);
    expectEvents(bytes, ['fail:1002:WK_ERR_WS_PROTOCOL']);
  });
});

describe('masking: the role decides', () => {
  test('a server refuses an unmasked frame', () => {
    expectEvents(frame({ opcode: TEXT, payload: 'hi', masked: false }), ['fail:1002:WK_ERR_WS_PROTOCOL']);
  });

  test('a client refuses a masked frame and reads an unmasked one', () => {
    expectEvents(frame({ opcode: TEXT, payload: 'hi' }), ['fail:1002:WK_ERR_WS_PROTOCOL'], { role: 'client' });
    expectEvents(frame({ opcode: TEXT, payload: 'hi', masked: false }), ['text:hi'], { role: 'client' });
  });
});

describe('2 pings and pongs', () => {
  test('ping and pong payloads of 0 and 125 bytes', () => {
    const big = Buffer.alloc(125, 0xab);
    const input = frames({ opcode: PING }, { opcode: PING, payload: big }, { opcode: PONG, payload: 'p' });
    expectEvents(input, ['ping:', `ping:${big.toString('hex')}`, 'pong:70']);
  });

  test('a control frame over 125 bytes fails with 1002', () => {
    expectEvents(frame({ opcode: PING, payload: Buffer.alloc(126) }), ['fail:1002:WK_ERR_WS_PROTOCOL']);
  });

  test('a fragmented ping fails with 1002', () => {
    expectEvents(frame({ opcode: PING, payload: 'a', fin: false }), ['fail:1002:WK_ERR_WS_PROTOCOL']);
  });

  test('a header that breaks a rule fails once the bytes that show it are in, before the rest of the header', () => {
    for (const head of [
      [0x80, 0xc8], // a masked continuation of 72 bytes with no message to continue
      [0xf1, 0x85], // RSV2 and RSV3
      [0x83, 0x85], // reserved opcode
      [0x09, 0x80], // a fragmented ping
      [0x89, 0xfe], // a ping whose length needs 16 bits: over 125
      [0x81, 0x05], // unmasked, from a client
      [0x88, 0x81], // a close frame of 1 byte: no room for a code
      [0x82, 0xfe, 0x00, 0x05], // a non-minimal 16-bit length: the key is not awaited
      [0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1], // a 64-bit length with its MSB set
      [0x82, 0xff, 0, 0, 0, 0, 0x10, 0, 0, 0], // 256 MiB, over maxFrameBytes: 1009
    ]) {
      const seen: string[] = [];
      const sink = (name: string) => () => void seen.push(name);
      const parser = new FrameParser(
        {
          onMessage: sink('message'),
          onPing: sink('ping'),
          onPong: sink('pong'),
          onCloseFrame: sink('close'),
          onFail: (f) => seen.push(`fail:${f.closeCode}`),
        },
        SERVER,
      );
      parser.push(Buffer.from(head));
      const code = head[6] === 0x10 ? 1009 : 1002;
      assert.deepEqual(seen, [`fail:${code}`], Buffer.from(head).toString('hex'));
    }
  });

  test('control frames after a failure are not parsed', () => {
    const input = Buffer.concat([frame({ opcode: PING, fin: false }), frame({ opcode: PING })]);
    expectEvents(input, ['fail:1002:WK_ERR_WS_PROTOCOL']);
  });
});

describe('3 reserved bits', () => {
  for (const rsv of [1, 2, 3, 4, 5, 6, 7]) {
    test(`RSV bits ${rsv.toString(2).padStart(3, '0')} without an extension fail with 1002`, () => {
      const input = frames({ opcode: TEXT, payload: 'a' }, { opcode: TEXT, payload: 'b', rsv });
      expectEvents(input, ['text:a', 'fail:1002:WK_ERR_WS_PROTOCOL']);
    });
  }

  test('with compression negotiated, RSV1 on a first frame marks the message compressed', () => {
    const input = frames(
      { opcode: TEXT, payload: Uint8Array.of(0xff, 0x00), rsv: 4, fin: false },
      { opcode: 0, payload: Uint8Array.of(0x01) },
    );
    expectEvents(input, ['compressed-text:\ufffd\u0000\u0001'], { compression: true });
  });

  test('with compression negotiated, RSV1 on a continuation or control frame still fails', () => {
    const continuation = frames({ opcode: BINARY, payload: 'a', fin: false }, { opcode: 0, payload: 'b', rsv: 4 });
    expectEvents(continuation, ['fail:1002:WK_ERR_WS_PROTOCOL'], { compression: true });
    expectEvents(frame({ opcode: PING, rsv: 4 }), ['fail:1002:WK_ERR_WS_PROTOCOL'], { compression: true });
    expectEvents(frame({ opcode: TEXT, payload: 'a', rsv: 2 }), ['fail:1002:WK_ERR_WS_PROTOCOL'], {
      compression: true,
    });
  });
});

describe('4 opcodes', () => {
  for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    test(`reserved opcode ${opcode} fails with 1002, after the messages before it`, () => {
      const input = frames({ opcode: TEXT, payload: 'ok' }, { opcode, payload: 'x' }, { opcode: PING });
      expectEvents(input, ['text:ok', 'fail:1002:WK_ERR_WS_PROTOCOL']);
    });
  }
});

describe('5 fragmentation', () => {
  test('a text message in three fragments, with pings and a pong in between', () => {
    const input = frames(
      { opcode: TEXT, payload: 'frag', fin: false },
      { opcode: PING, payload: 'p1' },
      { opcode: 0, payload: 'men', fin: false },
      { opcode: PONG },
      { opcode: 0, payload: 'ted' },
    );
    expectEvents(input, ['ping:7031', 'pong:', 'text:fragmented']);
  });

  test('a binary message in fragments of every size, empty ones included', () => {
    const input = frames(
      { opcode: BINARY, payload: '', fin: false },
      { opcode: 0, payload: Buffer.alloc(300, 1), fin: false },
      { opcode: 0, payload: '', fin: false },
      { opcode: 0, payload: Uint8Array.of(2) },
    );
    expectEvents(input, [`binary:${Buffer.concat([Buffer.alloc(300, 1), Buffer.of(2)]).toString('hex')}`]);
  });

  test('a continuation with nothing to continue fails with 1002', () => {
    expectEvents(frame({ opcode: 0, payload: 'a' }), ['fail:1002:WK_ERR_WS_PROTOCOL']);
    const afterEnd = frames({ opcode: TEXT, payload: 'a' }, { opcode: 0, payload: 'b' });
    expectEvents(afterEnd, ['text:a', 'fail:1002:WK_ERR_WS_PROTOCOL']);
  });

  test('a new message inside a fragmented one fails with 1002', () => {
    const input = frames({ opcode: TEXT, payload: 'a', fin: false }, { opcode: BINARY, payload: 'b' });
    expectEvents(input, ['fail:1002:WK_ERR_WS_PROTOCOL']);
  });

  test('a fragmented close frame fails with 1002', () => {
    expectEvents(frame({ opcode: CLOSE, fin: false }), ['fail:1002:WK_ERR_WS_PROTOCOL']);
  });

  test('a delivered message keeps its bytes while the parser gathers the next ones', () => {
    const kept: Buffer[] = [];
    const parser = new FrameParser(
      {
        onMessage: (p) => kept.push(p),
        onPing() {},
        onPong() {},
        onCloseFrame() {},
        onFail: (f) => assert.fail(f.message),
      },
      SERVER,
    );
    const input = frames(
      { opcode: BINARY, payload: Buffer.alloc(10, 1), fin: false },
      { opcode: 0, payload: Buffer.alloc(10, 2) },
      { opcode: BINARY, payload: Buffer.alloc(10, 3), fin: false },
      { opcode: 0, payload: Buffer.alloc(10, 4) },
      { opcode: BINARY, payload: Buffer.alloc(30, 5) },
    );
    for (const b of input) parser.push(Buffer.of(b));
    assert.deepEqual(kept, [
      Buffer.concat([Buffer.alloc(10, 1), Buffer.alloc(10, 2)]),
      Buffer.concat([Buffer.alloc(10, 3), Buffer.alloc(10, 4)]),
      Buffer.alloc(30, 5),
    ]);
  });
});

describe('idle: between messages the parser holds nothing of its connection (it may serve another)', () => {
  test('idle only with no frame, fragmented message or held bytes in progress; rebind moves the events', () => {
    const first: string[] = [];
    const second: string[] = [];
    const sink = (out: string[]) => ({
      onMessage: (p: Buffer) => void out.push(p.toString()),
      onPing: () => void out.push('ping'),
      onPong() {},
      onCloseFrame() {},
      onFail: (f: { message: string }) => assert.fail(f.message),
    });
    const parser = new FrameParser(sink(first), SERVER);
    assert.equal(parser.idle, true);
    const input = frames({ opcode: TEXT, payload: 'ab', fin: false }, { opcode: PING }, { opcode: 0, payload: 'cd' });
    parser.push(input.subarray(0, 1)); // half a header
    assert.equal(parser.idle, false);
    parser.push(input.subarray(1, 8)); // the first fragment: a message in progress
    assert.equal(parser.idle, false);
    parser.push(input.subarray(8, 14)); // the ping, whole: the message still in progress
    assert.equal(parser.idle, false);
    parser.pause();
    parser.push(input.subarray(14));
    assert.equal(parser.idle, false);
    parser.resume();
    assert.equal(parser.idle, true);
    parser.rebind(sink(second));
    parser.push(frame({ opcode: TEXT, payload: 'next' }));
    assert.deepEqual(first, ['ping', 'abcd']);
    assert.deepEqual(second, ['next']);
  });
});
