/**
 * Autobahn categories 6 (UTF-8 handling, fail-fast) and 7 (close handling) at the byte level, plus
 * the incremental validator itself against the platform's strict decoder.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Utf8Validator } from '../../../src/ws/codec/utf8.js';
import { closePayload, expectEvents, frame, frames, parseChunks, splits } from './helpers.js';

const TEXT = 0x1;
const CLOSE = 0x8;

const strict = new TextDecoder('utf-8', { fatal: true });
function isStrictUtf8(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Sequences from the Markus Kuhn stress test the Autobahn cases 6.x use, valid and invalid. */
const VALID = ['κόσμε', '\u0080', '\u07ff', '\u0800', '\uffff', '\u{10000}', '\u{10ffff}', '\ud7ff', '\ue000', 'ascii'];
const INVALID: number[][] = [
  [0x80], // lone continuation
  [0xbf],
  [0xc0, 0x80], // overlong NUL
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf], // overlong 3-byte
  [0xf0, 0x80, 0x80, 0xaf], // overlong 4-byte
  [0xed, 0xa0, 0x80], // surrogate U+D800
  [0xed, 0xbf, 0xbf], // surrogate U+DFFF
  [0xf4, 0x90, 0x80, 0x80], // U+110000
  [0xf5, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0xce, 0xba, 0xe1, 0xbd], // κ then a truncated sequence followed by...
  [0xc2, 0x41], // lead byte followed by ASCII
];

describe('the incremental validator', () => {
  test('agrees with a strict decoder on the stress cases, in every split', () => {
    for (const text of VALID) {
      const bytes = Buffer.from(text);
      for (const { chunks } of splits(bytes)) {
        const v = new Utf8Validator();
        for (const c of chunks) assert.equal(v.check(c), -1, text);
        assert.ok(v.complete, text);
      }
    }
    for (const seq of INVALID) {
      const bytes = Buffer.from([...seq, 0x41]);
      const v = new Utf8Validator();
      assert.ok(v.check(bytes) !== -1 || !v.complete, seq.join(','));
    }
  });

  test('agrees with a strict decoder on 20,000 random byte strings', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = [0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xef, 0xf0, 0x90, 0xf4, 0x8f, 0xf5];
    for (let n = 0; n < 20_000; n++) {
      const bytes = Buffer.from(
        Array.from({ length: 1 + (random() % 8) }, () => alphabet[random() % alphabet.length] as number),
      );
      const v = new Utf8Validator();
      const ours = v.check(bytes) === -1 && v.complete;
      assert.equal(ours, isStrictUtf8(bytes), bytes.toString('hex'));
    }
  });

  test('reports the first invalid byte, also after the native fast path declined a long chunk', () => {
    const bytes = Buffer.concat([Buffer.alloc(100, 0x61), Buffer.from([0xe2, 0x82, 0x28])]);
    assert.equal(new Utf8Validator().check(bytes), 102);
  });
});

describe('6 UTF-8 handling', () => {
  test('valid text in one frame, split at every offset (code points cut across chunks)', () => {
    const text = 'Hello-µ@ßöäüàá-UTF-8!! κόσμε 𝄞';
    expectEvents(frame({ opcode: TEXT, payload: text }), [`text:${text}`]);
  });

  test('a code point split across fragments is fine', () => {
    const bytes = Buffer.from('€𝄞');
    const input = frames(
      { opcode: TEXT, payload: bytes.subarray(0, 1), fin: false },
      { opcode: 0, payload: bytes.subarray(1, 4), fin: false },
      { opcode: 0, payload: bytes.subarray(4) },
    );
    expectEvents(input, ['text:€𝄞']);
  });

  for (const seq of INVALID) {
    test(`invalid sequence ${Buffer.from(seq).toString('hex')} fails with 1007`, () => {
      expectEvents(frame({ opcode: TEXT, payload: Buffer.from([0x61, ...seq, 0x62]) }), [
        'fail:1007:WK_ERR_WS_INVALID_UTF8',
      ]);
    });
  }

  test('fail-fast: an invalid byte fails the connection before the frame is complete', () => {
    // A 1000-byte text frame of which only the first 10 bytes arrive, the 6th invalid.
    const whole = frame({
      opcode: TEXT,
      payload: Buffer.concat([Buffer.from('hello'), Buffer.of(0xff), Buffer.alloc(994, 0x61)]),
    });
    const partial = whole.subarray(0, 8 + 10);
    for (const { name, chunks } of splits(partial)) {
      assert.deepEqual(parseChunks(chunks), ['fail:1007:WK_ERR_WS_INVALID_UTF8'], name);
    }
  });

  test('fail-fast: an invalid first fragment fails before the message ends', () => {
    const input = frame({ opcode: TEXT, payload: Buffer.of(0x61, 0xc0, 0xaf), fin: false });
    expectEvents(input, ['fail:1007:WK_ERR_WS_INVALID_UTF8']);
  });

  test('a text message that ends inside a code point fails with 1007', () => {
    const input = frames({ opcode: TEXT, payload: Buffer.of(0xe2, 0x82), fin: false }, { opcode: 0, payload: '' });
    expectEvents(input, ['fail:1007:WK_ERR_WS_INVALID_UTF8']);
  });

  test('binary messages are never checked', () => {
    expectEvents(frame({ opcode: 0x2, payload: Buffer.of(0xff, 0xc0) }), ['binary:ffc0']);
  });
});

describe('7 close handling', () => {
  test('an empty close frame reports 1005', () => {
    expectEvents(frame({ opcode: CLOSE }), ['close:1005:']);
  });

  test('a close code with and without a reason', () => {
    expectEvents(frame({ opcode: CLOSE, payload: closePayload(1000) }), ['close:1000:']);
    expectEvents(frame({ opcode: CLOSE, payload: closePayload(4001, 'bye ✓') }), ['close:4001:bye ✓']);
    const reason = 'r'.repeat(123);
    expectEvents(frame({ opcode: CLOSE, payload: closePayload(1001, reason) }), [`close:1001:${reason}`]);
  });

  test('a 1-byte close payload fails with 1002', () => {
    expectEvents(frame({ opcode: CLOSE, payload: Uint8Array.of(0x03) }), ['fail:1002:WK_ERR_WS_PROTOCOL']);
  });

  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) {
    test(`close code ${code} is accepted`, () => {
      expectEvents(frame({ opcode: CLOSE, payload: closePayload(code) }), [`close:${code}:`]);
    });
  }

  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    test(`close code ${code} fails with 1002`, () => {
      expectEvents(frame({ opcode: CLOSE, payload: closePayload(code) }), ['fail:1002:WK_ERR_WS_PROTOCOL']);
    });
  }

  test('a close reason that is not UTF-8 fails with 1007', () => {
    expectEvents(frame({ opcode: CLOSE, payload: closePayload(1000, Uint8Array.of(0xce, 0xba, 0xe1, 0xbd, 0xff)) }), [
      'fail:1007:WK_ERR_WS_INVALID_UTF8',
    ]);
  });

  test('nothing after a close frame is parsed', () => {
    const input = frames(
      { opcode: CLOSE, payload: closePayload(1000) },
      { opcode: TEXT, payload: 'late' },
      { opcode: 0xf },
    );
    expectEvents(input, ['close:1000:']);
  });
});
