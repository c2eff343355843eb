import type { Headers } from '../../../http/message/headers.js';
import type { Response } from '../../../http/message/response.js';
import type { Context } from '../../context.js';
import { HttpError } from '../../http-error.js';
import { evaluatePreconditions, ifRangeAllows } from './conditional.js';
import { type BodySegment, FileBody, type OpenChecked } from './file-body.js';
import { cachingHeaders, representationHeaders, validatorsOf } from './file-headers.js';
import {
  type FileIdentity,
  type FileLookup,
  type Forbidden,
  type FoundFile,
  MISSING,
  type Missing,
} from './file-lookup.js';
import { contentTypeFor, loadMimeDatabase } from './mime.js';
import { multipartByteranges } from './multipart.js';
import { acceptedCodings, type Coding, ENCODINGS } from './negotiate.js';
import type { ResolvedStaticOptions } from './options.js';
import { type ByteRange, parseRange } from './range.js';
import type { SmallFiles } from './small-files.js';

/** What sending a file needs from the middleware. */
export interface StaticState {
  readonly options: ResolvedStaticOptions;
  readonly lookup: FileLookup;
  /** `lookup.open`, bound once: how every file is opened (see `FileLookup.open`). */
  readonly open: OpenChecked;
  readonly smallFiles: SmallFiles;
}

/** A file found by the lookup, with the URL segments that named it. */
export interface NamedFile extends FoundFile {
  readonly segments: readonly string[];
}

/** The representation chosen: the file or a precompressed sibling, and its bytes when small. */
interface Selected {
  readonly kind: 'selected';
  readonly file: FileIdentity;
  readonly coding: Coding | undefined;
  readonly bytes: Uint8Array | undefined;
  readonly chunkBytes: number;
}

/**
 * Answers a GET or HEAD for a file: picks the precompressed sibling `Accept-Encoding` allows,
 * evaluates the preconditions (304/412), then the Range (206, multipart, 416, or the whole 200).
 * Small files are sent from memory in one write; larger ones stream with backpressure behind a
 * Content-Length. The bytes always come from a descriptor checked to be inside the root (see
 * `FileLookup.open`). Undefined when the file vanished in between (the caller answers not-found);
 * a 403 HttpError when the server may not read it.
 *
 * @example
 * ```ts
 * const response = await sendFile(c, { ...found, segments: ['app.js'] }, state);
 * ```
 */
export async function sendFile(c: Context, found: NamedFile, state: StaticState): Promise<Response | undefined> {
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
    return respond(c, state, 200, headers, selected, [{ start: 0, end: size - 1 }], size);
  }
  const request = parseRange(range, size, options.maxRanges);
  switch (request.kind) {
    case 'ignore':
      return respond(c, state, 200, headers, selected, [{ start: 0, end: size - 1 }], size);
    case 'unsatisfiable':
      headers.set('Content-Range', `bytes */${size}`);
      headers.delete('Content-Type');
      return c.body(null, 416, headers);
    case 'ranges':
      return respondRanges(c, state, headers, selected, request.ranges, type);
  }
}

function respondRanges(
  c: Context,
  state: StaticState,
  headers: Headers,
  selected: Selected,
  ranges: readonly ByteRange[],
  type: string,
): Response {
  const size = selected.file.size;
  const [only] = ranges;
  if (ranges.length === 1 && only !== undefined) {
    headers.set('Content-Range', `bytes ${only.start}-${only.end}/${size}`);
    return respond(c, state, 206, headers, selected, ranges, only.end - only.start + 1);
  }
  const multipart = multipartByteranges(ranges, size, type);
  headers.set('Content-Type', multipart.contentType);
  return respond(c, state, 206, headers, selected, multipart.segments, multipart.length);
}

/** The response with its body: bytes from memory, or a file stream behind a Content-Length. */
function respond(
  c: Context,
  state: StaticState,
  status: number,
  headers: Headers,
  selected: Selected,
  segments: readonly BodySegment[],
  length: number,
): Response {
  if (selected.bytes !== undefined) return c.body(fromMemory(selected.bytes, segments, length), status, headers);
  headers.set('Content-Length', String(length));
  const body = new FileBody(selected.file, length === 0 ? [] : segments, selected.chunkBytes, state.open);
  return c.body(body, status, headers);
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

/**
 * The variant to send: the first precompressed sibling the client accepts and the server can read,
 * else the file itself.
 */
async function select(c: Context, found: NamedFile, state: StaticState): Promise<Selected | undefined> {
  if (state.options.precompressed) {
    for (const coding of acceptedCodings(c.req.header('accept-encoding'))) {
      const sibling = await loadSibling(found.segments, coding, state);
      if (sibling.kind === 'selected') return sibling;
    }
  }
  const file = await loadCurrent(found, found.segments, undefined, state);
  if (file.kind === 'forbidden') throw new HttpError(403);
  return file.kind === 'selected' ? file : undefined;
}

async function loadSibling(
  segments: readonly string[],
  coding: Coding,
  state: StaticState,
): Promise<Selected | Missing | Forbidden> {
  const suffix = ENCODINGS.find((e) => e.coding === coding)?.suffix ?? '';
  const named = [...segments];
  named[named.length - 1] = `${named[named.length - 1] ?? ''}${suffix}`;
  const sibling = await state.lookup.find(named);
  if (sibling.kind !== 'file') return MISSING;
  return loadCurrent(sibling, named, coding, state);
}

/**
 * {@link load}, and when the checked open finds the lookup stale (the file was replaced, moved, or
 * its path now leads out of the root), once more after looking again past the stat cache: a file
 * replaced within `statCacheMs` is served as it is now, a swapped-in path is absent.
 */
async function loadCurrent(
  file: FoundFile,
  segments: readonly string[],
  coding: Coding | undefined,
  state: StaticState,
): Promise<Selected | Missing | Forbidden> {
  const first = await load(file, coding, state);
  if (first.kind !== 'missing') return first;
  const again = await state.lookup.refresh(segments);
  if (again.kind === 'file') return load(again, coding, state);
  return again.kind === 'forbidden' ? again : MISSING;
}

/**
 * Small files are read whole (from the memory cache when current). A large file is opened, checked
 * and closed for the head's facts, which are those of the opened file, never of the stat cache: its
 * stream opens it again through the same checks and requires the same device, inode, size and
 * mtime, and a stale size would fail the response.
 */
async function load(
  file: FoundFile,
  coding: Coding | undefined,
  state: StaticState,
): Promise<Selected | Missing | Forbidden> {
  const { chunkBytes, smallFileBytes } = state.options;
  if (file.size <= smallFileBytes) {
    const small = await state.smallFiles.read(file, state.open, smallFileBytes);
    if (small.kind !== 'file') return small;
    return { kind: 'selected', file: small, coding, bytes: small.bytes, chunkBytes };
  }
  const opened = await state.open(file);
  if (opened.kind !== 'opened') return opened;
  await opened.handle.close();
  const { dev, ino, size, mtimeMs } = opened.stats;
  return { kind: 'selected', file: { path: file.path, dev, ino, size, mtimeMs }, coding, bytes: undefined, chunkBytes };
}
