/** Shared pieces of the socket-layer tests: servers, polling, byte patterns. */
import { createServer } from 'node:net';
import { type Connection, listen, type Server } from '../../src/net/index.js';
import type { LeakTracker } from '../helpers/leaks.js';

/** Polls `predicate` until it is true, failing after a generous `timeoutMs` (tests run under load). */
export async function eventually(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves after `ms` (only to let time pass, never to assert a timing). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `promise` is still pending after `ms`. */
export async function stillPending(promise: Promise<unknown>, ms = 50): Promise<boolean> {
  const marker = Symbol('pending');
  const winner = await Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    sleep(ms).then(() => marker),
  ]);
  return winner === marker;
}

/** `n` bytes of a pattern that catches reordering and loss (not all zeros). */
export function pattern(n: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 31 + seed + (i >>> 8)) & 0xff;
  return bytes;
}

/** A server that echoes every chunk back and ends when the peer ends. */
export async function echoServer(leaks: LeakTracker, host = '127.0.0.1'): Promise<Server> {
  const server = await listen({ port: 0, host }, async (conn: Connection) => {
    for await (const chunk of conn) await conn.write(chunk);
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return server;
}

let ipv6: Promise<boolean> | undefined;

/** True when this machine can listen on ::1 (checked once). */
export function hasIPv6Loopback(): Promise<boolean> {
  ipv6 ??= new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port: 0, host: '::1' }, () => probe.close(() => resolve(true)));
  });
  return ipv6;
}

/** The loopback hosts to run a test on: 127.0.0.1, plus ::1 when the machine has it. */
export async function loopbackHosts(): Promise<string[]> {
  return (await hasIPv6Loopback()) ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
}

/** Text of bytes. */
export function text(bytes: Uint8Array | null | undefined): string {
  return bytes === null || bytes === undefined ? '<none>' : new TextDecoder().decode(bytes);
}

/** Bytes of text. */
export function bytes(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}
