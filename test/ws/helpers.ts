/**
 * WebSocket test helpers: a `serve()` + `WebSocketServer` on port 0, the `ws` package as the
 * independent peer, and a raw client that speaks frames byte by byte (written by the codec test
 * helper, read back by a client-role parser).
 */
import { Buffer } from 'node:buffer';
import WebSocket from 'ws';
import { type HttpServer, type ServeOptions, serve } from '../../src/http/server/index.js';
import { FrameParser } from '../../src/ws/codec/frame-parser.js';
import type { WebSocketConnection } from '../../src/ws/connection.js';
import type { WebSocketHandlers } from '../../src/ws/handlers.js';
import { WebSocketServer, type WebSocketServerOptions } from '../../src/ws/server.js';
import type { LeakTracker } from '../helpers/leaks.js';
import { RawClient } from '../helpers/raw-client.js';
import { eventually } from '../helpers/wait.js';

export interface WsFixture<D> {
  wss: WebSocketServer<D>;
  server: HttpServer;
  port: number;
  url: string;
  errors: Error[];
}

/** A WebSocket server on 127.0.0.1:0; closed (deadline 0) after the test. */
export async function startWsServer<D = undefined>(
  leaks: LeakTracker,
  handlers: WebSocketHandlers<D>,
  options: WebSocketServerOptions = {},
  serveOptions: ServeOptions = {},
): Promise<WsFixture<D>> {
  const errors: Error[] = [];
  const wss = new WebSocketServer<D>(handlers, { onError: (e) => errors.push(e), ...options });
  const server = await serve((req, info) => wss.upgrade(req, info), {
    port: 0,
    onClose: () => void wss.close(),
    ...serveOptions,
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const port = server.address.port;
  return { wss, server, port, url: `ws://127.0.0.1:${port}`, errors };
}

/**
 * An echo server (every message sent back with `sendNow`) that keeps its connections, how each
 * closed (`closes`: code and reason, in order) and how many drains its handler saw.
 */
export async function echoServer(
  leaks: LeakTracker,
  options: WebSocketServerOptions = {},
  serveOptions: ServeOptions = {},
) {
  const sockets: WebSocketConnection[] = [];
  const closes: { code: number; reason: string }[] = [];
  let drains = 0;
  const fixture = await startWsServer(
    leaks,
    {
      open: (ws) => {
        sockets.push(ws as WebSocketConnection);
      },
      message: (ws, data) => {
        ws.sendNow(data);
      },
      close: (_ws, code, reason) => {
        closes.push({ code, reason });
      },
      drain: () => {
        drains++;
      },
    },
    options,
    serveOptions,
  );
  return { ...fixture, sockets, closes, drains: () => drains };
}

export interface Peer {
  ws: WebSocket;
  messages: { data: Buffer; isBinary: boolean }[];
  /** Resolves with the `n`-th message (1-based) once it has arrived. */
  message(n: number): Promise<{ data: Buffer; isBinary: boolean }>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A `ws` client connected to `url`; terminated after the test. */
export async function peer(
  leaks: LeakTracker,
  url: string,
  options: WebSocket.ClientOptions = {},
  protocols?: string[],
): Promise<Peer> {
  const ws = new WebSocket(url, protocols, { perMessageDeflate: false, ...options });
  leaks.defer(() => ws.terminate());
  const messages: Peer['messages'] = [];
  ws.on('message', (data, isBinary) => messages.push({ data: data as Buffer, isBinary }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    async message(n) {
      await eventually(() => messages.length >= n, `message ${n}`);
      return messages[n - 1] as { data: Buffer; isBinary: boolean };
    },
  };
}

/** An upgrade request's bytes. */
export function upgradeRequest(path = '/', extra: string[] = []): string {
  return [
    `GET ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...extra,
    '',
    '',
  ].join('\r\n');
}

/** A raw client after a successful upgrade, with the server's frames parsed as they come. */
export interface RawPeer {
  client: RawClient;
  /** Frames from the server so far: `text:…`, `binary:<hex>`, `ping:<hex>`, `pong:<hex>`, `close:<code>:<reason>`. */
  readonly events: string[];
  /** Waits for `n` events in total. */
  frames(n: number): Promise<string[]>;
  head: string;
}

/** Opens a raw TCP connection, upgrades it, and parses what the server sends after the 101. */
export async function rawPeer(leaks: LeakTracker, port: number, path = '/', extra: string[] = []): Promise<RawPeer> {
  const client = await RawClient.connect(port);
  leaks.defer(() => client.destroy());
  // As a well-behaved client does: once the server has closed its side, close ours (RFC 6455 §7.1.1).
  client.socket.on('end', () => client.end());
  await client.write(upgradeRequest(path, extra));
  await client.until(() => client.data.includes('\r\n\r\n'), 'the 101');
  const headEnd = client.data.indexOf('\r\n\r\n') + 4;
  const head = client.data.subarray(0, headEnd).toString('latin1');
  if (!head.startsWith('HTTP/1.1 101')) throw new Error(`no upgrade: ${head}`);
  const events: string[] = [];
  const parser = new FrameParser(
    {
      onMessage: (p, isText) => events.push(isText ? `text:${p.toString()}` : `binary:${p.toString('hex')}`),
      onPing: (p) => events.push(`ping:${p.toString('hex')}`),
      onPong: (p) => events.push(`pong:${p.toString('hex')}`),
      onCloseFrame: (code, reason) => events.push(`close:${code}:${reason}`),
      onFail: (f) => events.push(`bad frame from the server: ${f.message}`),
    },
    { role: 'client', maxMessageBytes: 1 << 30, maxFrameBytes: 1 << 30, maxFragments: 1 << 20 },
  );
  let fed = headEnd;
  const feed = (): void => {
    if (client.data.length > fed) {
      parser.push(Buffer.from(client.data.subarray(fed)));
      fed = client.data.length;
    }
  };
  return {
    client,
    get events() {
      feed();
      return events;
    },
    head,
    async frames(n) {
      await eventually(
        () => {
          feed();
          return events.length >= n;
        },
        `${n} frames from the server (have ${JSON.stringify(events)})`,
      );
      return events;
    },
  };
}
