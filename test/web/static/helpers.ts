/**
 * Helpers of the static-file tests: a temporary site on disk, an app serving it on port 0, and a raw
 * `node:net` client that sends exactly the request-target it is given (fetch would normalise
 * `..`, `%2e` and backslashes away before they reach the server).
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App } from '../../../src/web/app.js';
import type { AppServer } from '../../../src/web/listen.js';
import { type StaticOptions, serveStatic } from '../../../src/web/middleware/static/index.js';
import type { LeakTracker } from '../../helpers/leaks.js';

/** A temporary directory, removed by the tracker's cleanup. */
export async function tempDir(leaks: LeakTracker, prefix = 'wk-static-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  leaks.defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `files` (relative path → content) under `root`, creating folders. */
export async function writeFiles(root: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
}

/** Serves `root` with serveStatic on 127.0.0.1 and port 0; closed by the tracker. */
export async function serveDir(leaks: LeakTracker, root: string, options: StaticOptions = {}): Promise<AppServer> {
  const app = new App().use(serveStatic(root, options));
  return listenApp(leaks, app);
}

/** Listens `app` on port 0; closed by the tracker. */
export async function listenApp(leaks: LeakTracker, app: App): Promise<AppServer> {
  const server = await app.listen({ port: 0, host: '127.0.0.1' });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return server;
}

/** A response as read off the wire. */
export interface WireResponse {
  readonly status: number;
  /** Lower-cased names; repeated fields joined with `, `. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  /** Everything received, head and body, as latin1 (to look for leaked content anywhere). */
  readonly raw: string;
}

/**
 * Sends one request with `Connection: close` and reads the response until the server closes.
 * `target` goes on the request line as given; `headers` are extra field lines.
 */
export async function get(
  server: AppServer,
  target: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<WireResponse> {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: test', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const data = await exchange(server.address.port, `${lines.join('\r\n')}\r\n\r\n`);
  return parseResponse(data);
}

function exchange(port: number, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.end(Buffer.from(request, 'latin1')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** Parses one response head and takes the body by Content-Length (or to the end). */
export function parseResponse(data: Buffer): WireResponse {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no response head in ${JSON.stringify(data.toString('latin1'))}`);
  const [statusLine = '', ...fields] = data.toString('latin1', 0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers = new Map<string, string>();
  for (const field of fields) {
    const colon = field.indexOf(':');
    const name = field.slice(0, colon).toLowerCase();
    const value = field.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  const length = headers.get('content-length');
  const rest = data.subarray(end + 4);
  const body = length === undefined ? rest : rest.subarray(0, Number(length));
  return { status, headers, body, raw: data.toString('latin1') };
}

/** One part of a multipart/byteranges body. */
export interface BytePart {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** Parses a `multipart/byteranges` body by the boundary in its Content-Type (RFC 2046 §5.1.1). */
export function parseMultipart(contentType: string, body: Buffer): BytePart[] {
  const boundary = /boundary=([^;\s]+)/.exec(contentType)?.[1];
  if (boundary === undefined) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: BytePart[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const after = at + delimiter.length;
    if (body.toString('latin1', after, after + 2) === '--') return parts;
    const headEnd = body.indexOf('\r\n\r\n', after);
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headEnd);
    if (headEnd === -1 || next === -1) throw new Error('truncated multipart body');
    const headers = new Map<string, string>();
    for (const line of body.toString('latin1', after + 2, headEnd).split('\r\n')) {
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    parts.push({ headers, body: body.subarray(headEnd + 4, next) });
    at = next + 2;
  }
  throw new Error('multipart body without a close delimiter');
}

/** The response head and body of one request read off `socket`, at the pace `pace` sets. */
export async function download(
  socket: Socket,
  pace: (bodyBytes: number) => Promise<void>,
): Promise<{ head: string; bytes: number; sha256: string }> {
  let head: string | undefined;
  let pending = Buffer.alloc(0);
  let bytes = 0;
  const hash = createHash('sha256');
  for await (const chunk of socket as AsyncIterable<Buffer>) {
    let body = chunk;
    if (head === undefined) {
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf('\r\n\r\n');
      if (end === -1) continue;
      head = pending.toString('latin1', 0, end);
      body = pending.subarray(end + 4);
    }
    hash.update(body);
    bytes += body.length;
    await pace(bytes);
  }
  return { head: head ?? '', bytes, sha256: hash.digest('hex') };
}
