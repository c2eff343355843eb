/**
 * Connection persistence over a real socket (RFC 9112 §9.3): HTTP/1.1 is kept alive by default,
 * `Connection: close` and HTTP/1.0 close after the response unless 1.0 asks for keep-alive,
 * `maxRequestsPerConnection` closes after the last allowed request, and a half-closed client gets
 * its answers before the close.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { startServer, type TestServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { bodyText, header, saysClose } from '../../helpers/response-reader.js';

const leaks = trackLeaks();

function pathServer(options = {}): Promise<TestServer & { handled: string[] }> {
  const handled: string[] = [];
  return startServer(
    leaks,
    async (req) => {
      handled.push(req.path);
      await req.text();
      if (req.path === '/stream') {
        return new Response(
          (async function* () {
            yield Buffer.from('streamed ');
            yield Buffer.from(req.path);
          })(),
        );
      }
      return new Response(req.path);
    },
    options,
  ).then((server) => Object.assign(server, { handled }));
}

test('HTTP/1.1 is kept alive by default: sequential requests share one connection', async () => {
  const server = await pathServer();
  const client = await server.client();
  for (const path of ['/one', '/two', '/three']) {
    await client.write(request('GET', path));
    await client.until(() => client.finals().some((r) => bodyText(r) === path), path);
  }
  const responses = client.finals();
  assert.deepEqual(
    responses.map((r) => bodyText(r)),
    ['/one', '/two', '/three'],
  );
  assert.ok(responses.every((r) => header(r, 'connection') === undefined));
  assert.ok(await client.staysOpen());
  assert.equal(server.server.connections, 1);
});

test('Connection: close → the response says close, the server closes, a request after it is not handled', async () => {
  const server = await pathServer();
  const client = await server.client();
  await client.write(request('GET', '/last', ['Connection: close']) + request('GET', '/never'));
  await client.waitEnded();
  const responses = client.finals();
  assert.equal(responses.length, 1);
  assert.ok(saysClose(responses[0]!));
  assert.deepEqual(server.handled, ['/last']);
  assert.equal(client.error, undefined, 'a clean close');
});

test('HTTP/1.0 without keep-alive: answered, then closed', async () => {
  const server = await pathServer();
  const client = await server.client();
  await client.write('GET /old HTTP/1.0\r\n\r\nGET /never HTTP/1.0\r\n\r\n');
  await client.waitEnded();
  const responses = client.finals();
  assert.equal(responses.length, 1);
  assert.equal(bodyText(responses[0]!), '/old');
  assert.notEqual(header(responses[0]!, 'connection')?.toLowerCase(), 'keep-alive');
  assert.deepEqual(server.handled, ['/old']);
});

test('HTTP/1.0 with Connection: keep-alive: the response says keep-alive and the connection is reused', async () => {
  const server = await pathServer();
  const client = await server.client();
  await client.write('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  const [first] = await client.read(1);
  assert.equal(header(first!, 'connection')?.toLowerCase(), 'keep-alive');
  await client.write('GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  const [, second] = await client.read(2);
  assert.equal(bodyText(second!), '/b');
  assert.ok(await client.staysOpen());
});

test('HTTP/1.0 keep-alive with a streamed response of unknown length: close-delimited, then closed', async () => {
  const server = await pathServer();
  const client = await server.client();
  await client.write('GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  await client.waitEnded();
  const [response] = client.finals();
  assert.equal(header(response!, 'transfer-encoding'), undefined, 'no chunked for HTTP/1.0');
  assert.equal(header(response!, 'content-length'), undefined);
  assert.ok(saysClose(response!));
  assert.equal(bodyText(response!), 'streamed /stream');
});

test('HTTP/1.1 with a streamed response of unknown length is chunked and kept alive', async () => {
  const server = await pathServer();
  const client = await server.client();
  await client.write(request('GET', '/stream') + request('GET', '/after'));
  const [streamed, after] = await client.read(2);
  assert.ok(streamed?.chunked);
  assert.equal(bodyText(streamed!), 'streamed /stream');
  assert.equal(bodyText(after!), '/after');
});

test('maxRequestsPerConnection: the last allowed response says close; later requests are not handled', async () => {
  const server = await pathServer({ maxRequestsPerConnection: 3 });
  const client = await server.client();
  let all = '';
  for (let i = 0; i < 5; i++) all += request('GET', `/r${i}`);
  await client.write(all);
  await client.waitEnded();
  const responses = client.finals();
  assert.deepEqual(
    responses.map((r) => bodyText(r)),
    ['/r0', '/r1', '/r2'],
  );
  assert.deepEqual(
    responses.map((r) => saysClose(r)),
    [false, false, true],
  );
  assert.deepEqual(server.handled, ['/r0', '/r1', '/r2']);
});

test('a client that half-closes after its requests gets every answer, then the close', async () => {
  const server = await pathServer();
  const client = await server.client();
  await client.write(request('POST', '/a', [], 'x') + request('GET', '/b'));
  client.end();
  await client.waitEnded();
  const responses = client.finals();
  assert.deepEqual(
    responses.map((r) => bodyText(r)),
    ['/a', '/b'],
  );
  assert.equal(client.error, undefined, 'a clean close');
});

test('maxRequestsPerConnection: the body of the last allowed request is still read and answered', async () => {
  const server = await pathServer({ maxRequestsPerConnection: 2 });
  const client = await server.client();
  await client.write(
    request('POST', '/a', [], 'one') + request('POST', '/b', [], 'two') + request('POST', '/c', [], 'x'),
  );
  await client.waitEnded();
  const responses = client.finals();
  assert.deepEqual(
    responses.map((r) => bodyText(r)),
    ['/a', '/b'],
  );
  assert.ok(saysClose(responses[1]!));
  assert.deepEqual(server.handled, ['/a', '/b']);
});

test('a client that half-closes after more requests than maxPipelinedRequests gets every answer', async () => {
  const server = await pathServer({ maxPipelinedRequests: 4 });
  const client = await server.client();
  let all = '';
  for (let i = 0; i < 40; i++) all += request('GET', `/r${i}`);
  await client.write(all);
  client.end();
  await client.waitEnded();
  assert.deepEqual(
    client.finals().map((r) => bodyText(r)),
    Array.from({ length: 40 }, (_, i) => `/r${i}`),
  );
  assert.equal(client.error, undefined, 'a clean close');
});

test('a client that half-closes inside a request: answered what was complete, the partial one refused or dropped', async () => {
  const server = await pathServer();
  const client = await server.client();
  await client.write(`${request('GET', '/whole')}POST /part HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc`);
  client.end();
  await client.waitEnded();
  const responses = client.finals();
  assert.equal(bodyText(responses[0]!), '/whole');
  assert.ok(responses.length === 1 || (responses[1]?.status ?? 0) >= 400, client.text);
});

test('a client that half-closes inside a head gets 400, then the close', async () => {
  const server = await pathServer();
  const client = await server.client();
  await client.write(`${request('GET', '/whole')}GET /part HTTP/1.1\r\nHost: a\r\n`);
  client.end();
  await client.waitEnded();
  assert.deepEqual(
    client.finals().map((r) => r.status),
    [200, 400],
  );
  assert.ok(saysClose(client.finals()[1]!));
  assert.deepEqual(server.handled, ['/whole']);
});

test('a handler that ignores a small body: the body is dropped and the next request is its own', async () => {
  const server = await startServer(leaks, (req) => new Response(`ignored the body of ${req.path}`));
  const client = await server.client();
  const body = request('GET', '/inside-the-body');
  await client.write(request('POST', '/a', [], body) + request('GET', '/b'));
  const [a, b] = await client.read(2);
  assert.equal(bodyText(a!), 'ignored the body of /a');
  assert.ok(!saysClose(a!));
  assert.equal(bodyText(b!), 'ignored the body of /b');
  assert.equal(server.calls, 2, 'the body was never parsed as a request');
});

test('a handler that ignores a body larger than maxDiscardBytes: answered with close, nothing after it handled', async () => {
  const server = await startServer(leaks, (req) => new Response(req.path), { maxDiscardBytes: 1024 });
  const client = await server.client();
  await client.write(request('POST', '/a', ['Content-Length: 100000']));
  const [a] = await client.read(1);
  assert.ok(saysClose(a!));
  await client.write(request('GET', '/never'));
  await client.waitEnded();
  assert.equal(server.calls, 1);
});
