/** Shared pieces of the socket-layer tests: servers, byte patterns, a listener that never accepts. */
import { createServer } from 'node:net';
import { Worker } from 'node:worker_threads';
import {
  type Connection,
  type ConnectOptions,
  connect,
  type ListenOptions,
  listen,
  type Server,
} from '../../src/net/index.js';
import type { LeakTracker } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';

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

/**
 * A server that accepts one connection and hands both ends to the test, which closes them.
 * The server side's handler returns at once: the test drives it.
 */
export async function connectedPair(
  leaks: LeakTracker,
  options: ListenOptions = {},
  clientOptions: Omit<ConnectOptions, 'port'> = {},
): Promise<{ client: Connection; server: Connection }> {
  let serverSide: Connection | undefined;
  const server = await listen({ port: 0, ...options }, (conn) => {
    serverSide = conn;
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const client = await connect({ ...clientOptions, port: server.address.port });
  leaks.defer(() => client.close({ timeoutMs: 0 }));
  await eventually(() => serverSide !== undefined, 'the server accepted');
  return { client, server: serverSide as Connection };
}

/**
 * A TCP listener (127.0.0.1, backlog 1) that never accepts: it lives in a worker thread whose
 * event loop is blocked in Atomics.wait, so connections pile up in the kernel's accept queue.
 * Once that queue is full, the kernel drops new SYNs and a connect hangs: the only honest way to
 * exercise a connect timeout on loopback. `stop()` releases and ends the worker.
 */
export async function stuckListener(): Promise<{ port: number; stop: () => Promise<void> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const server = require('node:net').createServer();
     server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData, 0, 0); // block the loop: no accept() until released
       server.close();
       parentPort.close();
     });`,
    { eval: true, workerData: flag },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const stop = async (): Promise<void> => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    await worker.terminate();
  };
  return { port, stop };
}
