import { WirekitError } from '../../../errors.js';
import type { Response } from '../../../http/message/response.js';
import type { Middleware, Next } from '../../compose.js';
import type { Context, HandlerResult } from '../../context.js';
import { HttpError } from '../../http-error.js';
import { mountAware } from '../../mount.js';
import { type DecodedPath, decodePath } from './decode-path.js';
import { FileLookup, type FoundDirectory, type Lookup } from './file-lookup.js';
import { sendListing } from './listing.js';
import { loadMimeDatabase } from './mime.js';
import { namesType } from './negotiate.js';
import { type ResolvedStaticOptions, resolveOptions, type StaticOptions } from './options.js';
import { type StaticState, sendFile } from './send-file.js';
import { SmallFiles } from './small-files.js';
import { NODE_FS, type StaticFs } from './static-fs.js';

/**
 * Serves the files under `root`: GET and HEAD with ETag/Last-Modified and every conditional header
 * (RFC 9110 §13), byte ranges incl. `multipart/byteranges` (§14), precompressed `.br`/`.gz`
 * siblings, Cache-Control (immutable for hashed names), index files, directory listings (HTML, or
 * JSON for `Accept: application/json`) and an optional SPA fallback. Large files stream with
 * backpressure; small ones are sent from memory.
 *
 * Safety: the path is decoded once and anything that could leave the root in any encoding is
 * refused (see `decodePath`); symlinks out of the root are treated as absent unless
 * `followSymlinks`; dotfiles are hidden by default; every file is read through a descriptor checked
 * to be inside the root, so renames and links made while serving cannot lead out of it (see
 * `FileLookup.open`). Answers never include a file-system path.
 *
 * Requests it does not serve (other methods, paths outside `prefix`, missing files) go to `next()`,
 * or with `fallthrough: false` get 405/404.
 *
 * Mounted under a path ending in `/*` (`app.use('/static/*', …)`, or inside `app.route('/static',
 * sub)`), it maps the path below that point, as Express does: `root/x` is served at `/static/x`.
 *
 * @example
 * ```ts
 * const app = new App();
 * app.get('/api/health', (c) => c.json({ ok: true }));
 * app.use(serveStatic('./public', { maxAgeSeconds: 600 }));
 * await app.listen({ port: 8080 });
 * ```
 */
export function serveStatic<V extends object = Record<string, unknown>>(
  root: string,
  options: StaticOptions = {},
): Middleware<V> {
  return serveStaticOn<V>(NODE_FS, root, options);
}

/**
 * {@link serveStatic} making its file-system calls through `fs`: tests change the tree at an exact
 * point between two calls with it. Not part of the package's API.
 *
 * @example
 * ```ts
 * app.use(serveStaticOn({ ...NODE_FS, descriptorLinks: async () => false }, 'public')); // as where /proc is absent
 * ```
 */
export function serveStaticOn<V extends object = Record<string, unknown>>(
  fs: StaticFs,
  root: string,
  options: StaticOptions = {},
): Middleware<V> {
  const resolved = resolveOptions(root, options);
  // Ready by the first request; a failure surfaces there, not here.
  loadMimeDatabase().catch(() => {});
  const lookup = new FileLookup(resolved, fs);
  const state: StaticState = {
    options: resolved,
    lookup,
    open: (file) => lookup.open(file),
    smallFiles: new SmallFiles(resolved.memoryCacheBytes),
  };
  const bare = resolved.prefix.slice(0, -1);
  return mountAware<V>((below, mountPoint) => {
    checkPrefixUnder(mountPoint, resolved.prefix);
    return serveBelow(below);
  });

  function serveBelow(below: (path: string) => string): Middleware<V> {
    return (c, next) => {
      const full = c.req.path;
      const path = below(full);
      if (!path.startsWith(resolved.prefix)) {
        // `/static` (the mount point or the prefix without its slash) is the root directory's URL
        // without the slash: redirect, as for any directory. Only a mounted path can be ''.
        if (path !== bare) return next();
        if (!isGetOrHead(c)) return notAllowed(resolved, next);
        return c.redirect(withSearch(c, `${full}/`), 301);
      }
      if (!isGetOrHead(c)) return notAllowed(resolved, next);
      const decoded = decodePath(path.slice(resolved.prefix.length));
      if (decoded === undefined) return notFound(resolved, next);
      const base = full.slice(0, full.length - path.length) + resolved.prefix;
      return serve(c as Context, next, decoded, base, state);
    };
  }
}

/**
 * A `prefix` that repeats the mount point (`app.use('/static/*', serveStatic(dir, { prefix: '/static' }))`)
 * would serve `dir/x` at `/static/static/x`: what was written before mount points were honoured, and
 * a silent 404 for every file now. Refused when registered, saying what to write instead.
 */
function checkPrefixUnder(mountPoint: string | undefined, prefix: string): void {
  if (mountPoint === undefined || !prefix.startsWith(`${mountPoint}/`)) return;
  throw new WirekitError(
    'WK_ERR_INVALID_ARGUMENT',
    `serveStatic mounted at "${mountPoint}/*" with prefix "${prefix}": paths under a mount point are relative to it, so drop the prefix (or give the part below the mount point)`,
  );
}

async function serve(
  c: Context,
  next: Next,
  decoded: DecodedPath,
  base: string,
  state: StaticState,
): Promise<HandlerResult> {
  const { options } = state;
  const found = await state.lookup.find(decoded.segments);
  if (found.kind === 'forbidden') throw new HttpError(403);
  if (found.kind === 'directory') return serveDirectory(c, next, decoded, base, found, state);
  if (found.kind === 'file' && !decoded.trailingSlash) {
    const response = await sendFile(c, { ...found, segments: decoded.segments }, state);
    if (response !== undefined) return response;
  }
  const fallback = await spaFallback(c, decoded, state);
  if (fallback !== undefined) return fallback;
  return notFound(options, next);
}

async function serveDirectory(
  c: Context,
  next: Next,
  decoded: DecodedPath,
  base: string,
  dir: FoundDirectory,
  state: StaticState,
): Promise<HandlerResult> {
  // Relative links in the page resolve against the directory only with the slash (RFC 3986 §5.2).
  if (!decoded.trailingSlash) return c.redirect(withSearch(c, `${c.req.path}/`), 301);
  for (const name of state.options.index) {
    const segments = [...decoded.segments, name];
    const index = await state.lookup.find(segments);
    if (index.kind !== 'file') continue;
    const response = await sendFile(c, { ...index, segments }, state);
    if (response !== undefined) return response;
  }
  if (!state.options.listing) return notFound(state.options, next);
  return (await sendListing(c, dir, base, decoded.segments, state)) ?? notFound(state.options, next);
}

/**
 * The SPA fallback: a page request (Accept names text/html) for a path without an extension gets
 * the app's HTML shell; asset-like paths (`/app.js`, `/logo.png`) never do, so a missing asset is
 * a 404 and not HTML parsed as script.
 */
async function spaFallback(c: Context, decoded: DecodedPath, state: StaticState): Promise<Response | undefined> {
  const shell = state.options.spa;
  if (shell === false) return undefined;
  const last = decoded.segments[decoded.segments.length - 1] ?? '';
  if (last.includes('.') || !namesType(c.req.header('accept'), 'text/html')) return undefined;
  const segments = shell.split('/').filter((s) => s !== '');
  const found: Lookup = await state.lookup.find(segments);
  if (found.kind !== 'file') return undefined;
  const response = await sendFile(c, { ...found, segments }, state);
  // The same URL answers differently by Accept (the shell, or a 404 for fetch()): caches must know.
  response?.headers.append('Vary', 'Accept');
  return response;
}

function isGetOrHead(c: Context<object>): boolean {
  const method = c.req.method;
  return method === 'GET' || method === 'HEAD';
}

function notAllowed(options: ResolvedStaticOptions, next: Next): Promise<void> {
  if (options.fallthrough) return next();
  throw new HttpError(405, 'Method Not Allowed', { headers: { Allow: 'GET, HEAD' } });
}

function notFound(options: ResolvedStaticOptions, next: Next): Promise<void> {
  if (options.fallthrough) return next();
  throw new HttpError(404);
}

/** The redirect target keeps the query (`/docs?sort=size` → `/docs/?sort=size`). */
function withSearch(c: Context<object>, path: string): string {
  const search = c.req.raw.search;
  return search === '' ? path : `${path}?${search}`;
}
