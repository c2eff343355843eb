/**
 * Sending a streamed response body, shared by the HTTP/1.1 and HTTP/2 engines: chunks checked and
 * counted against a declared Content-Length, each written to a sink that reports backpressure,
 * trailers resolved once the body has ended.
 */
import { WirekitError } from '../../errors.js';
import { Headers, type HeadersInit } from './headers.js';
import type { Response } from './response.js';

/**
 * Where a streamed body goes: `send` returns false when the receiver is behind (then `drained`
 * resolves once it caught up, and rejects if it went away).
 *
 * @example
 * ```ts
 * const sink: BodySink = { send: (chunk) => socket.write(chunk), drained: () => once(socket, 'drain').then(() => {}) };
 * ```
 */
export interface BodySink {
  send(chunk: Uint8Array): boolean;
  drained(): Promise<void>;
}

/**
 * Writes every chunk of `body` to `sink`, waiting for it to drain when it is behind; resolves with the
 * bytes written. A chunk that is not a `Uint8Array`, or a total that differs from `declared` (a
 * Content-Length the handler set), throws `WK_ERR_HTTP_HANDLER`. A throw (or a rejected `drained`)
 * ends the iteration, which calls the body iterator's `return()`: its producer learns it was cancelled.
 *
 * @example
 * ```ts
 * const bytes = await pumpBody(response.takeContent() as AsyncIterable<Uint8Array>, undefined, sink);
 * ```
 */
export async function pumpBody(
  body: AsyncIterable<Uint8Array>,
  declared: number | undefined,
  sink: BodySink,
): Promise<number> {
  let total = 0;
  for await (const chunk of body) {
    if (!(chunk instanceof Uint8Array))
      throw new WirekitError('WK_ERR_HTTP_HANDLER', 'response body chunks must be Uint8Array');
    if (chunk.byteLength === 0) continue;
    total += chunk.byteLength;
    if (declared !== undefined && total > declared) throw lengthMismatch(declared);
    if (!sink.send(chunk)) await sink.drained();
  }
  if (declared !== undefined && total !== declared) throw lengthMismatch(declared);
  return total;
}

/**
 * A Content-Length the handler set on a streamed body (then the stream must produce exactly that),
 * or undefined when absent or not a plain decimal.
 *
 * @example
 * ```ts
 * declaredLength(response.headers.get('content-length')); // 1024, or undefined
 * ```
 */
export function declaredLength(value: string | null): number | undefined {
  if (value === null || !/^[0-9]{1,16}$/.test(value)) return undefined;
  const length = Number(value);
  return length <= Number.MAX_SAFE_INTEGER ? length : undefined;
}

/**
 * The trailer fields of `response` as flat `[name, value, …]`, its `trailers` function called now
 * (once the body has ended).
 *
 * @example
 * ```ts
 * const fields = await trailerFields(response); // ['x-checksum', 'abc']
 * ```
 */
export async function trailerFields(response: Response): Promise<readonly string[]> {
  const init = response.trailers;
  if (init === undefined) return [];
  const resolved: HeadersInit = typeof init === 'function' ? await init() : init;
  return (resolved instanceof Headers ? resolved : new Headers(resolved)).raw();
}

/**
 * A body that will never be sent (HEAD, 204, 304, a client gone): lets its producer release what it
 * holds (a file handle, a timer) by calling its iterator's `return()`.
 *
 * @example
 * ```ts
 * if (request.method === 'HEAD') releaseBody(body);
 * ```
 */
export function releaseBody(body: AsyncIterable<Uint8Array>): void {
  const iterator = body[Symbol.asyncIterator]();
  void iterator.return?.()?.catch(() => {});
}

function lengthMismatch(declared: number): WirekitError {
  return new WirekitError('WK_ERR_HTTP_HANDLER', `streamed body does not match its Content-Length ${declared}`);
}
