/**
 * The WHATWG-shaped `WebSocket` over real sockets against wirekit's server: events and their
 * order, `on…` attributes, `readyState`, `binaryType`, `send()` of every data type (Blobs kept in
 * order), `bufferedAmount`, and the standard's argument checks (DOMException names).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CloseEvent, WebSocket, type WebSocketErrorEvent } from '../../src/client/index.js';
import { isWirekitError } from '../../src/errors.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';
import { echoServer } from '../ws/helpers.js';
import { rawServer } from './helpers.js';

const leaks = trackLeaks();

/** Records every event of `ws` as a string, in order. */
function record(ws: WebSocket): string[] {
  const log: string[] = [];
  ws.addEventListener('open', () => log.push(`open:${ws.readyState}`));
  ws.addEventListener('message', (event) => {
    const { data } = event as MessageEvent;
    log.push(typeof data === 'string' ? `text:${data}` : `${data?.constructor?.name}`);
  });
  ws.addEventListener('error', () => log.push(`error:${ws.readyState}`));
  ws.addEventListener('close', (event) => {
    const { code, reason, wasClean } = event as CloseEvent;
    log.push(`close:${code}:${reason}:${wasClean}:${ws.readyState}`);
  });
  return log;
}

function closeAfterTest(ws: WebSocket): void {
  leaks.defer(async () => {
    if (ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => ws.addEventListener('close', resolve));
    ws.close();
    await closed;
  });
}

function domError(name: string): (error: unknown) => boolean {
  return (error) => error instanceof DOMException && error.name === name;
}

describe('WebSocket (WHATWG API)', () => {
  test('open, messages, a clean close: events in order, readyState at each, on… attributes', async () => {
    const server = await echoServer(leaks, { protocol: () => 'chat' });
    const ws = new WebSocket(`${server.url}/a?b=1`, ['chat', 'other']);
    closeAfterTest(ws);
    assert.equal(ws.readyState, WebSocket.CONNECTING);
    assert.equal(ws.url, `${server.url}/a?b=1`);
    assert.equal(ws.protocol, '');
    assert.equal(ws.binaryType, 'blob');
    const log = record(ws);
    let viaAttribute = 0;
    ws.onopen = () => {
      assert.equal(ws.protocol, 'chat');
      ws.send('one');
      ws.send('two');
    };
    ws.onmessage = (event) => {
      viaAttribute++;
      if ((event as MessageEvent).data === 'two') ws.close(4001, 'done');
    };
    assert.equal(typeof ws.onopen, 'function');
    await eventually(
      () => ws.readyState === WebSocket.CLOSED && log.length === 4,
      () => log.join(),
    );
    assert.deepEqual(log, ['open:1', 'text:one', 'text:two', 'close:4001:done:true:3']);
    assert.equal(viaAttribute, 2);
  });

  test('binaryType: Blob by default, ArrayBuffer when asked; every kind of bytes is sent as binary', async () => {
    const server = await echoServer(leaks);
    const ws = new WebSocket(server.url);
    closeAfterTest(ws);
    const received: unknown[] = [];
    ws.onmessage = (event) => received.push((event as MessageEvent).data);
    await new Promise((resolve) => ws.addEventListener('open', resolve));
    ws.send(new Uint8Array([1, 2]).buffer);
    await eventually(() => received.length === 1, 'the first echo');
    assert.ok(received[0] instanceof Blob);
    assert.deepEqual(new Uint8Array(await (received[0] as Blob).arrayBuffer()), new Uint8Array([1, 2]));
    ws.binaryType = 'nonsense' as 'blob';
    assert.equal(ws.binaryType, 'blob');
    ws.binaryType = 'arraybuffer';
    const view = new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 3); // a view: only its own bytes go
    ws.send(view);
    ws.send(new DataView(new Uint8Array([4, 4]).buffer));
    ws.send(new Blob(['blob ', 'bytes']));
    ws.send('after the blob');
    await eventually(() => received.length === 5, 'five echoes');
    assert.deepEqual(new Uint8Array(received[1] as ArrayBuffer), new Uint8Array([8, 7]));
    assert.deepEqual(new Uint8Array(received[2] as ArrayBuffer), new Uint8Array([4, 4]));
    assert.equal(Buffer.from(received[3] as ArrayBuffer).toString(), 'blob bytes');
    assert.equal(received[4], 'after the blob'); // behind the Blob, as sent
  });

  test('argument checks: SyntaxError for URLs and subprotocols, InvalidStateError, InvalidAccessError', async () => {
    assert.throws(() => new WebSocket('ftp://example.com/'), domError('SyntaxError'));
    assert.throws(() => new WebSocket('ws://example.com/#x'), domError('SyntaxError'));
    assert.throws(() => new WebSocket('not a url'), domError('SyntaxError'));
    assert.throws(() => new WebSocket('ws://example.com/', ['a', 'a']), domError('SyntaxError'));
    assert.throws(() => new WebSocket('ws://example.com/', 'a b'), domError('SyntaxError'));
    const server = await echoServer(leaks);
    const ws = new WebSocket(server.url);
    closeAfterTest(ws);
    assert.throws(() => ws.send('too early'), domError('InvalidStateError'));
    await new Promise((resolve) => ws.addEventListener('open', resolve));
    assert.throws(() => ws.close(1001), domError('InvalidAccessError'));
    assert.throws(() => ws.close(2999), domError('InvalidAccessError'));
    assert.throws(() => ws.close(5000), domError('InvalidAccessError'));
    assert.throws(() => ws.close(1000, 'é'.repeat(62)), domError('SyntaxError'));
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close(3000);
    assert.equal(ws.readyState, WebSocket.CLOSING);
    ws.send('while closing');
    assert.equal(ws.bufferedAmount, 'while closing'.length, 'counted, not sent');
    await new Promise((resolve) => ws.addEventListener('close', resolve));
    await eventually(() => server.closes.length === 1, 'the server saw the close');
    assert.equal(server.closes[0]?.code, 3000);
  });

  test('a refused handshake: error (carrying the wirekit error), then close 1006, not clean', async () => {
    const server = await rawServer(leaks, (_request, socket) => {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    });
    const ws = new WebSocket(server.url.replace('http', 'ws'));
    const log = record(ws);
    let error: unknown;
    ws.onerror = (event) => {
      error = (event as WebSocketErrorEvent).error;
    };
    await eventually(
      () => log.length === 2,
      () => log.join(),
    );
    assert.deepEqual(log, ['error:3', 'close:1006::false:3']);
    assert.ok(isWirekitError(error, 'WK_ERR_WS_HANDSHAKE'), String(error));
    assert.equal(error.status, 403);
  });

  test('close() while connecting abandons the attempt: error, close 1006', async () => {
    const server = await rawServer(leaks, () => {}); // never answers
    const ws = new WebSocket(server.url.replace('http', 'ws'));
    const log = record(ws);
    ws.close();
    assert.equal(ws.readyState, WebSocket.CLOSING);
    await eventually(
      () => log.length === 2,
      () => log.join(),
    );
    assert.deepEqual(log, ['error:3', 'close:1006::false:3']);
    await eventually(() => server.sockets.size === 0, 'the socket closed');
  });

  test('the server going away without a close frame: error, then close 1006', async () => {
    const server = await echoServer(leaks);
    const ws = new WebSocket(server.url);
    const log = record(ws);
    await new Promise((resolve) => ws.addEventListener('open', resolve));
    await eventually(() => server.sockets.length === 1, 'the server end');
    server.sockets[0]?.terminate();
    await eventually(
      () => log.length === 3,
      () => log.join(),
    );
    assert.deepEqual(log, ['open:1', 'error:3', 'close:1006::false:3']);
  });

  test('the server closing: close event with its code and reason, clean', async () => {
    const server = await echoServer(leaks, { perMessageDeflate: true });
    const ws = new WebSocket(server.url, { perMessageDeflate: true });
    const log = record(ws);
    await new Promise((resolve) => ws.addEventListener('open', resolve));
    assert.match(ws.extensions, /^permessage-deflate/);
    await eventually(() => server.sockets.length === 1, 'the server end');
    server.sockets[0]?.close(4242, 'server says bye');
    await eventually(
      () => log.length === 2,
      () => log.join(),
    );
    assert.deepEqual(log, ['open:1', 'close:4242:server says bye:true:3']);
    assert.ok(new CloseEvent('close') instanceof Event);
  });
});
