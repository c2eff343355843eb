/**
 * `connectWebSocket()` over real sockets: against wirekit's own server (ws:, wss:, through a
 * CONNECT proxy, subprotocols, permessage-deflate), and against raw servers writing canned answers
 * for every client check of RFC 6455 §4.1 (accept key, subprotocol, extensions, refusals, a server
 * that never answers, an abort).
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { before, describe, test } from 'node:test';
import { connectWebSocket } from '../../src/client/index.js';
import { isWirekitError } from '../../src/errors.js';
import { WebSocketHandshakeError } from '../../src/ws/handshake-error.js';
import { acceptKey } from '../../src/ws/upgrade.js';
import { trackLeaks } from '../helpers/leaks.js';
import { selfSignedCertificate } from '../helpers/tls-cert.js';
import { eventually } from '../helpers/wait.js';
import { echoServer } from '../ws/helpers.js';
import { connectProxy, type RawRequest, rawServer } from './helpers.js';

const leaks = trackLeaks();

/** A raw server answering every upgrade request with `answer(request)` (written as is). */
async function cannedServer(answer: (request: RawRequest) => string | undefined) {
  return rawServer(leaks, (request, socket: Socket) => {
    const text = answer(request);
    if (text !== undefined) socket.write(text, 'latin1');
  });
}

function switching(
  request: RawRequest,
  extra: string[] = [],
  key = request.headers['sec-websocket-key'] ?? '',
): string {
  return [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey(key)}`,
    ...extra,
    '',
    '',
  ].join('\r\n');
}

async function refusal(promise: Promise<unknown>, code: string, pattern: RegExp) {
  await assert.rejects(promise, (error) => {
    assert.ok(isWirekitError(error), String(error));
    assert.equal(error.code, code, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

describe('connectWebSocket against wirekit', () => {
  test('ws:// echo both ways, text and binary, for await, a clean close with the code both ends saw', async () => {
    const server = await echoServer(leaks);
    const ws = await connectWebSocket(`${server.url}/echo?x=1`);
    leaks.defer(() => ws.terminate());
    assert.equal(ws.role, 'client');
    assert.equal(ws.protocol, '');
    assert.equal(ws.extensions, '');
    assert.equal(await ws.send('hello'), true);
    ws.sendNow(Buffer.from([1, 2, 3]));
    const received: (string | Buffer)[] = [];
    for await (const message of ws) {
      received.push(message);
      if (received.length === 2) ws.close(4000, 'bye');
    }
    assert.deepEqual(received, ['hello', Buffer.from([1, 2, 3])]);
    assert.deepEqual(await ws.closed, { code: 4000, reason: 'bye' });
    await eventually(() => server.closes.length === 1, 'the server saw the close');
    assert.deepEqual(server.closes, [{ code: 4000, reason: 'bye' }]);
  });

  test('subprotocols offered in order; the server picks one; headers reach the upgrade request', async () => {
    let seen: { offered: string[]; cookie: string | null } | undefined;
    const server = await echoServer(leaks, {
      protocol: (offered, req) => {
        seen = { offered, cookie: req.headers.get('cookie') };
        return 'chat.v2';
      },
    });
    const ws = await connectWebSocket(server.url, { protocols: ['chat.v1', 'chat.v2'], headers: { cookie: 'a=1' } });
    leaks.defer(() => ws.terminate());
    assert.equal(ws.protocol, 'chat.v2');
    assert.deepEqual(seen, { offered: ['chat.v1', 'chat.v2'], cookie: 'a=1' });
    ws.close();
    await ws.closed;
  });

  test('permessage-deflate negotiated and used both ways (fewer bytes than the text)', async () => {
    const server = await echoServer(leaks, { perMessageDeflate: { thresholdBytes: 0 } });
    const ws = await connectWebSocket(server.url, { perMessageDeflate: { thresholdBytes: 0 } });
    leaks.defer(() => ws.terminate());
    assert.match(ws.extensions, /^permessage-deflate/);
    const text = 'compress me '.repeat(500);
    ws.sendNow(text);
    const iterator = ws[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value, text);
    assert.ok(ws.bytesReceived < text.length / 4, `received ${ws.bytesReceived} bytes`);
    assert.ok(ws.bytesSent < text.length / 4, `sent ${ws.bytesSent} bytes`);
    ws.close();
    await ws.closed;
  });

  test('handlers option: message and close handlers instead of for await', async () => {
    const server = await echoServer(leaks);
    const got: string[] = [];
    let closedWith: number | undefined;
    const ws = await connectWebSocket(server.url, {
      handlers: {
        message: (socket, data) => {
          got.push(String(data));
          socket.close(1000);
        },
        close: (_socket, code) => {
          closedWith = code;
        },
      },
    });
    leaks.defer(() => ws.terminate());
    ws.sendNow('ping me');
    await ws.closed;
    assert.deepEqual(got, ['ping me']);
    assert.equal(closedWith, 1000);
  });

  test('a refusal is WK_ERR_WS_HANDSHAKE with the status and the body of the answer', async () => {
    const server = await echoServer(leaks, { origins: ['https://good.example'] });
    await assert.rejects(connectWebSocket(server.url, { headers: { origin: 'https://evil.example' } }), (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_WS_HANDSHAKE'), String(error));
      assert.equal(error.status, 403);
      assert.match(error.message, /403 instead of 101/);
      return true;
    });
  });

  test('options are checked before connecting: unknown keys, bad subprotocols, handshake fields, URLs', async () => {
    const url = 'ws://127.0.0.1:1/';
    const bad = async (promise: Promise<unknown>, pattern: RegExp) =>
      refusal(promise, 'WK_ERR_INVALID_ARGUMENT', pattern);
    await bad(connectWebSocket(url, { protocol: 'x' } as never), /did you mean "protocols"/);
    await bad(connectWebSocket(url, { protocols: ['a b'] }), /invalid subprotocol/);
    await bad(connectWebSocket(url, { protocols: ['a', 'a'] }), /repeated/);
    await bad(connectWebSocket(url, { headers: { 'Sec-WebSocket-Key': 'x' } }), /field of the handshake/);
    await bad(connectWebSocket('ftp://x/'), /ws: or wss:/);
    await bad(connectWebSocket('ws://x/#frag'), /fragment/);
    await bad(connectWebSocket('not a url'), /not a URL/);
  });
});

describe('connectWebSocket: TLS and proxies', () => {
  let key = '';
  let cert = '';
  before(() => {
    ({ key, cert } = selfSignedCertificate());
  });

  test('wss:// through the TLS connector: trusted with `tls.ca` (SNI localhost), refused without it', async () => {
    const server = await echoServer(leaks, {}, { tls: { key, cert } });
    const url = `wss://localhost:${server.port}/secure`;
    await refusal(connectWebSocket(url), 'WK_ERR_TLS', /localhost/);
    const ws = await connectWebSocket(url, { tls: { ca: cert } });
    leaks.defer(() => ws.terminate());
    ws.sendNow('over tls');
    const iterator = ws[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value, 'over tls');
    ws.close();
    assert.equal((await ws.closed).code, 1000);
  });

  test('through an HTTP proxy (CONNECT), with Proxy-Authorization from the proxy URL', async () => {
    const server = await echoServer(leaks);
    const proxy = await connectProxy(leaks, `Basic ${Buffer.from('u:p').toString('base64')}`);
    const proxied = proxy.url.replace('http://', 'http://u:p@');
    const ws = await connectWebSocket(`${server.url}/via`, { proxy: proxied });
    leaks.defer(() => ws.terminate());
    assert.deepEqual(proxy.seen, [`CONNECT 127.0.0.1:${server.port} HTTP/1.1`]);
    ws.sendNow('tunnelled');
    assert.equal((await ws[Symbol.asyncIterator]().next()).value, 'tunnelled');
    ws.close();
    await ws.closed;
    await refusal(connectWebSocket(server.url, { proxy: proxy.url }), 'WK_ERR_PROXY', /407/);
  });

  test('proxyFromEnv: the proxy of HTTP_PROXY, skipped for NO_PROXY hosts', async () => {
    const server = await echoServer(leaks);
    const proxy = await connectProxy(leaks);
    const ws = await connectWebSocket(server.url, { proxyFromEnv: { HTTP_PROXY: proxy.url } });
    leaks.defer(() => ws.terminate());
    ws.close();
    await ws.closed;
    assert.equal(proxy.seen.length, 1);
    const direct = await connectWebSocket(server.url, {
      proxyFromEnv: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
    });
    leaks.defer(() => direct.terminate());
    direct.close();
    await direct.closed;
    assert.equal(proxy.seen.length, 1);
  });
});

describe('connectWebSocket: the client checks of RFC 6455 §4.1', () => {
  test('the request: GET, Host, Upgrade, Connection, a fresh 16-byte key, version 13, the offers', async () => {
    const server = await cannedServer((request) => switching(request));
    const ws = await connectWebSocket(`${server.url.replace('http', 'ws')}/path?q=1`, {
      protocols: 'proto',
      perMessageDeflate: true,
    });
    leaks.defer(() => ws.terminate());
    const [request] = server.requests;
    assert.ok(request !== undefined);
    assert.equal(request.method, 'GET');
    assert.equal(request.path, '/path?q=1');
    assert.equal(request.headers.host, `127.0.0.1:${server.port}`);
    assert.equal(request.headers.upgrade, 'websocket');
    assert.match(request.headers.connection ?? '', /upgrade/i);
    assert.equal(Buffer.from(request.headers['sec-websocket-key'] ?? '', 'base64').length, 16);
    assert.equal(request.headers['sec-websocket-version'], '13');
    assert.equal(request.headers['sec-websocket-protocol'], 'proto');
    assert.match(request.headers['sec-websocket-extensions'] ?? '', /^permessage-deflate/);
    // The server accepted neither: the connection opens without a subprotocol and without compression.
    assert.equal(ws.protocol, '');
    assert.equal(ws.extensions, '');
  });

  const failures: [string, (request: RawRequest) => string, RegExp][] = [
    ['a wrong Sec-WebSocket-Accept', (r) => switching(r, [], 'AAAAAAAAAAAAAAAAAAAAAA=='), /Accept does not match/],
    ['no Upgrade: websocket', (r) => switching(r).replace('Upgrade: websocket\r\n', ''), /Upgrade/],
    ['a subprotocol that was not offered', (r) => switching(r, ['Sec-WebSocket-Protocol: other']), /not offered/],
    [
      'an extension that was not offered',
      (r) => switching(r, ['Sec-WebSocket-Extensions: permessage-deflate']),
      /no extension was offered/,
    ],
    ['an answer that is not HTTP', () => 'SSH-2.0-OpenSSH\r\n\r\n', /not valid HTTP/],
    [
      'a refusal (its body is kept on the error)',
      () => 'HTTP/1.1 401 Unauthorized\r\nContent-Length: 7\r\n\r\nwho are',
      /401 instead of 101/,
    ],
  ];
  for (const [what, answer, pattern] of failures) {
    test(`fails on ${what}`, async () => {
      const server = await cannedServer(answer);
      await refusal(connectWebSocket(server.url.replace('http', 'ws')), 'WK_ERR_WS_HANDSHAKE', pattern);
      await eventually(() => server.sockets.size === 0, 'the client closed the connection');
    });
  }

  test('a refusal carries its Response (status, body)', async () => {
    const server = await cannedServer(() => 'HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope');
    const error = await connectWebSocket(server.url.replace('http', 'ws')).then(
      () => assert.fail('connected'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WebSocketHandshakeError, String(error));
    assert.equal(error.status, 404);
    assert.equal(await error.response?.text(), 'nope');
  });

  test('a server closing before it answers is WK_ERR_WS_HANDSHAKE', async () => {
    const server = await rawServer(leaks, (_request, socket) => socket.destroy());
    await refusal(connectWebSocket(server.url.replace('http', 'ws')), 'WK_ERR_WS_HANDSHAKE', /closed the connection/);
  });

  test('a server that never answers: WK_ERR_WS_HANDSHAKE_TIMEOUT after handshakeTimeoutMs, the socket closed', async () => {
    const server = await cannedServer(() => undefined);
    await refusal(
      connectWebSocket(server.url.replace('http', 'ws'), { handshakeTimeoutMs: 50 }),
      'WK_ERR_WS_HANDSHAKE_TIMEOUT',
      /within 50 ms/,
    );
    await eventually(() => server.sockets.size === 0, 'the client closed the connection');
  });

  test('an abort during the handshake is WK_ERR_ABORTED, the socket closed', async () => {
    const controller = new AbortController();
    const server = await cannedServer(() => {
      controller.abort(new Error('changed my mind'));
      return undefined;
    });
    await refusal(
      connectWebSocket(server.url.replace('http', 'ws'), { signal: controller.signal }),
      'WK_ERR_ABORTED',
      /aborted/,
    );
    await eventually(() => server.sockets.size === 0, 'the client closed the connection');
    await refusal(
      connectWebSocket(server.url.replace('http', 'ws'), { signal: controller.signal }),
      'WK_ERR_ABORTED',
      /aborted/,
    );
  });

  test('frames that came with the 101 are read first', async () => {
    // A server may send its first message in the same segment as the 101.
    const server = await cannedServer((request) => `${switching(request)}\x81\x05early`);
    const ws = await connectWebSocket(server.url.replace('http', 'ws'));
    leaks.defer(() => ws.terminate());
    assert.equal((await ws[Symbol.asyncIterator]().next()).value, 'early');
  });
});
