/**
 * `Expect: 100-continue` over a real socket (RFC 9110 §10.1.1): the interim 100 is sent only once
 * the handler starts reading the body; a handler that answers without reading sends no 100 and the
 * body the client may still send is never taken for a request; any other expectation gets 417
 * without calling the handler; an HTTP/1.0 request's expectation is ignored.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import type { Handler } from '../../../src/http/server/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { bodyText, saysClose } from '../../helpers/response-reader.js';
import { sleep } from '../../helpers/wait.js';

const leaks = trackLeaks();

test('100 Continue is sent only when the handler reads the body, then the final response', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = await startServer(leaks, async (req) => {
    if (req.path === '/gated') await gate;
    return new Response(`got ${await req.text()}`);
  });
  const client = await server.client();
  await client.write(request('POST', '/gated', ['Expect: 100-continue', 'Content-Length: 5']));
  assert.ok(await client.staysOpen(300), 'no 100 while the handler has not read');
  assert.equal(client.data.length, 0);
  release();
  await client.until(() => client.responses().length === 1, 'the 100');
  const [interim] = client.responses();
  assert.equal(interim?.status, 100);
  assert.equal(interim?.interim, true);
  await client.write('hello');
  const [final] = await client.read(1);
  assert.equal(bodyText(final!), 'got hello');
  assert.equal(client.responses().length, 2, 'exactly one 100 and one final response');

  // The connection goes on; a second 100-continue request gets its own 100.
  await client.write(request('POST', '/again', ['Expect: 100-continue', 'Content-Length: 3']));
  await client.until(() => client.responses().length === 3, 'the second 100');
  assert.equal(client.responses()[2]?.status, 100);
  await client.write('abc');
  const [, again] = await client.read(2);
  assert.equal(bodyText(again!), 'got abc');
});

/**
 * Pipelines `GET first` and a 100-continue `POST /up` in one write: the first answer, then the 100,
 * then (once the body is sent) the upload's answer.
 */
async function continueBehind(first: string, handler: Handler): Promise<void> {
  const server = await startServer(leaks, handler);
  const client = await server.client();
  await client.write(request('GET', first) + request('POST', '/up', ['Expect: 100-continue', 'Content-Length: 5']));
  await client.until(() => client.responses().length === 2, 'the first response and the 100');
  assert.deepEqual(
    client.responses().map((r) => r.status),
    [200, 100],
  );
  await client.write('hello');
  const [, up] = await client.read(2);
  assert.equal(bodyText(up!), '/up hello');
}

test('a 100-continue request pipelined behind a slow one gets its 100 once it is first in line', async () => {
  await continueBehind('/slow', async (req) => {
    if (req.path === '/slow') await sleep(100);
    return new Response(`${req.path} ${await req.text()}`);
  });
});

test('a 100-continue request pipelined behind a fast one: the first answer leaves before the 100', async () => {
  await continueBehind('/fast', (req) =>
    req.path === '/fast' ? new Response('fast') : req.text().then((text) => new Response(`${req.path} ${text}`)),
  );
});

test('a handler that answers without reading: no 100, and the body sent anyway is never a request', async () => {
  const handled: string[] = [];
  const server = await startServer(leaks, (req) => {
    handled.push(req.path);
    return new Response('no thanks', { status: 403 });
  });
  const client = await server.client();
  await client.write(request('POST', '/upload', ['Expect: 100-continue', 'Content-Length: 36']));
  const [response] = await client.read(1);
  assert.equal(response?.status, 403);
  assert.equal(client.responses().length, 1, 'no 100 was sent');
  // The client may or may not send the body now, so the server cannot know where the next request
  // starts: it must close. Whatever the client sends is never handled.
  assert.ok(saysClose(response!), 'the response says close');
  await client.write(request('GET', '/smuggled'));
  await client.waitEnded();
  assert.deepEqual(handled, ['/upload'], 'the body was never parsed as a request');
  assert.equal(client.finals().length, 1);
});

test('an expectation other than 100-continue → 417 without calling the handler', async () => {
  const handled: string[] = [];
  const server = await startServer(leaks, (req) => {
    handled.push(req.path);
    return new Response('handled');
  });
  const client = await server.client();
  await client.write(request('POST', '/', ['Expect: 200-ok', 'Content-Length: 2'], 'hi') + request('GET', '/next'));
  const [refused] = await client.read(1);
  assert.equal(refused?.status, 417);
  assert.ok(!handled.includes('/'), 'the handler never saw the refused request');
  // Either the connection closes, or it stays in step and the next request is answered on its own.
  await client.until(() => client.ended || client.finals().length === 2, 'close or the next answer');
  if (client.finals().length === 2) {
    assert.equal(bodyText(client.finals()[1]!), 'handled');
    assert.deepEqual(handled, ['/next']);
  }
});

test('Expect: 100-continue in an HTTP/1.0 request is ignored: no 100 (RFC 9110 §10.1.1)', async () => {
  const server = await startServer(leaks, async (req) => new Response(`got ${await req.text()}`));
  const client = await server.client();
  await client.write('POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello');
  await client.waitEnded();
  const responses = client.responses();
  assert.deepEqual(
    responses.map((r) => r.status),
    [200],
    client.text,
  );
  assert.equal(bodyText(responses[0]!), 'got hello');
});
