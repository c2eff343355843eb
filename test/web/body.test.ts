/**
 * Body readers (json/text/bytes/stream/form) and their limits, in process and over a real socket:
 * a body over the limit is a 413 and the connection then either serves the next request correctly
 * or is closed cleanly; it never reads the rest of the refused body as a new request.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { App } from '../../src/web/app.js';
import { validate } from '../../src/web/validate.js';
import { trackLeaks } from '../helpers/leaks.js';
import { sleep } from '../helpers/wait.js';

const leaks = trackLeaks();

function readerApp(): App {
  const app = new App({ form: { maxBodyBytes: 100 } });
  app.post('/json', async (c) => ({ got: await c.req.json() }));
  app.post('/text', async (c) => c.text(await c.req.text()));
  app.post('/bytes', async (c) => ({ length: (await c.req.bytes()).byteLength }));
  app.post('/form', async (c) => Object.fromEntries(await c.req.form()));
  app.post('/stream', async (c) => {
    const sizes: number[] = [];
    for await (const chunk of c.req.body) sizes.push(chunk.byteLength);
    return { sizes };
  });
  app.post('/twice', async (c) => {
    const text = await c.req.text();
    const bytes = await c.req.bytes();
    return { text, again: await c.req.text(), json: await c.req.json(), bytes: bytes.byteLength };
  });
  app.post('/stream-after-text', async (c) => {
    await c.req.text();
    for await (const _ of c.req.body) return 'unreachable';
    return 'unreachable';
  });
  app.post('/ignore', () => 'did not read');
  app.get('/ping', () => 'pong');
  return app;
}

describe('in process', () => {
  const app = readerApp();
  const post = (path: string, body: string, headers: Record<string, string> = {}, maxBodyBytes?: number) =>
    app.request(path, { method: 'POST', body, headers, ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }) });

  test('json, text and bytes read the whole body', async () => {
    assert.deepEqual(await (await post('/json', '{"a":[1]}')).json(), { got: { a: [1] } });
    assert.equal(await (await post('/text', 'héllo')).text(), 'héllo');
    assert.deepEqual(await (await post('/bytes', 'héllo')).json(), { length: 6 });
  });

  for (const path of ['/json', '/text', '/bytes']) {
    test(`${path} over maxBodyBytes → 413`, async () => {
      const res = await post(path, `"${'x'.repeat(20)}"`, { accept: 'application/json' }, 10);
      assert.equal(res.status, 413);
      assert.deepEqual(await res.json(), { error: 'body larger than 10 bytes', status: 413 });
    });
    test(`${path} at exactly maxBodyBytes is read`, async () => {
      const res = await post(path, '"12345678"', {}, 10);
      assert.equal(res.status, 200);
    });
  }

  test('the default limit is 1 MiB', async () => {
    const body = `"${'x'.repeat(1024 * 1024)}"`;
    assert.equal((await post('/bytes', body)).status, 413);
    assert.equal((await post('/bytes', body.slice(2))).status, 200);
  });

  test('malformed JSON → 400', async () => {
    const res = await post('/json', '{"a":', { accept: 'application/json' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'the body is not valid JSON', status: 400 });
  });

  test('a JSON body with a __proto__ or constructor.prototype key → 400, also through validate()', async () => {
    const poisoned = '{"name":"a","__proto__":{"isAdmin":true}}';
    const res = await post('/json', poisoned, { accept: 'application/json' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'the JSON body has a forbidden key: __proto__', status: 400 });
    const ctor = await post('/json', '{"x":{"constructor":{"prototype":{"a":1}}}}');
    assert.equal(ctor.status, 400);
    const schemaApp = new App();
    const anything = {
      '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) },
    } as const;
    schemaApp.post('/v', validate({ body: anything }), () => ({ ok: true }));
    const validated = await schemaApp.request('/v', {
      method: 'POST',
      body: poisoned,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(validated.status, 400);
    assert.deepEqual(await (await post('/json', '{"constructor":{"name":"x"}}')).json(), {
      got: { constructor: { name: 'x' } },
    });
  });

  test('text(), bytes() and json() read the body once and may be called again in any order', async () => {
    assert.deepEqual(await (await post('/twice', '"é"')).json(), { text: '"é"', again: '"é"', json: 'é', bytes: 4 });
  });

  test('bytes() after text() are the bytes received, not the decoded text re-encoded (webhook signatures)', async () => {
    const a = new App();
    a.post('/', async (c) => {
      await c.req.text();
      return c.body(await c.req.bytes());
    });
    const sent = Uint8Array.of(0xff, 0xfe, 0x41);
    const res = await a.request('/', { method: 'POST', body: sent });
    assert.deepEqual([...(await res.bytes())], [...sent]);
  });

  test('form() and text() share the one read, in either order', async () => {
    const a = new App();
    a.post('/text-first', async (c) => ({ text: await c.req.text(), a: (await c.req.form()).get('a') }));
    a.post('/form-first', async (c) => ({ a: (await c.req.form()).get('a'), text: await c.req.text() }));
    const init = { method: 'POST', body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    assert.deepEqual(await (await a.request('/text-first', init)).json(), { text: 'a=1&b=2', a: '1' });
    assert.deepEqual(await (await a.request('/form-first', init)).json(), { a: '1', text: 'a=1&b=2' });
  });

  test('the stream after a whole read is a 500 (a bug in the handler, not the client)', async () => {
    assert.equal((await post('/stream-after-text', 'x')).status, 500);
  });

  test('the body as a stream yields the chunks as they come', async () => {
    const res = await app.request('/stream', {
      method: 'POST',
      body: (async function* () {
        yield new Uint8Array(3);
        yield new Uint8Array(5);
      })(),
    });
    assert.deepEqual(await res.json(), { sizes: [3, 5] });
  });
});

/** A raw HTTP/1.1 client on one socket: writes bytes, reads whole responses (Content-Length framed). */
class Wire {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
    socket.on('error', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  static async open(port: number): Promise<Wire> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const wire = new Wire(socket);
    leaks.defer(() => socket.destroy());
    return wire;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next response, or undefined if the server closed first. */
  async response(): Promise<{ status: number; headers: Map<string, string>; body: string } | undefined> {
    for (;;) {
      const parsed = this.#parse();
      if (parsed !== undefined) return parsed;
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Resolves when the server has ended the connection (after its last response). */
  async closed(): Promise<Buffer> {
    while (!this.#ended) await new Promise<void>((resolve) => (this.#wake = resolve));
    return this.#buffer;
  }

  #parse(): { status: number; headers: Map<string, string>; body: string } | undefined {
    const end = this.#buffer.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const lines = this.#buffer.subarray(0, end).toString('latin1').split('\r\n');
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const length = Number(headers.get('content-length') ?? 0);
    if (this.#buffer.byteLength < end + 4 + length) return undefined;
    const body = this.#buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.#buffer = this.#buffer.subarray(end + 4 + length);
    return { status: Number(lines[0]?.split(' ')[1]), headers, body };
  }
}

function post(path: string, body: string, type = 'application/json'): string {
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const PING = 'GET /ping HTTP/1.1\r\nHost: x\r\n\r\n';

describe('over a socket', () => {
  async function server(): Promise<number> {
    const app = readerApp();
    const listening = await app.listen({ port: 0, maxBodyBytes: 100 });
    leaks.defer(() => listening.close({ timeoutMs: 0 }));
    return listening.address.port;
  }

  for (const path of ['/json', '/text', '/bytes', '/form']) {
    test(`${path}: a small body over the limit → 413, then the same socket answers the next request`, async () => {
      const wire = await Wire.open(await server());
      const type = path === '/form' ? 'application/x-www-form-urlencoded' : 'application/json';
      // The refused body is followed, in the same write, by a request that looks like one inside it.
      wire.write(post(path, `"${'x'.repeat(300)}GET /ping HTTP/1.1\r\n\r\n"`, type) + PING);
      const refused = await wire.response();
      assert.equal(refused?.status, 413);
      const next = await wire.response();
      if (next === undefined) {
        assert.equal(refused?.headers.get('connection'), 'close', 'a close is announced');
      } else {
        assert.equal(next.status, 200, 'the next request, not a piece of the refused body');
        assert.equal(next.body, 'pong');
        wire.write(PING);
        assert.equal((await wire.response())?.body, 'pong', 'still in sync afterwards');
      }
    });
  }

  test('a poisoned JSON body → 400 and the same socket answers the next request', async () => {
    const wire = await Wire.open(await server());
    wire.write(post('/json', '{"__proto__":{"x":1}}') + PING);
    assert.equal((await wire.response())?.status, 400);
    assert.equal((await wire.response())?.body, 'pong');
  });

  test('a large body over the limit → 413 and a clean close (nothing after it is processed)', async () => {
    const wire = await Wire.open(await server());
    const body = 'x'.repeat(256 * 1024);
    wire.write(`${post('/json', body)}${PING}`);
    const refused = await wire.response();
    assert.equal(refused?.status, 413);
    assert.equal(refused?.headers.get('connection'), 'close');
    const rest = await wire.closed();
    assert.equal(rest.byteLength, 0, 'no further response after the announced close');
  });

  test('a chunked body over the limit → 413, connection in sync or closed cleanly', async () => {
    const wire = await Wire.open(await server());
    const chunk = 'y'.repeat(150);
    wire.write(
      `POST /text HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n${PING}`,
    );
    const refused = await wire.response();
    assert.equal(refused?.status, 413);
    const next = await wire.response();
    if (next !== undefined) assert.equal(next.body, 'pong');
    else assert.equal(refused?.headers.get('connection'), 'close');
  });

  test('a handler that ignores a small body keeps the connection in sync', async () => {
    const wire = await Wire.open(await server());
    wire.write(post('/ignore', 'GET /evil HTTP/1.1\r\n\r\n') + PING);
    assert.equal((await wire.response())?.body, 'did not read');
    assert.equal((await wire.response())?.body, 'pong');
  });

  test('bodies under the limit are read over the socket, one after another', async () => {
    const wire = await Wire.open(await server());
    wire.write(post('/json', '{"n":1}') + post('/text', 'two', 'text/plain'));
    assert.equal((await wire.response())?.body, '{"got":{"n":1}}');
    assert.equal((await wire.response())?.body, 'two');
  });

  test('a streamed (chunked) request body is read chunk by chunk', async () => {
    const wire = await Wire.open(await server());
    wire.write('POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    await sleep(20);
    wire.write('2\r\nde\r\n0\r\n\r\n');
    const res = await wire.response();
    assert.deepEqual(JSON.parse(res?.body ?? ''), { sizes: [3, 2] });
  });
});
