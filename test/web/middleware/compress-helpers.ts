/** Shared pieces of the compression tests: sample text, an app behind compress(), decoding. */
import zlib from 'node:zlib';
import type { Response } from '../../../src/http/message/response.js';
import { App } from '../../../src/web/app.js';
import { type CompressOptions, compress } from '../../../src/web/middleware/compress/index.js';

/** Text that compresses but is not trivially repetitive. */
export function text(bytes: number): string {
  let out = '';
  for (let i = 0; out.length < bytes; i++) out += `line ${i}: ${(i * 7919).toString(36)} lorem ipsum\n`;
  return out.slice(0, bytes);
}

export const BIG = text(4096);

export function app(options: CompressOptions = {}, route?: (app: App) => void): App {
  const a = new App();
  a.use(compress(options));
  a.get('/text', (c) => c.text(BIG));
  a.get('/json', (c) => c.json({ list: BIG.split('\n') }));
  if (route !== undefined) route(a);
  return a;
}

export const get = (a: App, path: string, acceptEncoding?: string, extra: Record<string, string> = {}) =>
  a.request(path, { headers: acceptEncoding === undefined ? extra : { 'accept-encoding': acceptEncoding, ...extra } });

export async function bodyOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.bytes());
}

export function decode(encoding: string | null, bytes: Buffer): Buffer {
  switch (encoding) {
    case 'gzip':
      return zlib.gunzipSync(bytes);
    case 'br':
      return zlib.brotliDecompressSync(bytes);
    case null:
      return bytes;
    default:
      throw new Error(`unexpected encoding ${encoding}`);
  }
}

/** An async iterable of the given texts, as a handler streams them. */
export async function* chunks(parts: readonly string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}
