/**
 * Limits (Autobahn 9.x sizes, here as refusals): a frame over maxFrameBytes is refused from its
 * header alone, a message over maxMessageBytes as soon as the frame that crosses it announces
 * itself, and fragments beyond maxFragments, empty ones included. All fail with 1009.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FrameParser } from '../../../src/ws/codec/frame-parser.js';
import { expectEvents, frame, frames, parseChunks, SERVER } from './helpers.js';

const BINARY = 0x2;
const TOO_BIG = 'fail:1009:WK_ERR_WS_MESSAGE_TOO_LARGE';

describe('limits', () => {
  test('a frame one byte over maxFrameBytes is refused from its header, before its payload', () => {
    const header = frame({ opcode: BINARY, payload: Buffer.alloc(101) }).subarray(0, 2 + 4);
    assert.deepEqual(parseChunks([header], { maxFrameBytes: 100 }), [TOO_BIG]);
    expectEvents(frame({ opcode: BINARY, payload: Buffer.alloc(100) }), [`binary:${'00'.repeat(100)}`], {
      maxFrameBytes: 100,
    });
  });

  test('a 64-bit length of 2^53 is refused from its header', () => {
    const header = Buffer.from([0x82, 0xff, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    expectEvents(header, [TOO_BIG]);
  });

  test('a message over maxMessageBytes is refused when the crossing fragment announces itself', () => {
    const input = frames(
      { opcode: BINARY, payload: Buffer.alloc(60), fin: false },
      { opcode: 0, payload: Buffer.alloc(41) },
    );
    expectEvents(input, [TOO_BIG], { maxMessageBytes: 100 });
    const exact = frames(
      { opcode: BINARY, payload: Buffer.alloc(60), fin: false },
      { opcode: 0, payload: Buffer.alloc(40) },
    );
    expectEvents(exact, [`binary:${'00'.repeat(100)}`], { maxMessageBytes: 100 });
  });

  test('fragments beyond maxFragments are refused, empty ones counted', () => {
    const empties = (n: number) =>
      frames({ opcode: BINARY, fin: false }, ...Array.from({ length: n - 2 }, () => ({ opcode: 0, fin: false })), {
        opcode: 0,
      });
    expectEvents(empties(5), ['binary:'], { maxFragments: 5 });
    expectEvents(empties(6), [TOO_BIG], { maxFragments: 5 });
  });

  test('a peer announcing a big frame and sending little costs little memory', () => {
    // 16 MiB announced, 1 KiB sent: the gathered buffer is the first allocation, not 16 MiB.
    const parser = new FrameParser(
      { onMessage() {}, onPing() {}, onPong() {}, onCloseFrame() {}, onFail: (f) => assert.fail(f.message) },
      { ...SERVER, maxFrameBytes: 16 << 20, maxMessageBytes: 16 << 20 },
    );
    const before = process.memoryUsage().arrayBuffers;
    const header = Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0x01, 0, 0, 0, 1, 2, 3, 4]);
    parser.push(header);
    for (let i = 0; i < 64; i++) parser.push(Buffer.alloc(16));
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 4 << 20, `grew by ${grown} bytes`);
  });
});

describe('pause and resume', () => {
  test('a paused parser holds bytes and delivers them, in order, on resume', () => {
    const events: string[] = [];
    let parser: FrameParser;
    parser = new FrameParser(
      {
        onMessage: (p) => {
          events.push(p.toString());
          if (p.toString() === 'one') parser.pause();
        },
        onPing: () => events.push('ping'),
        onPong() {},
        onCloseFrame() {},
        onFail: (f) => assert.fail(f.message),
      },
      SERVER,
    );
    const input = frames({ opcode: 1, payload: 'one' }, { opcode: 9 }, { opcode: 1, payload: 'two' });
    parser.push(input.subarray(0, 12));
    parser.push(input.subarray(12));
    assert.deepEqual(events, ['one']);
    assert.equal(parser.heldBytes, input.length - 9);
    parser.resume();
    assert.deepEqual(events, ['one', 'ping', 'two']);
    assert.equal(parser.heldBytes, 0);
  });
});
