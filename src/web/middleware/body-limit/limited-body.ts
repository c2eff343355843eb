import { readBytes, readJson, readText } from '../../../http/message/body.js';
import { Request } from '../../../http/message/request.js';
import { PayloadTooLargeError } from '../../http-error.js';

type BodyGetter = (this: Request) => AsyncIterable<Uint8Array>;

const PROTOTYPE_BODY = Object.getOwnPropertyDescriptor(Request.prototype, 'body')?.get as BodyGetter;

/**
 * Makes every reader of `request`'s body count what it reads and fail with a 413
 * {@link PayloadTooLargeError} past `maxBytes`: the stream (`body`, which `form()` reads too) and
 * `text()`, `json()`, `bytes()`. Request keeps its body in a private field and has no hook to wrap
 * it, so the readers are shadowed on this one instance; applied twice, the limits stack (each
 * wrapper reads through the previous one).
 *
 * @example
 * ```ts
 * limitBody(c.req.raw, 1024);
 * await c.req.text(); // throws PayloadTooLargeError once a 1025th byte arrives
 * ```
 */
export function limitBody(request: Request, maxBytes: number): void {
  const previous = (Object.getOwnPropertyDescriptor(request, 'body')?.get as BodyGetter | undefined) ?? PROTOTYPE_BODY;
  const take = (): AsyncIterable<Uint8Array> => countBytes(previous.call(request), maxBytes);
  Object.defineProperties(request, {
    body: { get: take, configurable: true },
    bytes: { value: () => readBytes(take(), request.maxBodyBytes), configurable: true, writable: true },
    text: { value: () => readText(take(), request.maxBodyBytes), configurable: true, writable: true },
    json: {
      value: () => readJson(take(), request.maxBodyBytes, true, request.maxJsonDepth),
      configurable: true,
      writable: true,
    },
  });
}

/**
 * Passes chunks through until more than `maxBytes` went by, then throws. Throwing inside the
 * `for await` returns the source iterator, so the server's body stream is cancelled: the
 * connection then drops the rest of a small announced body or closes (never reads it as a request).
 */
async function* countBytes(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge(maxBytes);
    yield chunk;
  }
}

/**
 * The error every path of the limit throws (the App maps it to a 413 answer).
 *
 * @example
 * ```ts
 * throw tooLarge(1024); // 413 "body larger than 1024 bytes"
 * ```
 */
export function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`body larger than ${maxBytes} bytes`);
}
