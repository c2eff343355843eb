import { constants, type promises } from 'node:fs';
import { open } from 'node:fs/promises';
import { WirekitError } from '../../../errors.js';

/** A piece of a response body: literal bytes (multipart headers) or a byte range of the file (inclusive). */
export type BodySegment = Uint8Array | { readonly start: number; readonly end: number };

/** The file a body reads from, and what we told the client about it. */
export interface FileIdentity {
  readonly path: string;
  /** The inode: a file replaced by a rename is another file, even with the same size and mtime. */
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** O_NOFOLLOW: the checked real path must not have become a symlink since (0 where unsupported). */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * A response body streamed from a file: an async iterable that opens the file only when the first
 * chunk is asked for, reads `chunkBytes` at a time (the server asks for the next chunk only after
 * the socket drained, so a slow client holds at most one chunk here), and closes the handle when the
 * body ends, fails, or is abandoned: the server calls `return()` for HEAD, for bodies it will not
 * send, and when the client goes away. A HEAD or an abandoned body therefore never opens the file.
 *
 * The opened file is checked against the inode, size and mtime the head announced; if it changed in
 * between, the stream fails (the server then drops the connection instead of sending bytes that do
 * not match the Content-Length and ETag it already sent).
 *
 * @example
 * ```ts
 * const body = new FileBody(file, [{ start: 0, end: file.size - 1 }], 64 * 1024);
 * return c.body(body, 200, { 'Content-Length': String(file.size) });
 * ```
 */
export class FileBody implements AsyncIterable<Uint8Array> {
  readonly #file: FileIdentity;
  readonly #segments: readonly BodySegment[];
  readonly #chunkBytes: number;
  #handle: promises.FileHandle | undefined;
  #segment = 0;
  #position = -1;
  #done = false;

  constructor(file: FileIdentity, segments: readonly BodySegment[], chunkBytes: number) {
    this.#file = file;
    this.#segments = segments;
    this.#chunkBytes = chunkBytes;
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
    const handle = this.#handle ?? (await this.#open());
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

  async #open(): Promise<promises.FileHandle> {
    const handle = await open(this.#file.path, OPEN_FLAGS);
    this.#handle = handle;
    const stats = await handle.stat();
    if (!sameFile(stats, this.#file)) throw changed();
    return handle;
  }

  async #close(): Promise<void> {
    this.#done = true;
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) await handle.close().catch(() => {});
  }
}

/**
 * True when `a` and `b` describe the same version of a file: same inode, size and mtime.
 *
 * @example
 * ```ts
 * if (!sameFile(await handle.stat(), announced)) throw changed();
 * ```
 */
export function sameFile(
  a: Pick<FileIdentity, 'ino' | 'size' | 'mtimeMs'>,
  b: Pick<FileIdentity, 'ino' | 'size' | 'mtimeMs'>,
): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

function changed(): WirekitError {
  return new WirekitError('WK_ERR_HTTP_HANDLER', 'the file changed while it was being sent');
}
