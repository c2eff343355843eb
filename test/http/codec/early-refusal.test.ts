/**
 * Input that is already certainly invalid is refused from its bytes alone (as llhttp does), not
 * when its line ends, at EOF, or when the server's head timeout fires: each prefix below ends
 * before its line does, and must give the same error fed whole, split at every offset, and one
 * byte at a time. Valid prefixes must not be refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listElements } from '../../../src/http/codec/fields.js';
import { parseChunks, splits } from '../../helpers/http-parse.js';

const HEAD = 'GET / HTTP/1.1\r\nHost: a\r\n';
const CHUNKED = 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n';

const REFUSED: [name: string, bytes: string, status: number][] = [
  ['an unsupported version, before its CRLF', 'GET / HTTP/5.6', 505],
  ['an unsupported version followed by more', 'GET / HTTP/2.0 ', 505],
  ['a version followed by a byte', 'GET / HTTP/1.1x', 400],
  ['a two-digit major version', 'GET / HTTP/11', 400],
  ['a version in lower case', 'GET / http/', 400],
  ['a method byte that is no tchar', 'G\x01', 400],
  ['a request line starting with SP', ' GET', 400],
  ['two spaces after the method', 'GET  /', 400],
  ['a control byte in the target', 'GET /a\x7f', 400],
  ['obs-text in the target', 'GET /\x80', 400],
  ['a bare CR in the request line', 'GET /\rx', 400],
  ['a target that starts no known form', 'QUERY ?', 400],
  ['a field name ended by a CR', `${HEAD}C\r`, 400],
  ['a NUL in a field name', `${HEAD}X\x00`, 400],
  ['a space before the colon', `${HEAD}Host : a`, 400],
  ['an empty field name', `${HEAD}: a`, 400],
  ['a control byte in a field value', `${HEAD}X: a\x01`, 400],
  ['a bare CR in a field value', `${HEAD}X: a\rb`, 400],
  ['a bare CR where the head should end', `${HEAD}\rabc`, 400],
  ['a bare CR, then a byte in the next read', `${HEAD}X: a\r`, 400],
  ['a chunk size that is no hex number', `${CHUNKED}z`, 400],
  ['a byte after the chunk size that starts no extension', `${CHUNKED}5x`, 400],
  ['a control byte in a chunk extension', `${CHUNKED}5;a\x01`, 400],
  ['a chunk size over 13 hex digits', `${CHUNKED}12345678901234`, 400],
  ['a bare CR after a chunk size', `${CHUNKED}5\rx`, 400],
  ['a space before the colon of a trailer', `${CHUNKED}0\r\nX : y`, 400],
];

/** Feeds `bytes` (plus, for the pending-CR case, a next byte) without ending the input. */
function refusal(bytes: Buffer, limits = {}): { name: string; status: number | undefined }[] {
  const out: { name: string; status: number | undefined }[] = [];
  for (const { name, chunks } of splits(bytes))
    out.push({ name, status: parseChunks(chunks, { limits }).error?.status });
  return out;
}

for (const [name, text, status] of REFUSED) {
  test(`refused at once: ${name} → ${status}`, () => {
    // A CR that ends the input can still be followed by LF: one more byte makes it certain.
    const bytes = Buffer.from(text.endsWith('\r') ? `${text}x` : text, 'latin1');
    for (const outcome of refusal(bytes))
      assert.equal(outcome.status, status, `${outcome.name}: ${JSON.stringify(text)}`);
  });
}

test('refused at once: a field line begun beyond maxHeaderCount → 431', () => {
  const bytes = Buffer.from(`${HEAD}B: 1\r\nC`, 'latin1');
  for (const outcome of refusal(bytes, { maxHeaderCount: 2 })) assert.equal(outcome.status, 431, outcome.name);
});

const VALID_PREFIXES = [
  'GET / HTTP/1.1\r',
  'GET / HTTP/1.',
  '\r\n\r',
  'OPTIONS * HTTP/1.0',
  `${HEAD}X: a\t\x80\xff`,
  `${HEAD}X: a\r`,
  `${HEAD}\r`,
  `${CHUNKED}1234567890abc`,
  `${CHUNKED}5 ;a="x\x80 \\"`,
  `${CHUNKED}5\r`,
  `${CHUNKED}0\r\nX: y`,
];

test('valid prefixes wait for more bytes, whatever the splits', () => {
  for (const text of VALID_PREFIXES) {
    for (const outcome of refusal(Buffer.from(text, 'latin1'))) {
      assert.equal(outcome.status, undefined, `${outcome.name}: ${JSON.stringify(text)}`);
    }
  }
});

test('list elements lose SP and HTAB around them, not NBSP: `close\\xa0` is no `close`', () => {
  assert.deepEqual(listElements(' Keep-Alive ,\tclose\t'), ['keep-alive', 'close']);
  assert.deepEqual(listElements('close\xa0'), ['close\xa0']);
  assert.deepEqual(listElements('\xa0upgrade'), ['\xa0upgrade']);
});
