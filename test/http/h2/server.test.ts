/**
 * The HTTP/2 server over real sockets (h2c with prior knowledge), with node:http2's client as the
 * peer: the mapping of header lists onto Request (pseudo-header fields, Host, cookie crumbs), the
 * fields HTTP/2 forbids left out, ConnInfo facts, HTTP/1.1 on the same port, bodies both ways with
 * backpressure and trailers, a client's RST_STREAM aborting the request, the server's own answers
 * (400, 413, 417, 100-continue), and diagnostics.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { constants } from 'node:http2';
import { test } from 'node:test';
import { isWirekitError, type WirekitError } from '../../../src/errors.js';
import { Response } from '../../../src/http/message/index.js';
import type { ConnInfo, RequestEndMessage } from '../../../src/http/server/index.js';
import { h2Request, h2Session, readAnswer } from '../../helpers/h2-client.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { bodyText } from '../../helpers/response-reader.js';
import { eventually, stable } from '../../helpers/wait.js';

const leaks = trackLeaks();
const H2C = { http2: 'h2c' } as const;

test('a header list becomes a Request: method, target, Host from :authority, cookie crumbs joined, version 2.0', async () => {
  let seen: { info: ConnInfo; fields: readonly string[]; url: string; version: string; method: string } | undefined;
  const server = await startServer(
    leaks,
    (req, info) => {
      seen = { info, fields: req.headers.raw(), url: req.url, version: req.version, method: req.method };
      return Response.json({ path: req.path, query: req.query.get('q'), cookie: req.headers.get('cookie') });
    },
    H2C,
  );
  const session = await h2Session(leaks, server.server.url);
  const answer = await h2Request(session, {
    ':method': 'DELETE',
    ':path': '/items/7?q=x',
    cookie: ['a=1', 'b=2'],
    'x-trace': 'abc',
  });
  assert.equal(answer.status, 200);
  assert.deepEqual(JSON.parse(answer.body.toString()), { path: '/items/7', query: 'x', cookie: 'a=1; b=2' });
  assert.ok(seen);
  assert.equal(seen.method, 'DELETE');
  assert.equal(seen.version, '2.0');
  assert.equal(seen.url, `${server.server.url}/items/7?q=x`);
  assert.deepEqual(seen.fields.slice(0, 2), ['host', `127.0.0.1:${server.port}`]);
  assert.equal(seen.fields.filter((_, i) => i % 2 === 0 && seen?.fields[i] === 'cookie').length, 1);
  assert.ok(!seen.fields.some((name, i) => i % 2 === 0 && name.startsWith(':')), 'no pseudo-header field');
  assert.equal(seen.info.httpVersion, '2.0');
  assert.equal(seen.info.tls, undefined);
  assert.equal(seen.info.secure, false);
  assert.equal(seen.info.canUpgrade, false);
  assert.equal(seen.info.remoteAddress?.address, '127.0.0.1');
  assert.throws(
    () => seen?.info.upgrade(),
    (error: WirekitError) => isWirekitError(error, 'WK_ERR_HTTP_UPGRADE'),
  );
});

test('HTTP/1.1 and h2c share one port: the preface decides, and each connection keeps its protocol', async () => {
  const server = await startServer(leaks, (req, info) => new Response(`${info.httpVersion} ${req.version}`), H2C);
  const client = await server.client();
  await client.write(request('GET', '/'));
  const [plain] = await client.read(1);
  assert.equal(plain?.status, 200);
  assert.equal(bodyText(plain!), '1.1 1.1');
  const session = await h2Session(leaks, server.server.url);
  for (let i = 0; i < 3; i++) assert.equal((await h2Request(session, {})).body.toString(), '2.0 2.0');
  await client.write(request('GET', '/again'));
  const [again] = await client.read(1);
  assert.equal(bodyText(again!), '1.1 1.1');
});

test('connection-specific fields a handler sets are left out, and the connection stays up', async () => {
  const server = await startServer(
    leaks,
    () =>
      new Response('ok', {
        headers: {
          Connection: 'close',
          'Keep-Alive': 'timeout=5',
          'Transfer-Encoding': 'chunked',
          Upgrade: 'websocket',
          'Proxy-Connection': 'keep-alive',
          'X-Kept': 'yes',
        },
      }),
    H2C,
  );
  const session = await h2Session(leaks, server.server.url);
  for (let i = 0; i < 2; i++) {
    const answer = await h2Request(session, {});
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), 'ok');
    for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']) {
      assert.equal(answer.headers[name], undefined, name);
    }
    assert.equal(answer.headers['x-kept'], 'yes');
    assert.equal(answer.headers['content-length'], '2');
  }
  assert.deepEqual(server.errors, []);
});

test('HEAD gets the GET fields without a body; 204 and 304 carry no content-length', async () => {
  const server = await startServer(
    leaks,
    (req) => {
      if (req.path === '/none') return new Response(null, { status: 204 });
      if (req.path === '/same') return new Response(null, { status: 304, headers: { ETag: '"x"' } });
      return new Response('hello world');
    },
    H2C,
  );
  const session = await h2Session(leaks, server.server.url);
  const head = await h2Request(session, { ':method': 'HEAD' });
  assert.equal(head.headers['content-length'], '11');
  assert.equal(head.body.length, 0);
  const none = await h2Request(session, { ':path': '/none' });
  assert.equal(none.status, 204);
  assert.equal(none.headers['content-length'], undefined);
  const same = await h2Request(session, { ':path': '/same' });
  assert.equal(same.status, 304);
  assert.equal(same.headers.etag, '"x"');
});

test('a Host field naming another authority than :authority is a 400 (RFC 9113 §8.3.1)', async () => {
  const server = await startServer(leaks, () => new Response('handled'), H2C);
  const session = await h2Session(leaks, server.server.url);
  const answer = await h2Request(session, { ':authority': `127.0.0.1:${server.port}`, host: 'evil.example' });
  assert.equal(answer.status, 400);
  assert.equal(server.calls, 0);
  const same = await h2Request(session, { ':authority': `127.0.0.1:${server.port}`, host: `127.0.0.1:${server.port}` });
  assert.equal(same.status, 200);
});

test('request trailers reach the handler; response trailers reach the client, for fixed and streamed bodies', async () => {
  const server = await startServer(
    leaks,
    async (req) => {
      const body = await req.text();
      const got = req.trailers.get('x-checksum') ?? 'none';
      if (req.path === '/stream') {
        const chunks = (async function* () {
          yield Buffer.from('a');
          yield Buffer.from('b');
        })();
        return new Response(chunks, { trailers: () => ({ 'X-Got': got, 'X-Count': '2' }) });
      }
      return new Response(body, { trailers: { 'X-Got': got } });
    },
    H2C,
  );
  const session = await h2Session(leaks, server.server.url);
  const fixed = await h2Request(session, { ':method': 'POST' }, undefined, { trailers: { 'x-checksum': 'c1' } });
  assert.equal(fixed.status, 200);
  assert.equal(fixed.trailers?.['x-got'], 'c1');
  const stream = session.request({ ':method': 'POST', ':path': '/stream' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'c2' }));
  stream.end('payload');
  const streamed = await readAnswer(stream);
  assert.equal(streamed.body.toString(), 'ab');
  assert.deepEqual([streamed.trailers?.['x-got'], streamed.trailers?.['x-count']], ['c2', '2']);
});

test('a handler that does not read stops the upload at its window; reading lets every byte through', async () => {
  const TOTAL = 8 * 1024 * 1024;
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = await startServer(
    leaks,
    async (req) => {
      await gate;
      let received = 0;
      for await (const chunk of req.body) received += chunk.byteLength;
      return new Response(String(received));
    },
    H2C,
  );
  const session = await h2Session(leaks, server.server.url);
  const stream = session.request({ ':method': 'POST' });
  let written = 0;
  let drained = true;
  const writeMore = (): void => {
    while (written < TOTAL && drained) {
      written += 64 * 1024;
      drained = stream.write(Buffer.alloc(64 * 1024, 1));
    }
    if (written >= TOTAL) stream.end();
  };
  stream.on('drain', () => {
    drained = true;
    writeMore();
  });
  writeMore();
  const stalled = await stable(() => written);
  assert.ok(stalled < TOTAL / 4, `the upload stopped at the window (${stalled} of ${TOTAL} bytes written)`);
  release();
  const answer = await readAnswer(stream);
  assert.equal(answer.body.toString(), String(TOTAL));
});

test('a client that does not read stops a streamed response; reading later gets every byte', async () => {
  const CHUNK = 64 * 1024;
  const TOTAL = 16 * 1024 * 1024;
  let produced = 0;
  const server = await startServer(
    leaks,
    () => {
      const body = (async function* () {
        while (produced < TOTAL) {
          produced += CHUNK;
          yield Buffer.alloc(CHUNK, produced / CHUNK);
        }
      })();
      return new Response(body, { headers: { 'content-length': String(TOTAL) } });
    },
    H2C,
  );
  const session = await h2Session(leaks, server.server.url);
  const stream = session.request({ ':path': '/' });
  stream.pause();
  const stalled = await stable(() => produced);
  assert.ok(stalled < TOTAL / 4, `the producer stopped (${stalled} of ${TOTAL} bytes)`);
  let received = 0;
  stream.on('data', (chunk: Buffer) => {
    received += chunk.byteLength;
  });
  stream.resume();
  await new Promise((resolve) => stream.on('end', resolve));
  assert.equal(received, TOTAL);
});

test("a client's RST_STREAM aborts the request's signal and stops its streamed response (return() is called)", async () => {
  let aborted: unknown;
  let returned = false;
  let started = false;
  const server = await startServer(
    leaks,
    (req) => {
      if (req.path !== '/ticks') return new Response('ok');
      req.signal.addEventListener('abort', () => {
        aborted = req.signal.reason;
      });
      const body = (async function* () {
        try {
          for (let i = 0; ; i++) {
            started = true;
            yield Buffer.from(`tick ${i}\n`);
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        } finally {
          returned = true;
        }
      })();
      return new Response(body);
    },
    H2C,
  );
  const session = await h2Session(leaks, server.server.url);
  const stream = session.request({ ':path': '/ticks' });
  stream.on('error', () => {});
  stream.resume();
  await eventually(() => started, 'the stream started');
  stream.close(constants.NGHTTP2_CANCEL);
  await eventually(() => returned && aborted !== undefined, 'the body was returned and the signal aborted');
  assert.ok(isWirekitError(aborted, 'WK_ERR_HTTP_CLIENT_GONE'));
  // The connection serves on.
  assert.equal((await h2Request(session, {})).body.toString(), 'ok');
  assert.deepEqual(server.errors, []);
});

test('a streamed response that fails midway resets its stream: the client never takes it for complete', async () => {
  const server = await startServer(
    leaks,
    (req) => {
      if (req.path !== '/fails') return new Response('ok');
      const body = (async function* () {
        yield Buffer.from('partial');
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('the source broke');
      })();
      return new Response(body);
    },
    H2C,
  );
  const session = await h2Session(leaks, server.server.url);
  const stream = session.request({ ':path': '/fails' });
  let ended = false;
  stream.on('end', () => {
    ended = true;
  });
  stream.resume();
  const closed = new Promise<void>((resolve) => stream.on('close', () => resolve()));
  stream.on('error', () => {});
  await closed;
  assert.equal(ended, false, 'no END_STREAM before the reset');
  assert.equal(stream.rstCode, constants.NGHTTP2_INTERNAL_ERROR);
  assert.match(server.errors[0]?.message ?? '', /the source broke/);
  assert.equal((await h2Request(session, {})).body.toString(), 'ok');
});

test('a request body over maxStreamedBodyBytes is a 413 and the connection serves on', async () => {
  const server = await startServer(leaks, async (req) => new Response(await req.text()), {
    ...H2C,
    maxStreamedBodyBytes: 1000,
  });
  const session = await h2Session(leaks, server.server.url);
  const big = await h2Request(session, { ':method': 'POST' }, Buffer.alloc(5000, 1));
  assert.equal(big.status, 413);
  const small = await h2Request(session, { ':method': 'POST' }, 'fits');
  assert.equal(small.body.toString(), 'fits');
});

test('Expect: 100-continue gets a 100 when the handler reads; another expectation is a 417', async () => {
  const server = await startServer(leaks, async (req) => new Response(`got ${await req.text()}`), H2C);
  const session = await h2Session(leaks, server.server.url);
  const stream = session.request({ ':method': 'POST', expect: '100-continue' });
  const interim = new Promise<number>((resolve) => stream.once('headers', (h) => resolve(Number(h[':status']))));
  stream.end('body');
  const [status, answer] = await Promise.all([interim, readAnswer(stream)]);
  assert.equal(status, 100);
  assert.equal(answer.body.toString(), 'got body');
  const refused = await h2Request(session, { ':method': 'POST', expect: 'something' }, 'x');
  assert.equal(refused.status, 417);
});

test('a handler that throws gets a 500 without detail; a 4xx error keeps its status', async () => {
  const server = await startServer(
    leaks,
    async (req) => {
      if (req.path === '/bad') return Response.json(await req.json());
      throw new Error('secret detail');
    },
    H2C,
  );
  const session = await h2Session(leaks, server.server.url);
  const boom = await h2Request(session, {});
  assert.equal(boom.status, 500);
  assert.ok(!boom.body.toString().includes('secret'));
  const bad = await h2Request(session, { ':method': 'POST', ':path': '/bad' }, '{');
  assert.equal(bad.status, 400);
  assert.equal(server.errors.length, 2);
});

test('requests and connections go to the diagnostics channels, with httpVersion 2.0', async () => {
  const ends: RequestEndMessage[] = [];
  const opened: ConnInfo[] = [];
  const onEnd = (message: unknown): void => {
    ends.push(message as RequestEndMessage);
  };
  const onOpen = (message: unknown): void => {
    opened.push((message as { info: ConnInfo }).info);
  };
  diagnostics.subscribe('wirekit:http.server.request.end', onEnd);
  diagnostics.subscribe('wirekit:http.server.connection.open', onOpen);
  leaks.defer(() => {
    diagnostics.unsubscribe('wirekit:http.server.request.end', onEnd);
    diagnostics.unsubscribe('wirekit:http.server.connection.open', onOpen);
  });
  const server = await startServer(leaks, () => new Response('twelve bytes'), H2C);
  const session = await h2Session(leaks, server.server.url);
  await h2Request(session, {});
  await eventually(() => ends.length === 1, 'one request.end');
  assert.equal(ends[0]?.status, 200);
  assert.equal(ends[0]?.bytes, 12);
  assert.equal(ends[0]?.info.httpVersion, '2.0');
  assert.deepEqual(
    opened.map((info) => info.httpVersion),
    ['2.0'],
  );
});
