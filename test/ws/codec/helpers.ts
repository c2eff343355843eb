/**
 * Byte-level helpers for the WebSocket codec tests: frames written out by hand (independently of
 * the serializer under test), and a parser run over every split of the input.
 */
import assert from 'node:assert/strict';
import { FrameParser, type FrameParserOptions } from '../../../src/ws/codec/frame-parser.js';

export const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

export interface RawFrame {
  fin?: boolean;
  rsv?: number; // 0-7: RSV1 = 4, RSV2 = 2, RSV3 = 1
  opcode: number;
  payload?: Uint8Array | string;
  /** Mask with KEY (default true: frames from a client). */
  masked?: boolean;
  /** Force a length encoding: 7, 16 or 64 bits (non-minimal forms included). */
  lengthBits?: 7 | 16 | 64;
}

/** One frame's bytes, written without the code under test. */
export function frame(f: RawFrame): Buffer {
  const payload = typeof f.payload === 'string' ? Buffer.from(f.payload) : Buffer.from(f.payload ?? []);
  const masked = f.masked ?? true;
  const bits = f.lengthBits ?? (payload.length < 126 ? 7 : payload.length < 65536 ? 16 : 64);
  const head: number[] = [((f.fin ?? true) ? 0x80 : 0) | ((f.rsv ?? 0) << 4) | f.opcode];
  const m = masked ? 0x80 : 0;
  if (bits === 7) head.push(m | payload.length);
  else if (bits === 16) head.push(m | 126, payload.length >> 8, payload.length & 0xff);
  else {
    head.push(m | 127, 0, 0, 0, 0);
    head.push(
      (payload.length >>> 24) & 0xff,
      (payload.length >>> 16) & 0xff,
      (payload.length >>> 8) & 0xff,
      payload.length & 0xff,
    );
  }
  const body = Buffer.from(payload);
  if (masked) {
    head.push(...KEY);
    for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (KEY[i % 4] as number);
  }
  return Buffer.concat([Buffer.from(head), body]);
}

export const frames = (...list: RawFrame[]): Buffer => Buffer.concat(list.map(frame));

/** A close frame payload: code and reason. */
export function closePayload(code: number, reason: string | Uint8Array = ''): Buffer {
  const head = Buffer.from([code >> 8, code & 0xff]);
  return Buffer.concat([head, typeof reason === 'string' ? Buffer.from(reason) : Buffer.from(reason)]);
}

/** What the parser produced, as comparable strings. */
export type Event = string;

export const SERVER: FrameParserOptions = {
  role: 'server',
  maxMessageBytes: 1 << 20,
  maxFrameBytes: 1 << 20,
  maxFragments: 1000,
};

function describe(payload: Buffer, isText: boolean): string {
  return isText ? `text:${payload.toString('utf8')}` : `binary:${payload.toString('hex')}`;
}

/** Runs a fresh parser over `chunks` in order and lists its events. */
export function parseChunks(chunks: readonly Buffer[], options: Partial<FrameParserOptions> = {}): Event[] {
  const events: Event[] = [];
  const parser = new FrameParser(
    {
      onMessage: (p, isText, compressed) => events.push(`${compressed ? 'compressed-' : ''}${describe(p, isText)}`),
      onPing: (p) => events.push(`ping:${p.toString('hex')}`),
      onPong: (p) => events.push(`pong:${p.toString('hex')}`),
      onCloseFrame: (code, reason) => events.push(`close:${code}:${reason}`),
      onFail: (f) => events.push(`fail:${f.closeCode}:${f.errorCode}`),
    },
    { ...SERVER, ...options },
  );
  // Copies: the parser unmasks in place, and every split must see the original bytes.
  for (const chunk of chunks) parser.push(Buffer.from(chunk));
  return events;
}

/** Inputs longer than this are cut at the first and last offsets and every 997th, not at all of them. */
const EVERY_OFFSET_LIMIT = 1024;

/** The input whole, cut in two at every offset, and one byte at a time. */
export function* splits(bytes: Buffer): Generator<{ name: string; chunks: Buffer[] }> {
  yield { name: 'whole', chunks: [bytes] };
  for (let i = 1; i < bytes.length; i++) {
    const sampled = i < 64 || i > bytes.length - 64 || i % 997 === 0;
    if (bytes.length > EVERY_OFFSET_LIMIT && !sampled) continue;
    yield { name: `split at ${i}`, chunks: [bytes.subarray(0, i), bytes.subarray(i)] };
  }
  yield { name: 'byte by byte', chunks: [...bytes].map((b) => Buffer.from([b])) };
}

/**
 * Asserts that every split of `bytes` gives `expected`. For inputs whose failure is detected before
 * the end (fail-fast), a split may see the failure earlier; events stop at the first failure anyway.
 */
export function expectEvents(bytes: Buffer, expected: Event[], options: Partial<FrameParserOptions> = {}): void {
  for (const { name, chunks } of splits(bytes)) {
    assert.deepEqual(parseChunks(chunks, options), expected, name);
  }
}
