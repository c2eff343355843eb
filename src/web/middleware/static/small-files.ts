import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { type FileIdentity, sameFile } from './file-body.js';

/** A small file read whole: its bytes and the inode, size and mtime they belong to. */
export interface SmallFile extends FileIdentity {
  readonly bytes: Uint8Array;
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * Small files read whole (one open, fstat, read, close) and kept in memory up to `maxBytes` in
 * total, least recently used first out. An entry is used only while the file's inode, size and mtime
 * are what the lookup reports, so a changed file is read again (a same-size file renamed into place
 * with its old mtime has a new inode). Reading whole lets a small response
 * leave in one socket write together with its head.
 *
 * @example
 * ```ts
 * const files = new SmallFiles(16 * 1024 * 1024);
 * const file = await files.read(found); // { path, ino, size, mtimeMs, bytes }
 * ```
 */
export class SmallFiles {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, SmallFile>();
  /** Reads in flight, shared: fifty clients asking for the same cold file cause one read. */
  readonly #reading = new Map<string, Promise<SmallFile>>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /**
   * The bytes of `file`, from memory when they are still current. The inode, size and mtime
   * returned are those of the bytes read (from the open handle), which may be newer than `file`'s.
   */
  async read(file: FileIdentity): Promise<SmallFile> {
    const cached = this.#entries.get(file.path);
    if (cached !== undefined && sameFile(cached, file)) {
      // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
      this.#entries.delete(file.path);
      this.#entries.set(file.path, cached);
      return cached;
    }
    const pending = this.#reading.get(file.path);
    if (pending !== undefined) return pending;
    const reading = readWhole(file.path).then((fresh) => {
      this.#store(fresh);
      return fresh;
    });
    this.#reading.set(file.path, reading);
    try {
      return await reading;
    } finally {
      this.#reading.delete(file.path);
    }
  }

  #store(file: SmallFile): void {
    const old = this.#entries.get(file.path);
    if (old !== undefined) {
      this.#entries.delete(file.path);
      this.#bytes -= old.size;
    }
    if (file.size > this.#maxBytes) return;
    for (const [key, entry] of this.#entries) {
      if (this.#bytes + file.size <= this.#maxBytes) break;
      this.#entries.delete(key);
      this.#bytes -= entry.size;
    }
    this.#entries.set(file.path, file);
    this.#bytes += file.size;
  }
}

/** Reads a file whole through one handle, so the bytes and the stat describe the same file. */
async function readWhole(path: string): Promise<SmallFile> {
  const handle = await open(path, OPEN_FLAGS);
  try {
    const stats = await handle.stat();
    // Not from the shared pool: a cached slice would pin a whole 8 KiB slab.
    const bytes = Buffer.allocUnsafeSlow(stats.size);
    let filled = 0;
    while (filled < stats.size) {
      const { bytesRead } = await handle.read(bytes, filled, stats.size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { path, ino: stats.ino, size: filled, mtimeMs: stats.mtimeMs, bytes: bytes.subarray(0, filled) };
  } finally {
    await handle.close();
  }
}
