/**
 * Starting `serve()` in a server test: port 0 on 127.0.0.1, a close registered with the leak
 * tracker, errors reported to `onError` collected instead of printed, and raw clients that are
 * destroyed after the test.
 */
import type { ConnInfo, Handler, HttpServer, ServeOptions } from '../../src/http/server/index.js';
import { serve } from '../../src/http/server/index.js';
import type { LeakTracker } from './leaks.js';
import { RawClient } from './raw-client.js';

export interface TestServer {
  server: HttpServer;
  /** Errors the server reported through `onError` (handler throws, write failures). */
  errors: Error[];
  /** Handler calls so far. */
  calls: number;
  /** A raw client connected to the server, destroyed after the test. */
  client(): Promise<RawClient>;
  port: number;
}

/** Starts `handler` on port 0; the server is closed (deadline 0) after the test. */
export async function startServer(
  leaks: LeakTracker,
  handler: Handler,
  options: ServeOptions = {},
): Promise<TestServer> {
  const errors: Error[] = [];
  const onError = (error: Error, _info: ConnInfo | undefined): void => {
    errors.push(error);
  };
  const counted: Handler = (req, info) => {
    fixture.calls++;
    return handler(req, info);
  };
  const server = await serve(counted, { port: 0, host: '127.0.0.1', onError, ...options });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const fixture: TestServer = {
    server,
    errors,
    calls: 0,
    port: server.address.port,
    client: async () => {
      const client = await RawClient.connect(server.address.port);
      leaks.defer(() => client.destroy());
      return client;
    },
  };
  return fixture;
}
