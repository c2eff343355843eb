/**
 * Framing fields read the way the peers around us read them (issue 9; the differential fuzzer's
 * findings, docs/conformance.md): a malformed Transfer-Encoding is refused in a request and read to
 * the close in a response, as llhttp does; HTAB is OWS, NBSP is not; CONNECT does not skip the
 * framing checks; an empty Upgrade is no upgrade; an overlong request line is 414 however it arrives.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestParser } from '../../../src/http/codec/request-parser.js';
import { type ResponseHead, ResponseParser } from '../../../src/http/codec/response-parser.js';
import { parseChunks, splits } from '../../helpers/http-parse.js';

function requestStatus(text: string, limits = {}): Set<number | undefined> {
  const out = new Set<number | undefined>();
  for (const { chunks } of splits(Buffer.from(text, 'latin1'))) out.add(parseChunks(chunks, { limits }).error?.status);
  return out;
}

function responseFraming(te: string): string {
  const parser = new ResponseParser();
  parser.expect('GET');
  const events = parser.push(Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${te}\r\n\r\n`, 'latin1'));
  const head = events.find((e) => e.type === 'head') as ResponseHead | undefined;
  return head?.framing ?? `error ${events.find((e) => e.type === 'error')?.type}`;
}

const post = (te: string): string => `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ${te}\r\n\r\n0\r\n\r\n`;

test('a malformed Transfer-Encoding is refused in a request and read to the close in a response', () => {
  for (const te of ['chunked\xa0', 'chunked;', 'chunked;q=1', 'chunked,', 'chunked\x80']) {
    assert.deepEqual(requestStatus(post(te)), new Set([400]), JSON.stringify(te));
    assert.equal(responseFraming(te), 'close', JSON.stringify(te));
  }
  // A leading empty element: a request refuses it; in a response chunked is still final (llhttp agrees).
  assert.deepEqual(requestStatus(post(',chunked')), new Set([400]));
  assert.equal(responseFraming(',chunked'), 'chunked');
});

test('HTAB around a coding is OWS: chunked in a request and a response', () => {
  assert.deepEqual(requestStatus(post('chunked\t')), new Set([undefined]));
  assert.equal(responseFraming('\tchunked\t'), 'chunked');
});

test('CONNECT with both Transfer-Encoding and Content-Length is refused like any request', () => {
  const connect = 'CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n';
  assert.deepEqual(requestStatus(connect), new Set([400]));
});

test('an empty Upgrade names no protocol: no upgrade, the connection goes on as HTTP', () => {
  const parser = new RequestParser();
  const events = parser.push(
    Buffer.from(
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade:\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n',
    ),
  );
  const heads = events.filter((e) => e.type === 'head');
  assert.equal(heads.length, 2);
  assert.equal(heads[0]?.type === 'head' && heads[0].upgrade, false);
});

test('a request line over maxRequestLineBytes ending in a bare LF is 414 whole and in every split', () => {
  assert.deepEqual(requestStatus(`GET /${'a'.repeat(40)} HTTP/1.1\n`, { maxRequestLineBytes: 20 }), new Set([414]));
});

test('an empty Transfer-Encoding field is refused even beside another one, in a request and a response', () => {
  const twoFields = 'Transfer-Encoding:\r\nTransfer-Encoding: chunked';
  assert.deepEqual(requestStatus(`POST / HTTP/1.1\r\nHost: a\r\n${twoFields}\r\n\r\n0\r\n\r\n`), new Set([400]));
  const parser = new ResponseParser();
  parser.expect('GET');
  const events = parser.push(Buffer.from(`HTTP/1.1 200 OK\r\n${twoFields}\r\n\r\n`, 'latin1'));
  assert.equal(
    events.find((e) => e.type === 'head'),
    undefined,
  );
  assert.ok(events.some((e) => e.type === 'error'));
});
