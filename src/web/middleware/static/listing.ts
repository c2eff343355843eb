import type { Response } from '../../../http/message/response.js';
import type { Context } from '../../context.js';
import { decodePath } from '../../router/decode.js';
import type { FoundDirectory } from './file-lookup.js';
import { type ListingEntry, readListing, sortEntries, sortFromQuery } from './listing-data.js';
import { listingHtml } from './listing-html.js';
import { acceptQuality } from './negotiate.js';
import type { StaticState } from './send-file.js';

/** One entry of the JSON listing: `mtime` is an ISO 8601 string, `size` is 0 for directories. */
export interface ListingJsonEntry {
  readonly name: string;
  readonly type: 'file' | 'directory';
  readonly size: number;
  readonly mtime: string;
}

/**
 * Answers a directory URL with a listing: JSON when `Accept` prefers `application/json` to HTML,
 * else the HTML page. Both honour `?sort=name|size|mtime&order=asc|desc`. The listing changes
 * whenever the directory does, so it is sent with `no-cache` and `Vary: Accept`. `base` is the URL
 * path of the root (mount point and prefix, still percent-encoded), for the page's title.
 * Undefined when the directory is gone (or was replaced) since it was found.
 *
 * @example
 * ```ts
 * return sendListing(c, found, '/', ['docs'], state);
 * ```
 */
export async function sendListing(
  c: Context,
  dir: FoundDirectory,
  base: string,
  segments: readonly string[],
  state: StaticState,
): Promise<Response | undefined> {
  const listing = await readListing(state.lookup, dir, segments, state.options.maxListingEntries);
  if (listing === undefined) return undefined;
  const sort = sortFromQuery(c.req.query);
  const entries = sortEntries(listing.entries, sort);
  const headers = { 'Cache-Control': 'no-cache', Vary: 'Accept' };
  const accept = c.req.header('accept');
  if (acceptQuality(accept, 'application/json') > acceptQuality(accept, 'text/html')) {
    return c.json(entries.map(toJson), 200, headers);
  }
  const shown = `${decodePath(base) ?? base}${segments.map((s) => `${s}/`).join('')}`;
  return c.html(listingHtml(shown, segments, { entries, omitted: listing.omitted }, sort), 200, headers);
}

function toJson(entry: ListingEntry): ListingJsonEntry {
  return { name: entry.name, type: entry.type, size: entry.size, mtime: new Date(entry.mtimeMs).toISOString() };
}
