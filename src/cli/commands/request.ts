/**
 * `wirekit request [METHOD] URL [items]`: one HTTP request from the command line, httpie style, on
 * the public client API (`Agent`, `request`, an interceptor that prints each hop). The parts live
 * in `src/cli/request/`: arguments, body, output, download.
 */
import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import {
  Agent,
  type AgentOptions,
  type ClientResponse,
  isWirekitError,
  request,
  TimeoutError,
  withInterceptors,
} from '../../index.js';
import { adviceFor } from '../describe-error.js';
import type { CliIo, Command } from '../io.js';
import { colorEnabled, painter } from '../paint.js';
import { parseRequestArgs, type RequestFlags } from '../request/args.js';
import { buildRequest } from '../request/body.js';
import { prepareDownload, saveDownload } from '../request/download.js';
import { EXIT, statusExitCode } from '../request/exit-codes.js';
import { ExchangePrinter, MessageWriter, printParts } from '../request/output.js';
import { UsageError } from '../usage-error.js';

const HELP = `Usage: wirekit request [METHOD] URL [ITEM ...] [options]

Sends one HTTP request. On a terminal it prints the response's status line and headers, then the
body (JSON formatted and coloured, binary bodies not dumped); piped, only the body, byte for byte.
METHOD is GET, or POST when data items are given (post, put... in lower case work too).
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
  -p, --print <what>      what to print: H request head, B request body, h response head,
                          b response body (default: hb on a terminal, b when piped)
  -v, --verbose           print everything (HBhb) for every hop of a redirect chain
      --all               with --follow, print the redirect hops too (heads of their answers)
      --timings           print one line on stderr: dns, connect, tls, ttfb, total in ms
  -d, --download          save the body to a file (name from -o, Content-Disposition or the
                          URL; never overwrites); follows redirects; an error status saves
                          nothing; what --print selects goes to stderr
  -o, --output <file>     the file for --download
  -c, --continue          resume a partial --download: asks for the bytes after the file's end
                          (the file is -o, or named after the URL)
      --timeout <dur>     give up after this long in total, every redirect and the body
                          included (10s, 500ms; a bare number is seconds; default: no limit)
  -F, --follow            follow redirects
      --max-redirects <n> redirects followed with --follow (default 30)
  -k, --insecure          do not verify the server's TLS certificate
      --ca <file>         also trust this CA certificate (PEM)
      --proxy <url>       tunnel through this HTTP proxy (default: HTTP(S)_PROXY and NO_PROXY)
      --http2             offer HTTP/2 by ALPN on https: URLs (HTTP/1.1 if the server declines)
  -h, --help              show this help

On a terminal a body ends with a newline; piped, nothing is added to it. Colours follow the
terminal, NO_COLOR and FORCE_COLOR.

Exit codes:
  0  the response is 1xx or 2xx        4  4xx
  2  usage error                       5  5xx
  3  3xx (a redirect not followed)     6  network, TLS, timeout or protocol failure
  130 a download stopped by Ctrl-C (what arrived is kept: --continue resumes it)

Examples:
  wirekit request :8080/users/1
  wirekit request POST :8080/echo name=wirekit tags:='["fast"]' X-Trace:1 --timings
  wirekit request PUT example.com/upload @photo.jpg Content-Type:image/jpeg
  wirekit request --form POST :8080/upload title=cat photo@cat.jpg
  wirekit request -p Hh :8080/           # the request and response heads, no body
  wirekit request -d https://example.com/file.tar.gz -o file.tar.gz
  wirekit request -d -c https://example.com/file.tar.gz    # resume it
`;

async function readCa(io: CliIo, path: string): Promise<Buffer> {
  try {
    return await readFile(resolve(io.cwd, path));
  } catch (error) {
    throw new UsageError(`--ca: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      flag: '--ca',
    });
  }
}

function agentFor(flags: RequestFlags, io: CliIo, ca: Buffer | undefined): Agent {
  const options: AgentOptions = { tls: { rejectUnauthorized: !flags.insecure, ...(ca === undefined ? {} : { ca }) } };
  if (flags.http2) options.allowH2 = true;
  if (flags.proxy !== undefined) options.proxy = flags.proxy;
  else options.proxyFromEnv = io.env;
  return new Agent(options);
}

/**
 * Where the messages go and which parts, httpie's rules: stdout, `hb` on a terminal and `b` piped;
 * with --download, stderr (stdout is not the file), and no response body.
 */
function printerFor(flags: RequestFlags, io: CliIo): ExchangePrinter {
  const stream = flags.download ? io.stderr : io.stdout;
  const terminal = stream.isTTY === true;
  let letters = flags.print ?? (flags.verbose ? 'HBhb' : terminal ? 'hb' : 'b');
  if (flags.download) letters = letters.replace('b', '');
  const out = new MessageWriter(stream, terminal, painter(colorEnabled(stream, io.env)));
  return new ExchangePrinter(out, printParts(letters), { all: flags.all, following: flags.maxRedirections > 0 });
}

/** How the command ends early: the --timeout deadline, or Ctrl-C during a download. */
interface Stop {
  readonly signal: AbortSignal | undefined;
  /** The signal's name once Ctrl-C (or SIGTERM) stopped a download. */
  interrupted(): NodeJS.Signals | undefined;
  clear(): void;
}

/**
 * One abort signal for the whole command. The --timeout deadline aborts it (`totalTimeoutMs` would
 * not do: each redirect hop starts its own); with `stopped`, so does Ctrl-C, so that a download
 * interrupted keeps what arrived and says how to resume instead of dying mid-write.
 */
function commandStop(ms: number, stopped: Promise<NodeJS.Signals> | undefined): Stop {
  if (ms === 0 && stopped === undefined) return { signal: undefined, interrupted: () => undefined, clear: () => {} };
  const controller = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  void stopped?.then((signal) => {
    interrupted ??= signal;
    controller.abort(new Error(`interrupted (${signal})`));
  });
  const reason = new TimeoutError('WK_ERR_TOTAL_TIMEOUT', `no complete response within ${ms / 1000} s (--timeout)`);
  const timer = ms === 0 ? undefined : setTimeout(() => controller.abort(reason), ms);
  return { signal: controller.signal, interrupted: () => interrupted, clear: () => clearTimeout(timer) };
}

/** One line for a failure; for an abort by the --timeout deadline, the timeout itself. */
function failureLine(thrown: unknown, stop: AbortSignal | undefined): string {
  const byStop = stop?.aborted === true && isWirekitError(thrown, 'WK_ERR_ABORTED');
  const error = byStop && thrown.cause === stop.reason ? thrown.cause : thrown;
  const code = isWirekitError(error) ? `${error.code}: ` : '';
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  const detail = cause === '' || message.includes(cause) ? '' : ` (${cause})`;
  const advice = adviceFor(error);
  return `wirekit request: ${code}${message}${detail}\n${advice === undefined ? '' : `  ${advice}\n`}`;
}

function timingsLine(response: ClientResponse): string {
  const t = response.timings;
  const ms = (n: number): string => `${n.toFixed(1)}ms`;
  return `dns ${ms(t.dns)}  connect ${ms(t.connect)}  tls ${ms(t.tls)}  ttfb ${ms(t.ttfb)}  total ${ms(t.total)}\n`;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseRequestArgs(args);
  const { headers, body } = await buildRequest(flags, io);
  const ca = flags.ca === undefined ? undefined : await readCa(io, flags.ca);
  const target = flags.download ? await prepareDownload(flags, io, headers) : undefined;
  const printer = printerFor(flags, io);
  const agent = agentFor(flags, io, ca);
  // Only a download catches Ctrl-C: anything else dies at once, as commands do.
  const stop = commandStop(flags.timeoutMs, flags.download ? io.stopped() : undefined);
  try {
    const response = await request(flags.url, {
      method: flags.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      maxRedirections: flags.maxRedirections,
      decompress: !flags.download,
      ...(stop.signal === undefined ? {} : { signal: stop.signal }),
      dispatcher: withInterceptors(agent, printer.interceptor),
    });
    let code = statusExitCode(response.status);
    if (target !== undefined) {
      await printer.response(response, false);
      code = await saveDownload(response, target, flags, io);
    } else {
      await printer.response(response);
      const location = response.headers.get('location');
      if (code === EXIT.redirect && location !== null) {
        // A redirect not followed is the usual surprise (and exit code 3): say what to add.
        io.stderr.write(`wirekit request: ${response.status} to ${location} not followed (-F follows redirects)\n`);
      } else if (code !== EXIT.ok && !printer.showsResponseHead) {
        // Piped, the status is not on stdout: say why the exit code is not 0 (as httpie does).
        io.stderr.write(`wirekit request: ${response.status} ${response.statusText}\n`);
      }
    }
    if (flags.timings) io.stderr.write(timingsLine(response));
    return code;
  } catch (thrown) {
    const interrupted = stop.interrupted();
    if (interrupted !== undefined) {
      io.stderr.write(`wirekit request: interrupted (${interrupted})\n`);
      return 128 + (constants.signals[interrupted] ?? 2);
    }
    io.stderr.write(failureLine(thrown, stop.signal));
    return EXIT.failure;
  } finally {
    stop.clear();
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
