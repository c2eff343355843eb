/**
 * Graceful shutdown over real sockets (issue 3): `server.close({ timeoutMs })` stops accepting,
 * closes idle keep-alive connections at once, lets an in-flight request finish with
 * `Connection: close`, destroys what is still stuck at the deadline, and resolves.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { RawClient, request } from '../../helpers/raw-client.js';
import { bodyText, saysClose } from '../../helpers/response-reader.js';
import { sleep } from '../../helpers/wait.js';

const leaks = trackLeaks();

test('close(): idle keep-alive connections close at once, an in-flight request finishes with Connection: close', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started = false;
  const server = await startServer(
    leaks,
    async (req) => {
      if (req.path === '/slow') {
        started = true;
        await gate;
      }
      return new Response(req.path);
    },
    { idleTimeoutMs: 60_000 },
  );
  const idle = await server.client();
  await idle.write(request('GET', '/warm'));
  await idle.read(1);
  const busy = await server.client();
  await busy.write(request('GET', '/slow'));
  await busy.until(() => started, 'the slow handler to start');

  let closed = false;
  const closing = server.server.close({ timeoutMs: 30_000 }).then(() => {
    closed = true;
  });
  await idle.waitEnded();
  assert.equal(idle.finals().length, 1, 'the idle connection got nothing more, just the close');
  assert.equal(closed, false, 'close() waits for the in-flight request');
  await assert.rejects(
    RawClient.connect(server.port).then((c) => c.destroy()),
    'no new connections accepted',
  );

  release();
  const [response] = await busy.read(1);
  assert.equal(bodyText(response!), '/slow');
  assert.ok(saysClose(response!), 'the last response says Connection: close');
  await busy.waitEnded();
  await closing;
});

test('close({ timeoutMs }): a stuck request is destroyed at the deadline and close resolves', async () => {
  let started = false;
  const server = await startServer(leaks, async () => {
    started = true;
    await new Promise(() => {}); // never answers
    return new Response('never');
  });
  const stuck = await server.client();
  await stuck.write(request('GET', '/stuck'));
  await stuck.until(() => started, 'the handler to start');
  await server.server.close({ timeoutMs: 300 });
  await stuck.waitEnded();
  assert.equal(stuck.finals().length, 0);
  assert.equal(server.server.connections, 0);
});

test('close() while a pipelined batch is in flight: every request already received is answered, the last says close', async () => {
  const server = await startServer(leaks, async (req) => {
    await sleep(30);
    return new Response(req.path);
  });
  const client = await server.client();
  await client.write(request('GET', '/a') + request('GET', '/b') + request('GET', '/c'));
  await client.until(() => server.calls >= 1, 'the handlers to start');
  await server.server.close({ timeoutMs: 10_000 });
  await client.waitEnded();
  const responses = client.finals();
  assert.deepEqual(
    responses.map((r) => bodyText(r)),
    ['/a', '/b', '/c'],
  );
  assert.deepEqual(
    responses.map((r) => saysClose(r)),
    [false, false, true],
    'the last one says close',
  );
});

test('close() with no connections resolves, and a second close() returns the same outcome', async () => {
  const server = await startServer(leaks, () => new Response('x'));
  await server.server.close();
  await server.server.close({ timeoutMs: 10 });
  assert.equal(server.server.connections, 0);
});
