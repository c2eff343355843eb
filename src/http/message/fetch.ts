/**
 * Converters between wirekit's messages and the WHATWG Fetch API's (`globalThis.Request` /
 * `Response`): the edge where an app meets code written for Fetch (docs/architecture.md, The Handler seam).
 */
import { Headers } from './headers.js';
import { Request } from './request.js';
import { Response } from './response.js';

/** A WHATWG Request as a wirekit Request (the body streams through, not copied; its signal aborts ours). */
export function requestFromFetch(request: globalThis.Request): Request {
  const url = new URL(request.url);
  const headers = new Headers();
  for (const [name, value] of request.headers) headers.append(name, value);
  if (!headers.has('host')) headers.set('Host', url.host);
  const body = request.body === null ? null : (request.body as unknown as AsyncIterable<Uint8Array>);
  return new Request(`${url.pathname}${url.search}`, {
    method: request.method,
    headers,
    body,
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    signal: request.signal,
  });
}

/** A wirekit Response as a WHATWG Response (streamed bodies become a ReadableStream). */
export function responseToFetch(response: Response): globalThis.Response {
  const headers = new globalThis.Headers();
  for (const [name, value] of response.headers) headers.append(name, value);
  const content = response.takeContent();
  const nullBody =
    response.status === 204 || response.status === 205 || response.status === 304 || response.status < 200;
  let body: ConstructorParameters<typeof globalThis.Response>[0] = null;
  if (!nullBody && content !== null) {
    body = typeof content === 'string' || content instanceof Uint8Array ? content : streamOf(content);
  }
  const init: globalThis.ResponseInit = { status: response.status, statusText: response.statusText, headers };
  return response.status < 200
    ? new globalThis.Response(null, { ...init, status: 200 })
    : new globalThis.Response(body, init);
}

/** A WHATWG Response as a wirekit Response (a handler may return either). */
export function responseFromFetch(response: globalThis.Response): Response {
  const headers = new Headers();
  for (const [name, value] of response.headers) headers.append(name, value);
  const body = response.body === null ? null : (response.body as unknown as AsyncIterable<Uint8Array>);
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** A wirekit Request as a WHATWG Request, for handing to Fetch-based code. */
export function requestToFetch(request: Request): globalThis.Request {
  const headers = new globalThis.Headers();
  for (const [name, value] of request.headers) headers.append(name, value);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const init: globalThis.RequestInit & { duplex?: 'half' } = { method: request.method, headers };
  if (hasBody) {
    init.body = streamOf(request.body);
    init.duplex = 'half';
  }
  return new globalThis.Request(request.url, init);
}

function streamOf(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
