import type { promises } from 'node:fs';
import { WirekitError } from '../../../errors.js';
import type { FileIdentity, FoundFile, OpenResult } from './file-lookup.js';

/** A piece of a response body: literal bytes (multipart headers) or a byte range of the file (inclusive). */
export type BodySegment = Uint8Array | { readonly start: number; readonly end: number };

/** Opens a found file through the lookup's checks (see `FileLookup.open`). */
export type OpenChecked = (file: FoundFile) => Promise<OpenResult>;

/**
 * A response body streamed from a file: an async iterable that opens the file only when the first
 * chunk is asked for, reads `chunkBytes` at a time (the server asks for the next chunk only after
 * the socket drained, so a slow client holds at most one chunk here), and closes the handle when the
 * body ends, fails, or is abandoned: the server calls `return()` for HEAD, for bodies it will not
 * send, and when the client goes away. A HEAD or an abandoned body therefore never opens the file.
 *
 * The file is opened through the lookup's checks (the descriptor is the file found, inside the root)
 * and must still have the device, inode, size and mtime the head announced; if it changed in
 * between, the stream fails with `WK_ERR_FILE_CHANGED` (the server then drops the connection instead
 * of sending bytes that do not match the Content-Length and ETag it already sent). Once open, the
 * descriptor is read to the end: renames and links in the tree no longer change what is sent.
 *
 * @example
 * ```ts
 * const body = new FileBody(file, [{ start: 0, end: file.size - 1 }], 64 * 1024, (f) => lookup.open(f));
 * return c.body(body, 200, { 'Content-Length': String(file.size) });
 * ```
 */
export class FileBody implements AsyncIterable<Uint8Array> {
  readonly #file: FileIdentity;
  readonly #segments: readonly BodySegment[];
  readonly #chunkBytes: number;
  readonly #open: OpenChecked;
  #handle: promises.FileHandle | undefined;
  #segment = 0;
  #position = -1;
  #done = false;

  constructor(file: FileIdentity, segments: readonly BodySegment[], chunkBytes: number, open: OpenChecked) {
    this.#file = file;
    this.#segments = segments;
    this.#chunkBytes = chunkBytes;
    this.#open = open;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.#next(),
      return: async () => {
        await this.#close();
        return { done: true, value: undefined };
      },
      throw: async (error: unknown) => {
        await this.#close();
        throw error;
      },
    };
  }

  async #next(): Promise<IteratorResult<Uint8Array>> {
    try {
      const chunk = await this.#read();
      if (chunk !== undefined) return { done: false, value: chunk };
    } catch (error) {
      await this.#close();
      throw error;
    }
    await this.#close();
    return { done: true, value: undefined };
  }

  /** The next chunk, or undefined at the end. */
  async #read(): Promise<Uint8Array | undefined> {
    while (!this.#done) {
      const segment = this.#segments[this.#segment];
      if (segment === undefined) return undefined;
      if (segment instanceof Uint8Array) {
        this.#segment++;
        return segment;
      }
      if (this.#position === -1) this.#position = segment.start;
      if (this.#position > segment.end) {
        this.#segment++;
        this.#position = -1;
        continue;
      }
      return this.#readFile(Math.min(this.#chunkBytes, segment.end - this.#position + 1));
    }
    return undefined;
  }

  async #readFile(length: number): Promise<Uint8Array> {
    const handle = this.#handle ?? (await this.#openFile());
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, this.#position + filled);
      if (bytesRead === 0) throw changed();
      filled += bytesRead;
    }
    this.#position += length;
    return buffer;
  }

  async #openFile(): Promise<promises.FileHandle> {
    const opened = await this.#open({ kind: 'file', ...this.#file });
    if (opened.kind !== 'opened') throw changed();
    this.#handle = opened.handle;
    if (!sameFile(opened.stats, this.#file)) throw changed();
    return opened.handle;
  }

  async #close(): Promise<void> {
    this.#done = true;
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) await handle.close().catch(() => {});
  }
}

/**
 * True when `a` and `b` describe the same version of a file: same device, inode, size and mtime.
 *
 * @example
 * ```ts
 * if (!sameFile(await handle.stat(), announced)) throw changed();
 * ```
 */
export function sameFile(
  a: Pick<FileIdentity, 'dev' | 'ino' | 'size' | 'mtimeMs'>,
  b: Pick<FileIdentity, 'dev' | 'ino' | 'size' | 'mtimeMs'>,
): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** The tree changed under a response whose head is out: a race with whoever edits the files, not a fault. */
function changed(): WirekitError {
  return new WirekitError('WK_ERR_FILE_CHANGED', 'the file changed, moved or vanished while it was being sent');
}
