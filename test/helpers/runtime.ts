/**
 * What this Node runtime has, for tests of features that only some Node versions offer: they run
 * where the feature exists and skip elsewhere with a line that says why. CI runs the suite on
 * Node 20 and Node 24 (.ci/run), so each such test runs in one of them at least;
 * test/runtime.test.ts fails if Node 24 stops detecting one of these.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import * as zlib from 'node:zlib';

/** Features detected synchronously. */
export const runtime = {
  /** `zlib.createZstdCompress` (Node 22.15, 23.8). */
  zstd: typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === 'function',
  /** A global WHATWG `WebSocket` client (Node 22.4 unflagged). */
  webSocket: typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function',
};

/** The skip reason of a test that needs `feature`, or false when this runtime has it. */
export function needs(feature: string, has: boolean): string | false {
  return has ? false : `Node ${process.version} has no ${feature}`;
}

let reusePort: Promise<boolean> | undefined;

/**
 * Whether `listen({ reusePort: true })` works here (Node 22.12, 23.1, on Linux): two listeners on
 * one port. Older Node ignores the option, so the second listen fails with EADDRINUSE.
 */
export function hasReusePort(): Promise<boolean> {
  reusePort ??= (async () => {
    const listen = (port: number): Promise<Server | undefined> =>
      new Promise((resolve) => {
        const server = createServer();
        server.once('error', () => resolve(undefined));
        server.listen({ port, host: '127.0.0.1', reusePort: true } as Parameters<Server['listen']>[0], () =>
          resolve(server),
        );
      });
    const first = await listen(0);
    if (first === undefined) return false;
    const second = await listen((first.address() as { port: number }).port);
    await new Promise((resolve) => first.close(resolve));
    if (second === undefined) return false;
    await new Promise((resolve) => second.close(resolve));
    return true;
  })();
  return reusePort;
}

/**
 * Whether `command` is on the PATH (a Debian tool a test runs: redis-server, nghttp, h2load). Such
 * tests are required when CI=true and skip elsewhere with a line naming the package to install.
 */
export function installed(command: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', `command -v ${command}`], (error) => resolve(error === null));
  });
}
