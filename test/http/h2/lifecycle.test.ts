/**
 * An HTTP/2 connection's life and its defences: the SETTINGS we advertise, GOAWAY on the server's
 * graceful close (streams in flight finish, streamed answers are asked to stop) and destruction at
 * its deadline, the idle timeout, the SETTINGS timeout (a raw client that never acknowledges), the
 * request timeout, and the rapid-reset defence (CVE-2023-44487): a client that opens and cancels
 * streams faster than the limit gets GOAWAY ENHANCE_YOUR_CALM, while a new connection is served.
 */
import assert from 'node:assert/strict';
import { type ClientHttp2Session, constants } from 'node:http2';
import { connect as tcpConnect } from 'node:net';
import { test } from 'node:test';
import { isWirekitError } from '../../../src/errors.js';
import { Response } from '../../../src/http/message/index.js';
import { h2Request, h2Session, readAnswer } from '../../helpers/h2-client.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { eventually } from '../../helpers/wait.js';

const leaks = trackLeaks();

/** Resolves with the code and last stream id of the first GOAWAY `session` receives. */
function goaway(session: ClientHttp2Session): Promise<{ code: number; lastStreamID: number }> {
  return new Promise((resolve) => session.once('goaway', (code, lastStreamID) => resolve({ code, lastStreamID })));
}

/** A handler that holds its answer until the request's signal aborts or the test releases it. */
function gated(): { handler: (req: { signal: AbortSignal }) => Promise<Response>; release: () => void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const handler = async (req: { signal: AbortSignal }): Promise<Response> => {
    await Promise.race([gate, new Promise((resolve) => req.signal.addEventListener('abort', resolve))]);
    return new Response('released');
  };
  return { handler, release };
}

test('the SETTINGS advertise maxConcurrentStreams (100 by default, configurable) and the stream window', async () => {
  const server = await startServer(leaks, () => new Response('ok'), { http2: 'h2c' });
  const session = await h2Session(leaks, server.server.url);
  await h2Request(session, {});
  assert.equal(session.remoteSettings.maxConcurrentStreams, 100);
  assert.equal(session.remoteSettings.initialWindowSize, 64 * 1024);
  const custom = await startServer(leaks, () => new Response('ok'), {
    http2: 'h2c',
    http2Options: { maxConcurrentStreams: 7 },
    bodyHighWaterBytes: 16 * 1024,
  });
  const other = await h2Session(leaks, custom.server.url);
  await h2Request(other, {});
  assert.equal(other.remoteSettings.maxConcurrentStreams, 7);
  assert.equal(other.remoteSettings.initialWindowSize, 16 * 1024);
});

test('close(): GOAWAY, the stream in flight finishes, no new stream is accepted, and close resolves', async () => {
  const { handler, release } = gated();
  const server = await startServer(leaks, handler, { http2: 'h2c' });
  const session = await h2Session(leaks, server.server.url);
  const inFlight = readAnswer(session.request({ ':path': '/' }));
  await eventually(() => server.calls === 1, 'the handler runs');
  const away = goaway(session);
  const closed = server.server.close();
  assert.equal((await away).code, constants.NGHTTP2_NO_ERROR);
  release();
  assert.equal((await inFlight).body.toString(), 'released');
  await closed;
  assert.equal(server.server.connections, 0);
});

test('close(): a streamed answer is asked to stop (WK_ERR_SERVER_CLOSING) and ends cleanly', async () => {
  let reason: unknown;
  const server = await startServer(
    leaks,
    (req) => {
      const body = (async function* () {
        while (!req.signal.aborted) {
          yield Buffer.from('tick\n');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        reason = req.signal.reason;
      })();
      return new Response(body);
    },
    { http2: 'h2c' },
  );
  const session = await h2Session(leaks, server.server.url);
  const answer = readAnswer(session.request({ ':path': '/' }));
  await eventually(() => server.calls === 1, 'the stream started');
  await server.server.close();
  assert.ok((await answer).body.toString().startsWith('tick\n'));
  assert.ok(isWirekitError(reason, 'WK_ERR_SERVER_CLOSING'));
});

test('close({ timeoutMs }): what is still open at the deadline is destroyed', async () => {
  const server = await startServer(leaks, () => new Promise<Response>(() => {}), { http2: 'h2c' });
  const session = await h2Session(leaks, server.server.url);
  const stream = session.request({ ':path': '/' });
  const ended = new Promise<void>((resolve) => stream.on('close', () => resolve()));
  stream.on('error', () => {});
  await eventually(() => server.calls === 1, 'the handler runs');
  await server.server.close({ timeoutMs: 100 });
  await ended;
  assert.equal(server.server.connections, 0);
});

test('a connection with no open stream for idleTimeoutMs gets GOAWAY and is closed', async () => {
  const server = await startServer(leaks, () => new Response('ok'), { http2: 'h2c', idleTimeoutMs: 200 });
  const session = await h2Session(leaks, server.server.url);
  await h2Request(session, {});
  const away = goaway(session);
  const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
  assert.equal((await away).code, constants.NGHTTP2_NO_ERROR);
  await closed;
  await eventually(() => server.server.connections === 0, 'the server let go of the connection');
});

test('a client that never acknowledges our SETTINGS gets GOAWAY SETTINGS_TIMEOUT', async () => {
  const server = await startServer(leaks, () => new Response('ok'), {
    http2: 'h2c',
    http2Options: { settingsTimeoutMs: 200 },
  });
  const socket = tcpConnect(server.port, '127.0.0.1');
  leaks.defer(() => socket.destroy());
  // The preface and an empty SETTINGS frame (RFC 9113 §3.4, §6.5); the server's SETTINGS are never acknowledged.
  socket.write(
    Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]),
  );
  const frames: { type: number; payload: Buffer }[] = [];
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 9) {
      const length = pending.readUIntBE(0, 3);
      if (pending.length < 9 + length) break;
      frames.push({ type: pending[3] as number, payload: pending.subarray(9, 9 + length) });
      pending = pending.subarray(9 + length);
    }
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await closed;
  const away = frames.find((frame) => frame.type === 0x7);
  assert.ok(away, `a GOAWAY frame among ${frames.map((f) => f.type).join(',')}`);
  assert.equal(away.payload.readUInt32BE(4), constants.NGHTTP2_SETTINGS_TIMEOUT);
});

test('a request body that does not arrive within requestTimeoutMs is a 408', async () => {
  const server = await startServer(leaks, async (req) => new Response(await req.text()), {
    http2: 'h2c',
    requestTimeoutMs: 200,
  });
  const session = await h2Session(leaks, server.server.url);
  const stream = session.request({ ':method': 'POST', ':path': '/' });
  stream.on('error', () => {});
  stream.write('part of a body that never ends');
  const answer = await readAnswer(stream);
  assert.equal(answer.status, 408);
  assert.equal((await h2Request(session, { ':method': 'POST' }, 'whole')).body.toString(), 'whole');
});

test('rapid reset (CVE-2023-44487): streams opened and cancelled past the limit get GOAWAY ENHANCE_YOUR_CALM', async () => {
  const { handler, release } = gated();
  leaks.defer(release);
  const server = await startServer(leaks, handler, {
    http2: 'h2c',
    http2Options: { maxResetsPerWindow: 50, resetWindowMs: 60_000 },
  });
  const attacker = await h2Session(leaks, server.server.url);
  const away = goaway(attacker);
  let sent = 0;
  // Bounded: far more than the limit, far fewer than node:http2's own bucket (1000) would need.
  for (let i = 0; i < 400 && !attacker.closed && !attacker.destroyed; i++) {
    const stream = attacker.request({ ':path': '/' });
    stream.on('error', () => {});
    stream.close(constants.NGHTTP2_CANCEL);
    sent++;
    if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  const { code } = await away;
  assert.equal(code, constants.NGHTTP2_ENHANCE_YOUR_CALM);
  assert.ok(sent > 50, `${sent} streams were sent before the GOAWAY`);
  // A new connection is served.
  const honest = await h2Session(leaks, server.server.url);
  const answer = h2Request(honest, {});
  release();
  assert.equal((await answer).body.toString(), 'released');
});

test('cancelling fewer streams than the limit is not an attack: the connection serves on', async () => {
  const server = await startServer(leaks, () => new Response('ok'), {
    http2: 'h2c',
    http2Options: { maxResetsPerWindow: 50, resetWindowMs: 60_000 },
  });
  const session = await h2Session(leaks, server.server.url);
  for (let i = 0; i < 20; i++) {
    const stream = session.request({ ':path': '/' });
    stream.on('error', () => {});
    stream.close(constants.NGHTTP2_CANCEL);
  }
  for (let i = 0; i < 5; i++) assert.equal((await h2Request(session, {})).body.toString(), 'ok');
  assert.equal(session.closed, false);
});
