/**
 * The HTTP server under faults injected by wirekit's own fault proxy: a head trickling in past
 * headerTimeoutMs and a body slower than requestTimeoutMs get 408, a client that stops reading is
 * dropped after sendTimeoutMs (backpressure through the proxy), and an upload reset midway fails
 * that request only. Lower bounds only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Response, type ServeOptions, serve } from '../../src/http/index.js';
import { connect } from '../../src/net/connect.js';
import { type FaultProxy, faultProxy } from '../../src/tools/index.js';
import { type LeakTracker, trackLeaks } from '../helpers/leaks.js';
import { causeCode, readAll, until } from '../tools/helpers.js';

const leaks = trackLeaks();

async function setup(
  tracker: LeakTracker,
  options: ServeOptions,
  seen: unknown[] = [],
): Promise<{ proxy: FaultProxy; connections: () => number }> {
  const server = await serve(
    async (req) => {
      if (req.path === '/huge') {
        const chunk = new Uint8Array(64 * 1024);
        return new Response(
          (async function* () {
            for (let i = 0; i < 1024; i++) yield chunk; // 64 MiB: more than every buffer on the way
          })(),
        );
      }
      try {
        return new Response(`got ${(await req.text()).length}`);
      } catch (error) {
        seen.push(error);
        throw error;
      }
    },
    { onError: () => {}, ...options },
  );
  tracker.defer(() => server.close({ timeoutMs: 0 }));
  const proxy = await faultProxy({ upstream: `127.0.0.1:${server.address.port}`, seed: 9 });
  tracker.defer(() => proxy.close());
  return { proxy, connections: () => server.connections };
}

async function exchange(proxy: FaultProxy, bytes: string): Promise<string> {
  const conn = await connect({ port: proxy.address.port });
  leaks.defer(() => conn.destroy());
  await conn.write(bytes);
  return (await readAll(conn)).toString();
}

test('a head sliced into slow pieces past headerTimeoutMs gets 408 and the connection closes', async () => {
  const { proxy } = await setup(leaks, { headerTimeoutMs: 300 });
  proxy.add('slicer', { averageBytes: 4, delayMs: 50 }, { direction: 'upstream' });
  const started = performance.now();
  const answer = await exchange(proxy, 'GET / HTTP/1.1\r\nHost: x\r\nX-Pad: 0123456789abcdef\r\n\r\n');
  assert.match(answer, /^HTTP\/1\.1 408 /);
  assert.ok(performance.now() - started >= 299);
});

test('a body under a bandwidth cap slower than requestTimeoutMs gets 408', async () => {
  const { proxy } = await setup(leaks, { requestTimeoutMs: 400 });
  proxy.add('bandwidth', { bytesPerSecond: 2_000 }, { direction: 'upstream' });
  const started = performance.now();
  const body = 'b'.repeat(4_000);
  const answer = await exchange(proxy, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  assert.match(answer, /^HTTP\/1\.1 408 /);
  assert.ok(performance.now() - started >= 399);
});

test('a client stalled behind the proxy is dropped after sendTimeoutMs: backpressure reaches the server', async () => {
  const { proxy, connections } = await setup(leaks, { sendTimeoutMs: 300 });
  proxy.add('stall', { afterBytes: 10_000 });
  const conn = await connect({ port: proxy.address.port });
  leaks.defer(() => conn.destroy());
  const started = performance.now();
  await conn.write('GET /huge HTTP/1.1\r\nHost: x\r\n\r\n');
  await until(() => connections() === 1, 'the server to take the connection');
  await until(() => connections() === 0, 'the server to give up on the stalled client', 20_000);
  assert.ok(performance.now() - started >= 299);
  assert.ok(proxy.bufferedBytes <= 4 * 1024 * 1024, `the proxy held ${proxy.bufferedBytes} bytes`);
});

test('an upload reset midway fails that request only; the next one is served', async () => {
  const seen: unknown[] = [];
  const { proxy } = await setup(leaks, {}, seen);
  const cut = proxy.add('reset', { afterBytes: 200 }, { direction: 'upstream' });
  const conn = await connect({ port: proxy.address.port });
  leaks.defer(() => conn.destroy());
  await conn.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n${'u'.repeat(1_000)}`);
  await assert.rejects(readAll(conn), (error) => causeCode(error) === 'ECONNRESET');
  await until(() => seen.length === 1, 'the handler to see its body fail');
  cut.remove();
  const answer = await exchange(
    proxy,
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
  );
  assert.match(answer, /^HTTP\/1\.1 200 [\s\S]*got 5$/);
});
