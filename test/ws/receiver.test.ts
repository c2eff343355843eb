/**
 * The engine's Receiver (src/ws/receiver.ts): a compressed message that fails to inflate (not
 * deflate data, invalid UTF-8 once inflated, past maxMessageBytes) fails the connection, and
 * nothing after it reaches the application, whether inflating is one-shot (no context takeover)
 * or a zlib stream (context takeover: parsing waits for it). Found by the WebSocket differential
 * fuzzer: frames after the failing message, in the same chunk, were still delivered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import type { FrameFailure } from '../../src/ws/codec/frame-parser.js';
import { PerMessageDeflate } from '../../src/ws/deflate.js';
import { resolveWebSocketOptions } from '../../src/ws/options.js';
import { Receiver, type ReceiverEvents } from '../../src/ws/receiver.js';
import type { WebSocketTransport } from '../../src/ws/transport.js';
import { eventually } from '../helpers/wait.js';
import { frames } from './codec/helpers.js';

interface Seen {
  events: string[];
  failure?: FrameFailure;
}

const EVENTS: ReceiverEvents<Seen> = {
  message: (seen, data, isText) => {
    seen.events.push(`${isText ? 'text' : 'binary'}:${String(data)}`);
    return true;
  },
  ping: (seen, payload) => void seen.events.push(`ping:${payload}`),
  closeFrame: (seen, code) => void seen.events.push(`close:${code}`),
  fail: (seen, failure) => {
    seen.failure = failure;
  },
};

function receiver(seen: Seen, contextTakeover: boolean): Receiver<Seen> {
  const options = resolveWebSocketOptions({ perMessageDeflate: true, maxMessageBytes: 1000 });
  const params = {
    serverNoContextTakeover: !contextTakeover,
    clientNoContextTakeover: !contextTakeover,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  };
  const deflate = new PerMessageDeflate(params, 'server', options.deflate as NonNullable<typeof options.deflate>);
  const transport = { pause() {}, resume() {} } as unknown as WebSocketTransport;
  return new Receiver(transport, options, 'server', deflate, seen, EVENTS);
}

const compressed = (data: Buffer): Buffer => {
  const out = zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
};

const FAILING: [what: string, payload: Buffer, closeCode: number][] = [
  ['invalid UTF-8 once inflated', compressed(Buffer.from([0x61, 0xff, 0x62])), 1007],
  ['not deflate data', Buffer.from([0xff, 0xff, 0xff, 0xff]), 1007],
  ['inflating past maxMessageBytes', compressed(Buffer.alloc(5000, 0x61)), 1009],
];

for (const contextTakeover of [false, true]) {
  for (const [what, payload, closeCode] of FAILING) {
    test(`a compressed message with ${what} fails with ${closeCode} and nothing after it is delivered (context takeover: ${contextTakeover})`, async () => {
      const seen: Seen = { events: [] };
      const r = receiver(seen, contextTakeover);
      r.push(
        frames(
          { opcode: 0x1, payload: 'before' },
          { opcode: 0x1, rsv: 4, payload },
          { opcode: 0x1, payload: 'after' },
          { opcode: 0x9, payload: 'p' },
          { opcode: 0x8, payload: Buffer.from([0x03, 0xe8]) },
        ),
      );
      await eventually(() => seen.failure !== undefined, 'the failure');
      assert.equal(seen.failure?.closeCode, closeCode);
      assert.deepEqual(seen.events, ['text:before']);
      r.push(frames({ opcode: 0x1, payload: 'later' }));
      assert.deepEqual(seen.events, ['text:before']);
      r.closed();
    });
  }
}

// Receivers give their parser back between messages (a pool shared by connections with the same
// options): connections whose frames and messages are cut across reads must keep their own state.
test('receivers sharing a parser pool keep each connection’s partial frames and fragments apart', () => {
  const options = resolveWebSocketOptions({ maxMessageBytes: 1000 });
  const transport = { pause() {}, resume() {} } as unknown as WebSocketTransport;
  const a: Seen = { events: [] };
  const b: Seen = { events: [] };
  const ra = new Receiver(transport, options, 'server', undefined, a, EVENTS);
  const rb = new Receiver(transport, options, 'server', undefined, b, EVENTS);
  const fragmented = frames(
    { opcode: 0x1, fin: false, payload: 'frag' },
    { opcode: 0x9, payload: 'p' },
    { opcode: 0x0, payload: 'mented' },
  );
  // A new buffer each time: the parser unmasks in place.
  const whole = () => frames({ opcode: 0x2, payload: 'bb' }, { opcode: 0x1, payload: 'b-text' });
  const x = frames({ opcode: 0x1, payload: 'x' });
  // A stops inside its first frame's header, then inside the continuation; B's whole messages come in between.
  ra.push(fragmented.subarray(0, 1));
  rb.push(whole());
  ra.push(fragmented.subarray(1, 12));
  rb.push(whole());
  ra.push(fragmented.subarray(12));
  rb.push(x.subarray(0, 3));
  ra.push(frames({ opcode: 0x1, payload: 'a-after' }));
  rb.push(x.subarray(3));
  assert.deepEqual(a.events, ['ping:p', 'text:fragmented', 'text:a-after']);
  assert.deepEqual(b.events, ['binary:bb', 'text:b-text', 'binary:bb', 'text:b-text', 'text:x']);
  assert.equal(a.failure, undefined);
  assert.equal(b.failure, undefined);
  ra.closed();
  rb.closed();
});
