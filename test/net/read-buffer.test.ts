/**
 * The read buffer without a socket: every read kind over the same byte stream split at every
 * offset (and one byte at a time), with the bytes already buffered and with the read pending.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWirekitError, LimitError } from '../../src/errors.js';
import { ReadBuffer, type ReadSource } from '../../src/net/read-buffer.js';
import { bytes, text } from './fixtures.js';

interface FakeSource extends ReadSource {
  paused: boolean;
  eofSeen: number;
  failures: unknown[];
}

function fakeSource(): FakeSource {
  const source: FakeSource = {
    paused: false,
    eofSeen: 0,
    failures: [],
    pause: () => {
      source.paused = true;
    },
    resume: () => {
      source.paused = false;
    },
    eofDelivered: () => {
      source.eofSeen++;
    },
    callbackFailed: (error) => {
      source.failures.push(error);
    },
    endpoints: () => ({}),
  };
  return source;
}

const STREAM = 'GET /x\r\nexactly-16-bytes|tail';

/** The same sequence of reads: readUntil CRLF, readExactly 16, readUntil '|', then read() to EOF. */
async function readAll(buffer: ReadBuffer): Promise<string[]> {
  const out = [text(await buffer.readUntil('\r\n', 1024))];
  out.push(text(await buffer.readExactly(16)));
  out.push(text(await buffer.readUntil(bytes('|'), 1024)));
  let rest = '';
  for (let chunk = await buffer.read(); chunk !== null; chunk = await buffer.read()) rest += text(chunk);
  out.push(rest);
  return out;
}

const EXPECTED = ['GET /x', 'exactly-16-bytes', '', 'tail'];

function splits(input: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let at = 0; at <= input.byteLength; at++) out.push([input.subarray(0, at), input.subarray(at)]);
  out.push([...input].map((byte) => Uint8Array.of(byte)));
  return out;
}

describe('ReadBuffer over every split of the stream', () => {
  test('bytes buffered before the reads', async () => {
    for (const chunks of splits(bytes(STREAM))) {
      const buffer = new ReadBuffer(fakeSource(), 1 << 20);
      for (const chunk of chunks) buffer.push(chunk);
      buffer.end();
      assert.deepEqual(await readAll(buffer), EXPECTED, `chunks ${chunks.map((c) => c.byteLength)}`);
    }
  });

  test('reads pending while the bytes arrive', async () => {
    for (const chunks of splits(bytes(STREAM))) {
      const source = fakeSource();
      const buffer = new ReadBuffer(source, 1 << 20);
      const result = readAll(buffer);
      for (const chunk of chunks) {
        await new Promise((resolve) => setImmediate(resolve));
        buffer.push(chunk);
      }
      buffer.end();
      assert.deepEqual(await result, EXPECTED, `chunks ${chunks.map((c) => c.byteLength)}`);
      assert.equal(source.eofSeen, 1, 'EOF reported once, when read() returned null');
    }
  });
});

describe('ReadBuffer reads', () => {
  test('readUntil over maxBytes rejects with a LimitError and leaves the bytes unread', async () => {
    const buffer = new ReadBuffer(fakeSource(), 1024);
    buffer.push(bytes('0123456789'));
    await assert.rejects(
      buffer.readUntil('\n', 8),
      (error) => error instanceof LimitError && isWirekitError(error, 'WK_ERR_READ_LIMIT'),
    );
    buffer.push(bytes('\n'));
    assert.equal(text(await buffer.readUntil('\n', 10)), '0123456789');
  });

  test('readUntil accepts exactly maxBytes before the delimiter, also when it arrives later', async () => {
    const buffer = new ReadBuffer(fakeSource(), 1024);
    const pending = buffer.readUntil('\r\n', 4);
    buffer.push(bytes('abcd\r'));
    buffer.push(bytes('\n'));
    assert.equal(text(await pending), 'abcd');
  });

  test('a pending readUntil rejects once maxBytes arrive without the delimiter', async () => {
    const buffer = new ReadBuffer(fakeSource(), 1024);
    const pending = buffer.readUntil('\n', 4);
    buffer.push(bytes('abc'));
    buffer.push(bytes('de'));
    await assert.rejects(pending, { code: 'WK_ERR_READ_LIMIT' });
    assert.equal(buffer.bufferedBytes, 5);
  });

  test('readExactly and readUntil reject WK_ERR_UNEXPECTED_EOF when the peer ends first', async () => {
    const buffer = new ReadBuffer(fakeSource(), 1024);
    buffer.push(bytes('abc'));
    buffer.end();
    await assert.rejects(buffer.readExactly(4), { code: 'WK_ERR_UNEXPECTED_EOF' });
    await assert.rejects(buffer.readUntil('\n', 10), { code: 'WK_ERR_UNEXPECTED_EOF' });
    assert.equal(text(await buffer.readExactly(3)), 'abc', 'the bytes stay readable');
    assert.equal(await buffer.read(), null);
  });

  test('a second concurrent read is refused with WK_ERR_READ_BUSY', async () => {
    const buffer = new ReadBuffer(fakeSource(), 1024);
    const first = buffer.read();
    await assert.rejects(buffer.read(), { code: 'WK_ERR_READ_BUSY' });
    buffer.push(bytes('x'));
    assert.equal(text(await first), 'x');
  });

  test('unshift puts bytes back in front', async () => {
    const buffer = new ReadBuffer(fakeSource(), 1024);
    buffer.push(bytes('world'));
    buffer.unshift(bytes('hello '));
    assert.equal(text(await buffer.readExactly(11)), 'hello world');
  });

  test('after a failure every read rejects with that error, buffered bytes or not', async () => {
    const buffer = new ReadBuffer(fakeSource(), 1024);
    const pending = buffer.readExactly(10);
    buffer.push(bytes('abc'));
    const failure = new Error('boom');
    buffer.fail(failure);
    await assert.rejects(pending, failure);
    await assert.rejects(buffer.read(), failure);
  });
});

describe('ReadBuffer flow control', () => {
  test('pull mode pauses the source at the high-water mark and resumes when read', async () => {
    const source = fakeSource();
    const buffer = new ReadBuffer(source, 10);
    buffer.push(bytes('12345'));
    assert.equal(source.paused, false);
    buffer.push(bytes('67890'));
    assert.equal(source.paused, true, 'paused at 10 bytes with no reader');
    await buffer.readExactly(3);
    assert.equal(source.paused, false, 'resumed once below the mark');
  });

  test('a pending read larger than the high-water mark keeps the source flowing', async () => {
    const source = fakeSource();
    const buffer = new ReadBuffer(source, 4);
    const pending = buffer.readExactly(12);
    for (const chunk of ['abcd', 'efgh', 'ijkl']) {
      buffer.push(bytes(chunk));
      if (chunk !== 'ijkl') assert.equal(source.paused, false);
    }
    assert.equal(text(await pending), 'abcdefghijkl');
  });

  test('push mode delivers buffered bytes first, honours pause/resume, then onEnd once', async () => {
    const source = fakeSource();
    const buffer = new ReadBuffer(source, 1024);
    buffer.push(bytes('a'));
    const seen: string[] = [];
    buffer.receive({ onData: (chunk) => seen.push(text(chunk)), onEnd: () => seen.push('<end>') });
    buffer.push(bytes('b')); // arrives before the microtask that flushes 'a': must queue behind it
    await Promise.resolve();
    assert.deepEqual(seen, ['a', 'b']);
    buffer.pause();
    assert.equal(source.paused, true);
    buffer.push(bytes('c'));
    buffer.end();
    assert.deepEqual(seen, ['a', 'b'], 'nothing delivered while paused');
    buffer.resume();
    assert.equal(source.paused, false);
    await Promise.resolve();
    assert.deepEqual(seen, ['a', 'b', 'c', '<end>']);
    assert.equal(source.eofSeen, 1);
    await assert.rejects(buffer.read(), { code: 'WK_ERR_READ_BUSY' });
  });

  test('a throwing onData is reported to the source, not thrown at the socket', async () => {
    const source = fakeSource();
    const buffer = new ReadBuffer(source, 1024);
    buffer.receive({
      onData: () => {
        throw new Error('handler bug');
      },
      onEnd: () => {},
    });
    await Promise.resolve(); // the switch to push mode flushes from a microtask
    buffer.push(bytes('x'));
    assert.equal(source.failures.length, 1);
  });
});
