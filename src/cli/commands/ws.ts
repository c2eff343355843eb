/**
 * `wirekit ws URL`: an interactive WebSocket client like websocat and wscat, on `connectWebSocket`.
 * Lines of standard input go out as text messages; messages received are printed, text as is and
 * binary in hex, or as one JSON record each with `--json`. The end of standard input closes the
 * connection (1000); the exit code says how it closed.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  connectWebSocket,
  isWirekitError,
  LineDecoder,
  TimeoutError,
  type WebSocketClientOptions,
  type WebSocketConnection,
} from '../../index.js';
import { describeError } from '../describe-error.js';
import type { CliIo, Command } from '../io.js';
import { EXIT } from '../netcat/exit-codes.js';
import { StdinSource } from '../netcat/session.js';
import { parseCommandArgs } from '../parse-args.js';
import { parseDuration, parseHeader } from '../parse-units.js';
import { UsageError } from '../usage-error.js';

/**
 * Exit codes of `wirekit ws` (the --help and the README list them).
 *
 * @example
 * ```ts
 * if ((await wsCommand.run(['ws://127.0.0.1:8080/'], io)) === WS_EXIT.closeCode) console.error('not a normal closure');
 * ```
 */
export const WS_EXIT = {
  /** Closed with 1000 (normal closure), by either side. */
  ok: EXIT.ok,
  unreachable: EXIT.unreachable,
  usage: EXIT.usage,
  timeout: EXIT.timeout,
  /** The connection dropped without a closing handshake (1006). */
  broken: EXIT.broken,
  tls: EXIT.tls,
  /** Closed with a code other than 1000 (printed on stderr). */
  closeCode: 6,
  /** The server refused the upgrade (its status is printed) or answered it wrongly. */
  refused: 7,
} as const;

const HELP = `Usage: wirekit ws URL [options]

An interactive WebSocket client (ws:// or wss://): each line of standard input is sent as a text
message, and each message received is printed on standard output: text as is, binary in hex. When
standard input ends, the connection is closed (1000) once the messages before have gone; the
command ends when the connection is closed, by either side.

Options:
  -H, --header <field>      request header 'Name: value' (repeat for more)
  -s, --subprotocol <name>  offer this subprotocol (repeat to offer several, in order)
      --json                one JSON record per line: {"type":"text","data":…} or
                            {"type":"binary","hex":…} per message, and {"type":"close","code":…,
                            "reason":…} at the end
      --binary              send each line as a binary message
      --compress            offer permessage-deflate
  -w, --timeout <dur>       connect and handshake timeout (default 10s)
      --insecure            wss: do not verify the server's certificate
      --ca <file>           wss: also trust this CA certificate (PEM)
  -v, --verbose             say what was agreed (subprotocol, extensions) and how it closed, on stderr
  -h, --help                show this help

Exit codes:
  0  closed with 1000 (normal closure)
  1  could not connect: refused, unreachable, unknown host
  2  usage error
  3  timeout: connect or handshake
  4  the connection dropped without a closing handshake (1006)
  5  TLS handshake or certificate failure
  6  closed with another code (printed on stderr: 1001 going away, 1011 server error…)
  7  the server refused the upgrade (its HTTP status is printed) or answered it wrongly

Examples:
  echo hello | wirekit ws ws://127.0.0.1:8080/echo
  wirekit ws wss://example.com/feed --subprotocol feed.v2 -H 'Authorization: Bearer …' --json
`;

interface WsFlags {
  url: string;
  headers: [string, string][];
  protocols: string[];
  json: boolean;
  binary: boolean;
  compress: boolean;
  timeoutMs: number | undefined;
  insecure: boolean;
  ca: string | undefined;
  verbose: boolean;
}

function parseFlags(args: readonly string[]): WsFlags {
  const { values, positionals } = parseCommandArgs(args, {
    header: { type: 'string', short: 'H', multiple: true },
    subprotocol: { type: 'string', short: 's', multiple: true },
    json: { type: 'boolean', default: false },
    binary: { type: 'boolean', default: false },
    compress: { type: 'boolean', default: false },
    timeout: { type: 'string', short: 'w' },
    insecure: { type: 'boolean', default: false },
    ca: { type: 'string' },
    verbose: { type: 'boolean', short: 'v', default: false },
  });
  const [url, ...extra] = positionals;
  if (url === undefined) throw new UsageError('ws needs a URL (ws://host:port/path)');
  if (extra.length > 0) throw new UsageError(`ws takes one URL, got ${[url, ...extra].join(' ')}`);
  if (!/^wss?:\/\//i.test(url)) throw new UsageError(`a WebSocket URL starts with ws:// or wss://, got ${url}`);
  return {
    url,
    headers: (values.header ?? []).map(parseHeader),
    protocols: values.subprotocol ?? [],
    json: values.json === true,
    binary: values.binary === true,
    compress: values.compress === true,
    timeoutMs: values.timeout === undefined ? undefined : parseDuration('--timeout', values.timeout),
    insecure: values.insecure === true,
    ca: values.ca,
    verbose: values.verbose === true,
  };
}

async function clientOptions(flags: WsFlags, io: CliIo): Promise<WebSocketClientOptions> {
  const options: WebSocketClientOptions = {
    headers: flags.headers,
    protocols: flags.protocols,
    perMessageDeflate: flags.compress,
    // An interactive session may sit idle: no pings of ours (the server's are answered).
    pingIntervalMs: 0,
  };
  if (flags.timeoutMs !== undefined) {
    options.connectTimeoutMs = flags.timeoutMs;
    options.handshakeTimeoutMs = flags.timeoutMs;
  }
  if (flags.insecure || flags.ca !== undefined) {
    options.tls = { rejectUnauthorized: !flags.insecure };
    if (flags.ca !== undefined) options.tls.ca = await readCa(flags.ca, io);
  }
  return options;
}

async function readCa(path: string, io: CliIo): Promise<Buffer> {
  try {
    return await readFile(resolve(io.cwd, path));
  } catch (error) {
    throw new UsageError(`--ca: ${(error as Error).message}`, { flag: '--ca' });
  }
}

/** The exit code for a failure to connect. */
function failureCode(error: unknown): number {
  if (error instanceof UsageError) throw error;
  if (isWirekitError(error, 'WK_ERR_WS_HANDSHAKE')) return WS_EXIT.refused;
  if (error instanceof TimeoutError) return WS_EXIT.timeout;
  if (isWirekitError(error, 'WK_ERR_TLS')) return WS_EXIT.tls;
  if (isWirekitError(error, 'WK_ERR_INVALID_ARGUMENT')) return WS_EXIT.usage;
  return WS_EXIT.unreachable;
}

/**
 * The exit code for a close code: 1000 is success, 1006 (no closing handshake) a broken
 * connection, any other code {@link WS_EXIT}.closeCode.
 *
 * @example
 * ```ts
 * exitCodeOfClose(1001); // 6
 * ```
 */
export function exitCodeOfClose(code: number): number {
  if (code === 1000) return WS_EXIT.ok;
  return code === 1006 ? WS_EXIT.broken : WS_EXIT.closeCode;
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise((done) => stream.once('drain', done));
}

function formatMessage(message: string | Buffer, json: boolean): string {
  if (typeof message === 'string')
    return json ? `${JSON.stringify({ type: 'text', data: message })}\n` : `${message}\n`;
  const hex = message.toString('hex');
  return json ? `${JSON.stringify({ type: 'binary', hex })}\n` : `${hex}\n`;
}

/** Lines of standard input to `ws` until it ends (then close 1000) or the connection closes. */
async function pump(ws: WebSocketConnection<undefined>, source: StdinSource, binary: boolean): Promise<void> {
  const decoder = new LineDecoder();
  const closed = ws.closed.then(() => null);
  const send = (line: string): Promise<boolean> => ws.send(binary ? Buffer.from(line) : line);
  for (;;) {
    const chunk = await Promise.race([source.next(), closed]);
    if (chunk === null) break;
    for (const line of decoder.push(chunk)) if (!(await send(line))) return;
  }
  const rest = decoder.end();
  if (rest !== undefined && rest !== '') await send(rest);
  ws.close(1000);
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args);
  const options = await clientOptions(flags, io);
  let ws: WebSocketConnection<undefined>;
  try {
    ws = await connectWebSocket(flags.url, options);
  } catch (error) {
    const code = failureCode(error);
    io.stderr.write(`wirekit ws: ${describeError(error)}\n`);
    return code;
  }
  if (flags.verbose) {
    io.stderr.write(
      `Connected to ${flags.url} (subprotocol: ${ws.protocol || 'none'}; extensions: ${ws.extensions || 'none'})\n`,
    );
  }
  const source = new StdinSource(io.stdin);
  const outbound = pump(ws, source, flags.binary).catch(() => ws.close(1011));
  try {
    for await (const message of ws) await write(io.stdout, formatMessage(message, flags.json));
  } finally {
    source.stop();
  }
  await outbound;
  const { code, reason } = await ws.closed;
  if (flags.json) await write(io.stdout, `${JSON.stringify({ type: 'close', code, reason })}\n`);
  if (code !== 1000 || flags.verbose) {
    io.stderr.write(`wirekit ws: closed with ${code}${reason === '' ? '' : ` (${reason})`}\n`);
  }
  return exitCodeOfClose(code);
}

/**
 * `wirekit ws`: an interactive WebSocket client.
 *
 * @example
 * ```ts
 * const code = await wsCommand.run(['ws://127.0.0.1:8080/echo', '--json'], processIo());
 * ```
 */
export const wsCommand: Command = {
  name: 'ws',
  summary: 'talk to a WebSocket server: stdin lines to messages, messages to stdout',
  help: HELP,
  run,
};
