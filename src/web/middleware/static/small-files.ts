import type { FileHandle } from 'node:fs/promises';
import { type OpenChecked, sameFile } from './file-body.js';
import { type Forbidden, type FoundFile, MISSING, type Missing } from './file-lookup.js';

/** A small file read whole: its bytes and the device, inode, size and mtime they belong to. */
export interface SmallFile extends FoundFile {
  readonly bytes: Uint8Array;
}

/**
 * Small files read whole (one checked open, read, close) and kept in memory up to `maxBytes` in
 * total, least recently used first out. An entry is used only while the file's device, inode, size
 * and mtime are what the lookup reports, so a changed file is read again (a same-size file renamed
 * into place with its old mtime has a new inode). Every read goes through the lookup's checked open
 * (see `FileLookup.open`), so cached bytes always came from a file inside the root. Reading whole
 * lets a small response leave in one socket write together with its head.
 *
 * @example
 * ```ts
 * const files = new SmallFiles(16 * 1024 * 1024);
 * const file = await files.read(found, (f) => lookup.open(f), 1024 * 1024); // { kind: 'file', path, dev, ino, size, mtimeMs, bytes }
 * ```
 */
export class SmallFiles {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, SmallFile>();
  /** Reads in flight, shared: fifty clients asking for the same cold file cause one read. */
  readonly #reading = new Map<string, Promise<SmallFile | Missing | Forbidden>>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /**
   * The bytes of `file`, from memory when they are still current. The device, inode, size and
   * mtime returned are those of the bytes read (from the open descriptor), which may be newer than
   * `file`'s. Else why the checked open refused: `missing` (gone, replaced, moved out of the root,
   * or grown past `maxBytes` since the lookup: never read whole) or `forbidden` (the server may not
   * read it).
   */
  async read(file: FoundFile, open: OpenChecked, maxBytes: number): Promise<SmallFile | Missing | Forbidden> {
    const cached = this.#entries.get(file.path);
    if (cached !== undefined && sameFile(cached, file)) {
      // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
      this.#entries.delete(file.path);
      this.#entries.set(file.path, cached);
      return cached;
    }
    const pending = this.#reading.get(file.path);
    if (pending !== undefined) return pending;
    const reading = readWhole(file, open, maxBytes).then((fresh) => {
      if (fresh.kind === 'file') this.#store(fresh);
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

/** Reads a file whole through one checked descriptor, so the bytes and the stat describe the same file. */
async function readWhole(
  file: FoundFile,
  open: OpenChecked,
  maxBytes: number,
): Promise<SmallFile | Missing | Forbidden> {
  const opened = await open(file);
  if (opened.kind !== 'opened') return opened;
  const { handle, stats } = opened;
  try {
    if (stats.size > maxBytes) return MISSING;
    const bytes = await readAll(handle, stats.size);
    const { dev, ino, mtimeMs } = stats;
    return { kind: 'file', path: file.path, dev, ino, size: bytes.byteLength, mtimeMs, bytes };
  } finally {
    await handle.close();
  }
}

/** Up to `size` bytes from the start (fewer if the file shrank meanwhile). */
async function readAll(handle: FileHandle, size: number): Promise<Uint8Array> {
  // Not from the shared pool: a cached slice would pin a whole 8 KiB slab.
  const bytes = Buffer.allocUnsafeSlow(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return bytes.subarray(0, filled);
}
