/**
 * The request parser on its own (src/http/codec/request-parser.ts), at the byte level: every case
 * is parsed whole, split in two at every offset and one byte at a time, and must come out the same.
 * The llhttp corpus (test/conformance/codec-requests.test.ts) covers the long tail; this file holds
 * the basics a reader looks for first: the head, body framing, pipelining, the connection's fate,
 * upgrades, limits and refusals with their status.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParserLimits } from '../../../src/http/codec/limits.js';
import { RequestParser } from '../../../src/http/codec/request-parser.js';
import { type ParsedRequest, type ParseResult, parseChunks, splits } from '../../helpers/http-parse.js';

interface Options {
  finish?: boolean;
  limits?: Partial<ParserLimits>;
}

/** Parses `text` (latin1) at every split and runs `check` on each result, naming the split on failure. */
function everySplit(text: string, options: Options, check: (result: ParseResult) => void): void {
  for (const { name, chunks } of splits(Buffer.from(text, 'latin1'))) {
    try {
      check(parseChunks(chunks, options));
    } catch (error) {
      if (error instanceof Error) error.message = `${name}: ${error.message}`;
      throw error;
    }
  }
}

/** `METHOD target 1.x "body" end` for a message; `end` only once it is complete. */
function brief(m: ParsedRequest): string {
  return `${m.method} ${m.target} ${m.version} ${JSON.stringify(m.body)}${m.complete ? ' end' : ''}`;
}

/** Parses `text` at every split: no error, these messages, and (when given) this parser state. */
function expectRequests(text: string, want: string[], state?: string, options: Options = {}): void {
  everySplit(text, options, (r) => {
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.messages.map(brief), want);
    if (state !== undefined) assert.equal(r.state, state);
  });
}

/** Parses `text` at every split: refused with `code` and `status`, and no message completed. */
function expectRefused(text: string, code: string, status: number, options: Options = {}): void {
  everySplit(text, options, (r) => {
    assert.equal(r.error?.code, code, `got ${r.error?.code ?? 'no error'}`);
    assert.equal(r.error?.status, status);
    assert.equal(r.state, 'error');
    assert.deepEqual(
      r.messages.filter((m) => m.complete),
      [],
    );
  });
}

test('a GET: method, target as received, version, headers in order with their case, values trimmed', () => {
  const text = 'GET /a%20b?x=1&y HTTP/1.1\r\nHost: example.com\r\nX-Twice: one\r\nx-twice:  two \r\n\r\n';
  expectRequests(text, ['GET /a%20b?x=1&y 1.1 "" end'], 'head');
  everySplit(text, {}, (r) => {
    assert.deepEqual(r.messages[0]?.headers, [
      ['Host', 'example.com'],
      ['X-Twice', 'one'],
      ['x-twice', 'two'],
    ]);
    assert.equal(r.messages[0]?.keepAlive, true);
  });
});

test('the request-target forms of RFC 9112 §3.2: origin, absolute, authority (CONNECT) and asterisk (OPTIONS)', () => {
  expectRequests('GET http://example.com/x HTTP/1.1\r\nHost: example.com\r\n\r\n', [
    'GET http://example.com/x 1.1 "" end',
  ]);
  expectRequests('OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n', ['OPTIONS * 1.1 "" end']);
  expectRequests('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', [
    'CONNECT example.com:443 1.1 "" end',
  ]);
});

test('Content-Length delimits the body', () => {
  expectRequests('POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello', ['POST /p 1.1 "hello" end'], 'head');
  expectRequests('POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n', ['POST /p 1.1 "" end'], 'head');
  // Short of its length, the request is still in its body.
  expectRequests('POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nhello', ['POST /p 1.1 "hello"'], 'body');
});

test('chunked: sizes in hex, extensions ignored, trailers kept', () => {
  const text =
    'POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '5;note=x\r\nhello\r\nA\r\n world!!!!\r\n0\r\nX-Sum: 15\r\n\r\n';
  expectRequests(text, ['POST /c 1.1 "hello world!!!!" end'], 'head');
  everySplit(text, {}, (r) => assert.deepEqual(r.messages[0]?.trailers, [['X-Sum', '15']]));
});

test('pipelined requests come out in order from one input', () => {
  const one = 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n';
  const two = 'POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc';
  const three = 'GET /3 HTTP/1.1\r\nHost: a\r\n\r\n';
  expectRequests(one + two + three, ['GET /1 1.1 "" end', 'POST /2 1.1 "abc" end', 'GET /3 1.1 "" end'], 'head');
});

test('Connection: close and HTTP/1.0 end the connection: nothing after that request is parsed', () => {
  const next = 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n';
  expectRequests(
    `GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n${next}`,
    ['GET /last 1.1 "" end'],
    'closed',
  );
  expectRequests(`GET /old HTTP/1.0\r\n\r\n${next}`, ['GET /old 1.0 "" end'], 'closed');
  // HTTP/1.0 may ask to stay open.
  expectRequests('GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', ['GET /old 1.0 "" end'], 'head');
});

test('Expect: 100-continue is flagged on the head', () => {
  everySplit('PUT /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok', {}, (r) => {
    assert.equal(r.messages[0]?.expectContinue, true);
    assert.equal(brief(r.messages[0] as ParsedRequest), 'PUT /u 1.1 "ok" end');
  });
});

test('an upgrade request pauses the parser; the bytes after it are held for the new protocol', () => {
  const head = 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
  const parser = new RequestParser();
  const events = parser.push(Buffer.from(`${head}\x81\x05frame`, 'latin1'));
  assert.deepEqual(
    events.map((e) => e.type),
    ['head', 'end'],
  );
  assert.equal(events[0]?.type === 'head' && events[0].upgrade, true);
  assert.equal(parser.state, 'paused');
  assert.deepEqual(parser.push(Buffer.from('more')), []);
  assert.equal(Buffer.from(parser.takeHeld()).toString('latin1'), '\x81\x05framemore');
  // Declined: resume() parses what follows as HTTP again.
  parser.push(Buffer.from('GET /next HTTP/1.1\r\nHost: a\r\n\r\n'));
  const resumed = parser.resume();
  assert.deepEqual(
    resumed.map((e) => (e.type === 'head' ? `head ${e.target}` : e.type)),
    ['head /next', 'end'],
  );
  assert.equal(parser.state, 'head');
});

test('idle between requests; finish() inside a request is WK_ERR_UNEXPECTED_EOF (400)', () => {
  const parser = new RequestParser();
  assert.equal(parser.idle, true);
  parser.push(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
  assert.equal(parser.idle, true);
  assert.deepEqual(parser.finish(), []);
  everySplit('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab', { finish: true }, (r) => {
    assert.equal(r.error?.code, 'WK_ERR_UNEXPECTED_EOF');
    assert.equal(r.error?.status, 400);
  });
});

test('framing that cannot be trusted is refused (RFC 9112 §6.3): 400, or 501 for an unknown coding', () => {
  const host = 'POST / HTTP/1.1\r\nHost: a\r\n';
  expectRefused(
    `${host}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    'WK_ERR_HTTP_INVALID_FRAMING',
    400,
  );
  expectRefused(`${host}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`, 'WK_ERR_HTTP_INVALID_FRAMING', 400);
  expectRefused(`${host}Content-Length: -1\r\n\r\n`, 'WK_ERR_HTTP_INVALID_FRAMING', 400);
  expectRefused(`${host}Transfer-Encoding: chunked, gzip\r\n\r\n`, 'WK_ERR_HTTP_INVALID_FRAMING', 400);
  expectRefused(`${host}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`, 'WK_ERR_HTTP_UNSUPPORTED_CODING', 501);
  expectRefused(`${host}Transfer-Encoding: chunked\r\n\r\nzz\r\n`, 'WK_ERR_HTTP_INVALID_CHUNK', 400);
});

test('malformed heads are refused with the status RFC 9110/9112 give them', () => {
  expectRefused('GET / HTTP/1.1\r\n\r\n', 'WK_ERR_HTTP_INVALID_HOST', 400);
  expectRefused('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 'WK_ERR_HTTP_INVALID_HOST', 400);
  expectRefused('GET / HTTP/2.0\r\nHost: a\r\n\r\n', 'WK_ERR_HTTP_VERSION_NOT_SUPPORTED', 505);
  expectRefused('GET /\r\nHost: a\r\n\r\n', 'WK_ERR_HTTP_INVALID_REQUEST_LINE', 400);
  expectRefused('G(T / HTTP/1.1\r\nHost: a\r\n\r\n', 'WK_ERR_HTTP_INVALID_REQUEST_LINE', 400);
  expectRefused('GET  / HTTP/1.1\r\nHost: a\r\n\r\n', 'WK_ERR_HTTP_INVALID_TARGET', 400);
  expectRefused('GET / HTTP/1.1\nHost: a\r\n\r\n', 'WK_ERR_HTTP_INVALID_LINE_ENDING', 400);
  expectRefused('GET / HTTP/1.1\r\nHost : a\r\n\r\n', 'WK_ERR_HTTP_INVALID_HEADER', 400);
  expectRefused('GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  folded\r\n\r\n', 'WK_ERR_HTTP_INVALID_HEADER', 400);
  expectRefused('GET /a b HTTP/1.1\r\nHost: a\r\n\r\n', 'WK_ERR_HTTP_INVALID_REQUEST_LINE', 400);
});

test('limits: request line 414, head size and header count 431, body 413', () => {
  const limits = { maxRequestLineBytes: 32, maxHeadBytes: 128, maxHeaderCount: 3, maxBodyBytes: 4 };
  expectRefused(`GET /${'a'.repeat(40)} HTTP/1.1\r\nHost: a\r\n\r\n`, 'WK_ERR_HTTP_URI_TOO_LONG', 414, { limits });
  expectRefused(`GET / HTTP/1.1\r\nHost: a\r\nX: ${'b'.repeat(130)}\r\n\r\n`, 'WK_ERR_HTTP_HEADERS_TOO_LARGE', 431, {
    limits,
  });
  expectRefused('GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n', 'WK_ERR_HTTP_HEADERS_TOO_LARGE', 431, {
    limits,
  });
  expectRefused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello', 'WK_ERR_HTTP_BODY_TOO_LARGE', 413, {
    limits,
  });
  // At the limits exactly, everything passes.
  expectRequests('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nhell', ['POST / 1.1 "hell" end'], 'head', {
    limits,
  });
});

test('after an error the parser is dead: push() returns nothing', () => {
  const parser = new RequestParser();
  const events = parser.push(Buffer.from('BAD\r\n\r\n'));
  assert.equal(events.at(-1)?.type, 'error');
  assert.deepEqual(parser.push(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n')), []);
  assert.equal(parser.state, 'error');
});

test('empty lines before a request line are ignored (RFC 9112 §2.2)', () => {
  expectRequests('\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n', ['GET / 1.1 "" end'], 'head');
});
