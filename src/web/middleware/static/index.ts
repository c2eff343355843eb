/** Static files: `serveStatic(root, options)` and the pieces it is made of, for reuse and tests. */
export { type DecodedPath, decodePath } from './decode-path.js';
export type { ListingJsonEntry } from './listing.js';
export { contentTypeFor, loadMimeDatabase } from './mime.js';
export { DEFAULT_IMMUTABLE, type DotfilesPolicy, type StaticOptions } from './options.js';
export { type ByteRange, parseRange, type RangeRequest } from './range.js';
export { serveStatic } from './serve-static.js';
