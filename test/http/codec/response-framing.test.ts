/**
 * Response body length by RFC 9112 §6.3, with the request method from `expect`, at the byte level:
 * every case is parsed whole, split at every offset and one byte at a time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brief, everySplit, type ResponseParseOptions } from '../../helpers/response-parse.js';

/** Parses `text` at every split and checks the messages (see `brief`) and, when given, the parser state. */
function expectMessages(text: string, want: string[], options: ResponseParseOptions = {}, state?: string): void {
  everySplit(text, options, (r) => {
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.messages.map(brief), want);
    if (state !== undefined) assert.equal(r.state, state);
  });
}

test('Content-Length delimits the body; the connection stays open', () => {
  expectMessages('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', ['200 length "hello" end'], {}, 'head');
  expectMessages('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', ['200 length "" end'], {}, 'head');
  // A list of equal values is one value (rule 5).
  expectMessages('HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nhi', ['200 length "hi" end']);
});

test('chunked: extensions skipped, trailers kept, chunked final beats the other codings', () => {
  const text =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '5;name=value;q="a b"\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\nX-Other:  two \r\n\r\n';
  everySplit(text, {}, (r) => {
    assert.deepEqual(r.messages.map(brief), ['200 chunked "hello world" end']);
    assert.deepEqual(r.messages[0]?.trailers, [
      ['X-Sum', '11'],
      ['X-Other', 'two'],
    ]);
    assert.equal(r.messages[0]?.contentLength, -1);
  });
  // Only chunked is removed; the gzip coding stays applied (Transfer-Encoding still names it).
  expectMessages('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n\x1f\x8b\r\n0\r\n\r\n', [
    '200 chunked "\\u001f\x8b" end',
  ]);
});

test('no framing fields, or a final coding other than chunked: the body runs to the close (rules 4 and 7)', () => {
  for (const text of [
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it',
    'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nall of it',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nall of it',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\nall of it',
  ]) {
    expectMessages(text, ['200 close "all of it"'], {}, 'body');
    expectMessages(text, ['200 close "all of it" end'], { finish: true }, 'closed');
    everySplit(text, {}, (r) => assert.equal(r.messages[0]?.keepAlive, false));
  }
});

test('HEAD, 204 and 304 have no body whatever Content-Length or Transfer-Encoding say (rule 1)', () => {
  const next = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  expectMessages(`HTTP/1.1 200 OK\r\nContent-Length: 123\r\n\r\n${next}`, ['200 none "" end', '200 length "ok" end'], {
    methods: ['HEAD', 'GET'],
  });
  expectMessages(
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${next}`,
    ['200 none "" end', '200 length "ok" end'],
    {
      methods: ['HEAD', 'GET'],
    },
  );
  expectMessages(
    `HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n${next}`,
    ['204 none "" end', '200 length "ok" end'],
    {
      methods: ['DELETE', 'GET'],
    },
  );
  expectMessages(
    `HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n${next}`,
    ['304 none "" end', '200 length "ok" end'],
    {
      methods: ['GET', 'GET'],
    },
  );
  // Rule 1 comes before rule 3: Transfer-Encoding with Content-Length is no error on a 304.
  expectMessages('HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n', [
    '304 none "" end',
  ]);
});

test('interim 1xx responses are heads of their own and do not answer the request', () => {
  const text =
    'HTTP/1.1 100 Continue\r\n\r\n' +
    'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  everySplit(text, { methods: ['POST'] }, (r) => {
    assert.deepEqual(r.messages.map(brief), ['100 none "" interim', '103 none "" interim', '200 length "ok" end']);
    assert.deepEqual(r.messages[1]?.headers, [['Link', '</a.css>; rel=preload']]);
    assert.deepEqual(
      r.messages.map((m) => m.method),
      ['POST', 'POST', 'POST'],
    );
    assert.equal(r.pending, 0);
  });
  // After only the interim response the request is still pending.
  everySplit('HTTP/1.1 100 Continue\r\n\r\n', {}, (r) => {
    assert.deepEqual(r.messages.map(brief), ['100 none "" interim']);
    assert.equal(r.pending, 1);
    assert.equal(r.state, 'head');
  });
});

test('101 ends at its head; the parser pauses and holds every byte after it', () => {
  const head =
    'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\nContent-Length: 4\r\n\r\n';
  const after = '\x81\x05hello HTTP/1.1 200 OK\r\n\r\n';
  everySplit(head + after, {}, (r) => {
    assert.deepEqual(r.messages.map(brief), ['101 upgrade "" end']);
    assert.equal(r.messages[0]?.keepAlive, false);
    assert.equal(r.state, 'paused');
    assert.equal(r.held.toString('latin1'), after);
    assert.equal(r.error, undefined);
  });
});

test('a 2xx to CONNECT starts a tunnel; any other answer to CONNECT is an ordinary response (rule 2)', () => {
  everySplit(
    'HTTP/1.1 200 Connection Established\r\nContent-Length: 9\r\n\r\n\x16\x03\x01tls',
    { methods: ['CONNECT'] },
    (r) => {
      assert.deepEqual(r.messages.map(brief), ['200 upgrade "" end']);
      assert.equal(r.state, 'paused');
      assert.equal(r.held.toString('latin1'), '\x16\x03\x01tls');
    },
  );
  expectMessages(
    'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\ndeny',
    ['407 length "deny" end'],
    { methods: ['CONNECT'] },
    'head',
  );
});

test('pipelined responses pair with their requests first in, first out', () => {
  const text =
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na' +
    'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n' +
    'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nc\r\n0\r\n\r\n';
  everySplit(text, { methods: ['GET', 'HEAD', 'POST', 'GET'] }, (r) => {
    assert.deepEqual(r.messages.map(brief), ['200 length "a" end', '200 none "" end', '201 chunked "c" end']);
    assert.deepEqual(
      r.messages.map((m) => m.method),
      ['GET', 'HEAD', 'POST'],
    );
    assert.equal(r.pending, 1);
    assert.equal(r.state, 'head');
  });
});

test('empty lines before a status line are skipped while a response is awaited', () => {
  expectMessages(
    '\r\nHTTP/1.1 100 Continue\r\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc\r\nHTTP/1.1 204 No Content\r\n\r\n',
    ['100 none "" interim', '200 length "abc" end', '204 none "" end'],
    { methods: ['POST', 'GET'] },
  );
});

test('keep-alive follows RFC 9112 §9.3, and a closing response closes the parser', () => {
  const cases: [string, boolean][] = [
    ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', true],
    ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nProxy-Connection: close\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', true],
    ['HTTP/1.0 200 OK\r\nProxy-Connection: keep-alive\r\nContent-Length: 0\r\n\r\n', false],
  ];
  for (const [text, keepAlive] of cases) {
    everySplit(text, {}, (r) => {
      assert.equal(r.messages[0]?.keepAlive, keepAlive, text);
      assert.equal(r.state, keepAlive ? 'head' : 'closed', text);
    });
  }
});

test('finish() completes a close-delimited body and refuses a cut-off response', () => {
  expectMessages('HTTP/1.1 200 OK\r\n\r\n', ['200 close "" end'], { finish: true }, 'closed');
  for (const text of [
    'HTTP/1.1 200 OK\r\nContent-Le',
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n',
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 2',
  ]) {
    everySplit(text, { finish: true }, (r) => {
      assert.equal(r.error?.code, 'WK_ERR_UNEXPECTED_EOF', text);
      assert.equal(r.error?.status, 502);
      assert.equal(r.state, 'error');
    });
  }
  // Nothing of a response arrived: not an error here; `pending` tells the client what went unanswered.
  everySplit('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx', { methods: ['GET', 'GET'], finish: true }, (r) => {
    assert.equal(r.error, undefined);
    assert.equal(r.pending, 1);
    assert.equal(r.state, 'closed');
  });
});

test('maxBodyBytes: an announced length is refused before any body byte, counted bodies when they cross it', () => {
  const limits = { maxBodyBytes: 4 };
  for (const text of [
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\n',
    'HTTP/1.1 200 OK\r\n\r\nabcde',
  ]) {
    everySplit(text, { limits }, (r) => {
      assert.equal(r.error?.code, 'WK_ERR_RESPONSE_TOO_LARGE', text);
      assert.equal(r.error?.status, 502);
      assert.ok(r.messages.every((m) => m.body.length <= 4));
    });
  }
  expectMessages('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd', ['200 length "abcd" end'], { limits });
  // A HEAD response announcing a large length has no body to refuse.
  expectMessages('HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n', ['200 none "" end'], { limits, methods: ['HEAD'] });
});
