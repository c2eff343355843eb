/**
 * Helpers over a {@link Response}'s content, for code that wraps answers (the App, middleware,
 * `app.request`): whether it is a stream, its size when held whole, the same answer with another
 * body, and watching a streamed body go out (the App tells `reportErrors` of a body that fails after
 * its head was sent; the access log counts what a stream sent and when it ended).
 */
import type { BodyContent, BodyInit } from './body.js';
import { Response } from './response.js';

/**
 * How a watched body ended: read to its end, failed (`error`), or abandoned (`return()` first).
 *
 * @example
 * ```ts
 * const outcome: BodyOutcome = { kind: 'complete' };
 * ```
 */
export type BodyOutcome = { kind: 'complete' } | { kind: 'failed'; error: unknown } | { kind: 'abandoned' };

/**
 * What {@link observeBody} tells.
 *
 * @example
 * ```ts
 * const observer: BodyObserver = { end: (outcome) => console.log(outcome.kind) };
 * ```
 */
export interface BodyObserver {
  /** Each chunk as the reader takes it. */
  chunk?(bytes: Uint8Array): void;
  /** Once, when the body ends one way or another. */
  end(outcome: BodyOutcome): void;
}

/**
 * `source` as is, telling `observer` of its chunks and of how it ended. `return()` reaches
 * `source`'s iterator even before the first chunk, as the server relies on for bodies it will not
 * send (a generator wrapper would not pass it on before starting).
 *
 * @example
 * ```ts
 * const counted = observeBody(stream, { chunk: (b) => (sent += b.byteLength), end: (o) => log(o.kind, sent) });
 * ```
 */
export function observeBody(source: AsyncIterable<Uint8Array>, observer: BodyObserver): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = source[Symbol.asyncIterator]();
      let ended = false;
      const end = (outcome: BodyOutcome): void => {
        if (ended) return;
        ended = true;
        observer.end(outcome);
      };
      return {
        next: () =>
          iterator.next().then(
            (result) => {
              if (result.done === true) end({ kind: 'complete' });
              else observer.chunk?.(result.value);
              return result;
            },
            (error: unknown) => {
              end({ kind: 'failed', error });
              throw error;
            },
          ),
        return: (value?: unknown) => {
          end({ kind: 'abandoned' });
          return iterator.return?.(value) ?? Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

/**
 * True when a response's content is a stream (an async iterable), not text, bytes or nothing.
 *
 * @example
 * ```ts
 * if (isStreamed(res.peekContent())) return; // its size is known only once sent
 * ```
 */
export function isStreamed(content: BodyContent): content is AsyncIterable<Uint8Array> {
  return content !== null && typeof content !== 'string' && !(content instanceof Uint8Array);
}

/**
 * A response with `response`'s status, fields and trailers and another body (the original's content
 * is taken).
 *
 * @example
 * ```ts
 * c.res = withBody(c.res, observeBody(c.res.takeContent() as AsyncIterable<Uint8Array>, observer));
 * ```
 */
export function withBody(response: Response, body: BodyInit): Response {
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  return new Response(body, response.trailers === undefined ? init : { ...init, trailers: response.trailers });
}

/**
 * The size in bytes of a body the response holds whole (text, bytes, nothing); undefined for a
 * stream, whose size is known only once it has been sent.
 *
 * @example
 * ```ts
 * knownSize(res.peekContent()); // 5 for 'héllo' (UTF-8), undefined for an async iterable
 * ```
 */
export function knownSize(content: BodyContent): number | undefined {
  if (content === null) return 0;
  if (typeof content === 'string') return Buffer.byteLength(content);
  if (content instanceof Uint8Array) return content.byteLength;
  return undefined;
}
