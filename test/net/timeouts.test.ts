/**
 * Idle and connect timeouts. The connect timeout is exercised for real: a listener that never
 * accepts (see stuckListener) gets its accept queue (backlog 1) filled, after which the kernel
 * drops further SYNs and a connect hangs until connectTimeoutMs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWirekitError, TimeoutError } from '../../src/errors.js';
import { connect, DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_SERVER_IDLE_TIMEOUT_MS, listen } from '../../src/net/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, sleep } from '../helpers/wait.js';
import { connectedPair, stuckListener } from './fixtures.js';

const leaks = trackLeaks();

describe('idle timeout', () => {
  test('a silent client is destroyed by the server with WK_ERR_IDLE_TIMEOUT', async () => {
    const failures: unknown[] = [];
    const server = await listen({ port: 0, idleTimeoutMs: 200 }, async (conn) => {
      await conn.read().catch((error: unknown) => failures.push(error));
    });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const conn = await connect({ port: server.address.port });
    leaks.defer(() => conn.close({ timeoutMs: 0 }));
    assert.equal(await conn.read(), null, 'the client sees the server go away');
    await eventually(() => failures.length === 1, 'the server-side read failed');
    const error = failures[0];
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.code, 'WK_ERR_IDLE_TIMEOUT');
    assert.ok(error.remoteAddress !== undefined);
  });

  test('a client-side idle timeout rejects the pending read; activity keeps it alive', async () => {
    const { client: conn, server: serverSide } = await connectedPair(leaks, {}, { idleTimeoutMs: 1000 });
    // Activity every 50 ms for 1.5 s: longer than the timeout, so only activity can keep it open.
    for (let i = 0; i < 30; i++) {
      await serverSide.write('.');
      await sleep(50);
    }
    assert.equal(conn.socket.destroyed, false, 'reads kept it alive');
    assert.equal(conn.bufferedBytes, 30);
    await conn.readExactly(30);
    await assert.rejects(conn.read(), (e) => isWirekitError(e, 'WK_ERR_IDLE_TIMEOUT') && e instanceof TimeoutError);
    assert.equal(conn.socket.destroyed, true);
  });

  test('accepted connections time out after 5 minutes by default; 0 turns it off', async () => {
    const { server } = await connectedPair(leaks);
    assert.equal(server.idleTimeoutMs, DEFAULT_SERVER_IDLE_TIMEOUT_MS);
    assert.equal(DEFAULT_SERVER_IDLE_TIMEOUT_MS, 5 * 60_000);
    const { server: unlimited, client } = await connectedPair(leaks, { idleTimeoutMs: 0 });
    assert.equal(unlimited.idleTimeoutMs, 0);
    assert.equal(client.idleTimeoutMs, 0, 'a client connection has none unless asked');
  });

  test('idleTimeoutMs can be set and cleared on an open connection', async () => {
    const { client: conn } = await connectedPair(leaks);
    conn.idleTimeoutMs = 100;
    assert.equal(conn.idleTimeoutMs, 100);
    conn.idleTimeoutMs = 0;
    await sleep(400);
    assert.equal(conn.socket.destroyed, false, 'cleared: no timeout');
    conn.idleTimeoutMs = 100;
    await assert.rejects(conn.read(), { code: 'WK_ERR_IDLE_TIMEOUT' });
  });
});

/** A listener that never accepts, with its accept queue already full (see stuckListener). */
async function fullListener(): Promise<number> {
  const listener = await stuckListener();
  leaks.defer(listener.stop);
  // Fill the accept queue: the kernel completes these handshakes without the process accepting.
  const attempts = await Promise.allSettled(
    Array.from({ length: 4 }, () => connect({ port: listener.port, connectTimeoutMs: 1500 })),
  );
  for (const attempt of attempts) {
    if (attempt.status === 'fulfilled') leaks.defer(() => attempt.value.close({ timeoutMs: 0 }));
  }
  return listener.port;
}

describe('connect timeout', () => {
  test('connecting to a listener that never accepts rejects WK_ERR_CONNECT_TIMEOUT', async () => {
    const port = await fullListener();
    // The queue is full, so this SYN is dropped: only the timeout can end the attempt.
    const error = await connect({ port: port, connectTimeoutMs: 300 }).then(
      (conn) => {
        conn.destroy();
        return assert.fail('connected although the accept queue was full');
      },
      (e: unknown) => e,
    );
    assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(error.code, 'WK_ERR_CONNECT_TIMEOUT');
    assert.deepEqual(error.remoteAddress, { address: '127.0.0.1', port: port, family: 'IPv4' });
  });

  test('aborting a hanging connect rejects WK_ERR_ABORTED and leaves nothing open', async () => {
    const port = await fullListener();
    const controller = new AbortController();
    const pending = connect({ port: port, signal: controller.signal });
    await sleep(50);
    controller.abort();
    await assert.rejects(pending, { code: 'WK_ERR_ABORTED' });
  });
});

describe('close timeout', () => {
  test('close() gives a peer that never ends its side DEFAULT_CLOSE_TIMEOUT_MS, then destroys the socket', async () => {
    // The server side never reads or ends: only the default deadline can finish close().
    const { client } = await connectedPair(leaks, { allowHalfOpen: true });
    await client.close();
    // The peer never ended its side, so only the deadline can have ended the wait: by destroying.
    assert.equal(client.socket.destroyed, true);
    assert.equal(DEFAULT_CLOSE_TIMEOUT_MS, 10_000);
  });
});
