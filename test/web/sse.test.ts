/** Server-sent events: wire format, keep-alive, backpressure, disconnects, errors; in process and on a socket. */
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { timerWheel } from '../../src/util/timer-wheel.js';
import { App } from '../../src/web/app.js';
import { formatSseComment, formatSseMessage, type SseMessage, SseStream, type SseWriter } from '../../src/web/sse.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, sleep } from '../helpers/wait.js';

const leaks = trackLeaks();
const decoder = new TextDecoder();

/** A promise and its resolver, for "the handler got this far" signals. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('wire format', () => {
  test('fields, JSON data and multi-line data', () => {
    assert.equal(formatSseMessage({ data: 'hi' }), 'data: hi\n\n');
    assert.equal(
      formatSseMessage({ event: 'tick', id: '7', retry: 1000, data: { n: 1 } }),
      'event: tick\nid: 7\nretry: 1000\ndata: {"n":1}\n\n',
    );
    assert.equal(formatSseMessage({ data: 'a\nb\r\nc\rd' }), 'data: a\ndata: b\ndata: c\ndata: d\n\n');
    assert.equal(formatSseMessage({ data: '' }), 'data: \n\n');
    assert.equal(formatSseMessage({ data: undefined }), 'data: null\n\n');
  });

  test('event and id with a line break are refused (they would forge fields)', () => {
    assert.throws(() => formatSseMessage({ event: 'a\ndata: forged', data: 1 }), { code: 'WK_ERR_INVALID_ARGUMENT' });
    assert.throws(() => formatSseMessage({ id: 'a\rb', data: 1 }), { code: 'WK_ERR_INVALID_ARGUMENT' });
    assert.throws(() => formatSseMessage({ id: 'a\0', data: 1 }), { code: 'WK_ERR_INVALID_ARGUMENT' });
    assert.throws(() => formatSseMessage({ retry: -1, data: 1 }), { code: 'WK_ERR_INVALID_ARGUMENT' });
    assert.throws(() => formatSseMessage({ retry: 1.5, data: 1 }), { code: 'WK_ERR_INVALID_ARGUMENT' });
  });

  test('comments', () => {
    assert.equal(formatSseComment('hello'), ': hello\n\n');
    assert.equal(formatSseComment('a\nb'), ': a\n: b\n\n');
    assert.equal(formatSseComment(), ':\n\n');
  });
});

/** Reads an event stream's chunks as text until it ends. */
async function readAll(body: AsyncIterable<Uint8Array> | null): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of body ?? []) out.push(decoder.decode(chunk));
  return out;
}

describe('through app.request', () => {
  test('headers and events in order; the stream ends when the handler returns', async () => {
    const app = new App();
    app.get('/events', (c) =>
      c.sse(async (stream) => {
        await stream.send({ event: 'start', data: { ok: true } });
        await stream.comment('note');
        await stream.send({ id: '2', data: 'two\nlines' });
      }),
    );
    const res = await app.request('/events');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    assert.deepEqual(await readAll(res.body), [
      'event: start\ndata: {"ok":true}\n\n',
      ': note\n\n',
      'id: 2\ndata: two\ndata: lines\n\n',
    ]);
  });

  test('a caller may set Cache-Control and other fields, not the content type', async () => {
    const app = new App();
    app.get('/', (c) => {
      c.header('X-Before', '1');
      return c.sse(async () => {}, {
        headers: { 'Cache-Control': 'no-store', 'Content-Type': 'text/plain', 'X-Extra': 'y' },
      });
    });
    const res = await app.request('/');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('x-extra'), 'y');
    assert.equal(res.headers.get('x-before'), '1');
    assert.deepEqual(await readAll(res.body), []);
  });

  test('a keep-alive comment goes out after keepAliveMs of silence', async () => {
    const app = new App();
    app.get('/', (c) =>
      c.sse(
        async (stream) => {
          await stream.send({ data: 'first' });
          await sleep(600);
          await stream.send({ data: 'last' });
        },
        { keepAliveMs: 50 },
      ),
    );
    const chunks = await readAll((await app.request('/')).body);
    assert.equal(chunks[0], 'data: first\n\n');
    assert.equal(chunks.at(-1), 'data: last\n\n');
    assert.ok(chunks.includes(': keep-alive\n\n'), `a keep-alive comment among ${JSON.stringify(chunks)}`);
  });

  test('no keep-alive while events flow faster than keepAliveMs, and none with keepAliveMs: 0', async () => {
    const app = new App();
    app.get('/:ms', (c) =>
      c.sse(
        async (stream) => {
          for (let i = 0; i < 3; i++) {
            await stream.send({ data: i });
            await sleep(c.req.param('ms') === '0' ? 300 : 20);
          }
        },
        { keepAliveMs: Number(c.req.param('ms')) },
      ),
    );
    for (const ms of ['1000', '0']) {
      const chunks = await readAll((await app.request(`/${ms}`)).body);
      assert.deepEqual(chunks, ['data: 0\n\n', 'data: 1\n\n', 'data: 2\n\n'], `keepAliveMs ${ms}`);
    }
  });

  test('backpressure: send() resolves only when the reader has taken the event', async () => {
    const sent: number[] = [];
    const app = new App();
    app.get('/', (c) =>
      c.sse(async (stream) => {
        for (let i = 1; i <= 3; i++) {
          await stream.send({ data: i });
          sent.push(i);
        }
      }),
    );
    const body = (await app.request('/')).body;
    assert.ok(body !== null);
    const reader = body[Symbol.asyncIterator]();
    assert.equal(decoder.decode((await reader.next()).value), 'data: 1\n\n');
    await sleep(30);
    assert.deepEqual(sent, [1], 'the second send waits for the reader');
    await reader.next();
    await sleep(0);
    assert.deepEqual(sent, [1, 2]);
    await reader.next();
    assert.equal((await reader.next()).done, true);
    assert.deepEqual(sent, [1, 2, 3]);
  });

  test('the reader stopping (return()) closes the stream: closed, signal aborted, sends reject, timer gone', async () => {
    const wheelBefore = timerWheel.size;
    const seen = signal<{ closed: boolean; aborted: boolean; sendError: string }>();
    const app = new App();
    app.get('/', (c) =>
      c.sse(async (stream) => {
        await stream.send({ data: 'one' });
        await new Promise((resolve) => stream.signal.addEventListener('abort', resolve));
        const sendError = await stream.send({ data: 'late' }).then(
          () => 'resolved',
          (error: { code?: string }) => error.code ?? 'no code',
        );
        seen.resolve({ closed: stream.closed, aborted: stream.signal.aborted, sendError });
      }),
    );
    const body = (await app.request('/')).body;
    assert.ok(body !== null);
    assert.equal(timerWheel.size, wheelBefore, 'nothing starts before the first read');
    for await (const chunk of body) {
      assert.equal(decoder.decode(chunk), 'data: one\n\n');
      assert.equal(timerWheel.size, wheelBefore + 1, 'one keep-alive entry while open');
      break;
    }
    assert.deepEqual(await seen.promise, { closed: true, aborted: true, sendError: 'WK_ERR_ABORTED' });
    assert.equal(timerWheel.size, wheelBefore, 'the keep-alive entry is gone');
  });

  test('HEAD never runs the handler', async () => {
    let ran = false;
    const app = new App();
    app.get('/', (c) =>
      c.sse(() => {
        ran = true;
      }),
    );
    const res = await app.request('/', { method: 'HEAD' });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    await sleep(10);
    assert.equal(ran, false);
  });

  test('a handler that throws ends the stream with that error, after the events it sent', async () => {
    const app = new App();
    app.get('/', (c) =>
      c.sse(async (stream) => {
        void stream.send({ data: 'queued' });
        throw new Error('handler broke');
      }),
    );
    const chunks: string[] = [];
    await assert.rejects(async () => {
      for await (const chunk of (await app.request('/')).body ?? []) chunks.push(decoder.decode(chunk));
    }, /handler broke/);
    assert.deepEqual(chunks, ['data: queued\n\n']);
  });

  test('stream.close() ends the stream; the handler may keep running', async () => {
    const app = new App();
    app.get('/', (c) =>
      c.sse(async (stream) => {
        await stream.send({ data: 'a' });
        stream.close();
        await assert.rejects(stream.send({ data: 'b' }), { code: 'WK_ERR_ABORTED' });
      }),
    );
    assert.deepEqual(await readAll((await app.request('/')).body), ['data: a\n\n']);
  });

  test('through app.fetch the body is a WHATWG stream of the same events', async () => {
    const app = new App();
    app.get('/', (c) => c.sse((stream) => stream.send({ data: 'via fetch' })));
    const res = await app.fetch(new globalThis.Request('http://x/'));
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(await res.text(), 'data: via fetch\n\n');
  });
});

describe('SseStream', () => {
  test("the request's signal aborting (client gone) closes the stream", async () => {
    const client = new AbortController();
    const closed = signal<boolean>();
    const stream = new SseStream(async (s: SseWriter) => {
      await s.send({ data: 1 });
      await new Promise((resolve) => s.signal.addEventListener('abort', resolve));
      closed.resolve(s.closed);
    }, client.signal);
    assert.equal(decoder.decode((await stream.next()).value), 'data: 1\n\n');
    const waiting = stream.next();
    client.abort();
    assert.equal((await waiting).done, true, 'a waiting reader is released');
    assert.equal(await closed.promise, true);
  });

  test('an already aborted request never runs the handler', async () => {
    let ran = false;
    const stream = new SseStream(() => {
      ran = true;
    }, AbortSignal.abort());
    assert.equal((await stream.next()).done, true);
    assert.equal(ran, false);
  });
});

describe('over a socket', () => {
  /** A server whose /events sends `first`, then idles until the client goes; `closedSeen` tells what the handler saw. */
  async function idleStream(
    first: SseMessage,
    keepAliveMs: number,
  ): Promise<{ port: number; closedSeen: Promise<boolean> }> {
    const closedSeen = signal<boolean>();
    const app = new App();
    app.get('/events', (c) =>
      c.sse(
        async (stream) => {
          await stream.send(first);
          await new Promise((resolve) => stream.signal.addEventListener('abort', resolve));
          closedSeen.resolve(stream.closed);
        },
        { keepAliveMs },
      ),
    );
    const server = await app.listen({ port: 0 });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    return { port: server.address.port, closedSeen: closedSeen.promise };
  }

  test('events and a keep-alive comment arrive; a client disconnect reaches the handler', async () => {
    const { port, closedSeen } = await idleStream({ event: 'hello', data: { n: 1 } }, 50);
    let text = '';
    const gotKeepAlive = signal();
    const request = get({ host: '127.0.0.1', port, path: '/events', agent: false });
    leaks.defer(() => request.destroy());
    const response = await new Promise<import('node:http').IncomingMessage>((resolve) =>
      request.once('response', resolve),
    );
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'no-cache');
    assert.equal(response.headers['x-accel-buffering'], 'no');
    assert.equal(response.headers['transfer-encoding'], 'chunked');
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes(': keep-alive\n\n')) gotKeepAlive.resolve();
    });
    response.on('error', () => {});
    await gotKeepAlive.promise;
    assert.ok(text.startsWith('event: hello\ndata: {"n":1}\n\n'), text);

    request.destroy();
    assert.equal(await closedSeen, true, 'the handler saw the client go');
  });

  test('without keep-alive traffic, a client reset of an idle stream reaches the handler (request signal)', async () => {
    // A FIN alone is a half-close a client may still read after (RFC 9112 §9.6): only a write, such
    // as the keep-alive comment, can tell that it is gone. A reset is known at once, with no write.
    const { port, closedSeen } = await idleStream({ data: 'only' }, 0);
    const socket = connect({ host: '127.0.0.1', port });
    leaks.defer(() => socket.destroy());
    socket.on('error', () => {});
    socket.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    let text = '';
    await new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('data: only')) resolve();
      }),
    );
    socket.resetAndDestroy();
    assert.equal(await closedSeen, true);
  });

  test("server.close() without a deadline ends an open event stream cleanly: the handler sees it, the body's end arrives", async () => {
    let reason: unknown;
    const app = new App();
    app.get('/events', (c) =>
      c.sse(async (stream) => {
        await stream.send({ data: 'first' });
        await new Promise((resolve) => stream.signal.addEventListener('abort', resolve));
        reason = c.req.signal.reason;
      }),
    );
    const server = await app.listen({ port: 0 });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const socket = connect({ host: '127.0.0.1', port: server.address.port });
    leaks.defer(() => socket.destroy());
    socket.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    let text = '';
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    await new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('data: first')) resolve();
      }),
    );
    await server.close(); // no deadline: only ending the stream can let it resolve
    await ended;
    assert.ok(text.endsWith('\r\n0\r\n\r\n'), `the chunked body was terminated: ${JSON.stringify(text.slice(-20))}`);
    assert.equal((reason as { code?: string }).code, 'WK_ERR_SERVER_CLOSING');
  });

  test('server.close() also ends an event stream whose handler was still running when the close began', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const app = new App();
    app.get('/events', async (c) => {
      started = true;
      await gate;
      return c.sse(async (stream) => {
        while (!stream.closed) await stream.send({ data: 'tick' }).then(() => sleep(20));
      });
    });
    const server = await app.listen({ port: 0 });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const socket = connect({ host: '127.0.0.1', port: server.address.port });
    leaks.defer(() => socket.destroy());
    socket.on('data', () => {});
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    socket.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually(() => started, 'the stream started');
    const closing = server.close(); // no deadline
    release();
    await closing;
    await ended;
  });

  test('a HEAD over a socket gets the event-stream head and the handler never runs', async () => {
    let ran = false;
    const app = new App();
    app.get('/events', (c) =>
      c.sse(() => {
        ran = true;
      }),
    );
    const server = await app.listen({ port: 0 });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const res = await fetch(`${server.url}/events`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(ran, false);
  });
});
