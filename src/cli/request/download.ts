/**
 * `wirekit request --download`: the body to a file, never an error's body; `--continue` resumes a
 * partial file with `Range: bytes=N-` (RFC 9110 §14.2) and appends a 206 answer, starts again when
 * the server ignores the range (200), and takes 416 as "already complete" (§15.5.17).
 */
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type { ClientResponse } from '../../index.js';
import type { CliIo } from '../io.js';
import { CLEAR_LINE, humanBytes, isTerminal } from '../paint.js';
import type { RequestFlags } from './args.js';
import { EXIT, statusExitCode } from './exit-codes.js';

/**
 * Where a download goes, known before the request when `-o` or `--continue` names the file, and
 * how many bytes of it are already there (asked for with Range).
 *
 * @example
 * ```ts
 * const target: DownloadTarget = { path: '/tmp/file.iso', offset: 1_048_576 };
 * ```
 */
export interface DownloadTarget {
  readonly path: string | undefined;
  readonly offset: number;
}

/**
 * Before the request: the file, and with `--continue` its size, asked for as `Range: bytes=N-`
 * (the file is `-o`, else named after the URL's last segment).
 *
 * @example
 * ```ts
 * const target = await prepareDownload(flags, io, headers);
 * ```
 */
export async function prepareDownload(
  flags: RequestFlags,
  io: CliIo,
  headers: [string, string][],
): Promise<DownloadTarget> {
  const named = flags.output ?? (flags.resume ? nameFromUrl(flags.url) : undefined);
  const path = named === undefined ? undefined : resolve(io.cwd, named);
  if (!flags.resume || path === undefined) return { path, offset: 0 };
  const offset = await stat(path).then(
    (info) => info.size,
    () => 0,
  );
  if (offset > 0) headers.push(['Range', `bytes=${offset}-`]);
  return { path, offset };
}

/**
 * After the response head: saves the body, or says on stderr why nothing was saved; resolves with
 * the exit code. A transfer cut short keeps what arrived (for `--continue`) and rejects.
 *
 * @example
 * ```ts
 * return await saveDownload(response, target, flags, io);
 * ```
 */
export async function saveDownload(
  response: ClientResponse,
  target: DownloadTarget,
  flags: RequestFlags,
  io: CliIo,
): Promise<number> {
  const say = (text: string): boolean => io.stderr.write(`${text}\n`);
  if (response.status === 416 && target.offset > 0) {
    response.body.cancel();
    return alreadyComplete(response, target, say);
  }
  if (!response.ok) {
    // Not the file: an error page saved under the file's name would pass for it (curl --fail).
    response.body.cancel();
    say(`wirekit request: ${response.status} ${response.statusText}: nothing saved`);
    return statusExitCode(response.status);
  }
  let append = false;
  if (target.offset > 0 && response.status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(?:\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (range === null || Number(range[1]) !== target.offset) {
      response.body.cancel();
      say(
        `wirekit request: asked for bytes=${target.offset}- and got Content-Range: ${response.headers.get('content-range')}: nothing saved`,
      );
      return EXIT.failure;
    }
    append = true;
  } else if (target.offset > 0) {
    say(`the server sent the whole file (${response.status}, not 206): downloading it again from the start`);
  }
  const path = target.path ?? resolve(io.cwd, freeName(io.cwd, suggestedName(response, flags.url)));
  const saved = await writeBody(response, path, append ? target.offset : 0, io);
  say(
    append
      ? `saved ${saved} more bytes to ${path} (${target.offset + saved} in all)`
      : `saved ${saved} bytes to ${path}`,
  );
  return EXIT.ok;
}

/** 416 to `bytes=N-`: complete when the server's size (`Content-Range: bytes *\/N`) is the file's. */
function alreadyComplete(response: ClientResponse, target: DownloadTarget, say: (text: string) => boolean): number {
  const total = /^bytes \*\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
  if (total === undefined || Number(total) === target.offset) {
    say(`${target.path} is already complete (${target.offset} bytes)`);
    return EXIT.ok;
  }
  say(
    `wirekit request: ${target.path} has ${target.offset} bytes, more than the server's ${total}: nothing resumed (remove it, or download without --continue)`,
  );
  return statusExitCode(response.status);
}

/**
 * Streams the body into `path` (appended after `offset` bytes); resolves with the bytes written.
 * When the transfer fails, what arrived is flushed to the file first, so `--continue` starts after
 * it; a fresh file that got nothing is removed.
 */
async function writeBody(response: ClientResponse, path: string, offset: number, io: CliIo): Promise<number> {
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  const progress = isTerminal(io.stderr, io.env)
    ? downloadProgress(io.stderr, Number.isNaN(length) ? undefined : offset + length)
    : undefined;
  const file = createWriteStream(path, { flags: offset > 0 ? 'a' : 'w' });
  let fileError: unknown;
  file.on('error', (error) => {
    fileError ??= error;
  });
  let saved = 0;
  let failure: unknown;
  try {
    for await (const chunk of response.body) {
      if (fileError !== undefined) break;
      saved += chunk.byteLength;
      progress?.update(offset + saved);
      if (!file.write(chunk)) await once(file, 'drain');
    }
  } catch (error) {
    failure = error;
  }
  file.end();
  await finished(file).catch(() => {});
  progress?.done();
  failure = fileError ?? failure;
  if (failure === undefined) return saved;
  const size = await stat(path).then(
    (info) => info.size,
    () => 0,
  );
  if (size === 0 && offset === 0) await rm(path, { force: true });
  else if (fileError === undefined) {
    io.stderr.write(`wirekit request: download cut short: ${size} bytes in ${path} (--continue resumes it)\n`);
  }
  throw failure;
}

/**
 * The file name the answer suggests (Content-Disposition, RFC 6266), else the URL's last segment;
 * without a directory part or leading dots (nothing outside the folder, no hidden `.bashrc`), `index`
 * when empty.
 */
function suggestedName(response: ClientResponse, url: URL): string {
  const disposition = response.headers.get('content-disposition') ?? '';
  const extended = /filename\*\s*=\s*[\w-]*'[^']*'([^;\s]+)/i.exec(disposition)?.[1];
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(disposition);
  if (extended !== undefined) return safeName(decode(extended));
  if (plain !== null) return safeName(plain[1] ?? plain[2] ?? '');
  return nameFromUrl(url);
}

function nameFromUrl(url: URL): string {
  return safeName(decode(url.pathname));
}

function safeName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).replace(/^\.+/, '').trim();
  return base === '' ? 'index' : base;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `name`, or `name-1`, `name-2`… when taken: a download never overwrites a file it did not name. */
function freeName(dir: string, name: string): string {
  if (!existsSync(resolve(dir, name))) return name;
  for (let i = 1; ; i++) if (!existsSync(resolve(dir, `${name}-${i}`))) return `${name}-${i}`;
}
/**
 * A download's progress on a terminal, one line redrawn at most four times a second:
 * `  3.1 MiB of 10 MiB  31%`.
 *
 * @example
 * ```ts
 * const progress = downloadProgress(io.stderr, 10_485_760);
 * progress.update(3_250_000);
 * progress.done();
 * ```
 */
function downloadProgress(
  out: NodeJS.WritableStream,
  total: number | undefined,
  now: () => number = Date.now,
): { update(bytes: number): void; done(): void } {
  let drawnAt = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(bytes) {
      const at = now();
      if (at - drawnAt < 250) return;
      drawnAt = at;
      drawn = true;
      const of = total === undefined ? '' : ` of ${humanBytes(total)}  ${Math.floor((bytes / total) * 100)}%`;
      out.write(`${CLEAR_LINE}  ${humanBytes(bytes)}${of}`);
    },
    done() {
      if (drawn) out.write(CLEAR_LINE);
    },
  };
}
