/**
 * A streamed body that fails after its head went out: the answer cannot change (the connection is
 * cut, so the client sees an incomplete body), but `reportErrors` hears of it, once: the server the
 * app listens on does not warn about it again. Real sockets; warnings caught on `process`.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { App } from '../../src/web/app.js';
import { trackLeaks } from '../helpers/leaks.js';
import { warningsDuringTest } from '../helpers/warnings.js';

const leaks = trackLeaks();

async function* failingBody(): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode('first chunk\n');
  await tick();
  throw new Error('the upstream feed broke');
}

/** GETs `path` on a raw socket; resolves with what arrived before the server cut the connection. */
function getRaw(port: number, path: string, method = 'GET'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    leaks.defer(() => socket.destroy());
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  });
}

test('a streamed body failing midway reaches reportErrors once; the client gets a cut-short body', async () => {
  const warnings = warningsDuringTest(leaks);
  const seen: string[] = [];
  const app = new App();
  app.reportErrors((error, c) => seen.push(`${c.req.path}: ${(error as Error).message}`));
  app.get('/feed', (c) => c.body(failingBody(), 200, { 'content-type': 'text/plain' }));
  const server = await app.listen({ port: 0 });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const text = await getRaw(server.address.port, '/feed');
  assert.match(text, /^HTTP\/1\.1 200 /);
  assert.match(text, /first chunk/);
  assert.ok(!text.endsWith('\r\n0\r\n\r\n'), 'no terminating chunk: the client knows the body is incomplete');
  assert.deepEqual(seen, ['/feed: the upstream feed broke']);
  await tick();
  assert.deepEqual(
    warnings.map((w) => w.message),
    [],
    'told to the hook, not warned about again by the server',
  );
});

test('without reportErrors the server warns about it, once', async () => {
  const warnings = warningsDuringTest(leaks);
  const app = new App();
  app.get('/feed', (c) => c.body(failingBody(), 200, { 'content-type': 'text/plain' }));
  const server = await app.listen({ port: 0 });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  await getRaw(server.address.port, '/feed');
  for (let i = 0; i < 10 && warnings.length === 0; i++) await tick();
  assert.deepEqual(
    warnings.map((w) => w.message),
    ['the upstream feed broke'],
  );
});

test('a stream the server will not send (HEAD) is still returned to its source, unstarted', async () => {
  let returned = 0;
  let pulled = 0;
  const source: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        pulled++;
        return { done: true, value: undefined };
      },
      return: async () => {
        returned++;
        return { done: true, value: undefined };
      },
    }),
  };
  const app = new App();
  app.reportErrors(() => {});
  app.get('/feed', (c) => c.body(source, 200, { 'content-type': 'text/plain' }));
  const server = await app.listen({ port: 0 });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const res = await fetch(`${server.url}/feed`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  for (let i = 0; i < 10 && returned === 0; i++) await tick();
  assert.equal(returned, 1, 'the source was told it will not be read');
  assert.equal(pulled, 0);
});
