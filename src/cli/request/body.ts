/**
 * The request `wirekit request` sends, from its items: header and query items, the body (JSON by
 * default, a form with --form, a file with `@file`) and the default fields curl and httpie send.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { type CliIo, promptForStdin } from '../io.js';
import { UsageError } from '../usage-error.js';
import { packageVersion } from '../version.js';
import type { RequestFlags } from './args.js';

/**
 * A body as `request()` takes it, or undefined for none.
 *
 * @example
 * ```ts
 * const body: RequestBody = '{"a":1}';
 * ```
 */
export type RequestBody = string | Uint8Array | URLSearchParams | FormData | undefined;

/**
 * Header fields and the body the items ask for; query items are added to `flags.url`.
 *
 * @example
 * ```ts
 * const { headers, body } = await buildRequest(parseRequestArgs(['POST', ':8080', 'a=1']), io);
 * ```
 */
export async function buildRequest(
  flags: RequestFlags,
  io: CliIo,
): Promise<{ headers: [string, string][]; body: RequestBody }> {
  const headers: [string, string][] = [];
  for (const item of flags.items) {
    if (item.kind === 'header') headers.push([item.name, item.value]);
    if (item.kind === 'query') flags.url.searchParams.append(item.name, item.value);
  }
  const body = await buildBody(flags, io, headers);
  if (flags.json) askForJson(headers);
  setDefault(headers, 'Accept', '*/*');
  setDefault(headers, 'User-Agent', `wirekit/${packageVersion()}`);
  return { headers, body };
}

async function buildBody(flags: RequestFlags, io: CliIo, headers: [string, string][]): Promise<RequestBody> {
  const fields = flags.items.filter((i) => i.kind === 'field' || i.kind === 'file');
  const bodyFile = flags.items.find((i) => i.kind === 'body');
  if (bodyFile !== undefined && fields.length > 0) throw new UsageError('@file cannot be combined with fields');
  if (bodyFile?.path === '-') {
    promptForStdin(io, 'the request body');
    return readAll(io.stdin);
  }
  if (bodyFile !== undefined) return readItemFile(io, bodyFile.path);
  if (fields.length === 0) return undefined;
  if (!flags.form) {
    if (fields.some((f) => f.kind === 'file')) throw new UsageError('key@file needs --form');
    askForJson(headers);
    return JSON.stringify(Object.fromEntries(fields.map((f) => [f.name, f.kind === 'field' ? f.value : ''])));
  }
  if (fields.every((f) => f.kind === 'field')) {
    return new URLSearchParams(
      fields.map((f): [string, string] => [f.name, textOf(f.kind === 'field' ? f.value : '')]),
    );
  }
  const form = new FormData();
  for (const f of fields) {
    if (f.kind === 'field') form.append(f.name, textOf(f.value));
    else if (f.kind === 'file') form.append(f.name, new Blob([await readItemFile(io, f.path)]), basename(f.path));
  }
  return form;
}

async function readItemFile(io: CliIo, path: string): Promise<Buffer> {
  try {
    return await readFile(resolve(io.cwd, path));
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function setDefault(headers: [string, string][], name: string, value: string): void {
  const lower = name.toLowerCase();
  if (!headers.some(([n]) => n.toLowerCase() === lower)) headers.push([name, value]);
}

/** httpie's JSON headers: a JSON body, and JSON preferred in the answer (anything else accepted). */
function askForJson(headers: [string, string][]): void {
  setDefault(headers, 'Content-Type', 'application/json');
  setDefault(headers, 'Accept', 'application/json, */*;q=0.5');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
