/**
 * Request smuggling over a real socket (RFC 9112 §6.3, §11.2): every ambiguous framing is refused
 * with the right status, the connection is closed after that one response, and the request
 * smuggled behind it never reaches the handler. Where the framing is unambiguous after all (OWS
 * around a value, a case-insensitive coding name, a repeated identical Content-Length), the request
 * is served and the next one on the connection is its own request.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { startServer, type TestServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { bodyText, saysClose } from '../../helpers/response-reader.js';

const leaks = trackLeaks();

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n';

/** Serves `{ target, body }` and records every target the handler saw. */
async function recordingServer(): Promise<TestServer & { targets: string[] }> {
  const targets: string[] = [];
  const fixture = await startServer(leaks, async (req) => {
    targets.push(req.target);
    return Response.json({ target: req.target, body: await req.text() });
  });
  return Object.assign(fixture, { targets });
}

interface Refused {
  name: string;
  /** The request up to where the smuggled one starts. */
  head: string;
  status: number;
}

/** Head lines, CRLF-joined, ending the head. */
const req = (...lines: string[]): string => `${lines.join('\r\n')}\r\n\r\n`;
const post = (...fields: string[]): string => req('POST /first HTTP/1.1', 'Host: a', ...fields);

const REFUSED: Refused[] = [
  { name: 'CL.TE', head: `${post('Content-Length: 5', 'Transfer-Encoding: chunked')}0\r\n\r\n`, status: 400 },
  { name: 'TE.CL', head: `${post('Transfer-Encoding: chunked', 'Content-Length: 40')}0\r\n\r\n`, status: 400 },
  { name: 'TE with CL 0', head: `${post('Transfer-Encoding: chunked', 'Content-Length: 0')}0\r\n\r\n`, status: 400 },
  { name: 'TE: xchunked', head: `${post('Transfer-Encoding: xchunked')}0\r\n\r\n`, status: 400 },
  { name: 'TE: chunked, identity', head: `${post('Transfer-Encoding: chunked, identity')}0\r\n\r\n`, status: 400 },
  { name: 'TE: chunked, chunked', head: `${post('Transfer-Encoding: chunked, chunked')}0\r\n\r\n`, status: 400 },
  {
    name: 'TE duplicated',
    head: `${post('Transfer-Encoding: chunked', 'Transfer-Encoding: chunked')}0\r\n\r\n`,
    status: 400,
  },
  {
    name: 'TE chunked then identity in a second field',
    head: `${post('Transfer-Encoding: chunked', 'Transfer-Encoding: identity')}0\r\n\r\n`,
    status: 400,
  },
  { name: 'TE with a space before the colon', head: `${post('Transfer-Encoding : chunked')}0\r\n\r\n`, status: 400 },
  { name: 'TE as obs-fold', head: `${post('X-A: b', ' Transfer-Encoding: chunked')}0\r\n\r\n`, status: 400 },
  { name: 'TE value with a vertical tab', head: `${post('Transfer-Encoding: \x0bchunked')}0\r\n\r\n`, status: 400 },
  // obs-text in a framing field: a front proxy may read these as chunked or as not chunked.
  { name: 'TE: chunked then NBSP (0xA0)', head: `${post('Transfer-Encoding: chunked\xa0')}0\r\n\r\n`, status: 400 },
  { name: 'TE: NBSP then chunked', head: `${post('Transfer-Encoding: \xa0chunked')}0\r\n\r\n`, status: 400 },
  { name: 'TE: chunked then 0x80', head: `${post('Transfer-Encoding: chunked\x80')}0\r\n\r\n`, status: 400 },
  { name: 'TE: chunked, then 0xFF', head: `${post('Transfer-Encoding: chunked, \xff')}0\r\n\r\n`, status: 400 },
  {
    name: 'TE: chunked with an obs-text parameter',
    head: `${post('Transfer-Encoding: chunked;a=\x80')}0\r\n\r\n`,
    status: 400,
  },
  {
    name: 'TE: chunked with a parameter (chunked has none)',
    head: `${post('Transfer-Encoding: chunked;a=b')}0\r\n\r\n`,
    status: 400,
  },
  { name: 'TE: chunked with an empty parameter', head: `${post('Transfer-Encoding: chunked;')}0\r\n\r\n`, status: 400 },
  { name: 'Content-Length then NBSP', head: `${post('Content-Length: 3\xa0')}abc`, status: 400 },
  {
    name: 'TE: gzip, chunked (unknown coding)',
    head: `${post('Transfer-Encoding: gzip, chunked')}0\r\n\r\n`,
    status: 501,
  },
  {
    name: 'TE in HTTP/1.0',
    head: `${req('POST /first HTTP/1.0', 'Transfer-Encoding: chunked')}0\r\n\r\n`,
    status: 400,
  },
  { name: 'two different Content-Lengths', head: `${post('Content-Length: 3', 'Content-Length: 0')}abc`, status: 400 },
  { name: 'a Content-Length list of different values', head: `${post('Content-Length: 3, 0')}abc`, status: 400 },
  { name: 'Content-Length with a plus sign', head: `${post('Content-Length: +3')}abc`, status: 400 },
  { name: 'Content-Length negative', head: `${post('Content-Length: -3')}abc`, status: 400 },
  { name: 'Content-Length with an inner space', head: `${post('Content-Length: 1 2')}abcdefghijkl`, status: 400 },
  { name: 'Content-Length in hex', head: `${post('Content-Length: 0x3')}abc`, status: 400 },
  { name: 'Content-Length with a decimal point', head: `${post('Content-Length: 3.0')}abc`, status: 400 },
  { name: 'Content-Length overflowing 2^53', head: `${post('Content-Length: 99999999999999999999')}abc`, status: 400 },
  { name: 'obs-fold', head: post('X-A: b', ' c'), status: 400 },
  { name: 'obs-fold with a tab', head: post('X-A: b', '\tc'), status: 400 },
  { name: 'bare CR in a header value', head: post('X-A: b\rContent-Length: 3'), status: 400 },
  { name: 'bare CR ending a header line', head: post('X-A: b\r', 'X-B: c'), status: 400 },
  { name: 'bare LF in the head', head: 'POST /first HTTP/1.1\r\nHost: a\nContent-Length: 0\r\n\r\n', status: 400 },
  { name: 'bare LF ending the head', head: 'POST /first HTTP/1.1\nHost: a\n\n', status: 400 },
  { name: 'NUL in a header value', head: post('X-A: b\0c'), status: 400 },
  { name: 'a field name with a space', head: post('X A: b'), status: 400 },
  { name: 'a field line without a colon', head: post('Content-Length 3'), status: 400 },
  { name: 'a second Host', head: req('GET /first HTTP/1.1', 'Host: a', 'Host: b'), status: 400 },
  { name: 'no Host in HTTP/1.1', head: req('GET /first HTTP/1.1'), status: 400 },
  { name: 'HTTP/2.0 in a request line', head: req('GET /first HTTP/2.0', 'Host: a'), status: 505 },
  { name: 'two spaces in the request line', head: req('GET  /first HTTP/1.1', 'Host: a'), status: 400 },
];

/** The head is fine; the chunked body is not. The handler sees the first request, never the second. */
const BAD_CHUNKS: Refused[] = [
  { name: 'bare LF after a chunk size', head: `${post('Transfer-Encoding: chunked')}3\nabc\r\n0\r\n\r\n`, status: 400 },
  { name: 'bare CR after a chunk size', head: `${post('Transfer-Encoding: chunked')}3\rabc\r\n0\r\n\r\n`, status: 400 },
  { name: 'bare LF after chunk data', head: `${post('Transfer-Encoding: chunked')}3\r\nabc\n0\r\n\r\n`, status: 400 },
  {
    name: 'chunk data longer than its size',
    head: `${post('Transfer-Encoding: chunked')}3\r\nabcd\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: 'a chunk size overflowing',
    head: `${post('Transfer-Encoding: chunked')}fffffffffffffffff\r\nabc\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: 'a chunk size with a sign',
    head: `${post('Transfer-Encoding: chunked')}+3\r\nabc\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: 'a chunk size in 0x form',
    head: `${post('Transfer-Encoding: chunked')}0x3\r\nabc\r\n0\r\n\r\n`,
    status: 400,
  },
  { name: 'an empty chunk size', head: `${post('Transfer-Encoding: chunked')}\r\nabc\r\n0\r\n\r\n`, status: 400 },
  {
    name: 'a malformed chunk extension',
    head: `${post('Transfer-Encoding: chunked')}3;a b\r\nabc\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: 'a bare LF in the trailers',
    head: `${post('Transfer-Encoding: chunked')}3\r\nabc\r\n0\r\nX: y\n\r\n`,
    status: 400,
  },
  {
    name: 'obs-fold in the trailers',
    head: `${post('Transfer-Encoding: chunked')}0\r\nX: y\r\n z\r\n\r\n`,
    status: 400,
  },
];

async function expectRefused(c: Refused, handled: (targets: string[]) => void): Promise<void> {
  const server = await recordingServer();
  for (const whole of [true, false]) {
    const client = await server.client();
    const bytes = Buffer.from(c.head + SMUGGLED, 'latin1');
    if (whole) {
      await client.write(bytes);
    } else {
      // Byte by byte: the refusal must not depend on where the reads fall.
      for (let i = 0; i < bytes.length && !client.ended; i++) await client.write(bytes.subarray(i, i + 1));
    }
    await client.waitEnded();
    const responses = client.finals();
    assert.equal(responses.length, 1, `exactly one response: ${client.text}`);
    const [response] = responses;
    assert.equal(response?.status, c.status, client.text);
    assert.ok(saysClose(response!), 'the refusal says Connection: close');
    assert.doesNotMatch(bodyText(response!), /at .*\.js/, 'no stack in the body');
    client.destroy();
  }
  assert.ok(!server.targets.includes('/smuggled'), 'the smuggled request never reached the handler');
  handled(server.targets);
}

describe('refused heads: the handler is never called', () => {
  for (const c of REFUSED) {
    test(`${c.name} → ${c.status}`, () => expectRefused(c, (targets) => assert.deepEqual(targets, [])));
  }
});

describe('refused chunked bodies: only the first request reaches the handler', () => {
  for (const c of BAD_CHUNKS) {
    test(`${c.name} → ${c.status}`, () =>
      expectRefused(c, (targets) => assert.deepEqual(targets, ['/first', '/first'], 'once per connection')));
  }
});

interface Served {
  name: string;
  head: string;
  body: string;
}

const SERVED: Served[] = [
  { name: 'TE with surrounding whitespace', head: post('Transfer-Encoding:   chunked  '), body: 'abc' },
  {
    name: 'TE in upper case (coding names are case-insensitive)',
    head: post('Transfer-Encoding: CHUNKED'),
    body: 'abc',
  },
  { name: 'a repeated identical Content-Length', head: post('Content-Length: 3', 'Content-Length: 3'), body: 'abc' },
  { name: 'a Content-Length list of one value', head: post('Content-Length: 3, 3'), body: 'abc' },
  { name: 'Content-Length with surrounding whitespace', head: post('Content-Length:  3 '), body: 'abc' },
  { name: 'Content-Length with leading zeros', head: post('Content-Length: 0003'), body: 'abc' },
];

describe('unambiguous framing is served, and the next request is its own', () => {
  for (const c of SERVED) {
    test(c.name, async () => {
      const server = await recordingServer();
      const client = await server.client();
      const chunked = /chunked/i.test(c.head);
      const body = chunked ? `${c.body.length.toString(16)}\r\n${c.body}\r\n0\r\n\r\n` : c.body;
      await client.write(c.head + body + SMUGGLED);
      const [first, second] = await client.read(2);
      assert.equal(first?.status, 200);
      assert.deepEqual(JSON.parse(bodyText(first!)), { target: '/first', body: c.body });
      assert.deepEqual(JSON.parse(bodyText(second!)), { target: '/smuggled', body: '' });
      assert.deepEqual(server.targets, ['/first', '/smuggled']);
      assert.ok(await client.staysOpen(), 'the connection stays open');
    });
  }
});
