/**
 * `loadTest()` against real servers on 127.0.0.1 that count what they receive: the generator's
 * counts match the server's exactly (`requests`, pipelining, bodies, several URLs, servers that
 * close), statuses and errors land in the right class and phase, and a fixed rate keeps to its
 * schedule and measures latency from when each request was due. No test asserts an upper bound on
 * time: bounds are on counts, and time only from below.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Socket } from 'node:net';
import { before, describe, test } from 'node:test';
import { LatencyHistogram, type LoadProgress, loadTest } from '../../../src/tools/index.js';
import { closeAfter, rawServer, reply } from '../../client/helpers.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { selfSignedCertificate } from '../../helpers/tls-cert.js';

const leaks = trackLeaks();

/** A server answering 200 (or the status in `/status/NNN`) to every request, counting per path. */
async function countingServer(respond?: (path: string, socket: Socket) => boolean) {
  const answered = new Map<string, number>();
  const server = await rawServer(leaks, (req, socket) => {
    if (respond?.(req.path, socket) === true) return;
    const status = Number(/^\/status\/(\d+)$/.exec(req.path)?.[1] ?? 200);
    answered.set(req.path, (answered.get(req.path) ?? 0) + 1);
    socket.write(reply('hello', status));
  });
  return { server, answered };
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('counts match the server exactly', () => {
  test('-n: every request answered once, nothing left over', async () => {
    const { server } = await countingServer();
    const result = await loadTest({ targets: [`${server.url}/`], connections: 4, requests: 500 });
    assert.equal(result.requests, 500);
    assert.equal(server.requests.length, 500);
    assert.equal(result.stopped, 'requests');
    assert.deepEqual(result.statusCodes, { 200: 500 });
    assert.equal(result.errors, 0);
    assert.equal(result.inFlightAtEnd, 0);
    assert.equal(result.connections.opened, 4);
    assert.equal(LatencyHistogram.decode(result.histogram).count, 500);
    assert.equal(
      result.bytes.written,
      500 * Buffer.byteLength(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`),
    );
  });

  test('pipelining: a server that answers only in batches of 8 sees 8 requests in flight', async () => {
    const held: Socket[] = [];
    let answered = 0;
    const server = await rawServer(leaks, (_req, socket) => {
      held.push(socket);
      if (held.length < 8) return;
      socket.write(reply('x').repeat(held.length));
      answered += held.length;
      held.length = 0;
    });
    const result = await loadTest({ targets: [`${server.url}/`], connections: 1, pipelining: 8, requests: 400 });
    assert.equal(result.requests, 400);
    assert.equal(answered, 400);
    assert.equal(server.requests.length, 400);
  });

  test('bodies and headers go out on every request', async () => {
    const { server } = await countingServer();
    const result = await loadTest({
      targets: [
        {
          url: `${server.url}/echo`,
          method: 'PUT',
          headers: { 'content-type': 'text/plain', 'x-run': '1' },
          body: 'héllo',
        },
      ],
      connections: 3,
      pipelining: 2,
      requests: 120,
    });
    assert.equal(result.requests, 120);
    assert.equal(server.requests.length, 120);
    for (const req of server.requests) {
      assert.equal(req.method, 'PUT');
      assert.equal(req.body.toString(), 'héllo');
      assert.equal(req.headers['content-type'], 'text/plain');
      assert.equal(req.headers['x-run'], '1');
      assert.equal(req.headers['content-length'], String(Buffer.byteLength('héllo')));
    }
  });

  test('several URLs (and origins): per-target counts are the server-side counts', async () => {
    const one = await countingServer();
    const two = await countingServer();
    const result = await loadTest({
      targets: [`${one.server.url}/a`, `${one.server.url}/b`, { url: `${two.server.url}/c`, method: 'DELETE' }],
      connections: 4,
      requests: 301,
    });
    assert.equal(result.requests, 301);
    const counts = Object.fromEntries(result.targets.map((t) => [new URL(t.url).pathname, t.requests]));
    assert.equal(counts['/a'], one.answered.get('/a'));
    assert.equal(counts['/b'], one.answered.get('/b'));
    assert.equal(counts['/c'], two.answered.get('/c'));
    assert.equal((counts['/a'] ?? 0) + (counts['/b'] ?? 0) + (counts['/c'] ?? 0), 301);
    assert.ok(two.server.requests.every((r) => r.method === 'DELETE'));
    assert.ok((counts['/c'] ?? 0) > 0 && (counts['/a'] ?? 0) > 0, 'both origins got load');
  });

  test('a server that closes after every response: requests behind the close are sent again', async () => {
    let answered = 0;
    const server = await rawServer(leaks, (_req, socket) => {
      if (socket.writableEnded) return; // after our close: never processed (RFC 9112 §9.6)
      answered++;
      socket.end(reply('bye', 200, { Connection: 'close' }));
    });
    const result = await loadTest({ targets: [`${server.url}/`], connections: 2, pipelining: 4, requests: 60 });
    assert.equal(result.requests, 60);
    assert.equal(answered, 60);
    assert.equal(result.errors, 0);
    assert.ok(result.connections.opened >= 60);
  });
});

describe('statuses and errors', () => {
  test('status codes and classes', async () => {
    const { server } = await countingServer();
    const result = await loadTest({
      targets: ['/status/200', '/status/302', '/status/404', '/status/500'].map((p) => `${server.url}${p}`),
      connections: 1,
      requests: 40,
    });
    assert.deepEqual(result.statusCodes, { 200: 10, 302: 10, 404: 10, 500: 10 });
    assert.deepEqual(result.statusClasses, { '2xx': 10, '3xx': 10, '4xx': 10, '5xx': 10 });
    assert.equal(result.errors, 0, 'a 5xx is a response, not an error');
  });

  test('connection refused: one error per attempt, in the connect phase', async () => {
    const port = await closedPort();
    const result = await loadTest({ targets: [`http://127.0.0.1:${port}/`], connections: 2, requests: 6 });
    assert.equal(result.requests, 0);
    assert.equal(result.errors, 6);
    assert.equal(result.errorPhases.connect, 6);
    assert.deepEqual(result.errorCodes, { WK_ERR_CONNECT: 6 });
    assert.equal(result.stopped, 'requests');
  });

  test('a server that resets: errors while waiting for the head', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.resetAndDestroy());
    const result = await loadTest({ targets: [`${server.url}/`], connections: 2, requests: 10 });
    assert.equal(result.requests, 0);
    assert.equal(result.errors, 10);
    assert.equal(result.errorPhases.headers, 10);
  });

  test('a server that stalls: headers and body timeouts, each in the timeout phase', async () => {
    const silent = await rawServer(leaks, () => {});
    const started = performance.now();
    const heads = await loadTest({ targets: [`${silent.url}/`], connections: 1, requests: 3, timeoutMs: 150 });
    assert.ok(performance.now() - started >= 3 * 150 - 5, 'three timeouts in turn');
    assert.equal(heads.errors, 3);
    assert.equal(heads.errorPhases.timeout, 3);
    assert.deepEqual(heads.errorCodes, { WK_ERR_HEADERS_TIMEOUT: 3 });

    const halfway = await rawServer(leaks, (_req, socket) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf'),
    );
    const bodies = await loadTest({ targets: [`${halfway.url}/`], connections: 1, requests: 2, timeoutMs: 150 });
    assert.deepEqual(bodies.errorCodes, { WK_ERR_BODY_TIMEOUT: 2 });
    assert.equal(bodies.errorPhases.timeout, 2);
  });

  test('a malformed response and a body cut short: headers and body phases', async () => {
    const garbage = await rawServer(leaks, (_req, socket) => socket.write('NOT HTTP\r\n\r\n'));
    const bad = await loadTest({ targets: [`${garbage.url}/`], connections: 1, requests: 2 });
    assert.deepEqual(bad.errorCodes, { WK_ERR_HTTP_INVALID_STATUS_LINE: 2 });
    assert.equal(bad.errorPhases.headers, 2);

    const cut = await rawServer(leaks, (_req, socket) =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf'),
    );
    const short = await loadTest({ targets: [`${cut.url}/`], connections: 1, requests: 2 });
    assert.deepEqual(short.errorCodes, { WK_ERR_UNEXPECTED_EOF: 2 });
    assert.equal(short.errorPhases.body, 2);
  });
});

describe('fixed rate', () => {
  test('-n at a rate: never ahead of the schedule, every request answered', async () => {
    const arrivals: number[] = [];
    const { server } = await countingServer(() => {
      arrivals.push(performance.now());
      return false;
    });
    const before = performance.now();
    const result = await loadTest({ targets: [`${server.url}/`], connections: 2, rate: 200, requests: 40 });
    assert.equal(result.requests, 40);
    assert.equal(server.requests.length, 40);
    // Request i is due i × 5 ms after the start (the first ones may wait for a connection, never
    // the other way): the last cannot arrive before 195 ms, nor the 20th before 95 ms.
    assert.ok((arrivals.at(-1) as number) - before >= 39 * 5);
    assert.ok((arrivals[19] as number) - before >= 19 * 5);
    assert.ok(result.durationMs >= 39 * 5);
    assert.equal(result.options.rate, 200);
  });

  test('a bounded run accounts for every request due', async () => {
    const { server } = await countingServer();
    const rate = 100;
    const result = await loadTest({ targets: [`${server.url}/`], connections: 2, rate, durationMs: 1_000 });
    const due = Math.floor(result.durationMs / (1000 / rate)) + 1;
    assert.equal(result.requests + result.errors + result.inFlightAtEnd + result.unsent, due);
    assert.ok(result.requests >= 0.5 * rate, `at least half the planned ${rate} (got ${result.requests})`);
    assert.ok(result.requests <= due);
  });

  test('latency counts from the due time: a stall shows on every request due during it', async () => {
    let seen = 0;
    const server = await rawServer(leaks, (_req, socket) => {
      seen++;
      if (seen === 10) setTimeout(() => socket.write(reply('late')), 300);
      else socket.write(reply('ok'));
    });
    const result = await loadTest({ targets: [`${server.url}/`], connections: 1, rate: 100, requests: 60 });
    assert.equal(result.requests, 60);
    assert.ok(result.latency.max >= 300);
    // About 30 requests were due during the 300 ms stall; 21 of them waited 100 ms or more.
    assert.ok(result.latency.p75 >= 100, `p75 ${result.latency.p75} ms`);
  });
});

describe('control', () => {
  test('a signal stops the run; progress is reported while it runs', async () => {
    const { server } = await countingServer();
    const stop = new AbortController();
    const seen: LoadProgress[] = [];
    const result = await loadTest({
      targets: [`${server.url}/`],
      connections: 2,
      durationMs: 60_000,
      progressIntervalMs: 20,
      signal: stop.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.requests > 50) stop.abort();
      },
    });
    assert.equal(result.stopped, 'signal');
    assert.ok(result.requests > 50);
    const last = seen.at(-1) as LoadProgress;
    assert.equal(last.durationMs, 60_000);
    assert.ok(last.p99 >= last.p50 && last.p50 > 0);
    assert.ok(seen.every((p, i) => i === 0 || p.requests >= (seen[i - 1] as LoadProgress).requests));
  });

  test('bad options are refused before any connection', async () => {
    const refused = async (options: Parameters<typeof loadTest>[0], pattern: RegExp): Promise<void> => {
      await assert.rejects(
        loadTest(options),
        (e: Error & { code?: string }) => e.code === 'WK_ERR_INVALID_ARGUMENT' && pattern.test(e.message),
      );
    };
    await refused({ targets: ['ws://127.0.0.1:1/', 'http://127.0.0.1:1/'] }, /WebSocket and HTTP/);
    await refused({ targets: ['ws://127.0.0.1:1/'], http2: true }, /http2 does not apply/);
    await refused({ targets: [{ url: 'ws://127.0.0.1:1/', method: 'POST' }] }, /opens with GET/);
    await refused({ targets: ['ws://127.0.0.1:1/'], messageBytes: -1 }, /messageBytes/);
    await refused({ targets: [] }, /at least one/);
    await refused({ targets: ['http://127.0.0.1:1/', 'http://127.0.0.1:2/'], connections: 1 }, /2 origins/);
    await refused({ targets: ['http://127.0.0.1:1/'], rate: 0 }, /rate/);
    await refused({ targets: [{ url: 'http://127.0.0.1:1/', headers: { 'x-a': 'b\r\nc' } }] }, /unsafe on the wire/);
  });
});

describe('https', () => {
  let key = '';
  let cert = '';
  before(() => {
    ({ key, cert } = selfSignedCertificate());
  });

  test('counts over TLS; an untrusted certificate is a TLS-phase error', async () => {
    let count = 0;
    const server = createHttpsServer({ key, cert }, (_req, res) => {
      count++;
      res.end('secure');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closeAfter(leaks, server);
    const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const trusted = await loadTest({ targets: [url], connections: 2, requests: 50, tls: { ca: cert } });
    assert.equal(trusted.requests, 50);
    assert.equal(count, 50);
    const untrusted = await loadTest({ targets: [url], connections: 1, requests: 2 });
    assert.equal(untrusted.requests, 0);
    assert.equal(untrusted.errorPhases.tls, 2);
    assert.deepEqual(untrusted.errorCodes, { WK_ERR_TLS: 2 });
  });
});
