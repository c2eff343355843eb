import { ProtocolError, WirekitError } from '../../errors.js';
import { concatBytes, utf8 } from '../../util/bytes.js';
import { BodyStream } from './body-stream.js';
import { jsonTooDeep } from './json-depth.js';
import { poisonedKey } from './json-keys.js';

/** What a request or response body can be made from. */
export type BodyInit =
  | string
  | Uint8Array
  | ArrayBuffer
  | URLSearchParams
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | null
  | undefined;

/** A body as the server writes it: text, bytes, a stream of chunks, or nothing. */
export type BodyContent = string | Uint8Array | AsyncIterable<Uint8Array> | null;

/** Default limit of buffered body reads (`text()`, `json()`, `bytes()`): 1 MiB. Streaming is unlimited. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const NO_BODY = Object.freeze({ content: null, contentType: undefined });

/** Turns a {@link BodyInit} into {@link BodyContent}, with the Content-Type it implies (if any). */
export function normalizeBody(init: BodyInit): { content: BodyContent; contentType: string | undefined } {
  // No body is the most common case (every GET): one shared answer, no object per message.
  if (init === null || init === undefined) return NO_BODY;
  if (typeof init === 'string') return { content: init, contentType: 'text/plain; charset=utf-8' };
  if (init instanceof Uint8Array) return { content: init, contentType: undefined };
  if (init instanceof ArrayBuffer) return { content: new Uint8Array(init), contentType: undefined };
  if (init instanceof URLSearchParams) {
    return { content: init.toString(), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (Symbol.asyncIterator in init) return { content: init, contentType: undefined };
  return { content: fromSyncIterable(init), contentType: undefined };
}

/** Any body content as a stream of chunks: text and bytes as one chunk, nothing as no chunk. */
export function contentStream(content: BodyContent): AsyncIterable<Uint8Array> {
  if (content === null || typeof content === 'string' || content instanceof Uint8Array) return single(content);
  return content;
}

async function* single(content: string | Uint8Array | null): AsyncGenerator<Uint8Array> {
  if (content === null) return;
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  if (bytes.byteLength > 0) yield bytes;
}

async function* fromSyncIterable(chunks: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/** Reads a whole body into one array, refusing more than `maxBytes` with a 413 ProtocolError. */
export async function readBytes(content: BodyContent, maxBytes: number = DEFAULT_MAX_BODY_BYTES): Promise<Uint8Array> {
  if (content === null) return new Uint8Array(0);
  if (typeof content === 'string') return checkSize(Buffer.from(content, 'utf8'), maxBytes);
  if (content instanceof Uint8Array) return checkSize(content, maxBytes);
  // A small body has usually arrived whole with its head: take it without an async iteration.
  const arrived = content instanceof BodyStream ? content.takeIfComplete() : undefined;
  if (arrived !== undefined)
    return checkSize(arrived.length === 1 ? (arrived[0] as Uint8Array) : concatBytes(arrived), maxBytes);
  if (content instanceof BodyStream) return readStream(content, maxBytes);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of content) {
    if (!(chunk instanceof Uint8Array))
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'body chunks must be Uint8Array');
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return chunks.length === 0 ? new Uint8Array(0) : concatBytes(chunks, total);
}

/** Reads a whole body as UTF-8 text (`maxBytes` as {@link readBytes}). */
export async function readText(content: BodyContent, maxBytes?: number): Promise<string> {
  if (typeof content === 'string' && maxBytes === undefined) return content;
  const bytes = await readBytes(content, maxBytes);
  return utf8(bytes);
}

/**
 * Reads a whole body as JSON; malformed JSON is a 400 ProtocolError `WK_ERR_INVALID_JSON`. With
 * `refusePoison` (request bodies), a `__proto__` key or a `constructor.prototype` anywhere in it is
 * a 400 `WK_ERR_JSON_PROTOTYPE_KEY` (see json-keys.ts); arrays and objects nested deeper than
 * `maxDepth` are a 400 `WK_ERR_JSON_TOO_DEEP` (see json-depth.ts; request bodies: `maxJsonDepth`).
 */
export async function readJson<T = unknown>(
  content: BodyContent,
  maxBytes?: number,
  refusePoison = false,
  maxDepth = Number.POSITIVE_INFINITY,
): Promise<T> {
  return parseJson<T>(await readText(content, maxBytes), refusePoison, maxDepth);
}

/** {@link readJson} for text already read. */
export function parseJson<T = unknown>(text: string, refusePoison = false, maxDepth = Number.POSITIVE_INFINITY): T {
  // Before parsing: a deep body costs a scan, never a parse, and no RangeError later (json-depth.ts).
  if (jsonTooDeep(text, maxDepth)) {
    throw new ProtocolError('WK_ERR_JSON_TOO_DEEP', 400, `the JSON body nests deeper than ${maxDepth} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ProtocolError('WK_ERR_INVALID_JSON', 400, 'the body is not valid JSON', { cause });
  }
  const key = refusePoison ? poisonedKey(text, value) : undefined;
  if (key !== undefined)
    throw new ProtocolError('WK_ERR_JSON_PROTOTYPE_KEY', 400, `the JSON body has a forbidden key: ${key}`);
  return value as T;
}

/** A pushed body read chunk by chunk: one promise per chunk, no async-generator machinery. */
async function readStream(stream: BodyStream, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let chunk = await stream.read(); chunk !== null; chunk = await stream.read()) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      stream.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  return chunks.length === 0 ? new Uint8Array(0) : concatBytes(chunks, total);
}

function checkSize(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  return bytes;
}

function tooLarge(maxBytes: number): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_BODY_TOO_LARGE', 413, `body larger than ${maxBytes} bytes`);
}
