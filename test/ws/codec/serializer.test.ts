/** The frame serializer and masking: exact bytes, and every frame read back by the parser. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serializeClosePayload } from '../../../src/ws/codec/close-payload.js';
import { FrameParser } from '../../../src/ws/codec/frame-parser.js';
import {
  frameHeaderLength,
  serializeFrame,
  serializeFrameHeader,
  serializeTextFrame,
} from '../../../src/ws/codec/frame-serializer.js';
import { applyMask } from '../../../src/ws/codec/mask.js';
import { KEY, SERVER } from './helpers.js';

function readBack(bytes: Buffer, role: 'server' | 'client'): string[] {
  const events: string[] = [];
  const parser = new FrameParser(
    {
      onMessage: (p, isText) => events.push(isText ? `text:${p.toString()}` : `binary:${p.length}`),
      onPing: (p) => events.push(`ping:${p.toString()}`),
      onPong() {},
      onCloseFrame: (code, reason) => events.push(`close:${code}:${reason}`),
      onFail: (f) => events.push(`fail:${f.message}`),
    },
    { ...SERVER, role },
  );
  parser.push(bytes);
  return events;
}

test('header bytes for each length form', () => {
  assert.deepEqual([...serializeFrameHeader(0x1, 5)], [0x81, 5]);
  assert.deepEqual([...serializeFrameHeader(0x2, 126)], [0x82, 126, 0, 126]);
  assert.deepEqual([...serializeFrameHeader(0x2, 65536)], [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual([...serializeFrameHeader(0x0, 1, { fin: false, rsv1: true })], [0x40, 1]);
  assert.deepEqual([...serializeFrameHeader(0x9, 0, { maskKey: KEY })], [0x89, 0x80, ...KEY]);
  assert.equal(frameHeaderLength(125, false), 2);
  assert.equal(frameHeaderLength(65535, true), 8);
  assert.equal(frameHeaderLength(65536, true), 14);
});

test('server frames read back by a client parser, client frames by a server parser', () => {
  for (const length of [0, 3, 125, 126, 65535, 65536, 70_001]) {
    const text = 'é'.repeat(length >> 1) + 'a'.repeat(length & 1);
    assert.deepEqual(readBack(serializeTextFrame(text), 'client'), [`text:${text}`]);
    assert.deepEqual(readBack(serializeTextFrame(text, { maskKey: KEY }), 'server'), [`text:${text}`]);
    const bytes = Buffer.alloc(length, 7);
    assert.deepEqual(readBack(serializeFrame(0x2, bytes, { maskKey: KEY }), 'server'), [`binary:${length}`]);
    assert.deepEqual(bytes, Buffer.alloc(length, 7), 'the caller’s bytes are not masked in place');
  }
});

test('close payloads: codes and reasons checked before anything is sent', () => {
  assert.deepEqual([...serializeClosePayload(1000, 'bye')], [0x03, 0xe8, 0x62, 0x79, 0x65]);
  assert.equal(serializeClosePayload().length, 0);
  assert.deepEqual(readBack(serializeFrame(0x8, serializeClosePayload(4000, 'ok')), 'client'), ['close:4000:ok']);
  for (const bad of [1005, 1006, 1015, 999, 5000, 1.5]) {
    assert.throws(() => serializeClosePayload(bad), { code: 'WK_ERR_INVALID_ARGUMENT' }, String(bad));
  }
  assert.throws(() => serializeClosePayload(1000, 'x'.repeat(124)), { code: 'WK_ERR_INVALID_ARGUMENT' });
  assert.throws(() => serializeClosePayload(undefined, 'why'), { code: 'WK_ERR_INVALID_ARGUMENT' });
});

test('masking at every alignment and key phase matches a byte-by-byte XOR', () => {
  const backing = Buffer.alloc(1100);
  for (let offset = 0; offset < 8; offset++) {
    for (const length of [0, 1, 3, 31, 32, 33, 100, 127, 128, 129, 257, 1000]) {
      for (let phase = 0; phase < 4; phase++) {
        const view = backing.subarray(offset, offset + length);
        for (let i = 0; i < length; i++) view[i] = (i * 31 + offset) & 0xff;
        const expected = Buffer.from(view.map((b, i) => b ^ (KEY[(i + phase) % 4] as number)));
        const end = applyMask(view, 0, length, KEY, phase);
        assert.deepEqual(view, expected, `offset ${offset} length ${length} phase ${phase}`);
        assert.equal(end, (phase + length) % 4);
      }
    }
  }
});
