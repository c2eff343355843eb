/**
 * Graceful shutdown over real sockets (issues 3 and 9): `server.close({ timeoutMs })` stops
 * accepting, lets in-flight requests finish (bodies still arriving included) with
 * `Connection: close`, gives idle keep-alive connections `closeGraceMs` to deliver a request already
 * on its way, destroys what is still stuck at the deadline, and resolves.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { fakeClock, startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { RawClient, request } from '../../helpers/raw-client.js';
import { bodyText, readResponses, saysClose } from '../../helpers/response-reader.js';
import { eventually, sleep } from '../../helpers/wait.js';

const leaks = trackLeaks();

test('close(): idle keep-alive connections close once the grace ends, an in-flight request finishes with Connection: close', async () => {
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

test('close() while uploads are in flight: every body is read to its end and answered with Connection: close', async () => {
  const UPLOADS = 15;
  const BODY = 256 * 1024;
  const server = await startServer(leaks, async (req) => {
    const body = await req.bytes();
    return new Response(`${req.path} ${body.byteLength}`);
  });
  const clients = await Promise.all(Array.from({ length: UPLOADS }, () => server.client()));
  const first = Buffer.alloc(1024, 0x61);
  await Promise.all(
    clients.map((client, i) => client.write(request('POST', `/u${i}`, [`Content-Length: ${BODY}`]) + first)),
  );
  await eventually(() => server.calls === UPLOADS, 'every upload to reach its handler');
  const closing = server.server.close({ timeoutMs: 60_000 });
  // The rest of each body arrives after close() began.
  await Promise.all(clients.map((client) => client.write(Buffer.alloc(BODY - first.length, 0x62))));
  for (const [i, client] of clients.entries()) {
    const [response] = await client.read(1);
    assert.equal(response?.status, 200);
    assert.equal(bodyText(response!), `/u${i} ${BODY}`);
    assert.ok(saysClose(response!), 'the answer says Connection: close');
    await client.waitEnded();
    client.end();
  }
  await closing;
  assert.equal(server.server.connections, 0);
});

/**
 * One keep-alive client that sends its next request as soon as the previous answer is in (no
 * pipelining, no retry), until an answer says `Connection: close`, the server closes, or `max`.
 */
class BackToBack {
  written = 0;
  received = 0;
  done = false;
  readonly socket: Socket;
  #pending = Buffer.alloc(0);

  constructor(port: number, max: number, onDone: () => void) {
    this.socket = connect({ port, host: '127.0.0.1', noDelay: true });
    const finish = (): void => {
      if (this.done) return;
      this.done = true;
      this.socket.destroy();
      onDone();
    };
    const send = (): void => {
      this.written++;
      this.socket.write(request('GET', `/r${this.written}`));
    };
    this.socket.on('connect', send);
    this.socket.on('data', (chunk: Buffer) => {
      this.#pending = Buffer.concat([this.#pending, chunk]);
      const { responses, consumed } = readResponses(this.#pending);
      this.#pending = this.#pending.subarray(consumed);
      for (const response of responses) {
        this.received++;
        if (saysClose(response) || this.written >= max) return finish();
      }
      if (responses.length > 0) send();
    });
    this.socket.on('end', finish);
    this.socket.on('error', finish);
    this.socket.on('close', finish);
  }
}

test('close() under keep-alive load: every request written on an accepted connection gets its answer', async () => {
  const CLIENTS = 50;
  const MAX_PER_CLIENT = 400;
  const server = await startServer(leaks, (req) => new Response(req.path), { idleTimeoutMs: 60_000 });
  let finished = 0;
  const clients = Array.from({ length: CLIENTS }, () => new BackToBack(server.port, MAX_PER_CLIENT, () => finished++));
  leaks.defer(() => {
    for (const client of clients) client.socket.destroy();
  });
  const received = (): number => clients.reduce((sum, client) => sum + client.received, 0);
  // Every connection answered a few times: the server has accepted them all (one still in the
  // listen backlog when the listener closes is refused, as it should be).
  await eventually(() => clients.every((client) => client.received >= 5), 'steady load on every connection', 30_000);
  await server.server.close({ timeoutMs: 20_000 });
  await eventually(() => finished === CLIENTS, 'every client to see its connection end', 30_000);
  const lost = clients.filter((client) => client.written !== client.received);
  assert.deepEqual(
    lost.map((client) => `${client.written} written, ${client.received} answered`),
    [],
    'no request written on an accepted connection went unanswered',
  );
  assert.ok(received() >= CLIENTS * 5);
});

test('close(): a request sent on an idle keep-alive connection within the grace is answered, with Connection: close', async () => {
  const server = await startServer(leaks, (req) => new Response(req.path), { closeGraceMs: 30_000 });
  const client = await server.client();
  await client.write(request('GET', '/before'));
  await client.read(1);
  const closing = server.server.close({ timeoutMs: 60_000 });
  // The client did not know: its next request was on its way as the close began.
  await client.write(request('GET', '/on-its-way'));
  const [, response] = await client.read(2);
  assert.equal(bodyText(response!), '/on-its-way');
  assert.ok(saysClose(response!), 'the answer says Connection: close');
  await client.waitEnded();
  client.end();
  await closing;
});

test('close(): an idle keep-alive connection that sends nothing closes when the grace ends', async () => {
  const clock = fakeClock();
  const server = await startServer(leaks, (req) => new Response(req.path), { idleTimeoutMs: 600_000 }, clock.wheel);
  const client = await server.client();
  await client.write(request('GET', '/'));
  await client.read(1);
  let closed = false;
  const closing = server.server.close().then(() => {
    closed = true;
  });
  assert.ok(await client.staysOpen(200), 'open while the grace lasts (the clock has not moved)');
  assert.equal(closed, false);
  clock.advance(500); // the default closeGraceMs
  await client.waitEnded();
  client.end();
  await closing;
  assert.equal(client.finals().length, 1, 'nothing more was sent, just the close');
  assert.equal(client.error, undefined, 'a clean close');
});

test('close() with closeGraceMs: 0 closes idle keep-alive connections at once', async () => {
  const clock = fakeClock();
  const server = await startServer(leaks, (req) => new Response(req.path), { closeGraceMs: 0 }, clock.wheel);
  const client = await server.client();
  await client.write(request('GET', '/'));
  await client.read(1);
  const closing = server.server.close();
  await client.waitEnded();
  client.end();
  await closing;
  assert.equal(client.finals().length, 1);
});
