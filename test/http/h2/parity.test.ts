/**
 * Parity: one App on one port (`http2: 'h2c'`) answers the same over HTTP/1.1 (node:http) and HTTP/2
 * (node:http2): status, body bytes, app-set fields and trailers, for plain routes, errors, HEAD,
 * streamed bodies, cookies, server-sent events, static files (whole, ranges, conditional requests,
 * streamed from the file), compression, a streamed upload, trailers, and a client that goes away.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as http1Request } from 'node:http';
import { type ClientHttp2Session, constants } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { isWirekitError } from '../../../src/errors.js';
import { Response } from '../../../src/http/message/index.js';
import { App } from '../../../src/web/app.js';
import type { AppServer } from '../../../src/web/listen.js';
import { compress, serveStatic } from '../../../src/web/middleware/index.js';
import { h2Request } from '../../helpers/h2-client.js';
import { activeResources, assertNoLeaksSince } from '../../helpers/leaks.js';
import { PARITY_CASES, parityApp } from '../../helpers/parity-app.js';
import { pattern } from '../../helpers/patterns.js';
import { eventually } from '../../helpers/wait.js';

/** Fields only a connection has: the rest must match, Content-Length included. */
const TRANSPORT_FIELDS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

interface Answer {
  status: number;
  body: Buffer;
  fields: string[];
  trailers: Record<string, string>;
}

interface Case {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

const LARGE = pattern(300 * 1024, 3);
const TEXT = 'wirekit '.repeat(4096);
let aborted: unknown[] = [];

/** The shared parity app with what HTTP/2 must carry as well: events, compression, files, uploads. */
function h2ParityApp(dir: string): App {
  const app = parityApp();
  app.use('/text/*', compress({ threshold: 1024 }));
  app.get('/events', (c) =>
    c.sse(async (stream) => {
      for (let n = 0; n < 3; n++) await stream.send({ event: 'tick', id: String(n), data: { n } });
    }),
  );
  app.get('/text/big', (c) => c.text(TEXT));
  app.post('/upload', async (c) => {
    let bytes = 0;
    for await (const chunk of c.req.raw.body) bytes += chunk.byteLength;
    return { bytes };
  });
  app.get('/ticks', (c) => {
    c.req.signal.addEventListener('abort', () => aborted.push(c.req.signal.reason));
    return c.body(
      (async function* () {
        while (!c.req.signal.aborted) {
          yield new TextEncoder().encode('tick\n');
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })(),
    );
  });
  app.use('/files/*', serveStatic(dir, { smallFileBytes: 1024, maxAgeSeconds: 60 }));
  return app;
}

/** The shared table, then the cases only a socket can answer. */
const CASES: readonly Case[] = [
  ...PARITY_CASES,
  { name: 'server-sent events', path: '/events' },
  { name: 'compression', path: '/text/big', headers: { 'accept-encoding': 'gzip' } },
  { name: 'static file, streamed from disk', path: '/files/large.bin' },
  { name: 'static file, one range', path: '/files/large.bin', headers: { range: 'bytes=1000-70999' } },
  { name: 'static file, two ranges', path: '/files/large.bin', headers: { range: 'bytes=0-9,-10' } },
  { name: 'static file, HEAD', method: 'HEAD', path: '/files/large.bin' },
  { name: 'streamed upload', method: 'POST', path: '/upload', body: pattern(2 * 1024 * 1024, 1) },
];

/** A case by name (the checks of the table below). */
function named(name: string): Case {
  const found = CASES.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no case ${name}`);
  return found;
}

function appFields(headers: Record<string, string | string[] | undefined>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || TRANSPORT_FIELDS.has(name) || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) out.push(`${name}: ${one}`);
  }
  return out.sort();
}

/** The body as the application sent it: decompressed, and a multipart boundary (random per response) named BOUNDARY. */
function decoded(body: Buffer, fields: string[]): Buffer {
  const plain = fields.includes('content-encoding: gzip') ? gunzipSync(body) : body;
  const boundary = /^content-type: multipart\/byteranges; boundary=(.+)$/.exec(
    fields.find((f) => f.includes('boundary=')) ?? '',
  );
  if (boundary === null) return plain;
  const at = fields.findIndex((f) => f.includes('boundary='));
  fields[at] = (fields[at] as string).replace(boundary[1] as string, 'BOUNDARY');
  return Buffer.from(plain.toString('latin1').replaceAll(boundary[1] as string, 'BOUNDARY'), 'latin1');
}

function viaHttp1(port: number, c: Case): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http1Request(
      { host: '127.0.0.1', port, path: c.path, method: c.method ?? 'GET', headers: c.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const fields = appFields(res.headers);
          resolve({
            status: res.statusCode ?? 0,
            body: decoded(Buffer.concat(chunks), fields),
            fields,
            trailers: res.trailers as Record<string, string>,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(c.body);
  });
}

async function viaH2(session: ClientHttp2Session, c: Case): Promise<Answer> {
  const answer = await h2Request(session, { ':method': c.method ?? 'GET', ':path': c.path, ...c.headers }, c.body);
  const fields = appFields(answer.headers);
  const trailers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.trailers ?? {}))
    if (typeof value === 'string') trailers[name] = value;
  return { status: answer.status, body: decoded(answer.body, fields), fields, trailers };
}

describe('one App over HTTP/1.1 and HTTP/2 answers the same', () => {
  let dir: string;
  let server: AppServer;
  let session: ClientHttp2Session;
  let baseline: Map<string, number>;

  before(async () => {
    baseline = activeResources();
    dir = mkdtempSync(join(tmpdir(), 'wirekit-h2-parity-'));
    writeFileSync(join(dir, 'large.bin'), LARGE);
    server = await h2ParityApp(dir).listen({ port: 0, http2: 'h2c' });
    const { connect } = await import('node:http2');
    session = connect(server.url);
    session.on('error', () => {});
  });
  after(async () => {
    await new Promise<void>((resolve) => {
      session.once('close', () => resolve());
      session.close();
    });
    await server.close({ timeoutMs: 0 });
    rmSync(dir, { recursive: true, force: true });
    await assertNoLeaksSince(baseline);
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const h1 = await viaHttp1(server.address.port, c);
      const h2 = await viaH2(session, c);
      assert.equal(h2.status, h1.status);
      assert.ok(h2.body.equals(h1.body), `the same ${h1.body.length} body bytes (HTTP/2 gave ${h2.body.length})`);
      assert.deepEqual(h2.fields, h1.fields);
      assert.ok(h1.fields.includes('x-app: parity'), 'the middleware ran');
      assert.ok(!h1.body.toString().includes('secret detail'));
    });
  }

  test('the cases answer what they should (a check of the table itself)', async () => {
    const range = await viaH2(session, named('static file, one range'));
    assert.equal(range.status, 206);
    assert.ok(range.body.equals(LARGE.subarray(1000, 71000)));
    const whole = await viaH2(session, named('static file, streamed from disk'));
    assert.ok(whole.body.equals(LARGE));
    const sse = await viaH2(session, named('server-sent events'));
    assert.match(sse.body.toString(), /^event: tick\nid: 0\ndata: \{"n":0\}\n\n/);
    const gzip = await viaH2(session, named('compression'));
    assert.ok(gzip.fields.includes('content-encoding: gzip'));
    assert.equal(gzip.body.toString(), TEXT);
    assert.deepEqual(JSON.parse((await viaH2(session, named('streamed upload'))).body.toString()), {
      bytes: 2 * 1024 * 1024,
    });
  });

  test('trailers of a streamed body', async () => {
    const app = new App();
    app.get('/t', () => {
      const body = (async function* () {
        yield new TextEncoder().encode('body');
      })();
      return new Response(body, { trailers: { 'X-Done': 'yes' } });
    });
    const local = await app.listen({ port: 0, http2: 'h2c' });
    const { connect } = await import('node:http2');
    const other = connect(local.url);
    other.on('error', () => {});
    try {
      const h1 = await viaHttp1(local.address.port, { name: 't', path: '/t' });
      const h2 = await viaH2(other, { name: 't', path: '/t' });
      assert.deepEqual(h1.trailers, { 'x-done': 'yes' });
      assert.deepEqual(h2.trailers, h1.trailers);
      assert.ok(h2.body.equals(h1.body));
    } finally {
      await new Promise<void>((resolve) => {
        other.once('close', () => resolve());
        other.close();
      });
      await local.close({ timeoutMs: 0 });
    }
  });

  test('a client that goes away aborts the request signal with WK_ERR_HTTP_CLIENT_GONE on both', async () => {
    aborted = [];
    await new Promise<void>((resolve) => {
      const req = http1Request(
        { host: '127.0.0.1', port: server.address.port, path: '/ticks', agent: false },
        (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', () => {});
      req.end();
    });
    await eventually(() => aborted.length === 1, 'the HTTP/1.1 request aborted');
    const stream = session.request({ ':path': '/ticks' });
    stream.on('error', () => {});
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    stream.close(constants.NGHTTP2_CANCEL);
    await eventually(() => aborted.length === 2, 'the HTTP/2 request aborted');
    assert.ok(aborted.every((reason) => isWirekitError(reason, 'WK_ERR_HTTP_CLIENT_GONE')));
  });
});
