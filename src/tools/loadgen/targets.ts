/**
 * The request mix of a load test, serialized once before the test: every request a connection
 * sends is a precomputed buffer, so sending costs one socket write and nothing else.
 */

import { type Origin, parseOrigin } from '../../client/origin.js';
import { WirekitError } from '../../errors.js';
import { serializeRequestHead } from '../../http/codec/request-serializer.js';
import type { LoadTarget } from './options.js';

/**
 * One request, ready for the wire.
 *
 * @example
 * ```ts
 * socket.write(request.wire);
 * ```
 */
export interface WireRequest {
  readonly method: string;
  /** The URL as given (for reports). */
  readonly url: string;
  /** Head and body, as sent. */
  readonly wire: Buffer;
  /** A HEAD request: its response has no body whatever its fields say (RFC 9110 §9.3.2). */
  readonly noBody: boolean;
  /** Its position in the whole mix (for per-target counts). */
  readonly index: number;
}

/**
 * The requests of the mix that go to one origin, in the order given.
 *
 * @example
 * ```ts
 * const [group] = groupTargets(['http://127.0.0.1:8080/']);
 * console.log(group.origin.href, group.requests.length);
 * ```
 */
export interface OriginGroup {
  readonly origin: Origin;
  readonly requests: readonly WireRequest[];
}

/**
 * Serializes every target and groups them by origin (first appearance first).
 *
 * @throws WirekitError `WK_ERR_INVALID_ARGUMENT` for a URL that is not http(s) (`ws:` has its own driver),
 *   or a method, target or field the serializer refuses (its error is the `cause`).
 * @example
 * ```ts
 * groupTargets([{ url: 'http://127.0.0.1:8080/echo', method: 'POST', body: '{}' }]);
 * ```
 */
export function groupTargets(targets: readonly (string | LoadTarget)[]): OriginGroup[] {
  const groups = new Map<string, { origin: Origin; requests: WireRequest[] }>();
  targets.forEach((target, index) => {
    const init = typeof target === 'string' ? { url: target } : target;
    const url = parseTargetUrl(init.url);
    const origin = parseOrigin(url);
    let group = groups.get(origin.href);
    if (group === undefined) {
      group = { origin, requests: [] };
      groups.set(origin.href, group);
    }
    group.requests.push(serializeTarget(init, url, origin, index));
  });
  return [...groups.values()];
}

function parseTargetUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `not a URL: ${text}`, { cause });
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `${text}: WebSocket and HTTP targets cannot share a run`);
  }
  return url;
}

function serializeTarget(init: LoadTarget, url: URL, origin: Origin, index: number): WireRequest {
  const body =
    init.body === undefined
      ? undefined
      : typeof init.body === 'string'
        ? Buffer.from(init.body)
        : Buffer.from(init.body);
  const method = init.method ?? (body === undefined ? 'GET' : 'POST');
  let head: string;
  try {
    head = serializeRequestHead({
      method,
      target: `${url.pathname}${url.search}`,
      headers: flatHeaders(init.headers),
      host: origin.host,
      bodyLength: body === undefined ? (method === 'POST' || method === 'PUT' ? 0 : 'none') : body.byteLength,
    });
  } catch (cause) {
    // What the serializer refuses is a bad option here: the test has not started.
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `${method} ${init.url}: ${why}`, { cause });
  }
  const headBytes = Buffer.from(head, 'latin1');
  const wire = body === undefined ? headBytes : Buffer.concat([headBytes, body]);
  return { method, url: init.url, wire, noBody: method === 'HEAD', index };
}

function flatHeaders(headers: LoadTarget['headers']): string[] {
  if (headers === undefined) return [];
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
  const flat: string[] = [];
  for (const [name, value] of pairs as Iterable<readonly [string, string]>) flat.push(name, value);
  return flat;
}
