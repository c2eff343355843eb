/**
 * Servers and waits for the fault proxy tests: an upstream that runs a handler per connection,
 * a fault proxy in front of it, and polling with a deadline (never a fixed sleep).
 */
import { connect } from '../../src/net/connect.js';
import type { Connection } from '../../src/net/connection.js';
import { listen } from '../../src/net/tcp-server.js';
import { type FaultProxy, type FaultProxyOptions, faultProxy } from '../../src/tools/index.js';
import type { LeakTracker } from '../helpers/leaks.js';

/** An upstream server and a fault proxy in front of it, both closed after the test. */
export async function proxied(
  leaks: LeakTracker,
  onConnection: (conn: Connection) => void | Promise<void>,
  options: Partial<FaultProxyOptions> = {},
): Promise<{ proxy: FaultProxy; upstreamPort: number; dial: () => Promise<Connection> }> {
  const server = await listen({ port: 0, allowHalfOpen: true, onError: () => {} }, onConnection);
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const proxy = await faultProxy({ upstream: `127.0.0.1:${server.address.port}`, seed: 1, ...options });
  leaks.defer(() => proxy.close());
  const dial = async (): Promise<Connection> => {
    const conn = await connect({ port: proxy.address.port, allowHalfOpen: true });
    leaks.defer(() => conn.destroy());
    return conn;
  };
  return { proxy, upstreamPort: server.address.port, dial };
}

/** Echoes every chunk, and ends when the client ends. */
export async function echo(conn: Connection): Promise<void> {
  for await (const chunk of conn) await conn.write(chunk);
  await conn.end();
}

/** Reads until EOF and returns everything. */
export async function readAll(conn: Connection): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of conn) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Reads exactly `n` bytes as text. */
export async function readText(conn: Connection, n: number): Promise<string> {
  return Buffer.from(await conn.readExactly(n)).toString();
}

/** Polls `check` every 10 ms until it is true; fails after `timeoutMs` with `what`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The Node error code under a wirekit socket error (ECONNRESET, ECONNREFUSED...). */
export function causeCode(error: unknown): string | undefined {
  return ((error as { cause?: { code?: string } }).cause ?? (error as { code?: string })).code;
}
