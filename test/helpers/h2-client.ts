/**
 * node:http2's client as the real HTTP/2 peer of server tests: sessions closed after the test, and
 * one call for a whole exchange (status, fields, body, trailers).
 */
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type SecureClientSessionOptions,
} from 'node:http2';
import type { LeakTracker } from './leaks.js';

/** What one HTTP/2 exchange brought back. */
export interface H2Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Response fields as received, flat, without `:status`. */
  fields: string[];
  body: Buffer;
  trailers: IncomingHttpHeaders | undefined;
}

/** Opens a session to `url` (h2c for `http:`), destroyed after the test; resolves once connected. */
export async function h2Session(
  leaks: LeakTracker,
  url: string,
  options: SecureClientSessionOptions = {},
): Promise<ClientHttp2Session> {
  const session = connect(url, options);
  session.on('error', () => {});
  leaks.defer(() => destroySession(session));
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  return session;
}

/** Destroys `session` and resolves once its socket has closed. */
export function destroySession(session: ClientHttp2Session): Promise<void> {
  if (session.destroyed && session.socket === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    if (session.closed && session.destroyed) {
      resolve();
      return;
    }
    session.once('close', () => resolve());
    session.destroy();
  });
}

/** Sends a request (path and method in `headers` pseudo-fields, GET / by default) and reads the whole answer. */
export function h2Request(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: string | Uint8Array,
  options: { trailers?: OutgoingHttpHeaders } = {},
): Promise<H2Answer> {
  const stream = session.request(
    { ':path': '/', ...headers },
    {
      endStream: body === undefined && options.trailers === undefined,
      waitForTrailers: options.trailers !== undefined,
    },
  );
  if (options.trailers !== undefined) {
    const trailers = options.trailers;
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
  }
  if (body !== undefined) stream.end(body);
  else if (options.trailers !== undefined) stream.end();
  return readAnswer(stream);
}

/** Reads a stream's response to its end. */
export function readAnswer(stream: ClientHttp2Stream): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    let fields: string[] = [];
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h: IncomingHttpHeaders, _flags: number, raw: string[]) => {
      status = Number(h[':status']);
      headers = h;
      fields = raw.slice(2);
    });
    stream.on('trailers', (t: IncomingHttpHeaders) => {
      trailers = t;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status, headers, fields, body: Buffer.concat(chunks), trailers }));
    stream.on('error', reject);
    stream.on('close', () => {
      if (status === 0) reject(new Error(`stream closed without a response (code ${stream.rstCode})`));
    });
  });
}
