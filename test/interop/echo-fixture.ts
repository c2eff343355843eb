/**
 * The echo handler of docs/architecture.md, Apps that outside tools start served in-process for interop tests, with a count of the
 * connections the server accepted (from its `connection.open` diagnostics channel), so a test can
 * prove that a client reused one kept-alive connection.
 */
import { type ConnInfo, channels } from '../../src/http/server/index.js';
import { ECHO_MAX_BODY_BYTES, type EchoBody, echoHandler } from '../conformance/echo-handler.js';
import { startServer, type TestServer } from '../helpers/http-server.js';
import type { LeakTracker } from '../helpers/leaks.js';

export interface EchoServer extends TestServer {
  url: string;
  /** Connections accepted so far. */
  opened(): number;
}

export async function startEcho(leaks: LeakTracker): Promise<EchoServer> {
  let port = -1;
  let opened = 0;
  const onOpen = (message: unknown): void => {
    if ((message as { info: ConnInfo }).info.localAddress?.port === port) opened++;
  };
  channels.connectionOpen.subscribe(onOpen);
  leaks.defer(() => channels.connectionOpen.unsubscribe(onOpen));
  const server = await startServer(leaks, echoHandler, { maxBodyBytes: ECHO_MAX_BODY_BYTES });
  port = server.port;
  return { ...server, url: server.server.url, opened: () => opened };
}

/** The echo answer, parsed. */
export function parseEcho(text: string): EchoBody {
  return JSON.parse(text) as EchoBody;
}

/** The value of the first echoed header named `name` (case-insensitive). */
export function echoedHeader(echo: EchoBody, name: string): string | undefined {
  return echo.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}
