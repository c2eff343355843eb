/**
 * The TCP fault proxy on real sockets: bytes pass unchanged (half-close included), each fault does
 * what it says (a lower bound on time where it delays, exact bytes where it cuts), faults apply to
 * live connections and their removal loses nothing, disable refuses connections, and a side that
 * stops reading pauses the other (the proxy's memory stays bounded).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWirekitError } from '../../src/errors.js';
import { connect } from '../../src/net/connect.js';
import type { Connection } from '../../src/net/connection.js';
import { SeededRandom } from '../../src/tools/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { causeCode, echo, proxied, readAll, readText, until } from './helpers.js';

const leaks = trackLeaks();

describe('passing bytes', () => {
  test('both ways unchanged, and a half-close reaches the server, which may still answer', async () => {
    const { dial } = await proxied(leaks, async (conn) => {
      const got = await readAll(conn);
      await conn.end(`got ${got.length} bytes: ${got}`);
    });
    const conn = await dial();
    await conn.write('hello ');
    await conn.end('world');
    assert.equal((await readAll(conn)).toString(), 'got 11 bytes: hello world');
  });

  test('a client that resets has its upstream reset too', async () => {
    let upstreamError: unknown;
    let received = 0;
    const { dial } = await proxied(leaks, async (conn) => {
      try {
        for await (const chunk of conn) received += chunk.byteLength;
      } catch (error) {
        upstreamError = error;
      }
    });
    const conn = await dial();
    await conn.write('x');
    // Reset once the byte is through: a RST right behind data may reach the proxy as a plain EOF.
    await until(() => received === 1, 'the byte at the server');
    conn.socket.resetAndDestroy();
    await until(() => upstreamError !== undefined, 'the upstream to see the reset');
    assert.equal(causeCode(upstreamError), 'ECONNRESET');
  });
});

describe('latency', () => {
  test('delays each chunk by at least ms; removing it lets a held chunk go at once', async () => {
    const { proxy, dial } = await proxied(leaks, echo);
    const conn = await dial();
    const latency = proxy.add('latency', { ms: 200 });
    let started = performance.now();
    await conn.write('one');
    assert.equal(await readText(conn, 3), 'one');
    assert.ok(performance.now() - started >= 199, 'the echo came back at least 200 ms later');
    latency.update({ ms: 60_000 });
    await conn.write('two');
    await until(() => proxy.bufferedBytes >= 3, 'the proxy to hold the answer');
    started = performance.now();
    latency.remove();
    assert.equal(await readText(conn, 3), 'two');
    await conn.end();
    assert.equal((await readAll(conn)).length, 0);
  });

  test('applies upstream only when asked, added to a live connection', async () => {
    const arrivals: number[] = [];
    const { proxy, dial } = await proxied(leaks, async (conn) => {
      for await (const chunk of conn) {
        arrivals.push(performance.now());
        await conn.write(chunk);
      }
      await conn.end();
    });
    const conn = await dial();
    proxy.add('latency', { ms: 150 }, { direction: 'upstream' });
    const sent = performance.now();
    await conn.write('ping');
    assert.equal(await readText(conn, 4), 'ping');
    assert.ok((arrivals[0] ?? 0) - sent >= 149, 'the server saw the bytes at least 150 ms after they were sent');
  });
});

describe('shaping', () => {
  test('bandwidth: 50 000 bytes at 100 000 B/s take at least 0.4 s, all of them intact', async () => {
    const payload = Buffer.alloc(50_000, 7);
    const { proxy, dial } = await proxied(leaks, async (conn) => {
      await conn.end(payload);
    });
    proxy.add('bandwidth', { bytesPerSecond: 100_000 });
    const started = performance.now();
    const conn = await dial();
    assert.deepEqual(await readAll(conn), payload);
    // Five writes of 10 000 bytes, 100 ms apart: the last leaves at least 400 ms after the first.
    assert.ok(performance.now() - started >= 399);
  });

  test('slicer: small writes with delays between them, all bytes in order', async () => {
    const payload = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const { proxy, dial } = await proxied(leaks, async (conn) => {
      await conn.end(payload);
    });
    proxy.add('slicer', { averageBytes: 100, variationBytes: 20, delayMs: 20 });
    const started = performance.now();
    const conn = await dial();
    assert.deepEqual(await readAll(conn), payload);
    // At least 1000 / 120 → 9 slices, so at least 8 delays of 20 ms.
    assert.ok(performance.now() - started >= 159);
  });

  test('slowClose: the end of the stream arrives at least delayMs late', async () => {
    let ended = Number.POSITIVE_INFINITY;
    const { proxy, dial } = await proxied(leaks, async (conn) => {
      await conn.end('bye');
      ended = performance.now();
    });
    proxy.add('slowClose', { delayMs: 200 });
    const conn = await dial();
    assert.equal(await readText(conn, 3), 'bye');
    assert.equal(await conn.read(), null);
    assert.ok(performance.now() - ended >= 199, 'the FIN came at least 200 ms after the server sent it');
  });
});

describe('stalls, closes and resets', () => {
  test('stall after N bytes holds the rest; removing it delivers every byte', async () => {
    const payload = Buffer.from('a'.repeat(100) + 'b'.repeat(900));
    const { proxy, dial } = await proxied(leaks, async (conn) => {
      await conn.end(payload);
    });
    const stall = proxy.add('stall', { afterBytes: 100 });
    const conn = await dial();
    assert.equal(await readText(conn, 100), 'a'.repeat(100));
    await until(() => proxy.bufferedBytes >= 900, 'the proxy to hold the other 900 bytes');
    assert.equal(conn.bufferedBytes, 0, 'nothing past 100 bytes reached the client');
    stall.remove();
    assert.equal((await readAll(conn)).toString(), 'b'.repeat(900));
  });

  test('stall with closeAfterMs closes the connection that long after it began', async () => {
    const { proxy, dial } = await proxied(leaks, echo);
    proxy.add('stall', { closeAfterMs: 200 });
    const started = performance.now();
    const conn = await dial();
    await conn.write('anyone?');
    assert.equal((await readAll(conn)).length, 0);
    assert.ok(performance.now() - started >= 199);
  });

  test('limitData forwards exactly N bytes, then closes both sides (FIN)', async () => {
    let upstreamEnded = false;
    const { proxy, dial } = await proxied(leaks, async (conn) => {
      await conn.write(Buffer.alloc(1000, 1));
      upstreamEnded = (await conn.read()) === null;
    });
    proxy.add('limitData', { bytes: 300 });
    const conn = await dial();
    assert.equal((await readAll(conn)).length, 300);
    await until(() => upstreamEnded, 'the upstream to see the end of the stream');
  });

  test('reset after N bytes upstream: the first N reach the server, then both sides get RST', async () => {
    const received: Buffer[] = [];
    let serverError: unknown;
    const { proxy, dial } = await proxied(leaks, async (conn) => {
      try {
        for await (const chunk of conn) received.push(Buffer.from(chunk));
      } catch (error) {
        serverError = error;
      }
    });
    proxy.add('reset', { afterBytes: 5 }, { direction: 'upstream' });
    const conn = await dial();
    await conn.write('12345');
    await until(() => Buffer.concat(received).length === 5, 'the first five bytes at the server');
    await conn.write('6');
    await assert.rejects(conn.read(), (error) => causeCode(error) === 'ECONNRESET');
    await until(() => serverError !== undefined, 'the server to see the reset');
    assert.equal(causeCode(serverError), 'ECONNRESET');
    assert.equal(Buffer.concat(received).toString(), '12345');
  });

  test('reset afterMs resets a silent connection at least that late', async () => {
    const { proxy, dial } = await proxied(leaks, echo);
    proxy.add('reset', { afterMs: 200 });
    const started = performance.now();
    const conn = await dial();
    await assert.rejects(conn.read(), (error) => causeCode(error) === 'ECONNRESET');
    assert.ok(performance.now() - started >= 199);
  });

  test('toxicity 0 never applies; seeded draws repeat', async () => {
    const { proxy, dial } = await proxied(leaks, echo);
    proxy.add('stall', {}, { toxicity: 0 });
    const conn = await dial();
    await conn.write('free');
    assert.equal(await readText(conn, 4), 'free');
    const a = new SeededRandom(99);
    const b = new SeededRandom(99);
    assert.deepEqual([a.next(), a.next(), a.next()], [b.next(), b.next(), b.next()]);
  });
});

describe('refusing', () => {
  test('disable refuses new connections and closes live ones; enable listens on the same port', async () => {
    const { proxy, dial } = await proxied(leaks, echo);
    const live = await dial();
    await proxy.disable();
    assert.equal(proxy.enabled, false);
    assert.equal((await readAll(live)).length, 0);
    await assert.rejects(connect({ port: proxy.address.port }), (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_CONNECT'));
      return causeCode(error) === 'ECONNREFUSED';
    });
    await proxy.enable();
    const again = await dial();
    await again.write('back');
    assert.equal(await readText(again, 4), 'back');
  });

  test('disable with keepConnections refuses new ones only', async () => {
    const { proxy, dial } = await proxied(leaks, echo);
    const live = await dial();
    await proxy.disable({ keepConnections: true });
    await assert.rejects(connect({ port: proxy.address.port }), (error) => causeCode(error) === 'ECONNREFUSED');
    await live.write('still here');
    assert.equal(await readText(live, 10), 'still here');
  });

  test('an upstream that refuses: the client sees its connection closed', async () => {
    const { proxy } = await proxied(leaks, echo);
    const { upstreamPort: deadPort } = await proxied(leaks, echo);
    await proxy.reconfigure({ upstream: `127.0.0.1:${deadPort}` });
    const closed = await proxied(leaks, echo);
    await closed.proxy.close();
    await proxy.reconfigure({ upstream: closed.proxy.listen });
    const conn = await connect({ port: proxy.address.port });
    leaks.defer(() => conn.destroy());
    assert.equal((await readAll(conn)).length, 0);
  });
});

describe('backpressure', () => {
  test('a client that does not read pauses the upstream; the proxy holds a bounded amount', async () => {
    const total = 32 * 1024 * 1024;
    const piece = Buffer.alloc(64 * 1024, 3);
    let written = 0;
    const { proxy, dial } = await proxied(
      leaks,
      async (conn) => {
        while (written < total) {
          await conn.write(piece);
          written += piece.length;
        }
        await conn.end();
      },
      { maxBufferedBytes: 256 * 1024 },
    );
    const conn: Connection = await dial();
    // The proxy's own share: its queue, plus the two sockets' read and write buffers.
    const limit = 256 * 1024 + 2 * 64 * 1024 + 2 * 128 * 1024;
    let peak = 0;
    let last = -1;
    let steady = 0;
    // The upstream writes until every buffer on the way is full, then waits: stop once it has
    // not moved for five polls in a row.
    await until(
      () => {
        peak = Math.max(peak, proxy.bufferedBytes);
        steady = written === last ? steady + 1 : 0;
        last = written;
        return steady >= 5;
      },
      'the upstream to stop writing',
      20_000,
    );
    assert.ok(peak <= limit, `the proxy held ${peak} bytes at most (limit ${limit})`);
    assert.ok(written < total, `the upstream was paused after ${written} of ${total} bytes`);
    let received = 0;
    for await (const chunk of conn) {
      received += chunk.byteLength;
      peak = Math.max(peak, proxy.bufferedBytes);
    }
    assert.equal(received, total, 'every byte arrived once the client read');
    assert.ok(peak <= limit, `the proxy held ${peak} bytes at most while draining`);
  });
});
