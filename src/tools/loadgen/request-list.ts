/**
 * Request lists (`wirekit bench --requests FILE`): one JSON object per line, blank lines and lines
 * starting with `#` ignored.
 *
 * ```
 * # the mix, sent in turn on every connection
 * {"path": "/"}
 * {"path": "/users/1", "headers": {"accept": "application/json"}}
 * {"method": "POST", "path": "/echo", "headers": {"content-type": "application/json"}, "body": "{\"a\":1}"}
 * {"url": "http://127.0.0.1:8081/health"}
 * ```
 *
 * Keys: `url` (absolute) or `path` (resolved against the base URL given on the command line),
 * `method` (default GET, POST with a body), `headers` (an object, or `[name, value]` pairs),
 * `body` (UTF-8 text) or `bodyBase64`.
 */
import { WirekitError } from '../../errors.js';
import type { LoadTarget } from './options.js';

/** Most entries a list may hold (every one is serialized before the test). */
export const MAX_REQUEST_LIST_ENTRIES = 10_000;

/**
 * Parses a request list; `base` resolves entries that give a `path`.
 *
 * @throws WirekitError `WK_ERR_INVALID_ARGUMENT` naming the line of a malformed entry.
 * @example
 * ```ts
 * parseRequestList('{"path":"/a"}\n{"method":"POST","path":"/b","body":"x"}', 'http://127.0.0.1:8080');
 * ```
 */
export function parseRequestList(text: string, base?: string): LoadTarget[] {
  const targets: LoadTarget[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    if (targets.length >= MAX_REQUEST_LIST_ENTRIES) throw invalid(i, `more than ${MAX_REQUEST_LIST_ENTRIES} entries`);
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw invalid(i, 'not a JSON object');
    }
    targets.push(toTarget(entry, i, base));
  }
  if (targets.length === 0) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'the request list has no entry');
  return targets;
}

function toTarget(entry: unknown, line: number, base: string | undefined): LoadTarget {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalid(line, 'not a JSON object');
  const e = entry as Record<string, unknown>;
  const target: LoadTarget = { url: urlOf(e, line, base) };
  if (e.method !== undefined) target.method = stringField(e, 'method', line);
  if (e.headers !== undefined) target.headers = headersOf(e.headers, line);
  if (e.body !== undefined) target.body = stringField(e, 'body', line);
  if (e.bodyBase64 !== undefined) target.body = Buffer.from(stringField(e, 'bodyBase64', line), 'base64');
  return target;
}

function urlOf(e: Record<string, unknown>, line: number, base: string | undefined): string {
  if (e.url !== undefined) return stringField(e, 'url', line);
  const path = e.path === undefined ? undefined : stringField(e, 'path', line);
  if (path === undefined) throw invalid(line, 'needs "url" or "path"');
  if (base === undefined) throw invalid(line, '"path" needs a base URL on the command line');
  return new URL(path, base).href;
}

function stringField(e: Record<string, unknown>, key: string, line: number): string {
  const value = e[key];
  if (typeof value !== 'string') throw invalid(line, `"${key}" must be a string`);
  return value;
}

function headersOf(value: unknown, line: number): [string, string][] {
  const pairs = Array.isArray(value)
    ? value
    : typeof value === 'object' && value !== null
      ? Object.entries(value)
      : undefined;
  if (pairs === undefined) throw invalid(line, '"headers" must be an object or [name, value] pairs');
  return pairs.map((pair: unknown) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw invalid(line, 'every header needs a string name and value');
    }
    return [pair[0], pair[1]];
  });
}

function invalid(line: number, why: string): WirekitError {
  return new WirekitError('WK_ERR_INVALID_ARGUMENT', `request list line ${line + 1}: ${why}`);
}
