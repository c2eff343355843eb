import { stat } from 'node:fs/promises';
import type { Headers } from '../../../http/message/headers.js';
import type { Response } from '../../../http/message/response.js';
import type { Context } from '../../context.js';
import { evaluatePreconditions, ifRangeAllows } from './conditional.js';
import { type BodySegment, FileBody, type FileIdentity } from './file-body.js';
import { cachingHeaders, representationHeaders, validatorsOf } from './file-headers.js';
import type { FileLookup } from './file-lookup.js';
import { contentTypeFor, loadMimeDatabase } from './mime.js';
import { multipartByteranges } from './multipart.js';
import { acceptedCodings, type Coding, ENCODINGS } from './negotiate.js';
import type { ResolvedStaticOptions } from './options.js';
import { type ByteRange, parseRange } from './range.js';
import type { SmallFile, SmallFiles } from './small-files.js';

/** What sending a file needs from the middleware. */
export interface StaticState {
  readonly options: ResolvedStaticOptions;
  readonly lookup: FileLookup;
  readonly smallFiles: SmallFiles;
}

/** A file found by the lookup, with the URL segments that named it. */
export interface FoundFile extends FileIdentity {
  readonly segments: readonly string[];
}

/** The representation chosen: the file or a precompressed sibling, and its bytes when small. */
interface Selected {
  readonly file: FileIdentity;
  readonly coding: Coding | undefined;
  readonly bytes: Uint8Array | undefined;
  readonly chunkBytes: number;
}

/**
 * Answers a GET or HEAD for a file: picks the precompressed sibling `Accept-Encoding` allows,
 * evaluates the preconditions (304/412), then the Range (206, multipart, 416, or the whole 200).
 * Small files are sent from memory in one write; larger ones stream with backpressure behind a
 * Content-Length. Undefined when the file vanished in between (the caller answers not-found).
 *
 * @example
 * ```ts
 * const response = await sendFile(c, { ...found, segments: ['app.js'] }, state);
 * ```
 */
export async function sendFile(c: Context, found: FoundFile, state: StaticState): Promise<Response | undefined> {
  const { options } = state;
  const selected = await select(c, found, state);
  if (selected === undefined) return undefined;
  const name = found.segments[found.segments.length - 1] ?? '';
  const v = validatorsOf(selected.file, options);
  const method = c.req.method;
  switch (evaluatePreconditions(c.req.headers, method, v)) {
    case 'failed':
      return c.body(null, 412);
    case 'not-modified':
      return c.body(null, 304, cachingHeaders(name, v, options));
    case 'proceed':
      break;
  }
  const type = contentTypeFor(name, await loadMimeDatabase());
  const headers = representationHeaders(name, type, selected.coding, v, options);
  const size = selected.file.size;
  // Range is defined for GET only (RFC 9110 §14.2): a HEAD gets the 200 head.
  const range = method === 'GET' ? c.req.header('range') : null;
  if (range === null || !ifRangeAllows(c.req.headers, v, Date.now())) {
    return respond(c, 200, headers, selected, [{ start: 0, end: size - 1 }], size);
  }
  const request = parseRange(range, size, options.maxRanges);
  switch (request.kind) {
    case 'ignore':
      return respond(c, 200, headers, selected, [{ start: 0, end: size - 1 }], size);
    case 'unsatisfiable':
      headers.set('Content-Range', `bytes */${size}`);
      headers.delete('Content-Type');
      return c.body(null, 416, headers);
    case 'ranges':
      return respondRanges(c, headers, selected, request.ranges, type);
  }
}

function respondRanges(
  c: Context,
  headers: Headers,
  selected: Selected,
  ranges: readonly ByteRange[],
  type: string,
): Response {
  const size = selected.file.size;
  const [only] = ranges;
  if (ranges.length === 1 && only !== undefined) {
    headers.set('Content-Range', `bytes ${only.start}-${only.end}/${size}`);
    return respond(c, 206, headers, selected, ranges, only.end - only.start + 1);
  }
  const multipart = multipartByteranges(ranges, size, type);
  headers.set('Content-Type', multipart.contentType);
  return respond(c, 206, headers, selected, multipart.segments, multipart.length);
}

/** The response with its body: bytes from memory, or a file stream behind a Content-Length. */
function respond(
  c: Context,
  status: number,
  headers: Headers,
  selected: Selected,
  segments: readonly BodySegment[],
  length: number,
): Response {
  if (selected.bytes !== undefined) return c.body(fromMemory(selected.bytes, segments, length), status, headers);
  headers.set('Content-Length', String(length));
  return c.body(new FileBody(selected.file, length === 0 ? [] : segments, selected.chunkBytes), status, headers);
}

/** The body's bytes cut out of a file held in memory. */
function fromMemory(bytes: Uint8Array, segments: readonly BodySegment[], length: number): Uint8Array {
  const [first] = segments;
  if (segments.length === 1 && first !== undefined && !(first instanceof Uint8Array)) {
    return bytes.subarray(first.start, first.end + 1);
  }
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (const segment of segments) {
    const part = segment instanceof Uint8Array ? segment : bytes.subarray(segment.start, segment.end + 1);
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** The variant to send: the first precompressed sibling the client accepts, else the file itself. */
async function select(c: Context, found: FoundFile, state: StaticState): Promise<Selected | undefined> {
  if (state.options.precompressed) {
    for (const coding of acceptedCodings(c.req.header('accept-encoding'))) {
      const sibling = await siblingOf(found, coding, state);
      if (sibling !== undefined) return load(sibling, coding, state);
    }
  }
  return load(found, undefined, state);
}

async function siblingOf(found: FoundFile, coding: Coding, state: StaticState): Promise<FileIdentity | undefined> {
  const suffix = ENCODINGS.find((e) => e.coding === coding)?.suffix ?? '';
  const segments = [...found.segments];
  segments[segments.length - 1] = `${segments[segments.length - 1] ?? ''}${suffix}`;
  const sibling = await state.lookup.find(segments);
  return sibling.kind === 'file' ? sibling : undefined;
}

/**
 * Small files are read whole (from the memory cache when current). A large file is stat'ed afresh,
 * never from the stat cache: its stream checks the file against these values when it opens it, and
 * a stale size would fail the response.
 */
async function load(file: FileIdentity, coding: Coding | undefined, state: StaticState): Promise<Selected | undefined> {
  const chunkBytes = state.options.chunkBytes;
  try {
    if (file.size <= state.options.smallFileBytes) {
      const small: SmallFile = await state.smallFiles.read(file);
      if (small.size <= state.options.smallFileBytes) return { file: small, coding, bytes: small.bytes, chunkBytes };
    }
    const fresh = await stat(file.path);
    if (!fresh.isFile()) return undefined;
    const current = { path: file.path, ino: fresh.ino, size: fresh.size, mtimeMs: fresh.mtimeMs };
    return { file: current, coding, bytes: undefined, chunkBytes };
  } catch {
    return undefined;
  }
}
