/**
 * The client over HTTP/2 (`allowH2`), against node:http2's TLS server: `h2` negotiated by ALPN,
 * requests multiplexed on one connection, bodies both ways (and trailers), per-stream flow control
 * (a body nobody reads holds its stream, not the connection), per-stream timeouts and aborts that
 * reset one stream only, the retry of refused streams and of streams above a GOAWAY's last id under
 * the reuse-race rules, a server that only speaks HTTP/1.1, and fetch() on top.
 */
import assert from 'node:assert/strict';
import {
  constants,
  createSecureServer,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { before, test } from 'node:test';
import { fetch } from '../../src/client/index.js';
import { isWirekitError } from '../../src/errors.js';
import { Response } from '../../src/http/message/index.js';
import { serve } from '../../src/http/server/index.js';
import type { LeakTracker } from '../helpers/leaks.js';
import { trackLeaks } from '../helpers/leaks.js';
import { selfSignedCertificate } from '../helpers/tls-cert.js';
import { eventually, stable } from '../helpers/wait.js';
import { closeAfter, trackedPool } from './helpers.js';

const leaks = trackLeaks();
let key = '';
let cert = '';

before(() => {
  ({ key, cert } = selfSignedCertificate());
});

type OnStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, session: ServerHttp2Session) => void;

/** node:http2 over TLS (h2 and HTTP/1.1 by ALPN); counts its sessions; everything closed after the test. */
async function h2Server(lt: LeakTracker, onStream: OnStream): Promise<{ url: string; sessions: () => number }> {
  const server = createSecureServer({ key, cert, allowHTTP1: true });
  const open = new Set<ServerHttp2Session>();
  let count = 0;
  server.on('session', (session) => {
    count++;
    open.add(session);
    session.on('close', () => open.delete(session));
    session.on('error', () => {});
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    onStream(stream, headers, stream.session as ServerHttp2Session);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  lt.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const session of open) session.destroy();
        server.close(() => resolve());
      }),
  );
  const port = (server.address() as { port: number }).port;
  return { url: `https://localhost:${port}`, sessions: () => count };
}

/** Reads a server stream's request body as text. */
function bodyOf(stream: ServerHttp2Stream): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
    });
    stream.on('end', () => resolve(text));
  });
}

const h2Options = () => ({ allowH2: true, tls: { ca: cert } });

test('allowH2: h2 by ALPN, concurrent requests share one connection, version 2.0, timings on the first', async () => {
  const server = await h2Server(leaks, (stream, headers) => {
    setTimeout(() => {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ path: headers[':path'], authority: headers[':authority'], host: headers.host }));
    }, 20);
  });
  const pool = trackedPool(leaks, server.url, h2Options());
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.request({ path: `/r${i}` })));
  const bodies = await Promise.all(responses.map((res) => res.body.json()));
  assert.equal(server.sessions(), 1);
  assert.deepEqual(
    bodies.map((b) => (b as { path: string }).path),
    Array.from({ length: 20 }, (_, i) => `/r${i}`),
  );
  assert.equal((bodies[0] as { authority: string }).authority, new URL(server.url).host);
  assert.equal((bodies[0] as { host?: string }).host, undefined, 'no Host field: :authority says it');
  assert.ok(responses.every((res) => res.version === '2.0' && res.status === 200 && res.statusText === ''));
  assert.equal(responses.filter((res) => res.timings.tls > 0).length, 1, 'one connection was opened');
  assert.equal(responses.filter((res) => !res.reused).length, 1);
  assert.equal(pool.stats.connections, 1);
});

test('request bodies (bytes and a stream, with Content-Length or not) and response trailers', async () => {
  const server = await h2Server(leaks, (stream, headers) => {
    void bodyOf(stream).then((text) => {
      stream.respond({ ':status': 200 }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-length': String(text.length) }));
      stream.end(`${headers['content-length'] ?? 'none'}:${text}`);
    });
  });
  const pool = trackedPool(leaks, server.url, h2Options());
  const bytes = await pool.request({ path: '/', method: 'POST', body: 'hello' });
  assert.equal(await bytes.body.text(), '5:hello');
  assert.equal(bytes.trailers.get('x-length'), '5');
  const streamed = await pool.request({
    path: '/',
    method: 'PUT',
    body: (async function* () {
      yield 'one ';
      yield new TextEncoder().encode('two');
    })(),
  });
  assert.equal(await streamed.body.text(), 'none:one two');
  const declared = await pool.request({
    path: '/',
    method: 'PUT',
    headers: ['content-length', '3'],
    body: (async function* () {
      yield 'abc';
    })(),
  });
  assert.equal(await declared.body.text(), '3:abc');
});

test('a body nobody reads holds its own stream: other requests on the connection go on', async () => {
  let produced = 0;
  const server = await h2Server(leaks, (stream, headers) => {
    stream.respond({ ':status': 200 });
    if (headers[':path'] !== '/big') {
      stream.end('small');
      return;
    }
    const write = (): void => {
      while (produced < 32 * 1024 * 1024) {
        produced += 64 * 1024;
        if (!stream.write(Buffer.alloc(64 * 1024))) {
          stream.once('drain', write);
          return;
        }
      }
      stream.end();
    };
    write();
  });
  const pool = trackedPool(leaks, server.url, h2Options());
  const big = await pool.request({ path: '/big' });
  const held = await stable(() => produced);
  assert.ok(held < 4 * 1024 * 1024, `the server was held back (${held} bytes produced)`);
  for (let i = 0; i < 3; i++) assert.equal(await (await pool.request({ path: '/small' })).body.text(), 'small');
  assert.equal(server.sessions(), 1);
  big.body.cancel();
});

test('a headers timeout and an abort reset one stream; the connection serves on', async () => {
  const reset: number[] = [];
  const server = await h2Server(leaks, (stream, headers) => {
    stream.on('close', () => {
      if (stream.rstCode !== constants.NGHTTP2_NO_ERROR) reset.push(stream.rstCode);
    });
    if (headers[':path'] === '/silent') return;
    stream.respond({ ':status': 200 });
    stream.end('ok');
  });
  const pool = trackedPool(leaks, server.url, h2Options());
  await assert.rejects(pool.request({ path: '/silent', timeouts: { headersTimeoutMs: 150 } }), (error) =>
    isWirekitError(error, 'WK_ERR_HEADERS_TIMEOUT'),
  );
  const controller = new AbortController();
  const aborted = pool.request({ path: '/silent', signal: controller.signal });
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(aborted, (error) => isWirekitError(error, 'WK_ERR_ABORTED'));
  await eventually(() => reset.length === 2, 'both streams were reset');
  assert.deepEqual(reset, [constants.NGHTTP2_CANCEL, constants.NGHTTP2_CANCEL]);
  assert.equal(await (await pool.request({ path: '/' })).body.text(), 'ok');
  assert.equal(server.sessions(), 1);
});

test('a stream the server refuses is sent again if idempotent; a POST is not (WK_ERR_H2_REFUSED)', async () => {
  const seen: string[] = [];
  const server = await h2Server(leaks, (stream, headers) => {
    const what = `${headers[':method']} ${headers[':path']}`;
    seen.push(what);
    if (seen.filter((s) => s === what).length === 1) {
      stream.close(constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    stream.respond({ ':status': 200 });
    stream.end(`second ${what}`);
  });
  const pool = trackedPool(leaks, server.url, h2Options());
  assert.equal(await (await pool.request({ path: '/get' })).body.text(), 'second GET /get');
  await assert.rejects(pool.request({ path: '/post', method: 'POST', body: 'x' }), (error) => {
    assert.ok(isWirekitError(error, 'WK_ERR_H2_REFUSED'), String(error));
    assert.match((error as Error).message, /not retried: POST is not idempotent/);
    return true;
  });
  assert.deepEqual(seen, ['GET /get', 'GET /get', 'POST /post']);
});

test('streams above the last one a GOAWAY names go to a new connection', async () => {
  let first = true;
  const server = await h2Server(leaks, (stream, headers, session) => {
    if (first) {
      first = false;
      // Process this stream only; the ones the client opened after it are left unprocessed.
      session.goaway(constants.NGHTTP2_NO_ERROR, stream.id ?? 1);
      setTimeout(() => {
        stream.respond({ ':status': 200 });
        stream.end(`kept ${headers[':path']}`);
      }, 50);
      return;
    }
    stream.respond({ ':status': 200 });
    stream.end(`new ${headers[':path']}`);
  });
  const pool = trackedPool(leaks, server.url, h2Options());
  const answers = await Promise.all(['/a', '/b', '/c'].map((path) => pool.request({ path })));
  const texts = await Promise.all(answers.map((res) => res.body.text()));
  assert.equal(texts[0], 'kept /a');
  assert.deepEqual(texts.slice(1), ['new /b', 'new /c']);
  assert.equal(server.sessions(), 2);
});

test('a stream the server resets mid-body fails the body with WK_ERR_H2_STREAM', async () => {
  const server = await h2Server(leaks, (stream) => {
    stream.respond({ ':status': 200 });
    stream.write('partial');
    // destroy(): RST_STREAM INTERNAL_ERROR (close(code) would send END_STREAM first).
    setTimeout(() => stream.destroy(new Error('cut')), 20);
  });
  const pool = trackedPool(leaks, server.url, h2Options());
  const res = await pool.request({ path: '/' });
  await assert.rejects(res.body.text(), (error) => {
    assert.ok(isWirekitError(error, 'WK_ERR_H2_STREAM'), String(error));
    assert.match((error as Error).message, /INTERNAL_ERROR/);
    return true;
  });
});

test('allowH2 with a server that speaks only HTTP/1.1: ALPN picks http/1.1 and requests go as usual', async () => {
  const server = createHttpsServer({ key, cert }, (req, res) => res.end(`h1 ${req.httpVersion}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAfter(leaks, server);
  const url = `https://localhost:${(server.address() as { port: number }).port}`;
  const pool = trackedPool(leaks, url, h2Options());
  const answers = await Promise.all([1, 2, 3].map(() => pool.request({ path: '/' })));
  for (const res of answers) {
    assert.equal(res.version, '1.1');
    assert.equal(await res.body.text(), 'h1 1.1');
  }
});

test('fetch() over HTTP/2', async () => {
  const server = await h2Server(leaks, (stream) => {
    stream.respond({ ':status': 201, 'content-type': 'text/plain', 'x-h2': 'yes' });
    stream.end('created');
  });
  const pool = trackedPool(leaks, server.url, h2Options());
  const res = await fetch(`${server.url}/f`, { method: 'POST', body: 'x', dispatcher: pool });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('x-h2'), 'yes');
  assert.equal(await res.text(), 'created');
});

test("against wirekit's own HTTPS server: h2 by ALPN, one connection, trailers, and an abort reaches the handler", async () => {
  let aborted: unknown;
  const server = await serve(
    async (req, info) => {
      if (req.path === '/wait') {
        await new Promise((resolve) => req.signal.addEventListener('abort', resolve));
        aborted = req.signal.reason;
        return new Response('late');
      }
      const body = (async function* () {
        yield new TextEncoder().encode(`${info.httpVersion} ${info.tls?.alpnProtocol} ${req.path}`);
      })();
      return new Response(body, { trailers: { 'X-Path': req.path } });
    },
    { tls: { key, cert } },
  );
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const pool = trackedPool(leaks, `https://localhost:${server.address.port}`, h2Options());
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.request({ path: `/p${i}` })));
  for (const [i, res] of answers.entries()) {
    assert.equal(await res.body.text(), `2.0 h2 /p${i}`);
    assert.equal(res.trailers.get('x-path'), `/p${i}`);
  }
  assert.equal(server.connections, 1);
  const controller = new AbortController();
  const waiting = pool.request({ path: '/wait', signal: controller.signal });
  await eventually(() => server.connections === 1 && aborted === undefined, 'the request is in flight');
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(waiting, (error) => isWirekitError(error, 'WK_ERR_ABORTED'));
  await eventually(() => aborted !== undefined, "the handler's signal aborted");
  assert.ok(isWirekitError(aborted, 'WK_ERR_HTTP_CLIENT_GONE'));
});
