/**
 * Node's `http.request` as a client of the echo handler: a keep-alive Agent reuses one connection
 * (`reusedSocket`, and the server counted one), chunked uploads written piece by piece,
 * `Expect: 100-continue` with the 'continue' event, HEAD, and bodies of a few MiB both ways.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { test } from 'node:test';
import { trackLeaks } from '../helpers/leaks.js';
import { pattern } from '../helpers/patterns.js';
import { type EchoServer, echoedHeader, parseEcho, startEcho } from './echo-fixture.js';

const leaks = trackLeaks();

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface Result {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  reused: boolean;
  /** The request got a 100 Continue ('continue' event) before its response. */
  continued: boolean;
}

function keepAliveAgent(): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  leaks.defer(() => agent.destroy());
  return agent;
}

/**
 * Sends one request. `write(req)` writes the body (and ends the request); without it the request is
 * ended at once. With `Expect: 100-continue` the body is written only on 'continue'.
 */
function send(
  server: EchoServer,
  options: http.RequestOptions,
  write: (req: http.ClientRequest) => void = (req) => req.end(),
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const { port } = server;
    let continued = false;
    const req = http.request({ host: '127.0.0.1', port, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          reused: req.reusedSocket,
          continued,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    const expects = Object.entries(options.headers ?? {}).some(
      ([name, value]) => name.toLowerCase() === 'expect' && String(value).toLowerCase() === '100-continue',
    );
    if (expects) {
      req.on('continue', () => {
        continued = true;
        write(req);
      });
      req.flushHeaders();
    } else {
      write(req);
    }
  });
}

test('http.request with a keep-alive Agent: one connection carries every request', async () => {
  const server = await startEcho(leaks);
  const agent = keepAliveAgent();
  const results: Result[] = [];
  for (let i = 0; i < 5; i++) results.push(await send(server, { agent, path: `/k${i}` }));
  assert.deepEqual(
    results.map((r) => parseEcho(r.body.toString()).target),
    ['/k0', '/k1', '/k2', '/k3', '/k4'],
  );
  assert.deepEqual(
    results.map((r) => r.reused),
    [false, true, true, true, true],
  );
  assert.equal(server.opened(), 1);
});

test('http.request: a body written in pieces without a length is sent chunked and arrives whole', async () => {
  const server = await startEcho(leaks);
  const parts = Array.from({ length: 30 }, (_, i) => pattern(50_000 + i, i));
  const result = await send(server, { agent: keepAliveAgent(), method: 'POST', path: '/chunked' }, (req) => {
    for (const part of parts) req.write(part);
    req.end();
  });
  const echo = parseEcho(result.body.toString());
  assert.equal(echoedHeader(echo, 'transfer-encoding'), 'chunked');
  assert.equal(sha256(Buffer.from(echo.body, 'base64')), sha256(Buffer.concat(parts)));
});

test("http.request: Expect: 100-continue gets the 'continue' event, then the body is sent and echoed", async () => {
  const server = await startEcho(leaks);
  const agent = keepAliveAgent();
  const payload = pattern(1024 * 1024, 4);
  const result = await send(
    server,
    {
      agent,
      method: 'PUT',
      path: '/continue',
      headers: { Expect: '100-continue', 'Content-Length': String(payload.length) },
    },
    (req) => req.end(payload),
  );
  assert.equal(result.continued, true, "the 'continue' event fired");
  const echo = parseEcho(result.body.toString());
  assert.equal(echoedHeader(echo, 'expect'), '100-continue');
  assert.equal(sha256(Buffer.from(echo.body, 'base64')), sha256(payload));
  const after = await send(server, { agent, path: '/after' });
  assert.equal(after.reused, true, 'the connection is reused after the 100-continue exchange');
  assert.equal(server.opened(), 1);
});

test('http.request: HEAD gets the GET head with no body, and the kept-alive connection goes on', async () => {
  const server = await startEcho(leaks);
  const agent = keepAliveAgent();
  const head = await send(server, { agent, method: 'HEAD', path: '/h' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  const get = await send(server, { agent, path: '/h' });
  const echo = parseEcho(get.body.toString());
  assert.equal(head.headers['content-length'], String(Buffer.byteLength(JSON.stringify({ ...echo, method: 'HEAD' }))));
  assert.equal(get.reused, true);
  assert.equal(server.opened(), 1);
});

test('http.request: 4 MiB up and its echo down, twice on one connection', async () => {
  const server = await startEcho(leaks);
  const agent = keepAliveAgent();
  for (let i = 0; i < 2; i++) {
    const payload = pattern(4 * 1024 * 1024, 20 + i);
    const result = await send(
      server,
      { agent, method: 'POST', path: '/big', headers: { 'Content-Length': String(payload.length) } },
      (req) => req.end(payload),
    );
    assert.equal(sha256(Buffer.from(parseEcho(result.body.toString()).body, 'base64')), sha256(payload));
  }
  assert.equal(server.opened(), 1);
});
