/**
 * `loadTest({ http2: true })` against wirekit's own servers: HTTPS with h2 chosen by ALPN, and
 * cleartext h2c with prior knowledge. The server's counts match the generator's, every request
 * arrives as HTTP/2 on as many connections as asked, streams that complete out of order keep
 * their own latencies, and a server that will not speak h2 is a TLS-phase error. Lower bounds only.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { type ServeOptions, serve } from '../../../src/http/server/index.js';
import { loadTest } from '../../../src/tools/index.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { selfSignedCertificate } from '../../helpers/tls-cert.js';
import { until } from '../helpers.js';

const leaks = trackLeaks();
let key = '';
let cert = '';
before(() => {
  ({ key, cert } = selfSignedCertificate());
});

/** A server counting requests by HTTP version and by client port (one port = one connection). */
async function countingServer(options: ServeOptions, hold?: (path: string) => Promise<void>) {
  const versions = new Map<string, number>();
  const ports = new Set<number>();
  const paths: string[] = [];
  const server = await serve(
    async (req, info) => {
      versions.set(req.version, (versions.get(req.version) ?? 0) + 1);
      ports.add(info.remoteAddress?.port ?? 0);
      paths.push(req.path);
      await hold?.(req.path);
      return new Response(`${req.method} ${req.path} ${(await req.text()).length}`);
    },
    { onError: () => {}, ...options },
  );
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return { server, versions, ports, paths };
}

describe('HTTP/2 load', () => {
  test('https: h2 by ALPN; counts match the server, all HTTP/2, one connection per lane', async () => {
    const s = await countingServer({ tls: { key, cert }, http2: true });
    const result = await loadTest({
      targets: [`https://localhost:${s.server.address.port}/h2`],
      http2: true,
      tls: { ca: cert },
      requests: 300,
      connections: 2,
      pipelining: 8,
    });
    assert.equal(result.protocol, 'h2');
    assert.equal(result.requests, 300);
    assert.equal(result.errors, 0, JSON.stringify(result.errorCodes));
    assert.deepEqual(result.statusCodes, { 200: 300 });
    assert.deepEqual([...s.versions], [['2.0', 300]]);
    assert.equal(s.ports.size, 2);
    assert.equal(result.connections.opened, 2);
    assert.ok(result.bytes.read > 300 * 'GET /h2 0'.length);
  });

  test('http: h2c with prior knowledge; bodies and methods arrive as given', async () => {
    const s = await countingServer({ http2: 'h2c' });
    const url = `http://127.0.0.1:${s.server.address.port}`;
    const result = await loadTest({
      targets: [`${url}/a`, { url: `${url}/b`, method: 'POST', body: 'x'.repeat(100), headers: { 'x-test': '1' } }],
      http2: true,
      requests: 200,
      connections: 1,
      pipelining: 4,
    });
    assert.equal(result.requests, 200);
    assert.equal(result.errors, 0, JSON.stringify(result.errorCodes));
    assert.deepEqual([...s.versions], [['2.0', 200]]);
    assert.equal(s.paths.filter((p) => p === '/a').length, 100);
    assert.equal(s.paths.filter((p) => p === '/b').length, 100);
    assert.deepEqual(
      result.targets.map((t) => [t.method, t.requests]),
      [
        ['GET', 100],
        ['POST', 100],
      ],
    );
    assert.equal(result.bytes.written, 100 * 100);
  });

  test('a stream that completes before an older one keeps its own latency', async () => {
    let fastSeen = 0;
    const s = await countingServer({ http2: 'h2c' }, async (path) => {
      if (path === '/fast') {
        fastSeen++;
        return;
      }
      // The slow answer waits until the three fast ones were answered, and 400 ms more.
      await until(() => fastSeen === 3, 'the fast requests');
      await new Promise((resolve) => setTimeout(resolve, 400));
    });
    const url = `http://127.0.0.1:${s.server.address.port}`;
    const result = await loadTest({
      targets: [`${url}/slow`, `${url}/fast`, `${url}/fast`, `${url}/fast`],
      http2: true,
      requests: 4,
      connections: 1,
      pipelining: 4,
    });
    assert.equal(result.requests, 4);
    assert.ok(result.latency.max >= 400, `max ${result.latency.max}`);
    // Recorded when released behind the slow one, the fast ones would be as slow as it.
    assert.ok(result.latency.max - result.latency.p50 >= 200, `p50 ${result.latency.p50}, max ${result.latency.max}`);
  });

  test('an HTTPS server without h2 fails in the TLS phase; nothing is counted as answered', async () => {
    const s = await countingServer({ tls: { key, cert }, http2: false });
    const result = await loadTest({
      targets: [`https://localhost:${s.server.address.port}/`],
      http2: true,
      tls: { ca: cert },
      requests: 3,
      connections: 1,
    });
    assert.equal(result.requests, 0);
    assert.equal(result.errorPhases.tls, 3);
    assert.deepEqual(result.errorCodes, { WK_ERR_TLS: 3 });
    assert.equal(s.paths.length, 0);
  });

  test('a server that stops answering: the stream times out (not sooner than the limit)', async () => {
    const s = await countingServer({ http2: 'h2c' }, () => new Promise(() => {}));
    const started = performance.now();
    const result = await loadTest({
      targets: [`http://127.0.0.1:${s.server.address.port}/`],
      http2: true,
      requests: 1,
      connections: 1,
      timeoutMs: 1_000,
    });
    assert.ok(performance.now() - started >= 999);
    assert.deepEqual(result.errorCodes, { WK_ERR_HEADERS_TIMEOUT: 1 });
    assert.equal(result.errorPhases.timeout, 1);
  });
});
