/** The request serializer: exact bytes, framing and connection fields, and every injection refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ErrorCode } from '../../../src/errors.js';
import { type RequestHeadInit, serializeRequestHead } from '../../../src/http/codec/request-serializer.js';
import { parseChunks } from '../../helpers/http-parse.js';

const BASE: RequestHeadInit = { method: 'GET', target: '/', headers: [], bodyLength: 'none', host: 'example.com' };

function refused(init: Partial<RequestHeadInit>, code: ErrorCode): void {
  assert.throws(
    () => serializeRequestHead({ ...BASE, ...init }),
    (error: unknown) => {
      assert.equal((error as { code?: string }).code, code, JSON.stringify(init));
      return true;
    },
  );
}

test('a GET: request line, Host first, user fields, nothing else', () => {
  assert.equal(
    serializeRequestHead({ ...BASE, target: '/a?b=c', headers: ['Accept', '*/*', 'X-Empty', ''] }),
    'GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Empty: \r\n\r\n',
  );
});

test('a Host field in the headers wins over `host` and moves first (RFC 9112 §3.2)', () => {
  assert.equal(
    serializeRequestHead({ ...BASE, headers: ['Accept', '*/*', 'host', 'other:8080'] }),
    'GET / HTTP/1.1\r\nHost: other:8080\r\nAccept: */*\r\n\r\n',
  );
  // An empty Host is what §3.2 asks for when the target URI has no authority.
  assert.equal(serializeRequestHead({ ...BASE, host: '' }), 'GET / HTTP/1.1\r\nHost: \r\n\r\n');
});

test('framing and connection fields are ours: from bodyLength, keepAlive and upgrade', () => {
  const headers = ['Content-Length', '999', 'Transfer-Encoding', 'gzip', 'Connection', 'keep-alive', 'X', '1'];
  assert.equal(
    serializeRequestHead({ ...BASE, method: 'POST', headers, bodyLength: 5 }),
    'POST / HTTP/1.1\r\nHost: example.com\r\nX: 1\r\nContent-Length: 5\r\n\r\n',
  );
  assert.equal(
    serializeRequestHead({ ...BASE, method: 'POST', bodyLength: 0 }),
    'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n',
  );
  assert.equal(
    serializeRequestHead({ ...BASE, method: 'PUT', bodyLength: 'chunked', keepAlive: false }),
    'PUT / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
  );
  assert.equal(
    serializeRequestHead({ ...BASE, upgrade: 'websocket' }),
    'GET / HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n',
  );
});

test('target forms: CONNECT authority-form, OPTIONS asterisk, absolute-form for proxies', () => {
  assert.match(
    serializeRequestHead({ ...BASE, method: 'CONNECT', target: 'example.com:443' }),
    /^CONNECT example.com:443 /,
  );
  assert.match(serializeRequestHead({ ...BASE, method: 'OPTIONS', target: '*' }), /^OPTIONS \* /);
  assert.match(serializeRequestHead({ ...BASE, target: 'http://example.com/a' }), /^GET http:\/\/example.com\/a /);
});

test('CR, LF, NUL or a non-latin1 character in any field name or value: WK_ERR_HTTP_INVALID_FIELD', () => {
  for (const value of ['a\r\nX-Injected: 1', 'a\nb', 'a\rb', 'a\x00b', 'a\x7fb', '\u010d\u010a']) {
    refused({ headers: ['X', value] }, 'WK_ERR_HTTP_INVALID_FIELD');
    refused({ headers: ['Host', value] }, 'WK_ERR_HTTP_INVALID_FIELD');
    refused({ host: value }, 'WK_ERR_HTTP_INVALID_FIELD');
    refused({ upgrade: value }, 'WK_ERR_HTTP_INVALID_FIELD');
  }
  for (const name of ['', 'X Y', 'X:Y', 'X\r\nY', 'X\u0100']) {
    refused({ headers: [name, 'v'] }, 'WK_ERR_HTTP_INVALID_FIELD');
  }
});

test('methods and targets with spaces, controls or the wrong form are refused', () => {
  for (const method of ['', 'GET / HTTP/1.1\r\nX:', 'G ET', 'GET\t', 'GÉT', 'GE(T', '\u0147ET']) {
    refused({ method }, 'WK_ERR_HTTP_INVALID_REQUEST_LINE');
  }
  for (const target of [
    '',
    '/a b',
    '/a\r\nX: 1',
    '/a\tb',
    '/\x00',
    '/é',
    '/\u0141',
    'a',
    '*',
    'http://user@evil.com/',
  ]) {
    refused({ target }, 'WK_ERR_HTTP_INVALID_TARGET');
  }
  refused({ method: 'CONNECT', target: '/' }, 'WK_ERR_HTTP_INVALID_TARGET');
});

test('Host: exactly one, a valid authority', () => {
  refused({ host: undefined }, 'WK_ERR_HTTP_INVALID_HOST');
  refused({ headers: ['Host', 'a', 'HOST', 'b'] }, 'WK_ERR_HTTP_INVALID_HOST');
  for (const host of ['a/b', 'user@a', 'a b', 'a\tb']) refused({ host }, 'WK_ERR_HTTP_INVALID_HOST');
});

test('bodyLength must be a byte count', () => {
  for (const bodyLength of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    refused({ bodyLength }, 'WK_ERR_INVALID_ARGUMENT');
  }
});

test('whatever the serializer writes, our request parser reads back the same', () => {
  const head = serializeRequestHead({
    method: 'PATCH',
    target: '/items/7?x=%20',
    headers: ['Content-Type', 'application/json', 'X-Multi', 'a, b'],
    bodyLength: 'chunked',
    host: '[::1]:8080',
    keepAlive: false,
  });
  const { messages, error } = parseChunks([Buffer.from(`${head}2\r\n{}\r\n0\r\n\r\n`, 'latin1')]);
  assert.equal(error, undefined);
  assert.deepEqual(
    messages.map((m) => [m.method, m.target, m.headers, m.body, m.keepAlive, m.complete]),
    [
      [
        'PATCH',
        '/items/7?x=%20',
        [
          ['Host', '[::1]:8080'],
          ['Content-Type', 'application/json'],
          ['X-Multi', 'a, b'],
          ['Transfer-Encoding', 'chunked'],
          ['Connection', 'close'],
        ],
        '{}',
        false,
        true,
      ],
    ],
  );
});
