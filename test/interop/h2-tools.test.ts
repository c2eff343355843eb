/**
 * The HTTP/2 server against the tools people check HTTP/2 servers with, over h2c and over TLS (h2 by
 * ALPN): curl (`--http2-prior-knowledge`, `--http2`), nghttp (frames, SETTINGS, trailers, flow
 * control with a small window) and h2load (a short bounded load: every request answered, none
 * failed). Needs curl and the Debian package nghttp2-client; required when CI=true, skipped with a
 * note elsewhere.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Response } from '../../src/http/message/index.js';
import { App } from '../../src/web/app.js';
import type { AppServer } from '../../src/web/listen.js';
import { activeResources, assertNoLeaksSince } from '../helpers/leaks.js';
import { pattern } from '../helpers/patterns.js';
import { installed } from '../helpers/runtime.js';
import { selfSignedCertificate } from '../helpers/tls-cert.js';

const run = promisify(execFile);

const available = (await installed('curl')) && (await installed('nghttp')) && (await installed('h2load'));
if (!available && process.env.CI === 'true') {
  throw new Error('CI needs curl, nghttp and h2load (apt-get install curl nghttp2-client)');
}
const skip = available ? false : 'needs curl, nghttp and h2load (Debian packages curl and nghttp2-client)';

const BIG = pattern(200 * 1024, 5);

function toolApp(): App {
  const app = new App();
  app.get('/', (c) => c.text('Hello, World!'));
  app.post('/echo', async (c) => c.json({ got: await c.req.text() }));
  app.get('/big', (c) => c.body(BIG, 200, { 'Content-Type': 'application/octet-stream' }));
  app.get('/trailers', () => {
    const body = (async function* () {
      yield new TextEncoder().encode('streamed');
    })();
    return new Response(body, { trailers: { 'X-Checksum': 'abc123' } });
  });
  return app;
}

/** Runs a tool, bounded in time, and returns its stdout (a failure shows its stderr). */
async function tool(command: string, args: readonly string[]): Promise<string> {
  try {
    return (await run(command, [...args], { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 })).stdout;
  } catch (error) {
    const failed = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed: ${failed.message}\n${failed.stderr ?? ''}${failed.stdout ?? ''}`,
    );
  }
}

describe('HTTP/2 (h2c) with curl, nghttp and h2load', { skip }, () => {
  let server: AppServer;
  let url = '';
  let baseline: Map<string, number>;

  before(async () => {
    baseline = activeResources();
    server = await toolApp().listen({ port: 0, http2: 'h2c' });
    url = server.url;
  });
  after(async () => {
    await server.close({ timeoutMs: 1_000 });
    await assertNoLeaksSince(baseline);
  });

  test('curl --http2-prior-knowledge: GET, HEAD and a POST body', async () => {
    const get = await tool('curl', ['-sS', '-i', '--http2-prior-knowledge', `${url}/`]);
    assert.match(get, /^HTTP\/2 200 \r\n/);
    assert.match(get, /\r\ncontent-length: 13\r\n/);
    assert.ok(get.endsWith('\r\n\r\nHello, World!'));
    const head = await tool('curl', ['-sS', '-I', '--http2-prior-knowledge', `${url}/`]);
    assert.match(head, /^HTTP\/2 200 \r\n/);
    const post = await tool('curl', ['-sS', '--http2-prior-knowledge', '--data-binary', 'hello there', `${url}/echo`]);
    assert.deepEqual(JSON.parse(post), { got: 'hello there' });
  });

  test('nghttp -v: our SETTINGS, response trailers after the DATA, and a GOAWAY-free exchange', async () => {
    const out = await tool('nghttp', ['-nv', `${url}/trailers`]);
    assert.match(out, /recv SETTINGS frame <length=\d+, flags=0x00, stream_id=0>/);
    assert.match(out, /\[SETTINGS_MAX_CONCURRENT_STREAMS\(0x03\):100\]/);
    assert.match(out, /recv \(stream_id=\d+\) :status: 200/);
    const data = out.indexOf('recv DATA frame');
    const trailer = out.indexOf('x-checksum: abc123');
    assert.ok(data !== -1 && trailer > data, 'the trailer field comes after the DATA');
    assert.match(out.slice(trailer), /recv HEADERS frame <length=\d+, flags=0x05/);
  });

  test('nghttp with a 1 KiB stream window: the body arrives whole in small DATA frames, with WINDOW_UPDATEs', async () => {
    const out = await tool('nghttp', ['-nv', '-w', '10', `${url}/big`]);
    const lengths = [...out.matchAll(/recv DATA frame <length=(\d+)/g)].map((m) => Number(m[1]));
    const total = lengths.reduce((sum, n) => sum + n, 0);
    assert.equal(total, BIG.byteLength);
    assert.ok(Math.max(...lengths) <= 1023, `no DATA frame over the window (largest ${Math.max(...lengths)})`);
    assert.ok((out.match(/send WINDOW_UPDATE frame/g) ?? []).length > 100, 'the client reopened its window');
  });

  test('h2load: 2,000 requests on 4 connections × 10 streams, all answered 200', async () => {
    const out = await tool('h2load', ['-n', '2000', '-c', '4', '-m', '10', '-t', '1', `${url}/`]);
    assert.match(out, /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout/);
    assert.match(out, /status codes: 2000 2xx, 0 3xx, 0 4xx, 0 5xx/);
  });
});

describe('HTTPS with h2 by ALPN, with curl, nghttp and h2load', { skip }, () => {
  let server: AppServer;
  let url = '';
  let dir = '';
  let baseline: Map<string, number>;

  before(async () => {
    baseline = activeResources();
    const { key, cert } = selfSignedCertificate();
    dir = mkdtempSync(join(tmpdir(), 'wirekit-h2-tls-'));
    writeFileSync(join(dir, 'ca.pem'), cert);
    server = await toolApp().listen({ port: 0, tls: { key, cert } });
    url = `https://localhost:${server.address.port}`;
  });
  after(async () => {
    await server.close({ timeoutMs: 1_000 });
    rmSync(dir, { recursive: true, force: true });
    await assertNoLeaksSince(baseline);
  });

  test('curl --http2 negotiates h2; --http1.1 gets HTTP/1.1 on the same port', async () => {
    const ca = join(dir, 'ca.pem');
    const h2 = await tool('curl', ['-sS', '-i', '--http2', '--cacert', ca, `${url}/`]);
    assert.match(h2, /^HTTP\/2 200 \r\n/);
    assert.ok(h2.endsWith('Hello, World!'));
    const h1 = await tool('curl', ['-sS', '-i', '--http1.1', '--cacert', ca, `${url}/`]);
    assert.match(h1, /^HTTP\/1\.1 200 OK\r\n/);
    const post = await tool('curl', ['-sS', '--http2', '--cacert', ca, '--data-binary', 'over tls', `${url}/echo`]);
    assert.deepEqual(JSON.parse(post), { got: 'over tls' });
  });

  test('nghttp over TLS: trailers, and a body through a 1 KiB window', async () => {
    const trailers = await tool('nghttp', ['-nv', `${url}/trailers`]);
    assert.match(trailers, /x-checksum: abc123/);
    const big = await tool('nghttp', ['-nv', '-w', '10', `${url}/big`]);
    const total = [...big.matchAll(/recv DATA frame <length=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    assert.equal(total, BIG.byteLength);
  });

  test('h2load over TLS: 2,000 requests on 4 connections × 10 streams, all answered 200', async () => {
    const out = await tool('h2load', ['-n', '2000', '-c', '4', '-m', '10', '-t', '1', `${url}/`]);
    assert.match(out, /Application protocol: h2/);
    assert.match(out, /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout/);
  });
});
