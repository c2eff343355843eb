import { HttpError } from '../../http-error.js';
import { isSafeName } from './decode-path.js';
import type { FileLookup, FoundDirectory } from './file-lookup.js';

/** One row of a directory listing. */
export interface ListingEntry {
  readonly name: string;
  readonly type: 'file' | 'directory';
  /** Bytes; 0 for directories. */
  readonly size: number;
  readonly mtimeMs: number;
}

/** Sort key and order of a listing (`?sort=size&order=desc`). */
export interface ListingSort {
  readonly key: 'name' | 'size' | 'mtime';
  readonly order: 'asc' | 'desc';
}

/** The entries of a directory and how many were left out past the limit. */
export interface Listing {
  readonly entries: readonly ListingEntry[];
  readonly omitted: number;
}

/**
 * Reads a directory for a listing. Each entry goes through the same lookup as a request for it, so
 * the listing shows exactly what can be fetched: no dotfiles unless allowed, no symlink that leaves
 * the root, no name our path decoder would refuse (it could not be linked to). At most `max` entries
 * are looked at (by name), so a huge directory costs a bounded number of stat calls. The names are
 * read through a checked descriptor (see `FileLookup.list`). Undefined when the directory is gone
 * or was replaced since the lookup; a 403 HttpError when the server may not read it.
 *
 * @example
 * ```ts
 * const { entries } = (await readListing(lookup, found, ['docs'], 5000)) ?? { entries: [], omitted: 0 };
 * ```
 */
export async function readListing(
  lookup: FileLookup,
  dir: FoundDirectory,
  segments: readonly string[],
  max: number,
): Promise<Listing | undefined> {
  const all = await lookup.list(dir);
  if (!Array.isArray(all)) {
    if (all.kind === 'forbidden') throw new HttpError(403);
    return undefined;
  }
  const names = all.filter(isSafeName).sort();
  const shown = names.slice(0, max);
  const found = await Promise.all(shown.map((name) => lookup.find([...segments, name])));
  const entries: ListingEntry[] = [];
  found.forEach((entry, i) => {
    const name = shown[i] as string;
    if (entry.kind === 'file') entries.push({ name, type: 'file', size: entry.size, mtimeMs: entry.mtimeMs });
    if (entry.kind === 'directory') entries.push({ name, type: 'directory', size: 0, mtimeMs: entry.mtimeMs });
  });
  return { entries, omitted: names.length - shown.length };
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * The sort a query asks for (`sort=name|size|mtime`, `order=asc|desc`); name ascending by default.
 *
 * @example
 * ```ts
 * sortFromQuery(new URLSearchParams('sort=size&order=desc')); // { key: 'size', order: 'desc' }
 * ```
 */
export function sortFromQuery(query: URLSearchParams): ListingSort {
  const key = query.get('sort');
  const order = query.get('order') === 'desc' ? 'desc' : 'asc';
  return { key: key === 'size' || key === 'mtime' ? key : 'name', order };
}

/**
 * Sorts entries: directories first, then by the key (ties by name), the same order the page's script gives.
 *
 * @example
 * ```ts
 * sortEntries(listing.entries, { key: 'mtime', order: 'desc' }); // newest first, folders on top
 * ```
 */
export function sortEntries(entries: readonly ListingEntry[], sort: ListingSort): ListingEntry[] {
  const sign = sort.order === 'desc' ? -1 : 1;
  return [...entries].sort((a, b) => {
    const dirs = Number(b.type === 'directory') - Number(a.type === 'directory');
    if (dirs !== 0) return dirs;
    const byKey =
      sort.key === 'name'
        ? collator.compare(a.name, b.name)
        : sort.key === 'size'
          ? a.size - b.size
          : a.mtimeMs - b.mtimeMs;
    return sign * byKey || collator.compare(a.name, b.name);
  });
}
