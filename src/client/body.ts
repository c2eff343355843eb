/**
 * Request bodies: what users may pass, what dispatchers take ({@link DispatchBody}) and what the
 * connection writes ({@link WireBody}).
 */
import { WirekitError } from '../errors.js';
import type { DispatchBody } from './types.js';

/**
 * Everything `request()` accepts as a body. Forms are encoded here (urlencoded, or multipart by the
 * runtime's own encoder: `new Response(formData)`), so the dispatch layer only sees bytes and streams.
 *
 * @example
 * ```ts
 * const body: RequestBodyInit = new URLSearchParams({ q: 'wirekit' });
 * ```
 */
export type RequestBodyInit = DispatchBody | ArrayBuffer | ArrayBufferView | URLSearchParams | FormData | undefined;

/**
 * A body ready for dispatch, and the Content-Type its form implies (if any).
 *
 * @example
 * ```ts
 * const { body, contentType } = await prepareBody(form);
 * ```
 */
export interface PreparedBody {
  readonly body: DispatchBody;
  readonly contentType: string | undefined;
}

const NO_BODY: PreparedBody = Object.freeze({ body: null, contentType: undefined });

/**
 * Turns a user body into a {@link DispatchBody}: views become bytes, `URLSearchParams` urlencoded
 * text, `FormData` a multipart Blob (with its boundary in the returned content type).
 *
 * @example
 * ```ts
 * const { body, contentType } = await prepareBody(new URLSearchParams({ q: 'wirekit' }));
 * // body 'q=wirekit', contentType 'application/x-www-form-urlencoded;charset=UTF-8'
 * ```
 */
export function prepareBody(init: RequestBodyInit): PreparedBody | Promise<PreparedBody> {
  if (init === null || init === undefined) return NO_BODY;
  if (typeof init === 'string' || init instanceof Uint8Array) return { body: init, contentType: undefined };
  if (init instanceof ArrayBuffer) return { body: new Uint8Array(init), contentType: undefined };
  if (ArrayBuffer.isView(init)) {
    return { body: new Uint8Array(init.buffer, init.byteOffset, init.byteLength), contentType: undefined };
  }
  if (init instanceof URLSearchParams) {
    return { body: init.toString(), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (init instanceof FormData) return encodeForm(init);
  if (init instanceof Blob) return { body: init, contentType: init.type === '' ? undefined : init.type };
  if (typeof init === 'object' && Symbol.asyncIterator in init) return { body: init, contentType: undefined };
  throw new WirekitError(
    'WK_ERR_INVALID_ARGUMENT',
    `unsupported request body: ${Object.prototype.toString.call(init)}`,
  );
}

async function encodeForm(form: FormData): Promise<PreparedBody> {
  const encoded = new globalThis.Response(form);
  const contentType = encoded.headers.get('content-type') ?? undefined;
  return { body: await encoded.blob(), contentType };
}

/**
 * True when the body can be sent again (a retry, a 307/308 redirect): everything but a stream.
 *
 * @example
 * ```ts
 * isReplayable('{"a":1}'); // true
 * isReplayable(fs.createReadStream('big.bin')); // false
 * ```
 */
export function isReplayable(body: DispatchBody | undefined): boolean {
  return (
    body === null ||
    body === undefined ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof Blob
  );
}

/**
 * A body as the connection writes it: nothing, bytes with a known length, or a stream.
 *
 * @example
 * ```ts
 * const wire: WireBody = toWire('hello', 'POST', undefined); // { kind: 'bytes', … }
 * ```
 */
export type WireBody =
  | { readonly kind: 'none'; readonly length: 0 | undefined }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | {
      readonly kind: 'stream';
      readonly source: AsyncIterable<Uint8Array | string>;
      /** Known length (Blob size or the caller's Content-Length), or undefined for chunked. */
      readonly length: number | undefined;
    };

const NONE: WireBody = Object.freeze({ kind: 'none', length: undefined });
const EMPTY: WireBody = Object.freeze({ kind: 'none', length: 0 });

/** Methods whose requests carry a body by convention: with none, they say `Content-Length: 0` (RFC 9110 §8.6). */
const EXPECTS_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The wire form of `body`. `declaredLength` is the caller's Content-Length, if any: a stream is then
 * sent under it (and must match it) instead of being chunked.
 *
 * @example
 * ```ts
 * toWire('hi', 'POST', undefined); // { kind: 'bytes', bytes: <68 69> }
 * ```
 */
export function toWire(body: DispatchBody | undefined, method: string, declaredLength: number | undefined): WireBody {
  if (body === null || body === undefined) return EXPECTS_BODY.has(method) ? EMPTY : NONE;
  if (typeof body === 'string') return { kind: 'bytes', bytes: Buffer.from(body, 'utf8') };
  if (body instanceof Uint8Array) return { kind: 'bytes', bytes: body };
  if (body instanceof Blob) {
    return { kind: 'stream', source: body.stream() as unknown as AsyncIterable<Uint8Array>, length: body.size };
  }
  return { kind: 'stream', source: body, length: declaredLength };
}

/**
 * The Content-Length the caller set in flat `headers`, if any (the serializer writes framing itself).
 *
 * @throws WirekitError `WK_ERR_INVALID_ARGUMENT` for a value that is not a byte count.
 * @example
 * ```ts
 * declaredLength(['content-length', '5']); // 5
 * ```
 */
export function declaredLength(headers: readonly string[]): number | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length !== 14 || name.toLowerCase() !== 'content-length') continue;
    const value = (headers[i + 1] as string).trim();
    if (!/^\d{1,15}$/.test(value)) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `Content-Length "${value}"`);
    return Number(value);
  }
  return undefined;
}
