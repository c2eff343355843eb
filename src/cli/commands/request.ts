/**
 * `wirekit request [METHOD] URL [items]`: one HTTP request from the command line, httpie style, on
 * the public client API (`Agent`, `request`, an interceptor to show each hop with `-v`).
 */
import { createWriteStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  Agent,
  type AgentOptions,
  type ClientResponse,
  type DispatchRequest,
  type Interceptor,
  isWirekitError,
  request,
  TimeoutError,
  withInterceptors,
} from '../../index.js';
import type { CliIo, Command } from '../io.js';
import { UsageError } from '../usage-error.js';
import { packageVersion } from '../version.js';

const HELP = `Usage: wirekit request [METHOD] URL [ITEM ...] [options]

Sends one HTTP request and prints the response body: pretty, coloured JSON on a terminal, the
bytes as received when piped. METHOD is GET, or POST when data items are given.
URL may be short: ':8080/path' is http://localhost:8080/path, 'example.com' is http://example.com.
Sends 'User-Agent: wirekit/<version>' and 'Accept: */*' unless header items say otherwise.

Items:
  Name:value          request header ('Name:' sends an empty value)
  key==value          query parameter added to the URL
  key=value           string field: JSON {"key": "value"}, or a form field with --form
  key:=json           raw JSON field (count:=3, tags:='["a","b"]', ok:=true)
  key@file            file field of a multipart form (with --form)
  @file               the request body read from a file ('@-' reads standard input)

Options:
  -j, --json              send fields as a JSON object (the default when there are fields);
                          sends JSON Content-Type and Accept headers even without fields
  -f, --form              send fields as a form (urlencoded; multipart when a file is attached)
  -v, --verbose           print the request and response heads of every hop (on stderr)
      --timings           print one line on stderr: dns, connect, tls, ttfb, total in ms
  -d, --download          save the body to a file (name from -o, Content-Disposition or the URL)
  -o, --output <file>     the file for --download
      --timeout <s>       give up after this many seconds in total, every redirect and the
                          body included (default: no limit)
  -F, --follow            follow redirects
      --max-redirects <n> redirects followed with --follow (default 30)
  -k, --insecure          do not verify the server's TLS certificate
      --ca <file>         also trust this CA certificate (PEM)
      --proxy <url>       tunnel through this HTTP proxy (default: HTTP(S)_PROXY and NO_PROXY)
      --http2             offer HTTP/2 by ALPN on https: URLs (HTTP/1.1 if the server declines)
  -h, --help              show this help

Exit codes:
  0  the response is 1xx or 2xx        4  4xx
  2  usage error                       5  5xx
  3  3xx (a redirect not followed)     6  network, TLS, timeout or protocol failure

Examples:
  wirekit request :8080/users/1
  wirekit request POST :8080/echo name=wirekit tags:='["fast"]' X-Trace:1 --timings
  wirekit request PUT example.com/upload @photo.jpg Content-Type:image/jpeg
  wirekit request --form POST :8080/upload title=cat photo@cat.jpg
  wirekit request -d https://example.com/file.tar.gz -o file.tar.gz
`;

type Item =
  | { kind: 'header'; name: string; value: string }
  | { kind: 'query'; name: string; value: string }
  | { kind: 'field'; name: string; value: unknown }
  | { kind: 'file'; name: string; path: string }
  | { kind: 'body'; path: string };

interface Flags {
  method: string | undefined;
  url: URL;
  items: Item[];
  json: boolean;
  form: boolean;
  verbose: boolean;
  timings: boolean;
  download: boolean;
  output: string | undefined;
  timeoutMs: number;
  maxRedirections: number;
  insecure: boolean;
  ca: string | undefined;
  proxy: string | undefined;
  http2: boolean;
}

const SEPARATORS = [':=', '==', ':', '=', '@'] as const;

function parseItem(text: string): Item {
  if (text.startsWith('@')) return { kind: 'body', path: text.slice(1) };
  for (let i = 1; i < text.length; i++) {
    const sep = SEPARATORS.find((s) => text.startsWith(s, i));
    if (sep === undefined) continue;
    const name = text.slice(0, i);
    const value = text.slice(i + sep.length);
    switch (sep) {
      case ':':
        return { kind: 'header', name, value: value.trim() };
      case '==':
        return { kind: 'query', name, value };
      case '=':
        return { kind: 'field', name, value };
      case '@':
        return { kind: 'file', name, path: value };
      case ':=':
        try {
          return { kind: 'field', name, value: JSON.parse(value) as unknown };
        } catch {
          throw new UsageError(`${name}:= wants JSON, got ${value}`);
        }
    }
  }
  throw new UsageError(`not an item: ${text} (see wirekit request --help)`);
}

function parseUrl(text: string): URL {
  let href = text;
  if (href.startsWith(':')) href = `http://localhost${href.startsWith(':/') ? href.slice(1) : href}`;
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(href)) href = `http://${href}`;
  try {
    return new URL(href);
  } catch {
    throw new UsageError(`not a URL: ${text}`);
  }
}

function parseFlags(args: readonly string[]): Flags {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      json: { type: 'boolean', short: 'j', default: false },
      form: { type: 'boolean', short: 'f', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
      timings: { type: 'boolean', default: false },
      download: { type: 'boolean', short: 'd', default: false },
      output: { type: 'string', short: 'o' },
      timeout: { type: 'string' },
      follow: { type: 'boolean', short: 'F', default: false },
      'max-redirects': { type: 'string' },
      insecure: { type: 'boolean', short: 'k', default: false },
      http2: { type: 'boolean', default: false },
      ca: { type: 'string' },
      proxy: { type: 'string' },
    },
  });
  if (values.json && values.form) throw new UsageError('--json and --form exclude each other');
  const [first, ...rest] = positionals;
  if (first === undefined) throw new UsageError('a URL is required (see wirekit request --help)');
  const hasMethod = /^[A-Z]+$/.test(first) && rest.length > 0;
  const urlText = hasMethod ? rest.shift() : first;
  const timeout = values.timeout === undefined ? 0 : Number(values.timeout);
  if (!(timeout >= 0) || !Number.isFinite(timeout)) throw new UsageError(`invalid --timeout "${values.timeout}"`);
  const maxRedirects = values['max-redirects'] === undefined ? 30 : Number(values['max-redirects']);
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) throw new UsageError('invalid --max-redirects');
  return {
    method: hasMethod ? first : undefined,
    url: parseUrl(urlText as string),
    items: rest.map(parseItem),
    json: values.json === true,
    form: values.form === true,
    verbose: values.verbose === true,
    timings: values.timings === true,
    download: values.download === true || values.output !== undefined,
    output: values.output,
    timeoutMs: timeout * 1000,
    maxRedirections: values.follow === true || values['max-redirects'] !== undefined ? maxRedirects : 0,
    insecure: values.insecure === true,
    http2: values.http2 === true,
    ca: values.ca,
    proxy: values.proxy,
  };
}

/** The request body and the fields it implies, from the data items. */
async function buildBody(flags: Flags, io: CliIo, headers: [string, string][]) {
  const fields = flags.items.filter((i) => i.kind === 'field' || i.kind === 'file');
  const bodyFile = flags.items.find((i) => i.kind === 'body');
  if (bodyFile !== undefined && fields.length > 0) throw new UsageError('@file cannot be combined with fields');
  if (bodyFile !== undefined)
    return bodyFile.path === '-' ? readAll(io.stdin) : readFile(resolve(io.cwd, bodyFile.path));
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
    else if (f.kind === 'file')
      form.append(f.name, new Blob([await readFile(resolve(io.cwd, f.path))]), basename(f.path));
  }
  return form;
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

/** What curl and httpie send by default; added after the header items, so those win. */
function addDefaultHeaders(flags: Flags, headers: [string, string][]): void {
  if (flags.json) askForJson(headers);
  setDefault(headers, 'Accept', '*/*');
  setDefault(headers, 'User-Agent', `wirekit/${packageVersion()}`);
}

async function readCa(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`--ca: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The --timeout deadline: one signal for the whole command. `totalTimeoutMs` would not do: each
 * redirect hop starts its own.
 */
function commandDeadline(ms: number): { signal: AbortSignal | undefined; clear: () => void } {
  if (ms === 0) return { signal: undefined, clear: () => {} };
  const controller = new AbortController();
  const reason = new TimeoutError('WK_ERR_TOTAL_TIMEOUT', `no complete response within ${ms / 1000} s (--timeout)`);
  const timer = setTimeout(() => controller.abort(reason), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** The error to report: for an abort by the --timeout deadline, the timeout itself. */
function reported(error: unknown, deadline: AbortSignal | undefined): unknown {
  const byDeadline = deadline?.aborted === true && isWirekitError(error, 'WK_ERR_ABORTED');
  return byDeadline && error.cause === deadline.reason ? error.cause : error;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

// ---- output ----

type Paint = (code: number, text: string) => string;

function painter(stream: { isTTY?: boolean }, env: CliIo['env']): Paint {
  const on = stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return (code, text) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
}

/** Pretty JSON with keys, strings, numbers and literals coloured. */
function colourJson(value: unknown, paint: Paint): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.replace(
    /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g,
    (match, str: string | undefined, colon: string | undefined, literal: string | undefined) => {
      if (str !== undefined) return colon === undefined ? paint(32, str) : `${paint(34, str)}${colon}`;
      return paint(literal === undefined ? 33 : 35, match);
    },
  );
}

function requestHead(request: DispatchRequest, paint: Paint): string {
  let out = `${paint(36, request.method)} ${request.path} HTTP/1.1\n`;
  out += `${paint(90, 'Host')}: ${new URL(request.origin).host}\n`;
  for (let i = 0; i < request.headers.length; i += 2)
    out += `${paint(90, request.headers[i] as string)}: ${request.headers[i + 1]}\n`;
  const body = request.body;
  const length =
    typeof body === 'string'
      ? Buffer.byteLength(body)
      : body instanceof Uint8Array
        ? body.byteLength
        : body instanceof Blob
          ? body.size
          : undefined;
  if (length !== undefined) out += `${paint(90, 'Content-Length')}: ${length}\n`;
  else if (body !== null && body !== undefined) out += `${paint(90, 'Transfer-Encoding')}: chunked\n`;
  return `${out}\n`;
}

function responseHead(response: ClientResponse, paint: Paint): string {
  const colour = response.status >= 400 ? 31 : response.status >= 300 ? 33 : 32;
  // HTTP/2 has no reason phrase: `HTTP/2.0 200`, as curl prints `HTTP/2 200`.
  const status = response.statusText === '' ? String(response.status) : `${response.status} ${response.statusText}`;
  let out = `HTTP/${response.version} ${paint(colour, status)}\n`;
  for (const [name, value] of response.headers) out += `${paint(90, name)}: ${value}\n`;
  return `${out}\n`;
}

function timingsLine(response: ClientResponse): string {
  const t = response.timings;
  const ms = (n: number): string => `${n.toFixed(1)}ms`;
  return `dns ${ms(t.dns)}  connect ${ms(t.connect)}  tls ${ms(t.tls)}  ttfb ${ms(t.ttfb)}  total ${ms(t.total)}\n`;
}

async function write(stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  if (!stream.write(data)) await new Promise((resolve) => stream.once('drain', resolve));
}

async function printBody(response: ClientResponse, io: CliIo): Promise<void> {
  const stdout = io.stdout;
  if (stdout.isTTY !== true) {
    for await (const chunk of response.body) await write(stdout, chunk);
    return;
  }
  const bytes = Buffer.from(await response.body.bytes());
  if (bytes.length === 0) return;
  if (bytes.includes(0)) {
    await write(stdout, `(binary body, ${bytes.length} bytes: use --download, or pipe it)\n`);
    return;
  }
  const text = bytes.toString('utf8');
  if (/[/+]json\b/i.test(response.headers.get('content-type') ?? '')) {
    try {
      await write(stdout, `${colourJson(JSON.parse(text), painter(stdout, io.env))}\n`);
      return;
    } catch {
      // Not JSON after all: print it as it is.
    }
  }
  await write(stdout, text.endsWith('\n') ? text : `${text}\n`);
}

async function download(response: ClientResponse, flags: Flags, io: CliIo): Promise<void> {
  const path = resolve(io.cwd, flags.output ?? freeName(io.cwd, suggestedName(response, flags.url)));
  const file = createWriteStream(path);
  let total = 0;
  try {
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      await write(file, chunk);
    }
  } finally {
    await new Promise<void>((done, fail) => file.end((error?: Error | null) => (error ? fail(error) : done())));
  }
  io.stderr.write(`saved ${total} bytes to ${path}\n`);
}

function suggestedName(response: ClientResponse, url: URL): string {
  const disposition = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(response.headers.get('content-disposition') ?? '');
  const name = basename(decodeURIComponent(disposition?.[1] ?? url.pathname));
  return name === '' || name === '/' ? 'index' : name;
}

function freeName(dir: string, name: string): string {
  if (!existsSync(resolve(dir, name))) return name;
  for (let i = 1; ; i++) if (!existsSync(resolve(dir, `${name}-${i}`))) return `${name}-${i}`;
}

/** The exit code of a final status: 0 for 1xx/2xx, else its class. */
function exitCode(status: number): number {
  if (status < 300) return 0;
  if (status < 400) return 3;
  return status < 500 ? 4 : 5;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  let flags: Flags;
  const headers: [string, string][] = [];
  let body: Awaited<ReturnType<typeof buildBody>>;
  let ca: Buffer | undefined;
  try {
    flags = parseFlags(args);
    for (const item of flags.items) {
      if (item.kind === 'header') headers.push([item.name, item.value]);
      if (item.kind === 'query') flags.url.searchParams.append(item.name, item.value);
    }
    body = await buildBody(flags, io, headers);
    addDefaultHeaders(flags, headers);
    if (flags.ca !== undefined) ca = await readCa(resolve(io.cwd, flags.ca));
  } catch (error) {
    io.stderr.write(`wirekit request: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const options: AgentOptions = { tls: { rejectUnauthorized: !flags.insecure } };
  if (ca !== undefined) options.tls = { ...options.tls, ca };
  if (flags.http2) options.allowH2 = true;
  if (flags.proxy !== undefined) options.proxy = flags.proxy;
  else options.proxyFromEnv = io.env;
  const agent = new Agent(options);
  const paint = painter(io.stderr, io.env);
  const show: Interceptor = (next) => async (hop) => {
    if (flags.verbose) io.stderr.write(requestHead(hop, paint));
    const response = await next(hop);
    if (flags.verbose) io.stderr.write(responseHead(response, paint));
    return response;
  };
  const deadline = commandDeadline(flags.timeoutMs);
  try {
    const response = await request(flags.url, {
      method: flags.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      maxRedirections: flags.maxRedirections,
      decompress: !flags.download,
      ...(deadline.signal === undefined ? {} : { signal: deadline.signal }),
      dispatcher: withInterceptors(agent, show),
    });
    if (flags.download) await download(response, flags, io);
    else await printBody(response, io);
    if (flags.timings) io.stderr.write(timingsLine(response));
    return exitCode(response.status);
  } catch (thrown) {
    const error = reported(thrown, deadline.signal);
    const code = isWirekitError(error) ? `${error.code}: ` : '';
    const message = error instanceof Error ? error.message : String(error);
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
    const detail = cause === '' || message.includes(cause) ? '' : ` (${cause})`;
    io.stderr.write(`wirekit request: ${code}${message}${detail}\n`);
    return 6;
  } finally {
    deadline.clear();
    await agent.destroy();
  }
}

/**
 * `wirekit request`.
 *
 * @example
 * ```ts
 * await requestCommand.run([':8080/users/1', '--timings'], processIo());
 * ```
 */
export const requestCommand: Command = {
  name: 'request',
  summary: 'send an HTTP request (httpie-style items, timings, downloads)',
  help: HELP,
  run,
};
