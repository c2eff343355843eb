/** Request fields in the forms users give them, as the flat `[name, value, …]` arrays the wire wants. */
import { Headers, type HeadersInit } from '../http/message/headers.js';

/**
 * Every form of request headers the client accepts.
 *
 * @example
 * ```ts
 * const headers: HeadersLike = [['accept', 'text/html'], ['x-id', '7']];
 * ```
 */
export type HeadersLike = HeadersInit | readonly string[] | globalThis.Headers;

const NO_HEADERS: readonly string[] = Object.freeze([]);

/**
 * Headers in any accepted form as flat `[name, value, …]` (validated later, by the serializer).
 *
 * @example
 * ```ts
 * flattenHeaders({ accept: 'application/json', 'x-tags': ['a', 'b'] });
 * // ['accept', 'application/json', 'x-tags', 'a', 'x-tags', 'b']
 * ```
 */
export function flattenHeaders(init: HeadersLike | undefined): readonly string[] {
  if (init === undefined) return NO_HEADERS;
  if (init instanceof Headers) return [...init.raw()];
  if (Array.isArray(init) && (init.length === 0 || typeof init[0] === 'string')) return [...(init as string[])];
  const out: string[] = [];
  if (Symbol.iterator in init) {
    for (const [name, value] of init as Iterable<readonly [string, string]>) out.push(name, value);
    return out;
  }
  for (const [name, value] of Object.entries(init as Record<string, string | number | readonly string[] | undefined>)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) out.push(name, item);
    else out.push(name, String(value));
  }
  return out;
}

/**
 * True when flat `headers` has a field `name` (lower case).
 *
 * @example
 * ```ts
 * hasHeader(['Content-Type', 'text/plain'], 'content-type'); // true
 * ```
 */
export function hasHeader(headers: readonly string[], name: string): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    const field = headers[i] as string;
    if (field.length === name.length && field.toLowerCase() === name) return true;
  }
  return false;
}

/**
 * The `timeout=N` of a `Keep-Alive` response field in flat `headers`, in milliseconds.
 *
 * @example
 * ```ts
 * keepAliveHintMs(['Keep-Alive', 'timeout=5, max=100']); // 5000
 * ```
 */
export function keepAliveHintMs(headers: readonly string[]): number | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length !== 10 || name.toLowerCase() !== 'keep-alive') continue;
    const match = /(?:^|[\s,;])timeout\s*=\s*"?(\d+)/i.exec(headers[i + 1] as string);
    if (match !== null) return Number(match[1]) * 1000;
  }
  return undefined;
}
