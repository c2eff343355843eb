/**
 * The load generator's response framer at the byte level: every framing of RFC 9112 §6.3, split at
 * every offset and fed one byte at a time, and the malformed inputs that must kill a connection.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ResponseFramer } from '../../../src/tools/loadgen/response-framer.js';

interface Framed {
  statuses: number[];
  keepAlive: boolean[];
  error: string | undefined;
  pending: number;
}

/** Frames `input` in the given pieces after expecting one request per entry of `noBody`. */
function frame(pieces: readonly Buffer[], noBody: readonly boolean[], finish = false): Framed {
  const out: Framed = { statuses: [], keepAlive: [], error: undefined, pending: 0 };
  const framer = new ResponseFramer((status, keepAlive) => {
    out.statuses.push(status);
    out.keepAlive.push(keepAlive);
  });
  for (const n of noBody) framer.expect(n);
  for (const piece of pieces) {
    // The caller may reuse its read buffer: hand over a copy that is scribbled over afterwards.
    const scratch = Buffer.from(piece);
    const error = framer.push(scratch);
    scratch.fill(0x58);
    if (error !== undefined) {
      out.error = error.code;
      break;
    }
  }
  if (finish && out.error === undefined) out.error = framer.finish()?.code;
  out.pending = framer.pending;
  return out;
}

/** Every way to cut `input` in two, plus one byte at a time. */
function splits(input: string): Buffer[][] {
  const bytes = Buffer.from(input, 'latin1');
  const out: Buffer[][] = [[bytes]];
  for (let i = 1; i < bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  out.push([...bytes].map((b) => Buffer.from([b])));
  return out;
}

const CASES: { name: string; input: string; noBody: boolean[]; statuses: number[]; keepAlive?: boolean[] }[] = [
  {
    name: 'Content-Length bodies, pipelined',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\ncontent-length:  0 \r\n\r\n',
    noBody: [false, false],
    statuses: [200, 404],
  },
  {
    name: 'chunked with extensions and trailers',
    input:
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n5;x=1\r\nhello\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nz',
    noBody: [false, false],
    statuses: [200, 201],
  },
  {
    name: 'HEAD, 204 and 304 have no body whatever their fields say',
    input:
      'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\nHTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    noBody: [true, false, false, false],
    statuses: [200, 204, 304, 200],
  },
  {
    name: 'interim 100 and 103 are skipped',
    input:
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!',
    noBody: [false],
    statuses: [200],
  },
  {
    name: 'Connection: close and HTTP/1.0 without keep-alive end the connection',
    input: 'HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 2\r\n\r\nok',
    noBody: [false],
    statuses: [200],
    keepAlive: [false],
  },
  {
    name: 'HTTP/1.0 with keep-alive, and a token list',
    input:
      'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nConnection: foo, keep-alive\r\nContent-Length: 1\r\n\r\nb',
    noBody: [false, false],
    statuses: [200, 200],
    keepAlive: [true, true],
  },
];

describe('framing', () => {
  for (const c of CASES) {
    test(`${c.name}, split at every offset`, () => {
      for (const pieces of splits(c.input)) {
        const got = frame(pieces, c.noBody);
        assert.equal(got.error, undefined, `split ${pieces.map((p) => p.length).join('+')}`);
        assert.deepEqual(got.statuses, c.statuses, `split ${pieces.map((p) => p.length).join('+')}`);
        if (c.keepAlive !== undefined) assert.deepEqual(got.keepAlive, c.keepAlive);
        assert.equal(got.pending, 0);
      }
    });
  }

  test('a body without length ends at EOF; a response cut short is an error', () => {
    const untilClose = frame([Buffer.from('HTTP/1.1 200 OK\r\n\r\nsome bytes')], [false], true);
    assert.deepEqual(untilClose.statuses, [200]);
    assert.equal(untilClose.error, undefined);
    const cut = frame([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort')], [false], true);
    assert.deepEqual(cut.statuses, []);
    assert.equal(cut.error, 'WK_ERR_UNEXPECTED_EOF');
    const inHead = frame([Buffer.from('HTTP/1.1 200 OK\r\nContent-Le')], [false], true);
    assert.equal(inHead.error, 'WK_ERR_UNEXPECTED_EOF');
    const idle = frame([], [false], true);
    assert.equal(idle.error, undefined, 'no byte of a response: the caller decides');
  });
});

describe('malformed responses kill the connection', () => {
  const bad: [string, string, string][] = [
    ['not HTTP', 'HELLO\r\n\r\n', 'WK_ERR_HTTP_INVALID_STATUS_LINE'],
    ['HTTP/2 status line', 'HTTP/2.0 200 OK\r\n\r\n', 'WK_ERR_HTTP_INVALID_STATUS_LINE'],
    ['status not three digits', 'HTTP/1.1 2x0 OK\r\n\r\n', 'WK_ERR_HTTP_INVALID_STATUS_LINE'],
    [
      'conflicting lengths',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'WK_ERR_HTTP_INVALID_FRAMING',
    ],
    ['a length that is no number', 'HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n', 'WK_ERR_HTTP_INVALID_FRAMING'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'WK_ERR_HTTP_INVALID_CHUNK'],
    ['a 101 nobody asked for', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', 'WK_ERR_HTTP_UNSOLICITED_RESPONSE'],
  ];
  for (const [name, input, code] of bad) {
    test(name, () => {
      assert.equal(frame([Buffer.from(input, 'latin1')], [false]).error, code);
    });
  }

  test('bytes with no request pending', () => {
    const got = frame([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n')], [false]);
    assert.deepEqual(got.statuses, [200]);
    assert.equal(got.error, 'WK_ERR_HTTP_UNSOLICITED_RESPONSE');
  });

  test('a head over the limit, whole or arriving in pieces', () => {
    const big = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(300)}\r\n\r\n`;
    const framer = (): ResponseFramer => new ResponseFramer(() => {}, 256);
    const whole = framer();
    whole.expect(false);
    assert.equal(whole.push(Buffer.from(big))?.code, 'WK_ERR_RESPONSE_HEAD_TOO_LARGE');
    const pieces = framer();
    pieces.expect(false);
    let error: string | undefined;
    for (let i = 0; i < big.length && error === undefined; i += 10)
      error = pieces.push(Buffer.from(big.slice(i, i + 10)))?.code;
    assert.equal(error, 'WK_ERR_RESPONSE_HEAD_TOO_LARGE');
  });
});
