/**
 * Raw `node:net` servers for client tests (docs/architecture.md, Tests): they read requests (head, and a
 * body framed by Content-Length or chunked) and answer with canned bytes the test writes itself.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Pool, type PoolOptions } from '../../src/client/index.js';
import type { LeakTracker } from '../helpers/leaks.js';

/** A request as a raw server received it. */
export interface RawRequest {
  readonly head: string;
  readonly method: string;
  readonly path: string;
  /** Lower-cased names; repeated fields joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
  /** Field names as received, in order (to check case and order). */
  readonly fieldNames: readonly string[];
  /** The decoded body (chunked decoded). */
  readonly body: Buffer;
  /** The body bytes exactly as they arrived on the wire. */
  readonly rawBody: Buffer;
  /** 0 for the first request on its connection, 1 for the next … */
  readonly index: number;
  /** Which accepted connection it came on (0 = first). */
  readonly connection: number;
}

/** What a test does with each request. */
export type RawHandler = (request: RawRequest, socket: Socket) => void;

/** A running raw server. */
export interface RawServer {
  readonly port: number;
  readonly url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Requests received so far. */
  readonly requests: RawRequest[];
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

/**
 * Starts a raw server on 127.0.0.1 port 0; `onConnection` runs for each accepted socket first.
 * Closed (every socket destroyed) after the test through `leaks`.
 */
export async function rawServer(
  leaks: LeakTracker,
  onRequest: RawHandler,
  onConnection?: (socket: Socket, index: number) => void,
): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const requests: RawRequest[] = [];
  let accepted = 0;
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    const connection = accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection?.(socket, connection);
    let buffer: Buffer = Buffer.alloc(0);
    let index = 0;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const parsed = takeRequest(buffer, index, connection);
        if (parsed === undefined) return;
        buffer = parsed.rest;
        index++;
        requests.push(parsed.request);
        onRequest(parsed.request, socket);
      }
    });
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  leaks.defer(close);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    requests,
    sockets,
    close,
  };
}

function takeRequest(
  buffer: Buffer,
  index: number,
  connection: number,
): { request: RawRequest; rest: Buffer } | undefined {
  const end = buffer.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const head = buffer.subarray(0, end).toString('latin1');
  const [requestLine = '', ...lines] = head.split('\r\n');
  const [method = '', path = ''] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  const fieldNames: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    fieldNames.push(name);
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  const start = end + 4;
  let body: Buffer;
  let rawBody: Buffer;
  let next: number;
  if (headers['transfer-encoding'] === 'chunked') {
    const decoded = dechunk(buffer, start);
    if (decoded === undefined) return undefined;
    ({ body, next } = decoded);
    rawBody = buffer.subarray(start, next);
  } else {
    const length = Number(headers['content-length'] ?? 0);
    if (buffer.length < start + length) return undefined;
    body = buffer.subarray(start, start + length);
    rawBody = body;
    next = start + length;
  }
  const request: RawRequest = { head, method, path, headers, fieldNames, body, rawBody, index, connection };
  return { request, rest: buffer.subarray(next) };
}

function dechunk(buffer: Buffer, start: number): { body: Buffer; next: number } | undefined {
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', pos);
    if (lineEnd === -1) return undefined;
    const size = Number.parseInt(buffer.subarray(pos, lineEnd).toString('latin1'), 16);
    pos = lineEnd + 2;
    if (size === 0) {
      const trailerEnd = buffer.indexOf('\r\n\r\n', pos - 2);
      if (trailerEnd === -1) return undefined;
      return { body: Buffer.concat(parts), next: trailerEnd + 4 };
    }
    if (buffer.length < pos + size + 2) return undefined;
    parts.push(buffer.subarray(pos, pos + size));
    pos += size + 2;
  }
}

/** A complete `200 OK` (or `status`) response with a Content-Length body. */
export function reply(body = '', status = 200, fields: Record<string, string> = {}): string {
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Whatever'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
  for (const [name, value] of Object.entries(fields)) head += `${name}: ${value}\r\n`;
  return `${head}\r\n${body}`;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Writes `data` one byte at a time, one event-loop turn apart (the client must reassemble it). */
export async function trickle(socket: Socket, data: string | Buffer): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  for (let i = 0; i < bytes.length; i++) {
    if (socket.destroyed) return;
    socket.write(bytes.subarray(i, i + 1));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A pool destroyed after the test. */
export function trackedPool(leaks: LeakTracker, url: string, options: PoolOptions = {}): Pool {
  const pool = new Pool(url, options);
  leaks.defer(() => pool.destroy());
  return pool;
}

/** Closes a `node:http` / `node:https` server after the test, its keep-alive connections included. */
export function closeAfter(leaks: LeakTracker, server: import('node:http').Server): void {
  leaks.defer(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
}

/** Resolves or rejects as `promise` does; fails after a generous `timeoutMs` instead of hanging the run. */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A CONNECT proxy: tunnels to the asked authority, or answers 407 without the expected credentials. */
export async function connectProxy(leaks: LeakTracker, expectedAuth?: string) {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.off('data', onData);
      const [line = '', ...fields] = head.slice(0, end).split('\r\n');
      seen.push(line);
      const auth = fields
        .find((f) => f.toLowerCase().startsWith('proxy-authorization:'))
        ?.slice(20)
        .trim();
      if (expectedAuth !== undefined && auth !== expectedAuth) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const [host = '', port = ''] = (line.split(' ')[1] ?? '').split(/:(?=\d+$)/);
      const upstream = connect({ host: host.replace(/^\[|\]$/g, ''), port: Number(port) }, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  leaks.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}
