/**
 * What `wirekit request` prints, httpie's way: the parts `--print` selects (request head and body,
 * response head and body) of the final exchange, or of every redirect hop with `--all`. On a
 * terminal, heads and JSON bodies are coloured (see paint.ts for when) and JSON is formatted, a
 * binary body is not dumped, and every body ends with a newline; piped, a body is written exactly
 * as received. Messages are separated by a blank line.
 */
import type { ClientResponse, DispatchRequest, Interceptor } from '../../index.js';
import { humanBytes, type Paint, statusStyle, visible } from '../paint.js';

/**
 * The parts to print, from `--print` letters: `H` request head, `B` request body, `h` response
 * head, `b` response body.
 *
 * @example
 * ```ts
 * const parts: PrintParts = printParts('hb');
 * ```
 */
export interface PrintParts {
  readonly requestHead: boolean;
  readonly requestBody: boolean;
  readonly responseHead: boolean;
  readonly responseBody: boolean;
}

/**
 * The parts of `letters` (see {@link PrintParts}).
 *
 * @example
 * ```ts
 * printParts('Hh').responseBody; // false
 * ```
 */
export function printParts(letters: string): PrintParts {
  return {
    requestHead: letters.includes('H'),
    requestBody: letters.includes('B'),
    responseHead: letters.includes('h'),
    responseBody: letters.includes('b'),
  };
}

/** A JSON body is formatted on a terminal up to this size; a larger one is printed as it comes. */
const PRETTY_LIMIT_BYTES = 8 * 1024 * 1024;
/** A request body larger than this is summarised, not printed. */
const SHOWN_REQUEST_BODY_BYTES = 1024 * 1024;

const JSON_TYPE = /[/+]json\b/i;

/**
 * Writes messages to one stream with httpie's spacing: a blank line after a head and between a
 * body and the next message; on a terminal (`pretty`) every body ends with a newline.
 *
 * @example
 * ```ts
 * const out = new MessageWriter(io.stdout, true, painter(true));
 * await out.head('HTTP/1.1 200 OK\n');
 * await out.finish();
 * ```
 */
export class MessageWriter {
  readonly pretty: boolean;
  readonly paint: Paint;
  readonly #out: NodeJS.WritableStream;
  /** Where the output stands: nothing yet, after a head, inside a body, after a whole body. */
  #state: 'start' | 'head' | 'body' | 'after-body' = 'start';
  #endsWithNewline = true;

  constructor(out: NodeJS.WritableStream, pretty: boolean, paint: Paint) {
    this.#out = out;
    this.pretty = pretty;
    this.paint = paint;
  }

  /** A head (start line and fields, each line ending with `\n`), then the blank line. */
  async head(text: string): Promise<void> {
    await this.#write(`${this.#separator()}${text}\n`);
    this.#state = 'head';
  }

  /** A piece of the current message's body. */
  async body(chunk: string | Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    const separator = this.#state === 'after-body' ? this.#separator() : '';
    await this.#write(separator === '' ? chunk : Buffer.concat([Buffer.from(separator), Buffer.from(chunk)]));
    this.#state = 'body';
    this.#endsWithNewline = lastByte(chunk) === 0x0a;
  }

  /** The current message's body is whole: what follows is another message. */
  endBody(): void {
    if (this.#state === 'body') this.#state = 'after-body';
  }

  /** Ends the output: on a terminal, a body always ends with a newline. */
  async finish(): Promise<void> {
    if (this.pretty && (this.#state === 'body' || this.#state === 'after-body') && !this.#endsWithNewline) {
      await this.#write('\n');
    }
  }

  /** A blank line between a body and the next message (two newlines when the body has no final one). */
  #separator(): string {
    if (this.#state !== 'body' && this.#state !== 'after-body') return '';
    return this.#endsWithNewline ? '\n' : '\n\n';
  }

  async #write(data: string | Uint8Array): Promise<void> {
    if (!this.#out.write(data)) await new Promise((resolve) => this.#out.once('drain', resolve));
  }
}

function lastByte(chunk: string | Uint8Array): number | undefined {
  return typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1];
}

/**
 * Prints the exchanges of one command: each hop's request as it leaves (all of them with `all`,
 * else the final one), the heads of redirect responses with `all`, and the final response.
 *
 * @example
 * ```ts
 * const printer = new ExchangePrinter(out, printParts('hb'), { all: false, following: false });
 * const response = await request(url, { dispatcher: withInterceptors(agent, printer.interceptor) });
 * await printer.response(response);
 * ```
 */
export class ExchangePrinter {
  readonly #out: MessageWriter;
  readonly #parts: PrintParts;
  readonly #all: boolean;
  /** Requests are printed as they leave unless only the last of a redirect chain is wanted. */
  readonly #asTheyLeave: boolean;
  #last: { request: DispatchRequest; response: ClientResponse | undefined } | undefined;

  constructor(out: MessageWriter, parts: PrintParts, options: { all: boolean; following: boolean }) {
    this.#out = out;
    this.#parts = parts;
    this.#all = options.all;
    this.#asTheyLeave = options.all || !options.following;
  }

  /** Whether the final response's status line is printed. */
  get showsResponseHead(): boolean {
    return this.#parts.responseHead;
  }

  /** Sees every hop (it goes under the redirect interceptor). */
  readonly interceptor: Interceptor = (next) => async (hop) => {
    const previous = this.#last?.response;
    if (previous !== undefined && this.#all && this.#parts.responseHead) {
      await this.#out.head(responseHead(previous, this.#out.paint));
    }
    if (this.#asTheyLeave) await this.#request(hop);
    this.#last = { request: hop, response: undefined };
    const response = await next(hop);
    this.#last = { request: hop, response };
    return response;
  };

  /** The final response: its request (when held back), head and, unless `body` is false, body. */
  async response(response: ClientResponse, body = this.#parts.responseBody): Promise<void> {
    if (!this.#asTheyLeave && this.#last !== undefined) await this.#request(this.#last.request);
    if (this.#parts.responseHead) await this.#out.head(responseHead(response, this.#out.paint));
    if (body) await writeResponseBody(response, this.#out);
    this.#out.endBody();
    await this.#out.finish();
  }

  async #request(hop: DispatchRequest): Promise<void> {
    if (this.#parts.requestHead) await this.#out.head(requestHead(hop, this.#out.paint));
    if (this.#parts.requestBody) await writeRequestBody(hop, this.#out);
    this.#out.endBody();
  }
}

/**
 * The request head as sent: request line, `Host`, the fields, and the framing field the client adds.
 *
 * @example
 * ```ts
 * requestHead({ origin: 'http://a.test', path: '/', method: 'GET', headers: [] }, painter(false));
 * // 'GET / HTTP/1.1\nHost: a.test\n'
 * ```
 */
export function requestHead(request: DispatchRequest, paint: Paint): string {
  let out = `${paint('bold', visible(request.method))} ${paint('cyan', visible(request.path))} ${paint('dim', 'HTTP/1.1')}\n`;
  out += field('Host', new URL(request.origin).host, paint);
  for (let i = 0; i < request.headers.length; i += 2) {
    out += field(request.headers[i] as string, request.headers[i + 1] as string, paint);
  }
  const length = bodyLength(request.body);
  if (length !== undefined) out += field('Content-Length', String(length), paint);
  else if (request.body !== null && request.body !== undefined) out += field('Transfer-Encoding', 'chunked', paint);
  return out;
}

/**
 * The response head as received: status line and fields, the status coloured by class.
 *
 * @example
 * ```ts
 * io.stdout.write(responseHead(response, painter(true)));
 * ```
 */
export function responseHead(response: ClientResponse, paint: Paint): string {
  // HTTP/2 has no reason phrase: `HTTP/2.0 200`, as curl prints `HTTP/2 200`.
  const text =
    response.statusText === '' ? String(response.status) : `${response.status} ${visible(response.statusText)}`;
  const status = paint(statusStyle(response.status), text);
  let out = `${paint('dim', `HTTP/${response.version}`)} ${paint('bold', status)}\n`;
  for (const [name, value] of response.headers) out += field(name, value, paint);
  return out;
}

/** A field as `Name: value`; the server's text shown with its control characters escaped. */
function field(name: string, value: string, paint: Paint): string {
  return `${paint('blue', visible(name))}: ${visible(value)}\n`;
}

function bodyLength(body: DispatchRequest['body']): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  if (body instanceof Blob) return body.size;
  return undefined;
}

/**
 * Pretty JSON, keys, strings, numbers and literals coloured (httpie's palette, roughly).
 *
 * @example
 * ```ts
 * colourJson({ a: 1 }, painter(false)); // '{\n  "a": 1\n}'
 * ```
 */
export function colourJson(value: unknown, paint: Paint): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.replace(
    /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g,
    (match, str: string | undefined, colon: string | undefined, literal: string | undefined) => {
      if (str !== undefined) return colon === undefined ? paint('green', str) : `${paint('blue', str)}${colon}`;
      return paint(literal === undefined ? 'yellow' : 'magenta', match);
    },
  );
}

/** A text body for a terminal: JSON formatted when it parses, else as it is. */
function prettyText(text: string, contentType: string, paint: Paint): string {
  if (!JSON_TYPE.test(contentType)) return text;
  try {
    return colourJson(JSON.parse(text), paint);
  } catch {
    return text;
  }
}

function binaryNotice(bytes: number | undefined, paint: Paint): string {
  const size = bytes === undefined ? '' : `, ${humanBytes(bytes)}`;
  return `${paint('dim', `(binary body${size}: not shown on a terminal; use --download, or pipe it)`)}\n`;
}

async function writeRequestBody(request: DispatchRequest, out: MessageWriter): Promise<void> {
  const bytes = await shownBytes(request.body);
  if (bytes === undefined) {
    const size = request.body instanceof Blob ? `, ${humanBytes(request.body.size)}` : '';
    return out.body(out.paint('dim', `(streamed body${size})\n`));
  }
  if (!out.pretty) return out.body(bytes);
  if (bytes.includes(0)) return out.body(binaryNotice(bytes.byteLength, out.paint));
  const contentType = headerOf(request.headers, 'content-type');
  await out.body(prettyText(Buffer.from(bytes).toString('utf8'), contentType, out.paint));
}

/** The bytes of a request body that can be shown (not a stream, not over the limit). */
async function shownBytes(body: DispatchRequest['body']): Promise<Uint8Array | undefined> {
  if (body === null || body === undefined) return new Uint8Array(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return body.byteLength <= SHOWN_REQUEST_BODY_BYTES ? body : undefined;
  if (body instanceof Blob && body.size <= SHOWN_REQUEST_BODY_BYTES) return new Uint8Array(await body.arrayBuffer());
  return undefined;
}

function headerOf(flat: readonly string[], name: string): string {
  for (let i = 0; i < flat.length; i += 2) if ((flat[i] as string).toLowerCase() === name) return flat[i + 1] as string;
  return '';
}

/**
 * The response body: piped, every byte as received; on a terminal, text decoded as UTF-8 as it
 * streams (an event stream shows each event as it comes), JSON formatted once whole (up to a
 * limit), and a binary body (a NUL byte) replaced by a notice and not read further.
 */
async function writeResponseBody(response: ClientResponse, out: MessageWriter): Promise<void> {
  if (!out.pretty) {
    for await (const chunk of response.body) await out.body(chunk);
    return;
  }
  const contentType = response.headers.get('content-type') ?? '';
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  const decoder = new TextDecoder();
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  let holding = JSON_TYPE.test(contentType);
  for await (const chunk of response.body) {
    if (chunk.includes(0)) {
      response.body.cancel();
      await out.body(binaryNotice(Number.isNaN(length) ? undefined : length, out.paint));
      return;
    }
    if (holding) {
      held.push(chunk);
      heldBytes += chunk.byteLength;
      if (heldBytes <= PRETTY_LIMIT_BYTES) continue;
      holding = false;
      for (const piece of held.splice(0)) await out.body(decoder.decode(piece, { stream: true }));
      continue;
    }
    await out.body(decoder.decode(chunk, { stream: true }));
  }
  const text = holding ? Buffer.concat(held).toString('utf8') : decoder.decode();
  await out.body(holding ? prettyText(text, contentType, out.paint) : text);
}
