/**
 * `wirekit udp send|listen`: netcat for UDP on wirekit's `bind()` and `UdpSocket`.
 */
import { isIP } from 'node:net';
import { bind, type Datagram, LineDecoder, TimeoutError, type UdpSocket } from '../../index.js';
import { type HostPort, parseHostPort } from '../../tools/index.js';
import { describeError } from '../describe-error.js';
import { type CliIo, type Command, promptForStdin } from '../io.js';
import { EXIT, EXIT_HELP, exitCodeOf } from '../netcat/exit-codes.js';
import { HexDumper, hexLines } from '../netcat/hex-dump.js';
import { parseCommandArgs } from '../parse-args.js';
import { parseCount, parseDuration } from '../parse-units.js';
import { UsageError } from '../usage-error.js';

const HELP = `Usage: wirekit udp send HOST:PORT [message] [options]
       wirekit udp listen [HOST:]PORT [options]

'send' sends the message as one datagram; without a message, all of standard input is one
datagram (--lines: one datagram per line, without its newline, sent as each line comes).
'listen' prints each datagram with its source, '[127.0.0.1:53211] hello', until Ctrl-C.

Options:
      --wait <dur>      send: print the replies that come within <dur> of the last datagram
                        or reply (exit 3 if none came; an ICMP refusal exits 1)
  -L, --lines           send: one datagram per line of standard input
  -e, --echo            listen: send every datagram back to its source
  -c, --count <n>       listen: exit after n datagrams
  -w, --timeout <dur>   listen: exit 3 after <dur> without a datagram
      --raw             listen: print the data only, no source
  -x, --hex             send: dump datagrams in hex on stderr ('>' sent, '<' received);
                        listen: print each datagram as a hex dump instead of its bytes
  -v, --verbose         say where it listens (on stderr)
  -h, --help            show this help

${EXIT_HELP}
Examples:
  wirekit udp send 127.0.0.1:8125 'page.views:1|c'
  echo ping | wirekit udp send 127.0.0.1:9000 --wait 1s
  wirekit udp listen 9000 --echo
`;

interface UdpFlags {
  mode: 'send' | 'listen';
  target: HostPort;
  message: string | undefined;
  waitMs: number | undefined;
  lines: boolean;
  echo: boolean;
  count: number;
  timeoutMs: number;
  raw: boolean;
  hex: boolean;
  verbose: boolean;
}

function parseFlags(args: readonly string[]): UdpFlags {
  const { values, positionals } = parseCommandArgs(args, {
    wait: { type: 'string' },
    lines: { type: 'boolean', short: 'L', default: false },
    echo: { type: 'boolean', short: 'e', default: false },
    count: { type: 'string', short: 'c' },
    timeout: { type: 'string', short: 'w' },
    raw: { type: 'boolean', default: false },
    hex: { type: 'boolean', short: 'x', default: false },
    verbose: { type: 'boolean', short: 'v', default: false },
  });
  const [mode, address, ...rest] = positionals;
  if (mode !== 'send' && mode !== 'listen') {
    throw new UsageError(mode === undefined ? 'say send or listen' : `say send or listen, not ${JSON.stringify(mode)}`);
  }
  if (address === undefined) throw new UsageError(`udp ${mode} needs an address`);
  if (mode === 'listen' && rest.length > 0) throw new UsageError('udp listen takes one address');
  if (rest.length > 1) throw new UsageError('quote a message with spaces: one message, one datagram');
  let target: HostPort;
  try {
    target = parseHostPort(address);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (mode === 'send' && target.port === 0) throw new UsageError('udp send needs HOST:PORT');
  const count = values.count === undefined ? 0 : parseCount('--count', values.count);
  return {
    mode,
    target,
    message: rest[0],
    waitMs: values.wait === undefined ? undefined : parseDuration('--wait', values.wait),
    lines: values.lines === true,
    echo: values.echo === true,
    count,
    timeoutMs: values.timeout === undefined ? 0 : parseDuration('--timeout', values.timeout),
    raw: values.raw === true,
    hex: values.hex === true,
    verbose: values.verbose === true,
  };
}

async function open(flags: UdpFlags, bindTo: HostPort): Promise<UdpSocket> {
  return bind({ host: bindTo.host, port: bindTo.port, type: isIP(flags.target.host) === 6 ? 'udp6' : 'udp4' });
}

async function* datagramsToSend(flags: UdpFlags, io: CliIo): AsyncGenerator<Uint8Array> {
  if (flags.message !== undefined) {
    yield Buffer.from(flags.message);
    return;
  }
  promptForStdin(io, flags.lines ? 'datagrams, one per line,' : 'the datagram');
  if (!flags.lines) {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    yield Buffer.concat(chunks);
    return;
  }
  const decoder = new LineDecoder();
  for await (const chunk of io.stdin) {
    for (const line of decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) yield Buffer.from(line);
  }
  const last = decoder.end();
  if (last !== undefined) yield Buffer.from(last);
}

/** Prints replies until `waitMs` passes without one; rejects with the socket's error (ICMP refusal). */
async function printReplies(socket: UdpSocket, waitMs: number, io: CliIo, dump: HexDumper | undefined) {
  let replies = 0;
  for (;;) {
    let reply: Datagram | null;
    try {
      reply = await socket.receive({ timeoutMs: waitMs });
    } catch (error) {
      if (error instanceof TimeoutError && replies > 0) return;
      if (error instanceof TimeoutError) throw new TimeoutError(error.code, `no reply within ${waitMs} ms`);
      throw error;
    }
    if (reply === null) return;
    replies++;
    dump?.received(reply.data);
    io.stdout.write(reply.data);
  }
}

async function runSend(flags: UdpFlags, io: CliIo): Promise<number> {
  const dump = flags.hex ? new HexDumper((text) => io.stderr.write(text)) : undefined;
  let socket: UdpSocket | undefined;
  try {
    socket = await open(flags, { host: isIP(flags.target.host) === 6 ? '::' : '0.0.0.0', port: 0 });
    await socket.connect(flags.target.port, flags.target.host);
    for await (const datagram of datagramsToSend(flags, io)) {
      dump?.sent(datagram);
      await socket.send(datagram);
    }
    if (flags.waitMs !== undefined) await printReplies(socket, flags.waitMs, io, dump);
    return EXIT.ok;
  } catch (error) {
    io.stderr.write(`wirekit udp: ${describeError(error)}\n`);
    return exitCodeOf(error);
  } finally {
    await socket?.close();
  }
}

function source(datagram: Datagram): string {
  return datagram.family === 'IPv6' ? `[${datagram.address}]:${datagram.port}` : `${datagram.address}:${datagram.port}`;
}

function show(datagram: Datagram, flags: UdpFlags, io: CliIo): void {
  const data = Buffer.from(datagram.data);
  if (flags.hex) {
    const head = flags.raw ? '' : `[${source(datagram)}] ${data.length} bytes\n`;
    io.stdout.write(`${head}${hexLines(data).join('\n')}\n`);
    return;
  }
  if (!flags.raw) io.stdout.write(`[${source(datagram)}] `);
  io.stdout.write(data);
  if (!flags.raw && data.at(-1) !== 0x0a) io.stdout.write('\n');
}

async function runListen(flags: UdpFlags, io: CliIo): Promise<number> {
  let socket: UdpSocket;
  try {
    socket = await open(flags, flags.target);
  } catch (error) {
    io.stderr.write(`wirekit udp: ${describeError(error)}\n`);
    return exitCodeOf(error);
  }
  const stop = new AbortController();
  void io.stopped().then(() => stop.abort());
  if (flags.verbose) io.stderr.write(`Listening on ${socket.address.address}:${socket.address.port}\n`);
  let seen = 0;
  try {
    while (flags.count === 0 || seen < flags.count) {
      const options =
        flags.timeoutMs > 0 ? { timeoutMs: flags.timeoutMs, signal: stop.signal } : { signal: stop.signal };
      const datagram = await socket.receive(options);
      if (datagram === null) break;
      seen++;
      show(datagram, flags, io);
      if (flags.echo) await socket.send(datagram.data, datagram.port, datagram.address);
    }
    return EXIT.ok;
  } catch (error) {
    if (stop.signal.aborted) return EXIT.ok;
    io.stderr.write(`wirekit udp: ${describeError(error)}\n`);
    return exitCodeOf(error);
  } finally {
    await socket.close();
  }
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args);
  return flags.mode === 'send' ? runSend(flags, io) : runListen(flags, io);
}

/**
 * `wirekit udp`: netcat for UDP.
 *
 * @example
 * ```ts
 * await udpCommand.run(['send', '127.0.0.1:9000', 'ping', '--wait', '1s'], processIo());
 * ```
 */
export const udpCommand: Command = {
  name: 'udp',
  summary: 'netcat for UDP: send datagrams, or listen and print each with its source',
  help: HELP,
  run,
};
