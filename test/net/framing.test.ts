/** Line and length-prefix framing: the pure codecs at every split, limits, and over sockets. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWirekitError, LimitError } from '../../src/errors.js';
import {
  type Connection,
  connect,
  encodeFrame,
  encodeLine,
  frames,
  LengthPrefixDecoder,
  LineDecoder,
  lines,
  listen,
  RawLineDecoder,
  writeFrame,
  writeLine,
} from '../../src/net/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { bytes, pattern, text } from './fixtures.js';

const leaks = trackLeaks();

/** Every way to cut `input` in two, plus one byte at a time. */
function splits(input: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let at = 0; at <= input.byteLength; at++) out.push([input.subarray(0, at), input.subarray(at)]);
  out.push([...input].map((byte) => Uint8Array.of(byte)));
  return out;
}

const isFrameTooLarge = (error: unknown): error is LimitError =>
  error instanceof LimitError && isWirekitError(error, 'WK_ERR_FRAME_TOO_LARGE');

describe('LineDecoder', () => {
  test('the same lines at every split, CRLF or LF, with a trailing partial line', () => {
    const input = bytes('alpha\r\nbeta\n\ngrüße\r\ntail');
    for (const chunks of splits(input)) {
      const decoder = new LineDecoder();
      const out = chunks.flatMap((chunk) => decoder.push(chunk));
      out.push(decoder.end() ?? '<none>');
      assert.deepEqual(out, ['alpha', 'beta', '', 'grüße', 'tail'], `chunks ${chunks.map((c) => c.byteLength)}`);
    }
  });

  test('a custom multi-byte delimiter at every split, without CR stripping', () => {
    for (const chunks of splits(bytes('a\r||b||c'))) {
      const decoder = new RawLineDecoder({ delimiter: '||', stripCR: false });
      const out = chunks.flatMap((chunk) => decoder.push(chunk)).map(text);
      assert.deepEqual(out, ['a\r', 'b']);
      assert.equal(text(decoder.end()), 'c');
    }
  });

  test('a line over maxLineBytes throws as soon as maxLineBytes + 1 bytes arrive without a delimiter', () => {
    const decoder = new LineDecoder({ maxLineBytes: 8 });
    assert.deepEqual(decoder.push(bytes('12345678')), [], 'exactly the limit may still end well');
    assert.throws(() => decoder.push(bytes('9')), isFrameTooLarge);
    assert.equal(decoder.bufferedBytes, 0, 'nothing kept');
    assert.throws(() => decoder.push(bytes('\n')), isFrameTooLarge, 'stays failed');
  });

  test('lines completed before an over-limit line in the same push are returned first', () => {
    const decoder = new LineDecoder({ maxLineBytes: 4 });
    assert.deepEqual(decoder.push(bytes('ok\n0123456789')), ['ok']);
    assert.throws(() => decoder.push(bytes('\n')), isFrameTooLarge);
  });

  test('a line of exactly maxLineBytes is accepted', () => {
    assert.deepEqual(new LineDecoder({ maxLineBytes: 4 }).push(bytes('abcd\n')), ['abcd']);
  });
});

describe('LengthPrefixDecoder', () => {
  for (const prefix of ['u8', 'u16', 'u32'] as const) {
    test(`${prefix}: the same frames at every split`, () => {
      const payloads = [bytes('one'), new Uint8Array(0), pattern(200)];
      const input = Buffer.concat(payloads.map((payload) => encodeFrame(payload, { prefix })));
      for (const chunks of splits(input)) {
        const decoder = new LengthPrefixDecoder({ prefix });
        const out = chunks.flatMap((chunk) => decoder.push(chunk));
        assert.deepEqual(
          out.map((frame) => Buffer.from(frame)),
          payloads.map((payload) => Buffer.from(payload)),
        );
        decoder.end();
      }
    });
  }

  test('an over-limit length is refused from the prefix alone, before any body byte', () => {
    const decoder = new LengthPrefixDecoder({ maxFrameBytes: 1024 });
    assert.throws(() => decoder.push(Uint8Array.of(0, 0, 4, 1)), isFrameTooLarge);
    assert.equal(decoder.bufferedBytes, 0);
    const huge = new LengthPrefixDecoder(); // default 16 MiB
    assert.throws(() => huge.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), isFrameTooLarge);
  });

  test('end() inside a frame is WK_ERR_UNEXPECTED_EOF', () => {
    const decoder = new LengthPrefixDecoder({ prefix: 'u16' });
    decoder.push(Uint8Array.of(0, 5, 1, 2));
    assert.throws(() => decoder.end(), { code: 'WK_ERR_UNEXPECTED_EOF' });
  });

  test('encodeFrame refuses payloads over the limit or over what the prefix can express', () => {
    assert.throws(() => encodeFrame(new Uint8Array(256), { prefix: 'u8' }), isFrameTooLarge);
    assert.throws(() => encodeFrame(new Uint8Array(11), { maxFrameBytes: 10 }), isFrameTooLarge);
    assert.deepEqual([...encodeFrame(bytes('hi'), { prefix: 'u16' })], [0, 2, 104, 105]);
    assert.deepEqual([...encodeLine('hi')], [104, 105, 10]);
  });
});

describe('framing over sockets', () => {
  async function serve(handler: (conn: Connection) => Promise<void>): Promise<Connection> {
    const server = await listen({ port: 0 }, handler);
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const conn = await connect({ port: server.address.port });
    leaks.defer(() => conn.close({ timeoutMs: 0 }));
    return conn;
  }

  test('lines() and writeLine() echo, including a last line without newline', async () => {
    const conn = await serve(async (server) => {
      for await (const line of lines(server)) await writeLine(server, `echo: ${line}`);
    });
    await conn.write('one\r\ntwo\nthr');
    await conn.end('ee');
    const got: string[] = [];
    for await (const line of lines(conn)) got.push(line);
    assert.deepEqual(got, ['echo: one', 'echo: two', 'echo: three']);
  });

  test('an over-long line is WK_ERR_FRAME_TOO_LARGE on the reading side', async () => {
    let failure: unknown;
    const conn = await serve(async (server) => {
      try {
        for await (const _ of lines(server, { maxLineBytes: 100 })) {
          // nothing: the first line is already too long
        }
      } catch (error) {
        failure = error;
      }
      await server.end();
    });
    await conn.write('x'.repeat(10_000));
    assert.equal(await conn.read(), null);
    assert.ok(isFrameTooLarge(failure), String(failure));
    // The pure codec knows no socket; the error raised on a connection carries its addresses.
    assert.equal((failure as LimitError).remoteAddress?.port, conn.localAddress?.port);
    assert.equal((failure as LimitError).localAddress?.port, conn.remoteAddress?.port);
  });

  test('leaving a lines() loop early leaves the next line on the connection', async () => {
    const conn = await serve(async (server) => {
      await server.end('first\nsecond\n');
    });
    for await (const line of lines(conn)) {
      assert.equal(line, 'first');
      break;
    }
    assert.equal(text(await conn.readUntil('\n')), 'second');
  });

  test('frames() and writeFrame() round-trip, and an over-limit prefix fails before the body', async () => {
    const conn = await serve(async (server) => {
      for await (const frame of frames(server, { prefix: 'u16' })) await writeFrame(server, frame, { prefix: 'u16' });
      await server.end();
    });
    const payloads = [bytes('a'), new Uint8Array(0), pattern(60_000)];
    for (const payload of payloads) await writeFrame(conn, payload, { prefix: 'u16' });
    await conn.end();
    const got: Buffer[] = [];
    for await (const frame of frames(conn, { prefix: 'u16' })) got.push(Buffer.from(frame));
    assert.deepEqual(
      got,
      payloads.map((payload) => Buffer.from(payload)),
    );

    const limited = await serve(async (server) => {
      await server.end(Uint8Array.of(0, 0, 0x10, 0)); // announces 4096 bytes, sends none
    });
    const iterator = frames(limited, { maxFrameBytes: 1000 });
    await assert.rejects(iterator.next(), (error) => {
      assert.ok(isFrameTooLarge(error));
      assert.equal(error.remoteAddress?.port, limited.remoteAddress?.port);
      assert.equal(error.localAddress?.port, limited.localAddress?.port);
      return true;
    });
  });
});
