/**
 * What the response parser refuses, and with which code: status line, fields, framing, chunks,
 * limits and unsolicited bytes, every case whole, split at every offset and one byte at a time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ErrorCode } from '../../../src/errors.js';
import { ResponseParser } from '../../../src/http/codec/response-parser.js';
import { brief, everySplit, type ResponseParseOptions } from '../../helpers/response-parse.js';

/** Every split of `text` ends in `code` (status 502) after the responses in `before`. */
function expectError(text: string, code: ErrorCode, options: ResponseParseOptions = {}, before: string[] = []): void {
  everySplit(text, options, (r) => {
    assert.equal(r.error?.code, code, `${JSON.stringify(text)}: ${r.error?.message ?? 'no error'}`);
    assert.equal(r.error?.status, 502);
    assert.equal(r.state, 'error');
    assert.deepEqual(r.messages.filter((m) => m.complete).map(brief), before);
  });
}

test('status lines: only HTTP/1.0 and 1.1, one SP, three digits within 100-599, clean reason bytes', () => {
  for (const line of [
    'HTTP/1.2 200 OK',
    'HTTP/2.0 200 OK',
    'HTTP/2 200 OK',
    'HTTP/0.9 200 OK',
    'http/1.1 200 OK',
    'RTSP/1.0 200 OK',
    'HTTP/1.1  200 OK',
    'HTTP/1.1\t200 OK',
    'HTTP/1.1 20 OK',
    'HTTP/1.1 2000 OK',
    'HTTP/1.1 20x OK',
    'HTTP/1.1 099 Low',
    'HTTP/1.1 600 High',
    'HTTP/1.1 200\tOK',
    'HTTP/1.1 200 O\x00K',
    'HTTP/1.1 200 OK\rX: y',
    'HTTP/1.1',
    ' HTTP/1.1 200 OK',
  ]) {
    expectError(`${line}\r\nContent-Length: 0\r\n\r\n`, 'WK_ERR_HTTP_INVALID_STATUS_LINE');
  }
});

test('status lines accepted: reason null without SP, empty after SP, obs-text and inner spaces kept', () => {
  const cases: [string, string | null][] = [
    ['HTTP/1.1 301', null],
    ['HTTP/1.1 200 ', ''],
    ['HTTP/1.1 200  OK', ' OK'],
    ['HTTP/1.0 599 Ori\xc3\xabnt\tatie', 'Ori\xc3\xabnt\tatie'],
  ];
  for (const [line, reason] of cases) {
    everySplit(`${line}\r\nContent-Length: 0\r\n\r\n`, {}, (r) => {
      assert.equal(r.error, undefined);
      assert.equal(r.messages[0]?.reason, reason);
    });
  }
});

test('field lines: obs-fold, whitespace before the colon, bad names, control bytes, bare LF', () => {
  const cases: [string, ErrorCode][] = [
    ['HTTP/1.1 200 OK\r\nA: 1\r\n  folded\r\n\r\n', 'WK_ERR_HTTP_INVALID_HEADER'],
    ['HTTP/1.1 200 OK\r\n Host: x\r\n\r\n', 'WK_ERR_HTTP_INVALID_HEADER'],
    ['HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n', 'WK_ERR_HTTP_INVALID_HEADER'],
    ['HTTP/1.1 200 OK\r\nen-US Type: x\r\n\r\n', 'WK_ERR_HTTP_INVALID_HEADER'],
    ['HTTP/1.1 200 OK\r\n: empty\r\n\r\n', 'WK_ERR_HTTP_INVALID_HEADER'],
    ['HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n', 'WK_ERR_HTTP_INVALID_HEADER'],
    ['HTTP/1.1 200 OK\r\nFoo: 1\rBar: 2\r\n\r\n', 'WK_ERR_HTTP_INVALID_HEADER'],
    ['HTTP/1.1 200 OK\r\nFoo: a\x00b\r\n\r\n', 'WK_ERR_HTTP_INVALID_HEADER'],
    ['HTTP/1.1 200 OK\nContent-Length: 0\n\n', 'WK_ERR_HTTP_INVALID_LINE_ENDING'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n', 'WK_ERR_HTTP_INVALID_LINE_ENDING'],
  ];
  for (const [text, code] of cases) expectError(text, code);
});

test('framing that cannot be trusted is refused (RFC 9112 §6.1, §6.3 rules 3 and 5)', () => {
  for (const fields of [
    'Content-Length: 5\r\nContent-Length: 6',
    'Content-Length: 5, 6',
    'Content-Length: -5',
    'Content-Length: +5',
    'Content-Length: 0x5',
    'Content-Length: 5 5',
    'Content-Length: ',
    'Content-Length: 99999999999999999',
    'Transfer-Encoding: chunked\r\nContent-Length: 5',
    'Content-Length: 5\r\nTransfer-Encoding: chunked',
    'Transfer-Encoding: chunked, chunked',
    'Transfer-Encoding: ',
  ]) {
    expectError(`HTTP/1.1 200 OK\r\n${fields}\r\n\r\nhello`, 'WK_ERR_HTTP_INVALID_FRAMING');
  }
  // HTTP/1.0 had no transfer codings: a 1.0 message with one has faulty framing (§6.1).
  expectError('HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'WK_ERR_HTTP_INVALID_FRAMING');
  // Even on a response with no body: a broken Content-Length means a broken server.
  expectError('HTTP/1.1 304 Not Modified\r\nContent-Length: 1, 2\r\n\r\n', 'WK_ERR_HTTP_INVALID_FRAMING');
});

test('bad chunk sizes and chunk framing', () => {
  const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
  for (const body of [
    'zz\r\n',
    '\r\n',
    '-1\r\n',
    ' 5\r\nhello\r\n',
    '5 \r\nhello\r\n',
    '5 junk\r\nhello\r\n',
    '5;\r\nhello\r\n',
    '5;a="open\r\nhello\r\n',
    '0x5\r\nhello\r\n',
    '10000000000000\r\n',
    '5\r\nhelloX\r\n',
    '5\r\nhello\n0\r\n\r\n',
  ]) {
    expectError(head + body, 'WK_ERR_HTTP_INVALID_CHUNK');
  }
  expectError(`${head}5\nhello\r\n`, 'WK_ERR_HTTP_INVALID_CHUNK');
  expectError(`${head}0\r\nX: 1\n\r\n`, 'WK_ERR_HTTP_INVALID_LINE_ENDING');
  expectError(`${head}0\r\n bad\r\n\r\n`, 'WK_ERR_HTTP_INVALID_HEADER');
});

test('limits: head, field count, status line, trailers and chunk extensions have response codes', () => {
  const big = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(200)}\r\n\r\n`;
  expectError(big, 'WK_ERR_RESPONSE_HEAD_TOO_LARGE', { limits: { maxHeadBytes: 128 } });
  expectError(`HTTP/1.1 200 OK\r\n${'A: 1\r\n'.repeat(4)}\r\n`, 'WK_ERR_RESPONSE_HEAD_TOO_LARGE', {
    limits: { maxHeaderCount: 3 },
  });
  expectError(`HTTP/1.1 200 ${'O'.repeat(100)}\r\n\r\n`, 'WK_ERR_RESPONSE_HEAD_TOO_LARGE', {
    limits: { maxRequestLineBytes: 64 },
  });
  expectError(
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ${'t'.repeat(200)}\r\n\r\n`,
    'WK_ERR_RESPONSE_HEAD_TOO_LARGE',
    { limits: { maxHeadBytes: 128 } },
  );
  expectError(
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(40)}\r\n`,
    'WK_ERR_RESPONSE_TOO_LARGE',
    {
      limits: { maxChunkExtensionBytes: 16 },
    },
  );
  // Interim heads are each measured on their own, not summed with the final head.
  const interim = `HTTP/1.1 103 Early Hints\r\nLink: ${'l'.repeat(80)}\r\n\r\n`;
  everySplit(`${interim}${interim}HTTP/1.1 204 No Content\r\n\r\n`, { limits: { maxHeadBytes: 128 } }, (r) => {
    assert.equal(r.error, undefined);
    assert.equal(r.messages.length, 3);
  });
});

test('bytes with no request pending are never parsed as a response: an error, and the bytes held', () => {
  const response = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const extra = 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil';
  expectError(response + extra, 'WK_ERR_HTTP_UNSOLICITED_RESPONSE', {}, ['200 length "ok" end']);
  expectError(`${response}\r\n`, 'WK_ERR_HTTP_UNSOLICITED_RESPONSE', {}, ['200 length "ok" end']);
  expectError(extra, 'WK_ERR_HTTP_UNSOLICITED_RESPONSE', { methods: [] });
  everySplit(response + extra, {}, (r, name) => {
    assert.ok(r.held.length > 0, 'some bytes held');
    assert.ok(extra.startsWith(r.held.toString('latin1')), `held bytes start where the response ended (${name})`);
    assert.equal(r.pending, 0);
  });
});

test('after a response that closes the connection, further bytes are unsolicited even with requests pending', () => {
  const text = 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n';
  expectError(text, 'WK_ERR_HTTP_UNSOLICITED_RESPONSE', { methods: ['GET', 'GET'] }, ['200 length "ok" end']);
  everySplit(text, { methods: ['GET', 'GET'] }, (r) => assert.equal(r.pending, 1));
});

test('after an error the parser is dead: later pushes and finish return nothing', () => {
  const parser = new ResponseParser();
  parser.expect('GET');
  const events = parser.push(Buffer.from('HTTP/9.9 200 OK\r\n\r\n'));
  assert.deepEqual(
    events.map((e) => e.type),
    ['error'],
  );
  assert.deepEqual(parser.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')), []);
  assert.deepEqual(parser.finish(), []);
  assert.equal(parser.state, 'error');
});
