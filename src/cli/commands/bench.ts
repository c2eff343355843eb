/**
 * `wirekit bench URL…`: a load test with a live display and a final report (or `--json`,
 * `--html`), and `wirekit bench --compare a.json b.json`, on the public `wirekit/tools` API.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isWirekitError } from '../../index.js';
import {
  compareResults,
  formatComparison,
  formatResult,
  type LoadTarget,
  type LoadTestOptions,
  type LoadTestResult,
  loadTest,
  parseRequestList,
  renderHtmlReport,
} from '../../tools/index.js';
import { progressDisplay } from '../bench-display.js';
import type { CliIo, Command } from '../io.js';
import { isTerminal } from '../paint.js';
import { type ParsedArgs, parseCommandArgs } from '../parse-args.js';
import { parseBytes, parseCount, parseDuration, parseHeader } from '../parse-units.js';
import { parseShortUrl } from '../short-url.js';
import { UsageError } from '../usage-error.js';

const HELP = `Usage: wirekit bench URL [URL ...] [options]
       wirekit bench --list requests.jsonl [URL] [options]
       wirekit bench --compare a.json b.json

Loads an HTTP/1.1 or HTTP/2 server, or a WebSocket echo endpoint, and reports latency
percentiles (HDR histogram), throughput, bytes, statuses and errors by phase. Several URLs (or a
--list) are sent in turn on every connection. Ctrl-C stops the run and prints the report of what ran.

HTTP/2 (--http2): https: URLs must choose h2 by ALPN; http: URLs are spoken to in cleartext with
prior knowledge (h2c, no Upgrade). -p is then the streams in flight per connection.

WebSocket (ws:// or wss:// URL): each connection sends messages (-b as a text message, else
--message-bytes of binary) and times each echo: latency is the round trip of one message, the
rate is messages/s. -p is the messages in flight per connection, -R a rate in messages/s.

Options:
  -c, --connections <n>   connections to keep open (default 10)
  -d, --duration <time>   how long to run: 10s, 1m, 500ms (default 10s, or none with -n)
  -n, --requests <n>      stop after this many requests (answered or failed)
  -p, --pipelining <n>    requests in flight per connection (default 1)
  -R, --rate <n>          constant throughput in requests/s; latency counts from when each
                          request was due (coordinated omission corrected, as wrk2 does)
  -m, --method <method>   request method (default GET, POST with a body)
  -H, --header <field>    request header 'Name: value' (repeat for more)
  -b, --body <text>       request body
      --body-file <file>  request body read from a file
      --list <file>       request mix, one JSON object per line (see the README)
      --timeout <time>    limit for connect, TLS, response head and body silence, each (default 10s)
  -k, --insecure          accept any TLS certificate
      --ca <file>         also trust this CA certificate (PEM)
      --json              print the result as JSON on stdout (the live display stays on stderr)
      --html <file>       write a self-contained HTML report
      --compare           compare two --json results: differences with 95% intervals
  -q, --quiet             no banner, no live display
      --http2             HTTP/2: h2 by ALPN on https:, h2c prior knowledge on http:
      --message-bytes <n> WebSocket: payload bytes of each binary message (default 64)
  -h, --help              show this help

Exit codes: 0 the run got responses, 1 no request got a response, 2 usage error.

Examples:
  wirekit bench http://127.0.0.1:8080/ -c 100 -d 10s
  wirekit bench :8080/echo -m POST -H 'content-type: application/json' -b '{"a":1}' -n 100000
  wirekit bench :8080/ -R 2000 -d 30s --json > after.json
  wirekit bench https://127.0.0.1:8443/ --http2 -k -c 10 -p 10 -d 10s
  wirekit bench :8080/ --http2 -n 100000          (h2c prior knowledge)
  wirekit bench ws://127.0.0.1:8080/echo -c 50 --message-bytes 1024 -d 10s
  wirekit bench --compare before.json after.json
`;

const OPTIONS = {
  connections: { type: 'string', short: 'c' },
  duration: { type: 'string', short: 'd' },
  requests: { type: 'string', short: 'n' },
  pipelining: { type: 'string', short: 'p' },
  rate: { type: 'string', short: 'R' },
  method: { type: 'string', short: 'm' },
  header: { type: 'string', short: 'H', multiple: true },
  body: { type: 'string', short: 'b' },
  'body-file': { type: 'string' },
  list: { type: 'string' },
  timeout: { type: 'string' },
  insecure: { type: 'boolean', short: 'k', default: false },
  ca: { type: 'string' },
  json: { type: 'boolean', default: false },
  html: { type: 'string' },
  compare: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  http2: { type: 'boolean', default: false },
  'message-bytes': { type: 'string' },
} as const;

type Values = ParsedArgs<typeof OPTIONS>['values'];

/** The flags of other load generators, answered with ours. */
const PEER_TIPS: Readonly<Record<string, string>> = {
  '-t': 'wirekit bench runs in one thread: -c sets the connections',
  '-l': 'latency percentiles are always reported',
  '--latency': 'latency percentiles are always reported',
};

/**
 * `wirekit bench`.
 *
 * @example
 * ```ts
 * await benchCommand.run([':8080/', '-c', '50', '-d', '10s'], processIo());
 * ```
 */
export const benchCommand: Command = {
  name: 'bench',
  summary: 'load-test an HTTP or WebSocket server: latency percentiles, throughput, errors',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, PEER_TIPS);
    if (values.compare) return compare(positionals, io);
    try {
      return await bench(values, positionals, io);
    } catch (error) {
      if (isWirekitError(error, 'WK_ERR_INVALID_ARGUMENT')) throw new UsageError(error.message, { cause: error });
      throw error;
    }
  },
};

async function bench(values: Values, positionals: readonly string[], io: CliIo): Promise<number> {
  const options = await loadOptions(values, positionals, io);
  const stop = new AbortController();
  void io.stopped().then(() => stop.abort());
  const display = values.quiet ? undefined : progressDisplay(io.stderr, isTerminal(io.stderr, io.env));
  const result = await loadTest({
    ...options,
    signal: stop.signal,
    onStart: () => {
      if (!values.quiet) io.stderr.write(`${describe(options)} (Ctrl-C stops and reports)\n`);
    },
    ...(display === undefined ? {} : { onProgress: display.update }),
  });
  display?.done();
  io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatResult(result));
  if (values.html !== undefined) {
    const file = resolve(io.cwd, values.html);
    await writeFile(file, renderHtmlReport(result));
    io.stderr.write(`HTML report: ${file}\n`);
  }
  if (result.requests > 0) return 0;
  io.stderr.write(`wirekit bench: ${noResponse(result, options)}\n`);
  return 1;
}

/** Why the run got no response, in words: the report's error codes alone do not say what to check. */
function noResponse(result: LoadTestResult, options: LoadTestOptions): string {
  const first = options.targets[0];
  const url = new URL(typeof first === 'string' ? first : (first?.url ?? 'http://localhost/'));
  if (result.errorCodes.WK_ERR_CONNECT !== undefined) {
    return `no response: cannot connect to ${url.host} (is a server listening there?)`;
  }
  const codes = Object.keys(result.errorCodes);
  return `no request got a response${codes.length > 0 ? ` (${codes.join(', ')})` : ''}`;
}

async function compare(files: readonly string[], io: CliIo): Promise<number> {
  if (files.length !== 2) throw new UsageError('--compare takes two result files (written with --json)');
  const [a, b] = await Promise.all(files.map((f) => readResult(resolve(io.cwd, f))));
  io.stdout.write(formatComparison(compareResults(a as LoadTestResult, b as LoadTestResult), files[0], files[1]));
  return 0;
}

async function readResult(file: string): Promise<LoadTestResult> {
  const text = await readText(file);
  try {
    return JSON.parse(text) as LoadTestResult;
  } catch {
    throw new UsageError(`${file} is not JSON (write results with --json)`);
  }
}

async function loadOptions(values: Values, positionals: readonly string[], io: CliIo): Promise<LoadTestOptions> {
  // ws: and wss: pass, for the load generator to say what it does with them.
  const urls = positionals.map((text) => parseShortUrl(text, ['http:', 'https:', 'ws:', 'wss:']).href);
  const targets: LoadTarget[] =
    values.list === undefined
      ? urls.map((url) => ({ url }))
      : parseRequestList(await readText(resolve(io.cwd, values.list)), urls[0]);
  if (targets.length === 0) throw new UsageError('a URL is required');
  const body =
    values['body-file'] !== undefined
      ? await readFile(resolve(io.cwd, values['body-file'])).catch(() => {
          throw new UsageError(`cannot read --body-file ${values['body-file']}`);
        })
      : values.body;
  const headers = (values.header ?? []).map(parseHeader);
  const shaped = targets.map(
    (t): LoadTarget => ({
      ...t,
      ...(values.method === undefined || values.list !== undefined ? {} : { method: values.method.toUpperCase() }),
      ...(body === undefined || values.list !== undefined ? {} : { body }),
      ...(headers.length === 0 ? {} : { headers: [...headerPairs(t.headers), ...headers] }),
    }),
  );
  const options: LoadTestOptions = { targets: shaped };
  if (values.http2) options.http2 = true;
  if (values['message-bytes'] !== undefined) {
    options.messageBytes = parseBytes('--message-bytes', values['message-bytes']);
  }
  if (values.connections !== undefined) options.connections = parseCount('--connections', values.connections);
  if (values.pipelining !== undefined) options.pipelining = parseCount('--pipelining', values.pipelining);
  if (values.requests !== undefined) options.requests = parseCount('--requests', values.requests);
  if (values.rate !== undefined) options.rate = parseRate(values.rate);
  if (values.duration !== undefined) {
    options.durationMs = parseDuration('--duration', values.duration);
    if (options.durationMs <= 0) throw new UsageError('--duration must be more than 0', { flag: '--duration' });
  }
  if (values.timeout !== undefined) options.timeoutMs = parseDuration('--timeout', values.timeout);
  if (values.insecure || values.ca !== undefined) {
    options.tls = values.insecure
      ? { rejectUnauthorized: false }
      : { ca: await readText(resolve(io.cwd, values.ca as string)) };
  }
  return options;
}

function parseRate(text: string): number {
  const rate = Number(text.replace(/_/g, ''));
  if (text.trim() === '' || !Number.isFinite(rate) || rate <= 0) {
    throw new UsageError(`--rate: not a number of requests per second: ${JSON.stringify(text)}`, { flag: '--rate' });
  }
  return rate;
}

function headerPairs(headers: LoadTarget['headers']): (readonly [string, string])[] {
  if (headers === undefined) return [];
  return Array.isArray(headers) ? [...headers] : Object.entries(headers);
}

function describe(options: LoadTestOptions): string {
  const first = options.targets[0];
  const url = typeof first === 'string' ? first : first?.url;
  const more = options.targets.length > 1 ? ` and ${options.targets.length - 1} more` : '';
  const bound = [
    options.durationMs === undefined ? undefined : `${options.durationMs / 1000} s`,
    options.requests === undefined ? undefined : `${options.requests} requests`,
  ].filter((x) => x !== undefined);
  const connections = options.connections ?? 10;
  return `Benchmarking ${url}${more}: ${connections} connection${connections === 1 ? '' : 's'}, ${bound.length > 0 ? bound.join(' or ') : '10 s'}${options.rate === undefined ? '' : ` at ${options.rate} ${/^wss?:/.test(url ?? '') ? 'msg/s' : 'req/s'}`}${options.http2 === true ? ', HTTP/2' : ''}`;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
}
